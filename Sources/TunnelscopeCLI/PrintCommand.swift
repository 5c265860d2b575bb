import ArgumentParser
import Glibc
import Capture
import PacketStore
import DisplayFilter
import PacketDecoder
import PacketOutput

/// `tunnelscope print`: tshark-style batch output.
public struct Print: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "print",
        abstract: "Print packets as tshark does: summary lines, the tree (-V), hex (-x), fields or JSON.",
        discussion: """
        Output formats: the default summary line per packet; -V the protocol tree; -x hex and ASCII; \
        -T fields with -e FIELD (tshark's -E options); -T json (tunnelscope's own JSON, see the README).
        """
    )

    @Option(name: .short, help: ArgumentHelp("Read packets from this pcap or pcapng file.", valueName: "file"))
    var r: String?

    @Option(name: .short, help: ArgumentHelp("Stop after this many packets.", valueName: "count"))
    var c: Int?

    @Option(name: .short, help: ArgumentHelp("BPF capture filter (libpcap syntax), e.g. 'ip proto 41'.", valueName: "filter"))
    var f: String?

    @Option(name: .short, help: ArgumentHelp("Display filter in Wireshark's syntax, e.g. 'ip.proto == 41'.", valueName: "filter"))
    var Y: String?

    @Option(name: .short, help: ArgumentHelp("Write the packets that pass the filters to this pcap file.", valueName: "outfile"))
    var w: String?

    @Flag(name: .short, help: "Print the protocol tree of each packet.")
    var V = false

    @Flag(name: .short, help: "Print each packet's bytes in hex and ASCII.")
    var x = false

    @Flag(name: .short, help: "Accepted for tshark compatibility: names are never resolved.")
    var n = false

    @Flag(name: .short, help: "With -w, also print the packets.")
    var P = false

    @Option(name: .short, help: ArgumentHelp("Output format: text, fields or json.", valueName: "format"))
    var T: String = "text"

    @Option(name: .short, help: ArgumentHelp("A field to print with -T fields (repeatable).", valueName: "field"))
    var e: [String] = []

    @Option(name: .short, help: ArgumentHelp("A -T fields option: header=y|n, separator=/t|/s|C, occurrence=f|l|a, aggregator=C, quote=d|s|n.", valueName: "option"))
    var E: [String] = []

    @Flag(name: .long, help: "With -V, show each field's byte range and mask.")
    var offsets = false

    /// Live capture (-i, -p, -s, -B, --duration, --user, -D): see LiveCommands.swift.
    @OptionGroup var live: LiveOptions

    public init() {}

    enum Mode { case summary, tree, fields(FieldsPrinter), json }

    public func validate() throws {
        if live.D { return }
        try live.validate(reading: r)
        guard r != nil || live.i != nil else { throw ValidationError("print needs a capture file or an interface: -r FILE or -i INTERFACE") }
        if let c, c < 1 { throw ValidationError("-c needs a positive count, got \(c)") }
        switch T {
        case "text", "fields", "json": break
        default: throw ValidationError("-T \(T): unknown format (text, fields, json)")
        }
        if T == "fields" && e.isEmpty { throw ValidationError("-T fields needs at least one -e FIELD") }
        if T != "fields" && !e.isEmpty { throw ValidationError("-e needs -T fields") }
    }

    public func run() throws {
        if live.D { return try InterfacesCommand.list() }
        let mode: Mode
        switch T {
        case "fields":
            var options = FieldsPrinter.Options()
            do {
                for option in E { try options.apply(option) }
                mode = .fields(try FieldsPrinter(names: e, options: options))
            } catch { throw CommandFailure(error.description, status: 2) }
        case "json": mode = .json
        default: mode = V ? .tree : .summary
        }
        var displayFilter: DisplayFilter?
        if let Y, !Y.allSatisfy({ $0 == " " }) {
            do { displayFilter = try DisplayFilter(compiling: Y) } catch {
                // Like tshark: the message, then the filter with a caret under the offending token.
                throw CommandFailure(badFilter: error)
            }
        }
        if let interface = live.i {
            return try LivePrinting(interface: interface, options: live, filter: f, mode: mode, limit: c, hex: x,
                                    offsets: offsets, outputPath: w, printWhileWriting: P, displayFilter: displayFilter).run()
        }
        let file: CaptureFile
        do {
            file = try CaptureFile(path: r!)
            if let f { try file.setFilter(f) }
        } catch { throw CommandFailure(error.description) }
        try PacketPrinting(file: file, mode: mode, limit: c, hex: x, offsets: offsets,
                           outputPath: w, printWhileWriting: P, displayFilter: displayFilter).run()
    }
}

/// The loop behind `print -r`: read, filter, decode once into a reused tree, print or write.
struct PacketPrinting {
    let file: CaptureFile
    let mode: Print.Mode
    let limit: Int?
    let hex: Bool
    let offsets: Bool
    let outputPath: String?
    let printWhileWriting: Bool
    var displayFilter: DisplayFilter? = nil

