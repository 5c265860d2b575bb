import Testing
import PacketDecoder
import TestSupport

/// ARP and RARP: every field with its bytes, typed and untyped addresses, the hidden
/// gratuitous/probe/announcement flags, padding after the packet, and the Info text.
@Suite("ARP")
struct ARPTests {
    typealias P = LinkProbe

    static func info(_ tree: PacketTree) -> String { ARPLayer.info(tree, layer: P.indices(tree, "arp")[0]) }

    @Test("a request on the article's bridge: every field and its bytes")
    func request() throws {
        let tree = Fixtures.frame("article-tunnel.pcap", 1)
        #expect(tree.protocolsText == "eth:ethertype:arp")
        #expect(P.node(tree, "arp")?.range == 14..<42)
        #expect(P.node(tree, "arp.hw.type")?.range == 14..<16 && P.text(tree, "arp.hw.type") == "1")
        #expect(P.node(tree, "arp.proto.type")?.range == 16..<18 && P.text(tree, "arp.proto.type") == "0x0800")
        #expect(P.node(tree, "arp.hw.size")?.range == 18..<19 && P.text(tree, "arp.hw.size") == "6")
        #expect(P.node(tree, "arp.proto.size")?.range == 19..<20 && P.text(tree, "arp.proto.size") == "4")
        #expect(P.node(tree, "arp.opcode")?.range == 20..<22 && P.text(tree, "arp.opcode") == "1")
        #expect(P.node(tree, "arp.src.hw_mac")?.range == 22..<28 && P.text(tree, "arp.src.hw_mac") == "52:54:00:9d:43:1e")
        #expect(P.node(tree, "arp.src.proto_ipv4")?.range == 28..<32 && P.text(tree, "arp.src.proto_ipv4") == "192.168.122.1")
        #expect(P.node(tree, "arp.dst.hw_mac")?.range == 32..<38 && P.text(tree, "arp.dst.hw_mac") == "00:00:00:00:00:00")
        #expect(P.node(tree, "arp.dst.proto_ipv4")?.range == 38..<42 && P.text(tree, "arp.dst.proto_ipv4") == "192.168.122.86")
        #expect(P.node(tree, "arp.isgratuitous") == nil && P.node(tree, "arp.isprobe") == nil)
        #expect(tree.label(P.indices(tree, "arp")[0]) == "Address Resolution Protocol (request)")
        #expect(tree.valueText(P.indices(tree, "arp.opcode")[0]) == "request (1)")
        #expect(Self.info(tree) == "Who has 192.168.122.86? Tell 192.168.122.1")
    }

    @Test("a reply, and its Info")
    func reply() {
        let tree = Fixtures.frame("article-tunnel.pcap", 2)
        #expect(P.text(tree, "arp.opcode") == "2")
        #expect(Self.info(tree) == "192.168.122.86 is at 52:54:00:3b:82:36")
        #expect(tree.label(P.indices(tree, "arp")[0]) == "Address Resolution Protocol (reply)")
    }

    /// A request from `sender` for `target`, target MAC `tha`, padded to a 60-byte frame.
    static func padded(sender: String, target: String, tha: String = "000000000000") -> PacketTree {
        let arp = "0001 0800 06 04 0001 525400000001 \(sender) \(tha) \(target)"
        return P.decode(P.hex("ffffffffffff 525400000001 0806 " + arp + String(repeating: "00", count: 18)))
    }

    @Test("the bytes after the packet are the Ethernet padding, in the Ethernet layer")
    func padding() {
        let tree = Self.padded(sender: "c0a80001", target: "c0a80002")
        #expect(P.node(tree, "arp")?.range == 14..<42)
        #expect(P.node(tree, "eth.padding")?.range == 42..<60)
        #expect(P.parent(tree, of: "eth.padding") == EthernetLayer.eth)
        #expect(tree.shortfall == nil && tree.diagnostics.isEmpty)
    }

