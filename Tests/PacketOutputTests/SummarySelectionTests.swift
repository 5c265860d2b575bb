import Foundation
import Testing
import PacketDecoder
import PacketOutput
import TestSupport
import Workload

/// `print` decodes the packets it summarises keeping only what a summary reads
/// (`FieldSelection.summary`: no checksum verdicts, address anatomy or Ethernet address bits).
/// Every line must be the full decode's, on every shared capture and the fuzz corpus.
@Suite("summary from a selective decode")
struct SummarySelectionTests {
    static func lines(_ tree: PacketTree, _ printer: inout SummaryPrinter) -> String {
        var bytes: [UInt8] = []
        let out = OutputBuffer(threshold: Int.max) { bytes.append(contentsOf: $0) }
        printer.write(tree, to: out)
        out.flush()
        return String(decoding: bytes, as: UTF8.self) + tree.summary.info
    }

    static func compare(_ frames: [PacketTree], _ name: String) {
        var full = SummaryPrinter(), selected = SummaryPrinter()
        var lean = PacketTree()
        for (i, tree) in frames.enumerated() {
            tree.bytes.withUnsafeBytes {
                PacketDecoder.decode($0, metadata: tree.metadata, into: &lean, keeping: FieldSelection.summary)
            }
            #expect(lines(lean, &selected) == lines(tree, &full), "\(name) frame \(i + 1)")
            #expect(lean.nodes.count <= tree.nodes.count)
        }
    }

    @Test(arguments: Fixtures.allCaptures)
    func sameLinesAsTheFullDecode(capture: String) {
        Self.compare(Fixtures.decodeAll(Fixtures.capture(capture)).frames, capture)
    }

    /// The benchmark's traffic mix (ICMP echo over IPv4, VLANs, ARP, neighbour discovery, 6in4
    /// with TCP, UDP and echo inside), which the shared captures do not all have: the rows of
    /// `print` on a big capture are these.
    @Test func sameLinesOnTheBenchmarkMix() {
        var workload = Workload(seed: 7)
        var frames: [PacketTree] = []
        for number in 1...3000 {
            let bytes = workload.nextFrame()
            frames.append(PacketTree(decoding: bytes, metadata: FrameMetadata(number: number, seconds: Int64(number),
                                                                             originalLength: bytes.count, linkType: .ethernet)))
        }
        Self.compare(frames, "benchmark mix")
        #expect(frames.contains { $0.summary.info.contains(", ttl=64") })
    }

    @Test func sameLinesOnTheFuzzCorpus() throws {
        let corpus = Fixtures.repositoryRoot.appendingPathComponent("Fuzz/corpus")
        var frames: [PacketTree] = []
        let linkTypes: [LinkType] = [.ethernet, .raw, .linuxSLL, .null]
        for name in try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted() {
            let input = try [UInt8](Data(contentsOf: corpus.appendingPathComponent(name)))
            guard let first = input.first else { continue }
            let frame = Array(input.dropFirst())
            var tree = PacketTree()
            PacketDecoder.decode(frame, metadata: FrameMetadata(number: frames.count + 1, originalLength: frame.count,
                                                                 linkType: linkTypes[Int(first) % linkTypes.count]), into: &tree)
            frames.append(tree)
        }
        #expect(frames.count > 50)
        Self.compare(frames, "fuzz corpus")
    }

    /// The selection leaves out work, not just nodes: the article's frame loses its checksum
    /// verdicts and the anatomy of its addresses.
    @Test func selectionLeavesOutWhatNoSummaryReads() {
        let full = Fixtures.frame("article-echo-request.pcap")
        var lean = PacketTree()
        full.bytes.withUnsafeBytes {
            PacketDecoder.decode($0, metadata: full.metadata, into: &lean, keeping: FieldSelection.summary)
        }
        let names = Set(lean.nodes.map { $0.field.info.abbreviation })
        for gone in ["ip.checksum.status", "icmpv6.checksum.status", "eth.src.lg", "ipv6.src_slaac_mac", "ip.hdr_len", "ipv6.flow",
                     "icmpv6.checksum"]
            where full.nodes.contains(where: { $0.field.info.abbreviation == gone }) {
            #expect(!names.contains(gone), "\(gone)")
        }
        #expect(names.isSuperset(of: ["ip.src", "ipv6.dst", "icmpv6.echo.sequence_number", "ipv6.hlim", "eth.src"]))
        #expect(lean.nodes.count < full.nodes.count)
    }
}
