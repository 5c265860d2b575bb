import Testing
import PacketDecoder
import TestSupport

/// IP in IP beyond 6in4 (RFC 2003, RFC 2473) and the BSD loopback link types, on frames built
/// here from the article's inner packet (its IPv6 + ICMPv6 bytes, 34..<138).
@Suite("encapsulations and loopback link types")
struct EncapsulationTests {
    static let article = Fixtures.frame("article-echo-request.pcap").bytes
    static let innerIPv6 = Array(article[34..<138])
    static let outerIPv4Header = Array(article[14..<34])  // protocol 41, 192.168.122.127 → .134

    static func ipv6Header(next: UInt8, payload: Int) -> [UInt8] {
        [0x60, 0, 0, 0, UInt8(payload >> 8), UInt8(payload & 0xFF), next, 64]
            + [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
            + [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    }

    static func ipv4Header(proto: UInt8, payload: Int) -> [UInt8] {
        var h = outerIPv4Header
        let total = 20 + payload
        h[2] = UInt8(total >> 8); h[3] = UInt8(total & 0xFF)
        h[9] = proto
        h[10] = 0; h[11] = 0
        var sum: UInt32 = 0
        for i in stride(from: 0, to: 20, by: 2) { sum += UInt32(h[i]) << 8 | UInt32(h[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        let c = ~UInt16(sum)
        h[10] = UInt8(c >> 8); h[11] = UInt8(c & 0xFF)
        return h
    }

    static func decode(_ bytes: [UInt8], _ link: LinkType) -> PacketTree {
        PacketTree(decoding: bytes, metadata: FrameMetadata(number: 1, originalLength: bytes.count, linkType: link))
    }

    @Test func ipv6InIPv6() {
        let tree = Self.decode(Self.ipv6Header(next: 41, payload: Self.innerIPv6.count) + Self.innerIPv6, .ipv6)
        #expect(tree.fieldTexts(FrameLayer.protocols) == ["ipv6:ipv6:icmpv6:data"])
        #expect(tree.tunnels.map(\.kind) == [.ipv6InIPv6])
        #expect(tree.tunnels.first?.text == "IPv6-in-IPv6 fd00::1 → fd00::2")
        // The inner packet is decoded in full: its checksum verifies over the inner addresses.
        #expect(tree.fieldTexts(ICMPv6Layer.checksumStatus) == ["1"])
        #expect(tree.fieldTexts(IPv6Layer.source) == ["fd00::1", "2001:2::8067"])
        #expect(tree.summary.info.hasPrefix("[IPv6-in-IPv6 fd00::1 → fd00::2] Echo (ping) request"))
    }

    @Test func ipv4InIPv4AndIPv4InIPv6() {
        let innerIPv4 = Self.ipv4Header(proto: 41, payload: Self.innerIPv6.count) + Self.innerIPv6
        let ipip = Self.decode(Self.ipv4Header(proto: 4, payload: innerIPv4.count) + innerIPv4, .ipv4)
        #expect(ipip.fieldTexts(FrameLayer.protocols) == ["ip:ip:ipv6:icmpv6:data"])
        #expect(ipip.tunnels.map(\.kind) == [.ipv4InIPv4, .sixInFour])
        let v4in6 = Self.decode(Self.ipv6Header(next: 4, payload: innerIPv4.count) + innerIPv4, .ipv6)
        #expect(v4in6.fieldTexts(FrameLayer.protocols) == ["ipv6:ip:ipv6:icmpv6:data"])
        #expect(v4in6.tunnels.map(\.kind) == [.ipv4InIPv6, .sixInFour])
        #expect(v4in6.fieldTexts(ICMPv6Layer.checksumStatus) == ["1"])
    }

    @Test func bsdLoopbackInEitherByteOrderAndOpenBSDLoop() {
        let ipv4Packet = Array(Self.article[14...])
        // DLT_NULL: the family in the writer's byte order (little-endian 2 here).
        let null = Self.decode([2, 0, 0, 0] + ipv4Packet, .null)
        #expect(null.fieldTexts(FrameLayer.protocols) == ["null:ip:ipv6:icmpv6:data"])
        #expect(null.fieldTexts(LinkLayer.nullFamily) == ["2"])
        let nullBig = Self.decode([0, 0, 0, 2] + ipv4Packet, .null)
        #expect(nullBig.fieldTexts(LinkLayer.nullFamily) == ["2"])
        // IPv6 under the BSDs' different AF_INET6 numbers (24, 28, 30).
        for family: UInt8 in [24, 28, 30] {
            let v6 = Self.decode([family, 0, 0, 0] + Self.innerIPv6, .null)
            #expect(v6.fieldTexts(FrameLayer.protocols) == ["null:ipv6:icmpv6:data"], "family \(family)")
        }
        // DLT_LOOP: network byte order.
        let loop = Self.decode([0, 0, 0, 2] + ipv4Packet, .loop)
        #expect(loop.fieldTexts(IPv4Layer.proto) == ["41"])
        // An unknown family: the rest is data.
        let unknown = Self.decode([99, 0, 0, 0] + ipv4Packet, .null)
        #expect(unknown.fieldTexts(FrameLayer.protocols) == ["null:data"])
    }

    @Test func tunnelsInsideTunnelsStopAtASaneDepth() {
        // 40 IPv6 headers each announcing another: decoding stops nesting, never traps.
        var bytes = Self.innerIPv6
        for _ in 0..<40 { bytes = Self.ipv6Header(next: 41, payload: bytes.count) + bytes }
        let tree = Self.decode(bytes, .ipv6)
        #expect(tree.tunnels.count <= 9)
        #expect(tree.nodes.count > 0)
    }
}
