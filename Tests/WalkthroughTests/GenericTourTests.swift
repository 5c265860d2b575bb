import Testing
import PacketDecoder
import TestSupport
@testable import Walkthrough

/// The generic tour walks any packet layer by layer, field by field.
@Suite struct GenericTourTests {
    @Test func coversEveryVisibleFieldOfEveryPacketOfTheLab() {
        let frames = Fixtures.decodeAll(Fixtures.capture("article-tunnel.pcap")).frames
        #expect(frames.count == 89)
        for tree in frames {
            let walk = Walkthrough.genericTour(tree)
            var visible: [Int] = []
            var i = 0
            while i < tree.nodes.count {
                if tree.nodes[i].flags.contains(.hidden) { i = Int(tree.nodes[i].subtreeEnd); continue }
                visible.append(i)
                i += 1
            }
            #expect(walk.steps.compactMap(\.node) == visible, "frame \(tree.metadata.number)")
            for step in walk.steps {
                let node = tree.nodes[step.node!]
                #expect(step.range == node.range.clamped(to: 0..<tree.bytes.count))
                #expect(!step.text.isEmpty && !step.title.isEmpty)
                if !node.flags.contains(.layer) && node.field != FrameLayer.frame && !tree.valueText(step.node!).isEmpty {
                    #expect(step.text.contains(tree.valueText(step.node!)), "frame \(tree.metadata.number) \(node.field.abbreviation)")
                }
            }
        }
    }

    @Test func layersSayWhatTheyAreForTheTunnel() {
        let walk = Walkthrough.genericTour(Fixtures.frame("article-tunnel.pcap", 31))
        let ip = walk.steps.first { $0.field == "ip" }
        #expect(ip?.text.contains("this is the tunnel's header") == true)
        let ipv6 = walk.steps.first { $0.field == "ipv6" }
        #expect(ipv6?.text.contains("travels inside the tunnel") == true)
        let teredo = Walkthrough.genericTour(Fixtures.frame("teredo.pcap", 3))
        #expect(teredo.steps.first { $0.field == "udp" }?.text.contains("Port 3544 marks Teredo") == true)
    }

    @Test func everyCaptureTours() {
        for name in ["teredo.pcap", "isatap.pcap", "sll.pcap", "raw-sit.pcap", "two-interfaces.pcapng"] {
            for tree in Fixtures.decodeAll(Fixtures.capture(name)).frames {
                let walk = Walkthrough.genericTour(tree)
                #expect(!walk.steps.isEmpty, "\(name) \(tree.metadata.number)")
            }
        }
    }
}
