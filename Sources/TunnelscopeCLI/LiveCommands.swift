import ArgumentParser
import DisplayFilter
import Foundation
import Capture
import PacketDecoder

/// `print`'s live-capture options (tcpdump's letters).
struct LiveOptions: ParsableArguments {
    @Option(name: .short, help: ArgumentHelp("Capture live on this interface: a name, a number from `tunnelscope interfaces`, or `any`.", valueName: "interface"))
    var i: String?

    @Flag(name: .short, help: "Do not put the interface into promiscuous mode.")
    var p = false

    @Option(name: .short, help: ArgumentHelp("Snapshot length: bytes kept of each packet (default and 0: 262144).", valueName: "snaplen"))
    var s: Int?

    @Option(name: .short, help: ArgumentHelp("Kernel capture buffer in KiB (default 32768); bigger absorbs longer bursts.", valueName: "KiB"))
    var B: Int?

    @Option(name: .long, help: ArgumentHelp("Stop capturing after this many seconds.", valueName: "seconds"))
    var duration: Double?

    @Option(name: .long, help: ArgumentHelp("Once the capture is open, run as this user (default: the user sudo ran tunnelscope for).", valueName: "name"))
    var user: String?

    @Flag(name: .short, help: "List the interfaces that can be captured on, as `tunnelscope interfaces`.")
    var D = false

    func validate(reading file: String?) throws {
        if file != nil && i != nil { throw ValidationError("-r and -i cannot be used together") }
        if i == nil && (p || s != nil || B != nil || duration != nil || user != nil) {
            throw ValidationError("-p, -s, -B, --duration and --user need -i INTERFACE")
        }
        if let s, s < 0 || s > 262_144 { throw ValidationError("-s needs a snapshot length from 0 to 262144, got \(s)") }
        if let B, B < 1 || B > 4 << 20 { throw ValidationError("-B needs a buffer size from 1 to 4194304 KiB, got \(B)") }
        if let duration, !(duration > 0) { throw ValidationError("--duration needs a positive number of seconds") }
    }

    var captureOptions: LiveCapture.Options {
        LiveCapture.Options(snapshotLength: s.flatMap { $0 == 0 ? nil : $0 } ?? 262_144, promiscuous: !p,
                            immediate: true, bufferSize: (B ?? 32 << 10) << 10)
    }
}

/// `tunnelscope interfaces` (and `-D`): what libpcap can open, numbered as `tcpdump -D`.
public struct InterfacesCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "interfaces",
        abstract: "List the interfaces tunnelscope can capture on, numbered for -i N (as tcpdump -D), with state and addresses."
    )
    public init() {}

    public func run() throws { try Self.list() }

    static func list() throws {
        let interfaces: [NetworkInterface]
        do { interfaces = try Interfaces.all() } catch { throw CommandFailure(error.description) }
        let sink = FileDescriptorSink(fd: 1)
        Terminal.standardOutput = sink
        for interface in interfaces {
            sink.buffer.writeLine(TerminalText.sanitized(interface.listLine))
            if !interface.addresses.isEmpty { sink.buffer.writeLine("    " + interface.addresses.joined(separator: " ")) }
        }
        sink.buffer.flush()
    }
}

/// `print -i`: capture, drop privileges, then print (or write) each packet as it arrives, until
/// -c, --duration, a signal (INT, TERM, HUP) or the interface going down; then the counts.
///
/// Without -w nothing is spooled, as with tcpdump: the printed lines are the record. With -w
/// every captured packet is in the file, flushed as it arrives.
struct LivePrinting {
    let interface: String
    let options: LiveOptions
    let filter: String?
    let mode: Print.Mode
    let limit: Int?
    let hex: Bool
    let offsets: Bool
    let outputPath: String?
    let printWhileWriting: Bool
    var displayFilter: DisplayFilter? = nil

    func run() throws {
        let capture: LiveCapture
        do {
            capture = try LiveCapture(interface: try Interfaces.resolve(interface), options: options.captureOptions)
            if let filter { try capture.setFilter(filter) }
            try Self.dropPrivileges(user: options.user)
        } catch { throw CommandFailure(error.description) }
        for warning in capture.warnings { Terminal.error(warning) }

        let sink = FileDescriptorSink(fd: 1)
        Terminal.standardOutput = sink
        let printer = PacketPrinter(mode: mode, hex: hex, offsets: offsets,
                                    printing: outputPath == nil || printWhileWriting, out: sink.buffer,
                                    displayFilter: displayFilter)
        let consumer = LiveConsumer(printer: printer, limit: limit)
        printer.begin()
        // Blocked here before the capture thread starts, so it inherits the mask; this thread waits for them.
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        do {
            // The -w file is opened after the privilege drop, as the user it is for (tcpdump -Z does the same).
            try capture.start(spoolPath: outputPath, onPacket: { consumer.packet($0) }, onBatch: { consumer.batch() })
        } catch { throw CommandFailure(error.description) }
        Terminal.error("listening on \(capture.interface), link-type \(capture.linkType.name), snapshot length \(capture.snapshotLength) bytes"
                       + (outputPath.map { ", writing to \($0)" } ?? ""))

        let deadline = options.duration.map { Date().addingTimeInterval($0) }
        while capture.ending == nil {
            var timeout = timespec(tv_sec: 0, tv_nsec: 100_000_000)
            if let deadline {
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { capture.stop() } else if left < 0.1 { timeout.tv_nsec = Int(left * 1e9) }
            }
            if sigtimedwait(&signals, nil, &timeout) > 0 { capture.stop() }
        }
        let ending = capture.wait()
        printer.end()
        sink.buffer.flush()
        // Last, on stderr, as tcpdump's three lines (in one).
        FileHandle.standardError.write(Data((capture.stats().description + "\n").utf8))
        if case .failed(let error) = ending {
            throw CommandFailure(error.description + (outputPath.map { "; what was captured is in \($0)" } ?? ""))
        }
    }

    /// As root: become `--user`, else the user sudo ran us for. As a user with file capabilities: shed them.
    static func dropPrivileges(user: String?) throws(CaptureError) {
        if let identity = try Privileges.target(user: user) {
            try Privileges.drop(to: identity)
        } else if geteuid() != 0 {
            try Privileges.dropCapabilities()
        }
    }
}

/// The consumer on the capture thread: only that thread touches the printer while it runs.
final class LiveConsumer: @unchecked Sendable {
    let printer: PacketPrinter
    let limit: Int?

    init(printer: PacketPrinter, limit: Int?) {
        self.printer = printer
        self.limit = limit
    }

    /// False once -c packets were shown.
    func packet(_ record: RawRecord) -> Bool {
        if printer.decode(record) { printer.printDecoded() }
        return limit.map { printer.shown < $0 } ?? true
    }

    /// Lines reach the terminal (or pipe) batch by batch, as packets arrive.
    func batch() { printer.out.flush() }
}
