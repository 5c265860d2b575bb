import Foundation
import PacketDecoder
import PacketOutput

// `tunnelscope-bench generate N FILE [SEED]` writes the workload; with no arguments it runs the
// decoder micro-benchmarks.
if CommandLine.arguments.count >= 4 && CommandLine.arguments[1] == "generate" {
    var workload = Workload(seed: CommandLine.arguments.count > 4 ? UInt64(CommandLine.arguments[4]) ?? 41 : 41)
    let size = try workload.write(count: Int(CommandLine.arguments[2])!, to: CommandLine.arguments[3])
    print("wrote \(CommandLine.arguments[2]) packets, \(size) bytes, to \(CommandLine.arguments[3])")
    exit(0)
}


// Decoder micro-benchmark: the full field tree of the article's frame, repeatedly.
let article: [UInt8] = Array(try! Data(contentsOf: URL(fileURLWithPath: CommandLine.arguments.count > 2 && CommandLine.arguments[1] == "micro" ? CommandLine.arguments[2] : "../shared/captures/article-echo-request.pcap")).dropFirst(40))
let meta = FrameMetadata(number: 1, originalLength: article.count, linkType: .ethernet)
var tree = PacketTree()
let n = Int(ProcessInfo.processInfo.environment["N"] ?? "") ?? 2_000_000
var start = Date()
var nodes = 0
for _ in 0..<n {
    PacketDecoder.decode(article, metadata: meta, into: &tree)
    nodes &+= tree.nodes.count
}
var elapsed = Date().timeIntervalSince(start)
print("full tree: \(Int(Double(n) / elapsed)) decodes/s (\(tree.nodes.count) nodes)")
start = Date()
var chars = 0
let summaries = Int(ProcessInfo.processInfo.environment["S"] ?? "") ?? 200_000
for _ in 0..<summaries { chars &+= tree.summary.info.count }
elapsed = Date().timeIntervalSince(start)
print("summary: \(Int(Double(summaries) / elapsed)) /s")

// print's path: the whole summary line written into the output buffer (discarded).
start = Date()
var printer = SummaryPrinter()
let out = OutputBuffer { _ in }
for _ in 0..<summaries { printer.write(tree, to: out) }
elapsed = Date().timeIntervalSince(start)
print("summary line into the output buffer: \(Int(Double(summaries) / elapsed)) /s")
