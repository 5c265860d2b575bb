import ArgumentParser
import Foundation
import Capture
import DisplayFilter
import PacketDecoder
import PacketStore
import TerminalUI
import ThemeFiles
import TunnelscopeApp

/// `tunnelscope fields`: the registry, one field a line, like `tshark -G fields`.
public struct Fields: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "fields",
        abstract: "List every field tunnelscope decodes: abbreviation, type, base, mask and label."
    )
    public init() {}

    public func run() throws {
        let sink = FileDescriptorSink(fd: 1)
        Terminal.standardOutput = sink
        for info in FieldRegistry.all where info.field != EthernetLayer.ethertypeStep {
            var columns = [info.abbreviation, info.type.wiresharkName, info.base.wiresharkName]
            columns.append(info.mask == 0 ? "" : "0x" + hexString(info.mask, width: max(2, info.type.bitWidth / 4)))
            columns.append(info.name)
            sink.buffer.writeLine(columns.joined(separator: "\t"))
        }
        sink.buffer.flush()
    }
}

/// `tunnelscope [-r FILE] [-Y FILTER] [--theme NAME]`: the TUI (the default command).
public struct Open: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Open a capture in the TUI (default: the bundled capture of the article's 6in4 lab).",
        discussion: "Without a terminal (output to a pipe or a file) it prints the summary lines instead.",
        shouldDisplay: false
    )

    @Option(name: .short, help: ArgumentHelp("Open this pcap or pcapng file.", valueName: "file"))
    var r: String?

    @Option(name: .short, help: ArgumentHelp("Display filter to apply at start (Wireshark syntax).", valueName: "filter"))
    var Y: String?

    @Option(name: .long, help: ArgumentHelp("Colour theme: default, light, classroom, mono, or one of ~/.config/tunnelscope/themes.", valueName: "name"))
    var theme: String = ThemeLoader.defaultName

    @OptionGroup var live: LiveOptions

    @Option(name: .short, help: ArgumentHelp("BPF capture filter for -i, e.g. 'ip proto 41'.", valueName: "filter"))
    var f: String?

    @Option(name: .short, help: ArgumentHelp("With -i: keep the capture in this pcap file (else a temporary one).", valueName: "outfile"))
    var w: String?

    public init() {}

    public func validate() throws {
        try live.validate(reading: r)
        if live.duration != nil { throw ValidationError("--duration is for print -i; in the TUI, q stops the capture") }
        if live.i == nil && (f != nil || w != nil) { throw ValidationError("-f and -w need -i INTERFACE (for files, use print -r FILE -f ... -w ...)") }
    }

    public func run() throws {
        if live.D { return try InterfacesCommand.list() }
        if let Y, !Y.allSatisfy({ $0 == " " }) {
            do { _ = try DisplayFilter(compiling: Y) } catch {
                throw CommandFailure(badFilter: error)
            }
        }
        guard isatty(0) == 1 && isatty(1) == 1 else {
            // No terminal: behave as `print`, so `tunnelscope -r x.pcap | grep ...` works.
            try PacketPrinting(file: try openFile(), mode: .summary, limit: nil, hex: false, offsets: false,
                               outputPath: nil, printWhileWriting: false,
                               displayFilter: Y.flatMap { try? DisplayFilter(compiling: $0) }).run()
            return
        }
        if let interface = live.i { return try runLive(interface) }
        let store: PacketStore
        if let r {
            do { store = try PacketStore(path: r) } catch { throw CommandFailure(error.description) }
        } else {
            store = PacketStore(bytes: try bundledBytes(), name: BundledCapture.name)
        }
        let terminal: CursesTerminal
        do { terminal = try CursesTerminal() } catch { throw CommandFailure("cannot start the TUI: \(error)") }
        let (theme, warnings) = ThemeLoader.load(name: theme, colorDepth: terminal.colorDepth,
                                                 environment: ProcessInfo.processInfo.environment, userDirectory: nil)
        let (lessons, lessonWarning) = WalkthroughCommand.lessonsForTUI()
        let app = TUIApp(store: store, terminal: terminal, theme: theme,
                         startMessage: warnings.first.map { "Theme: \($0)" } ?? lessonWarning, lessons: lessons)
        let status = app.run(filter: Y)
        for warning in warnings { Terminal.error("theme: \(warning)") }
        if status != 0 { throw CommandFailure("", status: status) }
    }

    /// `tunnelscope -i IFACE`: the TUI on a live capture, every packet spooled as it arrives.
    private func runLive(_ interface: String) throws {
        guard isatty(0) == 1 && isatty(1) == 1 else {
            throw CommandFailure("the live TUI needs a terminal; for batch output use: tunnelscope print -i \(interface)", status: 2)
        }
        let session: LiveSession
        do {
            let capture = try LiveCapture(interface: try Interfaces.resolve(interface), options: live.captureOptions)
            if let f { try capture.setFilter(f) }
            // As tcpdump -Z: the handle is open, so become the user before any packet is decoded.
            try LivePrinting.dropPrivileges(user: live.user)
            session = try LiveSession(capture: capture, spoolPath: w)
        } catch { throw CommandFailure(error.description) }
        let terminal: CursesTerminal
        do { terminal = try CursesTerminal() } catch {
            session.capture.stop()
            throw CommandFailure("cannot start the TUI: \(error)")
        }
        let (theme, warnings) = ThemeLoader.load(name: theme, colorDepth: terminal.colorDepth,
                                                 environment: ProcessInfo.processInfo.environment, userDirectory: nil)
        let (lessons, _) = WalkthroughCommand.lessonsForTUI()
        let app = TUIApp(store: session.store, terminal: terminal, theme: theme,
                         startMessage: warnings.first.map { "Theme: \($0)" } ?? "Capturing on \(session.capture.interface) into \(session.spoolPath)",
                         live: session, lessons: lessons)
        let status = app.run(filter: Y, indexInBackground: false)
        for warning in warnings { Terminal.error("theme: \(warning)") }
        if status != 0 { throw CommandFailure("", status: status) }
    }

    private func openFile() throws -> CaptureFile {
        do {
            if let r { return try CaptureFile(path: r) }
            return try CaptureFile(bytes: try bundledBytes(), name: BundledCapture.name)
        } catch let error as CaptureError {
            throw CommandFailure(error.description)
        }
    }

    private func bundledBytes() throws -> [UInt8] {
        guard let bytes = Data(base64Encoded: BundledCapture.base64, options: .ignoreUnknownCharacters) else {
            throw CommandFailure("the bundled capture is damaged")
        }
        return [UInt8](bytes)
    }
}
