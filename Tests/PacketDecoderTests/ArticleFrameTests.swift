import Testing
import PacketDecoder
import TestSupport

/// The frame the article decodes byte by byte (shared/seed), field by field at its byte range.
@Suite("the article's frame")
struct ArticleFrameTests {
    let tree = Fixtures.frame("article-echo-request.pcap")

    /// (field, byte range, value as -T fields prints it, occurrence)
    static let expected: [(String, Range<Int>, String, Int)] = [
        ("eth.dst", 0..<6, "52:54:00:2b:01:cc", 0),          // Router B's MAC
        ("eth.src", 6..<12, "52:54:00:f0:85:c7", 0),         // Router A's MAC
        ("eth.type", 12..<14, "0x0800", 0),
        ("ip.version", 14..<15, "4", 0),
        ("ip.hdr_len", 14..<15, "20", 0),
        ("ip.dsfield", 15..<16, "0x00", 0),
        ("ip.len", 16..<18, "124", 0),
        ("ip.id", 18..<20, "0x9b43", 0),
        ("ip.flags.df", 20..<21, "1", 0),
        ("ip.ttl", 22..<23, "255", 0),                       // the tunnel's `ttl 255`
        ("ip.proto", 23..<24, "41", 0),                      // 0x29: IPv6
        ("ip.checksum", 24..<26, "0x69be", 0),
        ("ip.src", 26..<30, "192.168.122.127", 0),           // on the wire the source comes first
        ("ip.dst", 30..<34, "192.168.122.134", 0),
        ("ipv6.version", 34..<35, "6", 0),
        ("ipv6.flow", 35..<38, "0x0007e7", 0),
        ("ipv6.plen", 38..<40, "64", 0),
        ("ipv6.nxt", 40..<41, "58", 0),                      // 0x3a: ICMPv6
        ("ipv6.hlim", 41..<42, "63", 0),                     // forwarded once by Router A
        ("ipv6.src", 42..<58, "2001:2::8067", 0),            // PC A
        ("ipv6.dst", 58..<74, "2001:3::8067", 0),            // PC B
        ("icmpv6.type", 74..<75, "128", 0),                  // 0x80: echo request
        ("icmpv6.code", 75..<76, "0", 0),
        ("icmpv6.checksum", 76..<78, "0xcfbe", 0),
        ("icmpv6.echo.identifier", 78..<80, "0x03d9", 0),
        ("icmpv6.echo.sequence_number", 80..<82, "1", 0),
        ("data.data", 82..<138, "e30dfe5e00000000bcd60e0000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637", 0),
    ]

    @Test(arguments: expected.indices)
    func fieldAtItsBytes(_ i: Int) throws {
        let (name, range, text, occurrence) = Self.expected[i]
        let field = try #require(FieldRegistry.field(named: name), "\(name) not registered")
        let nodes = tree.indices(of: field)
        #expect(nodes.count > occurrence, "\(name) missing")
        guard nodes.count > occurrence else { return }
        let index = nodes[occurrence]
        #expect(tree.nodes[index].range == range, "\(name)")
        #expect(tree.fieldText(index) == text, "\(name)")
    }

    @Test func checksumsVerify() throws {
        #expect(tree.fieldTexts(FieldRegistry.field(named: "ip.checksum.status")!) == ["1"])
        #expect(tree.fieldTexts(FieldRegistry.field(named: "icmpv6.checksum.status")!) == ["1"])
        #expect(tree.diagnostics.isEmpty)
        #expect(tree.shortfall == nil)
    }

    @Test func layersInWireOrder() {
        #expect(tree.fieldTexts(FrameLayer.protocols) == ["eth:ethertype:ip:ipv6:icmpv6:data"])
        #expect(tree.tunnels.map(\.kind) == [.sixInFour])
    }
}
