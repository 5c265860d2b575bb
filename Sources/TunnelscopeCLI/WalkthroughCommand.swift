import ArgumentParser
import Foundation
import Capture
import PacketDecoder
import PacketStore
import ScreenModel
import TerminalUI
import ThemeFiles
import TunnelscopeApp
import Walkthrough

/// `tunnelscope walkthrough [-r FILE] [-n FRAME] [--print [--format text|markdown]] [--lesson FILE]...`:
/// a classroom walkthrough of one packet, in the TUI's lesson panel or printed as a handout.
public struct WalkthroughCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "walkthrough",
        abstract: "Walk through one packet, field by field: a lesson in the TUI, or a printed handout.",
        discussion: """
        Uses the first lesson whose match filter holds for the packet (--lesson files, then \
        ~/.config/tunnelscope/lessons/*.toml, then the built-ins: the article's ping, traceroute, \
        neighbour discovery, Teredo, 6in4), else the generic tour of every field. Without -r: the \
        bundled capture, frame 73 (the article's ping). Without a terminal, or with --print, it \
        prints the handout. Lesson format: Lessons/README.md.
        """
    )

    @Option(name: .short, help: ArgumentHelp("Read this pcap or pcapng file (default: the bundled capture).", valueName: "file"))
    var r: String?

    @Option(name: .short, help: ArgumentHelp("The frame to walk through (default: 1; 73 in the bundled capture).", valueName: "frame"))
    var n: Int?

    @Flag(name: .customLong("print"), help: "Print the lesson as a handout instead of opening the TUI.")
    var printHandout = false

    @Option(name: .long, help: ArgumentHelp("Handout format: text or markdown.", valueName: "format"))
    var format: String = "text"

    @Option(name: .long, help: ArgumentHelp("A lesson file (TOML) to try before the others (repeatable).", valueName: "file"))
    var lesson: [String] = []

    @Option(name: .long, help: ArgumentHelp("Colour theme for the TUI.", valueName: "name"))
    var theme: String = ThemeLoader.defaultName

    public init() {}

    public func validate() throws {
        if let n, n < 1 { throw ValidationError("-n takes a frame number from 1") }
        if Handout.Format(rawValue: format) == nil { throw ValidationError("--format takes text or markdown, not \"\(format)\"") }
    }

    public func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let library: LessonLibrary
        do {
            library = try LessonLibrary.standard(extra: lesson, userDirectory: LessonLibrary.userDirectory(environment: environment))
        } catch {
            throw CommandFailure("lesson: \(error)")
        }
        for warning in library.warnings { Terminal.error("lesson (skipped): \(warning)") }
        let number = n ?? (r == nil ? 73 : 1)
        let bytes = r == nil ? try Self.bundledBytes() : nil
        let sourceName = r.map { ($0 as NSString).lastPathComponent } ?? BundledCapture.name
        let tree = try Self.frame(number, path: r, bytes: bytes, name: sourceName)

        guard !printHandout && isatty(0) == 1 && isatty(1) == 1 else {
            let walk = library.walkthrough(for: tree)
            let text = Handout.render(walk, tree: tree, source: sourceName, format: Handout.Format(rawValue: format)!)
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let store: PacketStore
        if let r {
            do { store = try PacketStore(path: r) } catch { throw CommandFailure(error.description) }
        } else {
            store = PacketStore(bytes: bytes!, name: BundledCapture.name)
        }
        let terminal: CursesTerminal
        do { terminal = try CursesTerminal() } catch { throw CommandFailure("cannot start the TUI: \(error)") }
        let (theme, warnings) = ThemeLoader.load(name: theme, colorDepth: terminal.colorDepth,
                                                 environment: environment, userDirectory: nil)
        let app = TUIApp(store: store, terminal: terminal, theme: theme,
                         startMessage: warnings.first.map { "Theme: \($0)" } ?? library.warnings.first.map { "Lesson skipped: \($0)" },
                         lessons: { LessonState(library.walkthrough(for: $0)) })
        app.startLesson = number - 1
        let status = app.run()
        for warning in warnings { Terminal.error("theme: \(warning)") }
        if status != 0 { throw CommandFailure("", status: status) }
    }

    /// Frame `number` (1-based) of the file, decoded.
    static func frame(_ number: Int, path: String?, bytes: [UInt8]?, name: String) throws -> PacketTree {
        let (tree, count, failure) = read(number, path: path, bytes: bytes, name: name)
        if let tree { return tree }
        if let failure { throw CommandFailure(failure) }
        throw CommandFailure("\(path ?? name): there is no frame \(number) (the file has \(count))")
    }

    private static func read(_ number: Int, path: String?, bytes: [UInt8]?, name: String) -> (PacketTree?, Int, String?) {
        var tree: PacketTree?
        var count = 0
        let file: CaptureFile
        do {
            if let path { file = try CaptureFile(path: path) } else { file = try CaptureFile(bytes: bytes ?? [], name: name) }
        } catch {
            return (nil, 0, error.description)
        }
        var failure: String?
        do {
            try file.forEach { record in
                count += 1
                guard count == number else { return true }
                var decoded = PacketTree()
                PacketDecoder.decode(record.bytes, metadata: record.metadata, into: &decoded)
                tree = decoded
                return false
            }
        } catch {
            failure = error.description
        }
        return (tree, count, tree == nil ? failure : nil)
    }

    /// The lesson panel's source for the TUI's `w` key: the user's lessons and the built-ins
    /// (a broken user lesson is skipped, as in `walkthrough`).
    static func lessonsForTUI() -> ((PacketTree) -> LessonState?, String?) {
        let environment = ProcessInfo.processInfo.environment
        let library = (try? LessonLibrary.standard(extra: [], userDirectory: LessonLibrary.userDirectory(environment: environment)))
            ?? LessonLibrary(lessons: LessonLibrary.builtins())
        return ({ LessonState(library.walkthrough(for: $0)) }, library.warnings.first.map { "Lesson skipped: \($0)" })
    }

    static func bundledBytes() throws -> [UInt8] {
        guard let bytes = Data(base64Encoded: BundledCapture.base64, options: .ignoreUnknownCharacters) else {
            throw CommandFailure("the bundled capture is damaged")
        }
        return [UInt8](bytes)
    }
}

extension LessonState {
    /// The lesson panel's copy of a resolved walkthrough.
    init(_ walk: Walkthrough) {
        self.init(title: walk.title, frameNumber: walk.frameNumber,
                  steps: walk.steps.map { Step(title: $0.title, text: $0.text, range: $0.range, node: $0.node, layer: $0.layer) },
                  diagram: walk.diagram.linePieces.map { DiagramPiece(text: $0.0, box: $0.1) })
    }
}