    func run() throws {
        let sink = FileDescriptorSink(fd: 1)
        Terminal.standardOutput = sink
        let out = sink.buffer
        defer { out.flush() }
        var writer: PcapWriter?
        if let outputPath {
            do {
                // A 1 MiB buffer: stdio's 4 KiB block made a write system call every dozen records.
                writer = try PcapWriter(path: outputPath, linkType: file.linkType, snapshotLength: max(file.snapshotLength, 65535),
                                        precision: file.precision, bufferSize: 1 << 20)
            } catch { throw CommandFailure(error.description) }
        }
        let printer = PacketPrinter(mode: mode, hex: hex, offsets: offsets,
                                    printing: writer == nil || printWhileWriting, out: out, displayFilter: displayFilter)
        var writeError: CaptureError?
        printer.begin()
        var readError: CaptureError?
        do {
            if ParallelPrinting.workers > 1 && printer.needsDecoding {
                try runParallel(printing: printer.printing, writer: writer, out: out, writeError: &writeError)
            } else {
                try file.forEach { record in
                    guard printer.decode(record) else { return true }
                    if let writer {
                        do { try writer.write(record.bytes, metadata: record.metadata) } catch {
                            writeError = error as? CaptureError
                            return false
                        }
                    }
                    printer.printDecoded()
                    if let limit, printer.shown >= limit { return false }
                    return true
                }
            }
        } catch {
            readError = error as? CaptureError
        }
        printer.end()
        writer?.close()
        if let writeError { throw CommandFailure(writeError.description) }
        if let readError { throw CommandFailure(readError.description) }
    }
}

extension PacketPrinting {
    /// The capture mapped into memory when it is a classic pcap regular file (not a pipe, not
    /// pcapng, whose blocks are not contiguous packet bytes); nil otherwise, and then records are
    /// copied as they are read.
    private func mappedFile() -> MappedFile? {
        var info = stat()
        guard file.format == .pcap, stat(file.path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return try? MappedFile(path: file.path)
    }

    /// The same loop on every core (`ParallelPrinting`): workers decode and format, this thread
    /// writes their output and the `-w` records in order and counts `-c`.
    private func runParallel(printing: Bool, writer: PcapWriter?, out: OutputBuffer,
                             writeError: inout CaptureError?) throws(CaptureError) {
        let pipeline = ParallelPrinting(workers: ParallelPrinting.workers, limit: limit, mapped: mappedFile()) { [mode, hex, offsets, displayFilter] in
            let printer = PacketPrinter(mode: mode, hex: hex, offsets: offsets, printing: printing,
                                        out: OutputBuffer(threshold: Int.max) { _ in }, displayFilter: displayFilter)
            printer.jsonCommaBeforeEveryObject = true
            return printer
        }
        var isJSON = false
        if case .json = mode { isJSON = true }
        var shown = 0
        var failure: CaptureError?
        try pipeline.run(file: file) { formatted in
            var keepGoing = true
            var start = 0
            formatted.batch.bytes.withUnsafeBytes { records in
                formatted.output.withUnsafeBytes { output in
                    for (index, end) in formatted.shown {
                        if let writer {
                            let r = formatted.batch.records[index]
                            do {
                                try writer.write(formatted.batch.bytes(of: r, in: pipeline.mapped?.base, copied: records),
                                                 metadata: r.metadata)
                            } catch {
                                failure = error as? CaptureError
                                keepGoing = false
                                break
                            }
                        }
                        if printing {
                            // The capture's first JSON object has no comma before it.
                            let from = isJSON && shown == 0 ? start + 1 : start
                            out.write(UnsafeRawBufferPointer(rebasing: output[from..<end]))
                        }
                        start = end
                        shown += 1
                        if let limit, shown >= limit { keepGoing = false; break }
                    }
                }
            }
            return keepGoing
        }
        writeError = failure
    }
}

/// What `print` does with each packet, from a file or live: decode it once into a reused tree,
/// count it, print it in the chosen format.
final class PacketPrinter {
    let mode: Print.Mode
    let hex: Bool
    let printing: Bool
    let out: OutputBuffer
    /// The reused trees and the summary printer, behind a pointer: passing a class's stored
    /// property `inout` costs a dynamic exclusivity check (a runtime call) per packet; this
    /// object is used by one thread at a time, so there is nothing to check.
    private struct State {
        var tree = PacketTree()
        /// The decode a display filter chooses on (only the fields it reads).
        var filterTree = PacketTree()
        var summary = SummaryPrinter()
    }
    private let state: UnsafeMutablePointer<State> = {
        let p = UnsafeMutablePointer<State>.allocate(capacity: 1)
        p.initialize(to: State())
        return p
    }()
    private var tree: PacketTree { state.pointee.tree }
    private let treePrinter: TreePrinter
    private let json = JSONPrinter()
    /// Packets that passed so far (what -c counts).
    private(set) var shown = 0
    /// `-Y`: only packets it matches are counted, printed and written.
    let displayFilter: DisplayFilter?

