import Foundation
import PacketDecoder
import PacketOutput
import DisplayFilter
import Workload

// `tunnelscope-bench generate N FILE [SEED]` writes the workload; with no arguments it runs the
// decoder micro-benchmarks.
if CommandLine.arguments.count >= 4 && CommandLine.arguments[1] == "generate" {
    var workload = Workload(seed: CommandLine.arguments.count > 4 ? UInt64(CommandLine.arguments[4]) ?? 41 : 41)
    let size = try workload.write(count: Int(CommandLine.arguments[2])!, to: CommandLine.arguments[3])
    print("wrote \(CommandLine.arguments[2]) packets, \(size) bytes, to \(CommandLine.arguments[3])")
    exit(0)
}

// `tunnelscope-bench floor [FILE]`: the regression check `make test` runs on the release build.
// Times are compared with a reference loop timed in the same process (same build, machine and
// load), so only a gross slowdown fails, never noise: the limit is three times the ratio
// measured when the check was written. It exists because a release-only slowdown (a stored
// property passed `inout`, which made every read of it a dynamic exclusivity check) cost the
// decoder three quarters of its speed and passed the debug-build tests unnoticed.
if CommandLine.arguments.count >= 2 && CommandLine.arguments[1] == "floor" {
    let path = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "../shared/captures/article-echo-request.pcap"
    exit(decodeRateFloor(frame: Array(try Data(contentsOf: URL(fileURLWithPath: path)).dropFirst(40))) ? 0 : 1)
}

/// FNV-1a over the frame: serial work no compiler can vectorise away, the yardstick.
@inline(never)
func referenceWork(_ bytes: UnsafeRawBufferPointer, rounds: Int) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for _ in 0..<rounds {
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
    }
    return hash
}

func decodeRateFloor(frame: [UInt8]) -> Bool {
    let metadata = FrameMetadata(number: 1, originalLength: frame.count, linkType: .ethernet)
    let filter = try! DisplayFilter(compiling: "ip.proto == 41")
    // decode time / reference time, release build, 2-core Xeon, 2026-11-29.
    let measured = (full: 2.7, filter: 1.9)
    let rounds = 20_000
    // The fastest of seven rounds of each, then their ratio: a busy moment slows one round, not
    // the fastest.
    var fastest = (full: Double.infinity, lean: Double.infinity, reference: Double.infinity)
    var sink: UInt64 = 0, nodes = 0
    frame.withUnsafeBytes { raw in
        var tree = PacketTree()
        for _ in 0..<7 {
            var start = Date()
            for _ in 0..<rounds { PacketDecoder.decode(raw, metadata: metadata, into: &tree) }
            let decode = Date().timeIntervalSince(start)
            nodes = tree.nodes.count
            start = Date()
            for _ in 0..<rounds {
                PacketDecoder.decode(raw, metadata: metadata, into: &tree, keeping: filter.selection)
                if filter.matches(tree) { sink &+= 1 }
            }
            let filtered = Date().timeIntervalSince(start)
            start = Date()
            sink &+= referenceWork(raw, rounds: rounds)
            let reference = max(Date().timeIntervalSince(start), 1e-9)
            fastest = (min(fastest.full, decode), min(fastest.lean, filtered), min(fastest.reference, reference))
        }
    }
    let full = fastest.full / fastest.reference, lean = fastest.lean / fastest.reference
    let ok = full < measured.full * 3 && lean < measured.filter * 3
    print(String(format: "decode rate floor: full tree %.2f, filter decode %.2f times the reference (limits %.1f, %.1f; %d nodes, %d) %@",
                 full, lean, measured.full * 3, measured.filter * 3, nodes, Int(sink & 1), ok ? "ok" : "FAILED: the decoder is several times slower than it was"))
    return ok
}

// `tunnelscope-bench stages FILE [FILTER]`: the per-packet stages of `print -Y` on one core, over
// every packet of a classic pcap file held in memory (no reading, no threads): where the time
// of a filtered print goes.
if CommandLine.arguments.count >= 3 && CommandLine.arguments[1] == "stages" {
    let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: CommandLine.arguments[2])))
    let filter = try DisplayFilter(compiling: CommandLine.arguments.count > 3 ? CommandLine.arguments[3] : "ip.proto == 41")
    var frames: [(Range<Int>, FrameMetadata)] = []
    var at = 24
    while at + 16 <= data.count {
        func u32(_ o: Int) -> Int { Int(data[o]) | Int(data[o + 1]) << 8 | Int(data[o + 2]) << 16 | Int(data[o + 3]) << 24 }
        let caplen = u32(at + 8)
        frames.append((at + 16 ..< at + 16 + caplen,
                       FrameMetadata(number: frames.count + 1, seconds: Int64(u32(at)), nanoseconds: UInt32(u32(at + 4)) * 1000,
                                     originalLength: u32(at + 12), linkType: .ethernet)))
        at += 16 + caplen
    }
    stages(data, frames, filter)
    exit(0)
}