    @Test("gratuitous, announcement and probe are flagged as Wireshark does")
    func specialRequests() {
        let announcement = Self.padded(sender: "c0a80001", target: "c0a80001")
        #expect(P.text(announcement, "arp.isgratuitous") == "1")
        #expect(P.text(announcement, "arp.isannouncement") == "1")
        #expect(P.node(announcement, "arp.isgratuitous")?.flags.contains(.generated) == true)
        #expect(Self.info(announcement) == "ARP Announcement for 192.168.0.1")
        #expect(announcement.label(P.indices(announcement, "arp")[0]) == "Address Resolution Protocol (ARP Announcement)")

        let gratuitous = Self.padded(sender: "c0a80001", target: "c0a80001", tha: "ffffffffffff")
        #expect(P.text(gratuitous, "arp.isgratuitous") == "1" && P.node(gratuitous, "arp.isannouncement") == nil)
        #expect(Self.info(gratuitous) == "Gratuitous ARP for 192.168.0.1 (Request)")

        let probe = Self.padded(sender: "00000000", target: "c0a80002")
        #expect(P.text(probe, "arp.isprobe") == "1" && P.node(probe, "arp.isgratuitous") == nil)
        #expect(Self.info(probe) == "Who has 192.168.0.2? (ARP Probe)")
    }

    @Test("non-Ethernet hardware addresses are bytes (arp-too-long-tha), behind an 802.1ad tag")
    func longHardwareAddress() throws {
        let tree = Fixtures.frame("tcpdump/arp-too-long-tha.pcap")
        #expect(tree.protocolsText == "eth:ethertype:ieee8021ad:ethertype:arp")
        #expect(P.text(tree, "arp.hw.size") == "14")
        let sha = try #require(P.node(tree, "arp.src.hw"))
        #expect(sha.range == 26..<40)
        #expect(P.node(tree, "arp.src.hw_mac") == nil)
        #expect(P.node(tree, "arp.src.proto_ipv4")?.range == 40..<44)
        #expect(P.node(tree, "arp.dst.hw")?.range == 44..<58)
        #expect(P.text(tree, "arp.dst.proto_ipv4") == "48.48.48.48")
        #expect(P.node(tree, "arp")?.range == 18..<62)
        // The frame claims 262144 bytes; its 2 captured trailing bytes are the tag's trailer.
        #expect(P.node(tree, "ieee8021ah.trailer")?.range == 62..<64)
        #expect(tree.shortfall == nil)
        #expect(Self.info(tree) == "Gratuitous ARP for 48.48.48.48 (Request)")
    }

    @Test("RARP with empty addresses: the 8-byte header only, nothing past it read")
    func reverseARP() {
        let tree = Fixtures.frame("tcpdump/getname_2_read4_asan.pcap")
        #expect(tree.protocolsText == "eth:ethertype:arp")
        #expect(P.text(tree, "eth.type") == "0x8035")
        #expect(P.text(tree, "arp.opcode") == "4")
        #expect(P.text(tree, "arp.hw.size") == "0" && P.text(tree, "arp.proto.size") == "0")
        #expect(P.node(tree, "arp")?.range == 14..<22)
        #expect(P.node(tree, "arp.src.hw") == nil && P.node(tree, "arp.src.proto") == nil)
        #expect(tree.shortfall == nil)
        #expect(Self.info(tree) == "<No address> is at <No address>")
    }

    @Test("sizes claiming more than the frame holds are malformed")
    func oversized() {
        // Hardware size 200: 8 + 400 + 8 bytes, in a 60-byte frame.
        let tree = P.decode(P.hex("ffffffffffff 525400000001 0806 0001 0800 c8 04 0001") + Array(repeating: 0, count: 38))
        #expect(P.texts(tree, "_ws.malformed") == ["[Malformed Packet: ARP/RARP]", "_ws.malformed"])
        #expect(tree.shortfall?.cut == .malformed)
        #expect(P.text(tree, "arp.opcode") == "1")
    }

    @Test("a cut inside the addresses of a request shows no address (tshark reads them all first)")
    func cutAddresses() {
        let tree = Fixtures.frame("vlan.pcap", 1)
        let cut = PacketTree(decoding: Array(tree.bytes.prefix(40)), metadata: tree.metadata)
        #expect(cut.shortfall?.cut == .truncated && cut.shortfall?.layer == ARPLayer.arp)
        #expect(P.texts(cut, "_ws.short") == ["[Packet size limited during capture: ARP/RARP truncated]"])
        #expect(P.text(cut, "arp.opcode") == "1")
        #expect(P.node(cut, "arp.src.hw_mac") == nil)
    }
}