    init(mode: Print.Mode, hex: Bool, offsets: Bool, printing: Bool, out: OutputBuffer, displayFilter: DisplayFilter? = nil) {
        self.displayFilter = displayFilter
        self.mode = mode
        self.hex = hex
        self.printing = printing
        self.out = out
        treePrinter = TreePrinter(showOffsets: offsets)
        if case .summary = mode { printSelection = FieldSelection.summary } else { printSelection = nil }
        plan = Plan(filter: displayFilter?.matcher, filterKeep: displayFilter?.selection?.keep,
                    printKeep: printSelection?.keep, decoding: printing || displayFilter != nil, printing: printing)
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Workers of `ParallelPrinting` write a comma before every JSON object (they cannot know
    /// which is the capture's first); the writer drops the one before the first.
    var jsonCommaBeforeEveryObject = false

    /// The packet the Time column counts from (the capture's first), when another thread read it.
    func noteReference(_ metadata: FrameMetadata) { state.pointee.summary.noteReference(metadata) }

    /// Decoding is needed to print and, with a display filter, to choose; -w alone needs none.
    var needsDecoding: Bool { plan.decoding }

    func begin() {
        guard printing else { return }
        if case .fields(let printer) = mode, let header = printer.headerLine { out.writeLine(header) }
        if case .json = mode { out.writeLine("[") }
    }

    /// Decodes `record` and counts it; false when the display filter drops it.
    func decode(_ record: RawRecord) -> Bool {
        // The Time column counts from the capture's first packet, even one the filter hides.
        state.pointee.summary.noteReference(record.metadata)
        // The trees are passed inout: reading a class's stored tree as a value would copy it
        // (a retain per array) for every packet.
        guard Self.choose(record, plan, tree: &state.pointee.tree, filterTree: &state.pointee.filterTree) else { return false }
        shown += 1
        return true
    }

    /// What printing reads of a tree: the summary's fields for summary lines (no checksum sums,
    /// no address anatomy), everything for the other formats.
    private let printSelection: FieldSelection?

    /// What `choose` does per packet, as plain values (the filter's program and the selections
    /// without reference counting; `displayFilter` and `printSelection` keep them alive).
    private struct Plan {
        var filter: DisplayFilter.Matcher?
        var filterKeep: FieldSelection.Keep?
        var printKeep: FieldSelection.Keep?
        var decoding: Bool
        var printing: Bool
    }
    private let plan: Plan

    private static func choose(_ record: RawRecord, _ plan: Plan, tree: inout PacketTree, filterTree: inout PacketTree) -> Bool {
        if let filter = plan.filter, let keep = plan.filterKeep {
            // Choose on a decode of only what the filter reads, the bytes left where they lie;
            // decode what is printed.
            PacketDecoder.decodeLeavingBytes(record.bytes, metadata: record.metadata, into: &filterTree, keeping: keep)
            guard filter.matches(filterTree, bytes: record.bytes) else { return false }
            if plan.printing { PacketDecoder.decode(record.bytes, metadata: record.metadata, into: &tree, keeping: plan.printKeep) }
            return true
        }
        if let filter = plan.filter {
            // A filter that reads expert information: it chooses on the whole tree.
            PacketDecoder.decode(record.bytes, metadata: record.metadata, into: &tree)
            return filter.matches(tree, bytes: record.bytes)
        }
        if plan.decoding { PacketDecoder.decode(record.bytes, metadata: record.metadata, into: &tree, keeping: plan.printKeep) }
        return true
    }

    /// Prints the packet `decode` accepted last.
    func printDecoded() {
        guard printing else { return }
        switch mode {
        case .summary:
            Self.writeSummary(&state.pointee.summary, &state.pointee.tree, out)
            if hex { hexLines(); out.writeLine("") }
        case .tree:
            for line in treePrinter.lines(for: tree) { out.writeLine(line) }
            if hex { out.writeLine(""); hexLines() }
            out.writeLine("")
        case .fields(let printer):
            out.writeLine(printer.line(for: tree))
        case .json:
            out.writeLine((shown > 1 || jsonCommaBeforeEveryObject ? "," : "") + json.object(for: tree))
        }
    }

    private static func writeSummary(_ summary: inout SummaryPrinter, _ tree: inout PacketTree, _ out: OutputBuffer) {
        summary.write(tree, to: out)
    }

    func end() {
        if case .json = mode, printing { out.writeLine("]") }
    }

    private func hexLines() {
        for line in HexDump.lines(tree.bytes) { out.writeLine(line) }
    }
}

extension CommandFailure {
    /// A display filter that does not compile: like tshark, the message, then the filter with a
    /// caret under the offending token; a usage error (exit 2).
    init(badFilter error: FilterError) {
        let caret = error.caret.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        self.init("bad display filter: \(error.message)\n" + caret, status: 2)
    }
}