func stages(_ data: [UInt8], _ frames: [(Range<Int>, FrameMetadata)], _ filter: DisplayFilter) {
    var tree = PacketTree(), lean = PacketTree()
    var chosen: [Int] = []
    func report(_ what: String, _ count: Int, _ start: Date) {
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "%@: %d in %.3f s, %.0f ns each", what, count, seconds, seconds / Double(max(count, 1)) * 1e9))
    }
    // Trees go inout into functions, as in print: a tree captured by a closure is copied per use.
    func choose(_ raw: UnsafeRawBufferPointer, _ lean: inout PacketTree) {
        for (i, frame) in frames.enumerated() {
            let bytes = UnsafeRawBufferPointer(rebasing: raw[frame.0])
            PacketDecoder.decodeLeavingBytes(bytes, metadata: frame.1, into: &lean, keeping: filter.selection)
            if filter.matches(lean, bytes: bytes) { chosen.append(i) }
        }
    }
    func decode(_ raw: UnsafeRawBufferPointer, _ which: [Int]?, _ tree: inout PacketTree) {
        for i in which ?? Array(frames.indices) {
            PacketDecoder.decode(UnsafeRawBufferPointer(rebasing: raw[frames[i].0]), metadata: frames[i].1, into: &tree)
        }
    }
    func summarise(_ raw: UnsafeRawBufferPointer, _ tree: inout PacketTree) {
        var printer = SummaryPrinter()
        var bytes = 0
        let out = OutputBuffer { bytes &+= $0.count }
        for i in chosen {
            PacketDecoder.decode(UnsafeRawBufferPointer(rebasing: raw[frames[i].0]), metadata: frames[i].1, into: &tree,
                                 keeping: FieldSelection.summary)
            printer.write(tree, to: out)
        }
        out.flush()
    }
    // STAGE=none: nothing timed (the baseline a callgrind count subtracts).
    if ProcessInfo.processInfo.environment["STAGE"] == "none" { return }
    data.withUnsafeBytes { raw in
        var start = Date()
        choose(raw, &lean)
        report("filter decode + match", frames.count, start)
        // STAGE=filter stops here (for callgrind: only the filter's decodes counted).
        if ProcessInfo.processInfo.environment["STAGE"] == "filter" { return }
        // STAGE=summary: then only the printing of the chosen.
        if ProcessInfo.processInfo.environment["STAGE"] == "summary" { return summarise(raw, &tree) }
        start = Date()
        decode(raw, nil, &tree)
        report("full decode, every packet", frames.count, start)
        start = Date()
        decode(raw, chosen, &tree)
        report("full decode, chosen", chosen.count, start)
        start = Date()
        summarise(raw, &tree)
        report("summary-field decode + summary line, chosen", chosen.count, start)
    }
}

// Decoder micro-benchmarks on the article's frame. Each runs in a function: a loop over
// top-level (global) variables would copy the tree on every access and measure that instead.
let article: [UInt8] = Array(try! Data(contentsOf: URL(fileURLWithPath: CommandLine.arguments.count > 2 && CommandLine.arguments[1] == "micro" ? CommandLine.arguments[2] : "../shared/captures/article-echo-request.pcap")).dropFirst(40))
let meta = FrameMetadata(number: 1, originalLength: article.count, linkType: .ethernet)
let n = Int(ProcessInfo.processInfo.environment["N"] ?? "") ?? 2_000_000
let summaries = Int(ProcessInfo.processInfo.environment["S"] ?? "") ?? 200_000

func rate(_ count: Int, _ start: Date) -> Int { Int(Double(count) / Date().timeIntervalSince(start)) }

/// The full field tree, as the TUI's tree pane and `print -V` need it.
func fullTrees() -> PacketTree {
    var tree = PacketTree()
    let start = Date()
    article.withUnsafeBytes { raw in
        for _ in 0..<n { PacketDecoder.decode(raw, metadata: meta, into: &tree) }
    }
    print("full tree: \(rate(n, start)) decodes/s (\(tree.nodes.count) nodes)")
    return tree
}

/// What print -Y and the TUI's filter do per packet: decode only the filter's fields, evaluate.
func filterDecodes() {
    let filter = try! DisplayFilter(compiling: "ip.proto == 41")
    var lean = PacketTree()
    var matched = 0
    let start = Date()
    article.withUnsafeBytes { raw in
        for _ in 0..<n {
            PacketDecoder.decodeLeavingBytes(raw, metadata: meta, into: &lean, keeping: filter.selection)
            if filter.matches(lean, bytes: raw) { matched &+= 1 }
        }
    }
    print("filter decode + ip.proto == 41: \(rate(n, start)) packets/s (\(lean.nodes.count) nodes, \(matched == n ? "all" : "NOT all") matched)")
}

/// The compiled filter alone, on a decoded tree.
func evaluations(_ tree: PacketTree) {
    let filter = try! DisplayFilter(compiling: "ip.proto == 41")
    let count = n * 5
    var matched = 0
    let start = Date()
    for _ in 0..<count where filter.matches(tree) { matched &+= 1 }
    print("compiled filter ip.proto == 41 on a decoded tree: \(rate(count, start)) evaluations/s")
}

/// The Info text (TUI list) and print's summary line written into the output buffer.
func summaryLines(_ tree: PacketTree) {
    var chars = 0
    var start = Date()
    for _ in 0..<summaries { chars &+= tree.summary.info.count }
    print("summary: \(rate(summaries, start)) /s")
    start = Date()
    var printer = SummaryPrinter()
    let out = OutputBuffer { _ in }
    for _ in 0..<summaries { printer.write(tree, to: out) }
    print("summary line into the output buffer: \(rate(summaries, start)) /s")
}

let decoded = fullTrees()
filterDecodes()
evaluations(decoded)
summaryLines(decoded)
