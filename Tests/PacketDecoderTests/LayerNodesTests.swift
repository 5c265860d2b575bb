import Foundation
import Testing
import PacketDecoder
import TestSupport

/// `PacketTree.layerNodes` lists exactly the layer nodes, in order, also after a trailer or
/// padding was inserted under the link layer once later layers were there (which moves them).
@Suite("layer node list")
struct LayerNodesTests {
    static func check(_ tree: PacketTree, _ name: String) {
        let layers = tree.nodes.indices.filter { tree.nodes[$0].flags.contains(.layer) }
        #expect(tree.layerNodes.map(Int.init) == layers, "\(name)")
    }

    @Test(arguments: Fixtures.allCaptures)
    func listsEveryLayer(capture: String) {
        for (i, tree) in Fixtures.decodeAll(Fixtures.capture(capture)).frames.enumerated() {
            Self.check(tree, "\(capture) frame \(i + 1)")
        }
    }

    @Test func listsEveryLayerOnTheFuzzCorpus() throws {
        let corpus = Fixtures.repositoryRoot.appendingPathComponent("Fuzz/corpus")
        let linkTypes: [LinkType] = [.ethernet, .raw, .linuxSLL, .null]
        var tree = PacketTree()
        var inserted = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted() {
            let input = try [UInt8](Data(contentsOf: corpus.appendingPathComponent(name)))
            guard let first = input.first else { continue }
            let frame = Array(input.dropFirst())
            PacketDecoder.decode(frame, metadata: FrameMetadata(number: 1, originalLength: frame.count,
                                                                 linkType: linkTypes[Int(first) % linkTypes.count]), into: &tree)
            Self.check(tree, name)
            if tree.nodes.contains(where: { $0.field == EthernetLayer.trailer || $0.field == EthernetLayer.padding }) { inserted += 1 }
        }
        // Some frames had a leaf inserted after their layers (the case that moves them).
        #expect(inserted > 0)
    }
}
