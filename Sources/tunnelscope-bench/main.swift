import Foundation
import PacketDecoder
import PacketOutput
import DisplayFilter

// `tunnelscope-bench generate N FILE [SEED]` writes the workload; with no arguments it runs the
// decoder micro-benchmarks.
if CommandLine.arguments.count >= 4 && CommandLine.arguments[1] == "generate" {
    var workload = Workload(seed: CommandLine.arguments.count > 4 ? UInt64(CommandLine.arguments[4]) ?? 41 : 41)
    let size = try workload.write(count: Int(CommandLine.arguments[2])!, to: CommandLine.arguments[3])
    print("wrote \(CommandLine.arguments[2]) packets, \(size) bytes, to \(CommandLine.arguments[3])")
    exit(0)
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
            PacketDecoder.decode(raw, metadata: meta, into: &lean, keeping: filter.selection)
            if filter.matches(lean) { matched &+= 1 }
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
