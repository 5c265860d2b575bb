import Foundation
import PacketDecoder
import PacketOutput

// Decoder micro-benchmark: the full field tree of the article's frame, repeatedly.
let article: [UInt8] = Array(try! Data(contentsOf: URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "../shared/captures/article-echo-request.pcap")).dropFirst(40))
let meta = FrameMetadata(number: 1, originalLength: article.count, linkType: .ethernet)
var tree = PacketTree()
let n = 2_000_000
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
for _ in 0..<200_000 { chars &+= tree.summary.info.count }
elapsed = Date().timeIntervalSince(start)
print("summary: \(Int(200_000 / elapsed)) /s")
