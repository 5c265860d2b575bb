import Testing
import PacketDecoder
import TestSupport

/// Cut frames: every prefix of every frame of every shared capture decodes without a trap, a cut
/// inside one of the link/base protocol headers is a truncation (tshark's `_ws.short`), and the
/// cases where tshark says "malformed" or charges the cut to `Ethertype` instead.
@Suite("Truncation")
struct TruncationTests {
    typealias P = LinkProbe

    /// The layers this suite checks headers of.
    static let linkLayers: Set<Field> = [
        EthernetLayer.eth, EthernetLayer.vlan, EthernetLayer.qinq, EthernetLayer.llc, LinuxCookedLayer.sll,
        ARPLayer.arp, IPv4Layer.ip, UDPLayer.udp, TCPLayer.tcp,
    ]
    /// Layers that may come before one of ours without changing who a cut is charged to.
    static let plainLayers: Set<Field> = linkLayers.union([IPv6Layer.ipv6, LinkLayer.raw, FrameLayer.frame])

    /// Fields that are not header: payloads (a cut there is no shortfall) and what follows a
    /// payload (a cut there is charged to `Ethertype`).
    static let notHeader: Set<Field> = [
        UDPLayer.payload, TCPLayer.payload, EthernetLayer.padding, EthernetLayer.trailer, EthernetLayer.fcs, EthernetLayer.fcsStatus,
        EthernetLayer.vlanTrailer, EthernetLayer.qinqTrailer, LinuxCookedLayer.trailer,
    ]

    /// The bytes each of our layers read in a fully decoded frame (the span of its fields), and
    /// whether every layer before it is a plain one.
    static func headers(of tree: PacketTree) -> [(field: Field, range: Range<Int>, plain: Bool)] {
        var result: [(Field, Range<Int>, Bool)] = []
        var plain = true
        for i in tree.roots {
            let node = tree.nodes[i]
            if linkLayers.contains(node.field) {
                var low = Int.max, high = Int.min
                for j in i + 1..<Int(node.subtreeEnd) where tree.nodes[j].length > 0
                    && !notHeader.contains(tree.nodes[j].field) && !tree.nodes[j].flags.contains(.generated) {
                    low = min(low, tree.nodes[j].range.lowerBound)
                    high = max(high, tree.nodes[j].range.upperBound)
                }
                if low < high { result.append((node.field, low..<high, plain)) }
            }
            if !plainLayers.contains(node.field) && node.flags.contains(.layer) { plain = false }
        }
        return result
    }

    @Test("every prefix decodes; a cut at or inside one of our headers is a truncation there",
          arguments: Fixtures.allCaptures)
    func prefixSweep(capture: String) {
        let (frames, _) = Fixtures.decodeAll(Fixtures.capture(capture))
        var tree = PacketTree()
        var failures: [String] = []
        for full in frames {
            // Frames that are already cut or malformed end before their headers do.
            let intact = full.shortfall == nil && !full.diagnostics.contains { $0.group == .malformed }
            let headers = intact ? Self.headers(of: full) : []
            for cut in 0..<full.bytes.count {
                PacketDecoder.decode(Array(full.bytes.prefix(cut)), metadata: full.metadata, into: &tree)
                for header in headers where header.range.lowerBound <= cut && cut < header.range.upperBound {
                    let where_ = "\(capture) frame \(full.metadata.number) cut \(cut) in \(header.field.abbreviation)"
                    if tree.shortfall?.cut != .truncated {
                        failures.append("\(where_): \(String(describing: tree.shortfall))")
                    } else if header.plain && tree.shortfall?.layer != header.field {
                        failures.append("\(where_): charged to \(tree.shortfall!.layer.abbreviation)")
                    }
                }
            }
        }
        #expect(failures.isEmpty, Comment(rawValue: failures.prefix(20).joined(separator: "\n")))
    }

    @Test("the article frame cut at every byte of Ethernet and IPv4: tshark's _ws.short, no header field early")
    func articleCuts() throws {
        let expected = try #require(Expectations(capture: "malformed/truncated-every-byte.pcap"))
        let (frames, _) = Fixtures.decodeAll(Fixtures.capture("malformed/truncated-every-byte.pcap"))
        #expect(frames.count == 138)
        for (index, tree) in frames.enumerated() where tree.bytes.count < 34 {
            let want = expected.packets[index]
            #expect(P.texts(tree, "_ws.short") == (want["_ws.short"] ?? []), "cut \(tree.bytes.count)")
            for name in ["eth.dst", "eth.type", "ip.version", "ip.len", "ip.ttl", "ip.checksum.status", "ip.src"] {
                #expect(P.texts(tree, name) == (want[name] ?? []), "cut \(tree.bytes.count) \(name)")
            }
        }
        // 12 bytes: both addresses are there, but tshark reads the type first and shows none.
        #expect(P.node(frames[12], "eth.dst") == nil)
        #expect(frames[14].shortfall?.layer == IPv4Layer.ip)
    }

    @Test("an empty record: malformed if the frame was empty, truncated if it was not")
    func zeroLength() {
        let empty = Fixtures.frame("malformed/zero-length.pcap", 1)
        #expect(P.texts(empty, "_ws.malformed") == ["[Malformed Packet: Ethernet]", "_ws.malformed"])
        #expect(P.texts(empty, "_ws.expert.message") == ["Malformed Packet (Exception occurred)"])
        #expect(empty.protocolsText == "eth")
        let cut = Fixtures.frame("malformed/zero-length.pcap", 2)
        #expect(P.texts(cut, "_ws.short") == ["[Packet size limited during capture: Ethernet truncated]"])
        #expect(P.texts(cut, "_ws.malformed").isEmpty)
    }

    @Test("a cut inside a VLAN tag is charged to VLAN; inside the tagged ARP to ARP/RARP")
    func taggedCuts() {
        let tag = Fixtures.frame("malformed/truncated-layers.pcap", 17)
        #expect(P.texts(tag, "_ws.short") == ["[Packet size limited during capture: VLAN truncated]"])
        #expect(P.text(tag, "vlan.id") == "5" && P.node(tag, "vlan.etype") == nil)
        let arp = Fixtures.frame("malformed/truncated-layers.pcap", 19)
        #expect(P.texts(arp, "_ws.short") == ["[Packet size limited during capture: ARP/RARP truncated]"])
        #expect(arp.protocolsText == "eth:ethertype:vlan:ethertype:arp")
    }

    @Test("padding the capture does not hold is charged to Ethertype, after the payload was shown")
    func cutInPadding() {
        // A 20-byte IPv4 datagram in a 100-byte frame captured to 40 bytes: the padding to 60 is cut.
        let frame = P.hex("525400000002 525400000001 0800") + LinkLayerTests.minimalIPv4 + Array(repeating: 0, count: 6)
        let tree = P.decode(frame, originalLength: 100)
        #expect(P.text(tree, "ip.dst") == "192.0.2.2")
        #expect(tree.shortfall?.cut == .truncated && tree.shortfall?.layer == EthernetLayer.ethertypeStep)
        #expect(P.texts(tree, "_ws.short") == ["[Packet size limited during capture: Ethertype truncated]"])
        #expect(P.node(tree, "eth.padding") == nil)
        // Captured whole, the same frame has its padding and a guessed FCS in its last 4 bytes.
        let whole = P.decode(frame + Array(repeating: 0, count: 60), originalLength: 100)
        #expect(P.node(whole, "eth.padding")?.range == 34..<60)
        #expect(P.node(whole, "eth.trailer")?.range == 60..<96)
        #expect(P.node(whole, "eth.fcs")?.range == 96..<100)
        #expect(whole.shortfall == nil)
    }

    @Test("a record longer than its frame: tshark's malformed-group note on the frame")
    func capturedBeyondFrame() {
        let article = Fixtures.frame("article-echo-request.pcap")
        let tree = PacketTree(decoding: article.bytes, metadata: FrameMetadata(number: 1, originalLength: 100, linkType: .ethernet))
        #expect(P.texts(tree, "_ws.expert.message") == ["Frame length is less than captured length"])
        #expect(P.texts(tree, "_ws.malformed") == ["_ws.malformed"])
        #expect(tree.protocolsText == "eth:ethertype:ip:ipv6:icmpv6:data")
    }
}

extension TruncationTests {
    @Test("a payload malformed in its own layer, then a cut in the padding: both, as tshark shows them")
    func malformedThenCut() {
        // IPv4 total length 40 (TCP with a 60-byte data offset, past the datagram) in a frame of
        // 1000 bytes captured to 70: TCP runs off its datagram (malformed, caught by the
        // ethertype step), then the tail after the 40 claimed bytes has its padding but not the
        // FCS tshark guesses at the frame's end (charged to Ethertype).
        let ip = "4500 0028 0001 0000 4006 0000 c0000201 c0000202"
        let tcp = "c000 0016 00000001 00000000 f002 ffff 0000 0000"
        let frame = P.hex("525400000002 525400000001 0800" + ip + tcp) + Array(repeating: 0, count: 16)
        let tree = P.decode(frame, originalLength: 1000)
        #expect(tree.shortfall?.cut == .malformed && tree.shortfall?.layer == TCPLayer.tcp)
        #expect(tree.truncatedLayer == EthernetLayer.ethertypeStep)
        #expect(P.texts(tree, "_ws.malformed") == ["_ws.malformed", "[Malformed Packet: TCP]", "_ws.malformed"])
        #expect(P.texts(tree, "_ws.short") == ["[Packet size limited during capture: Ethertype truncated]"])
        #expect(P.node(tree, "eth.padding")?.range == 54..<60)
        #expect(P.node(tree, "eth.trailer")?.range == 60..<70)
    }
}
