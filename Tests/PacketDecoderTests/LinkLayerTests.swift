import Testing
import PacketDecoder
import TestSupport

/// Lookups over a decoded tree, by Wireshark field name, for the link-layer tests.
enum LinkProbe {
    static func field(_ name: String) -> Field {
        guard let field = FieldRegistry.field(named: name) else { preconditionFailure("no field \(name)") }
        return field
    }
    /// Indices of every node of `name`, in wire order.
    static func indices(_ tree: PacketTree, _ name: String) -> [Int] { tree.indices(of: field(name)) }
    static func node(_ tree: PacketTree, _ name: String, _ occurrence: Int = 0) -> FieldNode? {
        let all = indices(tree, name)
        return occurrence < all.count ? tree.nodes[all[occurrence]] : nil
    }
    /// The `-T fields` text of occurrence `occurrence` of `name`.
    static func text(_ tree: PacketTree, _ name: String, _ occurrence: Int = 0) -> String? {
        let all = indices(tree, name)
        return occurrence < all.count ? tree.fieldText(all[occurrence]) : nil
    }
    static func texts(_ tree: PacketTree, _ name: String) -> [String] { tree.fieldTexts(field(name)) }
    static func messages(_ tree: PacketTree) -> [String] { tree.diagnostics.map(\.message) }
    /// The diagnostics attached to the first node of `name`.
    static func diagnostics(_ tree: PacketTree, on name: String) -> [Diagnostic] {
        guard let index = indices(tree, name).first else { return [] }
        return tree.diagnostics(of: index)
    }
    /// The parent (enclosing node) of the first node of `name`.
    static func parent(_ tree: PacketTree, of name: String) -> Field? {
        guard let index = indices(tree, name).first, let parent = tree.parent(of: index) else { return nil }
        return tree.nodes[parent].field
    }

    static func decode(_ bytes: [UInt8], linkType: LinkType = .ethernet, originalLength: Int? = nil) -> PacketTree {
        PacketTree(decoding: bytes, metadata: FrameMetadata(number: 1, originalLength: originalLength ?? bytes.count,
                                                           linkType: linkType))
    }
    /// The same frame with some bytes changed.
    static func mutated(_ tree: PacketTree, _ change: (inout [UInt8]) -> Void) -> PacketTree {
        var bytes = tree.bytes
        change(&bytes)
        return PacketTree(decoding: bytes, metadata: tree.metadata)
    }
    /// Bytes from hex text; spaces are ignored.
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }
}

/// Ethernet, 802.1Q / 802.1ad tags, LLC and the Linux cooked headers, on the shared captures.
@Suite("Link layers")
struct LinkLayerTests {
    typealias P = LinkProbe

    @Test("the article's frame: Ethernet II header, values and bytes")
    func articleEthernet() throws {
        let tree = Fixtures.frame("article-echo-request.pcap")
        #expect(tree.protocolsText == "eth:ethertype:ip:ipv6:icmpv6:data")
        let dst = try #require(P.node(tree, "eth.dst"))
        #expect(dst.range == 0..<6)
        #expect(P.text(tree, "eth.dst") == "52:54:00:2b:01:cc")
        let src = try #require(P.node(tree, "eth.src"))
        #expect(src.range == 6..<12)
        #expect(P.text(tree, "eth.src") == "52:54:00:f0:85:c7")
        let type = try #require(P.node(tree, "eth.type"))
        #expect(type.range == 12..<14)
        #expect(type.value == .unsigned(0x0800))
        #expect(P.text(tree, "eth.type") == "0x0800")
        // LG/IG bits sit in the first three bytes of each address.
        let lg = try #require(P.node(tree, "eth.dst.lg"))
        #expect(lg.range == 0..<3 && lg.mask == 0x020000 && lg.value == .boolean(true))
        #expect(P.node(tree, "eth.dst.ig")?.value == .boolean(false))
        #expect(P.texts(tree, "eth.addr") == ["52:54:00:2b:01:cc", "52:54:00:f0:85:c7"])
        #expect(P.node(tree, "eth.addr")?.flags.contains(.hidden) == true)
        let eth = try #require(P.node(tree, "eth"))
        #expect(eth.range == 0..<14 && eth.flags.contains(.layer))
        #expect(tree.label(P.indices(tree, "eth")[0]) == "Ethernet II, Src: 52:54:00:f0:85:c7, Dst: 52:54:00:2b:01:cc")
        // 138 bytes: no padding, no trailer, no FCS guessed (the IPv4 total length covers it all).
        #expect(P.node(tree, "eth.padding") == nil && P.node(tree, "eth.trailer") == nil && P.node(tree, "eth.fcs") == nil)
    }

    @Test("an unknown EtherType leaves data; an 802.3 length too long for the frame is malformed")
    func unknownEtherType() throws {
        let experimental = Fixtures.frame("malformed/unknown-ethertype.pcap", 1)
        #expect(experimental.protocolsText == "eth:ethertype:data")
        #expect(P.text(experimental, "eth.type") == "0x88b5")
        #expect(P.node(experimental, "data")?.range == 14..<138)

        let ieee8023 = Fixtures.frame("malformed/unknown-ethertype.pcap", 2)
        #expect(ieee8023.protocolsText == "eth:llc:data")
        let length = try #require(P.node(ieee8023, "eth.len"))
        #expect(length.range == 12..<14 && length.value == .unsigned(1500))
        #expect(P.node(ieee8023, "eth.type") == nil)
        #expect(P.diagnostics(ieee8023, on: "eth.len").map(\.message) == ["Length field value goes past the end of the payload"])
        #expect(P.texts(ieee8023, "_ws.malformed") == ["_ws.malformed"])
        #expect(P.text(ieee8023, "llc.dsap") == "0x45")
        #expect(P.node(ieee8023, "llc.control")?.range == 16..<18)   // an I-frame: 2-byte control
        #expect(ieee8023.label(P.indices(ieee8023, "eth")[0]).hasPrefix("IEEE 802.3 Ethernet, Src: "))
    }

    @Test("SNAP with OUI 0 carries an EtherType: another ethertype step")
    func snap() {
        // 802.3 length 36, LLC AA AA 03, OUI 000000, type 0x0806, then a 28-byte ARP request.
        let bytes = P.hex("ffffffffffff 525400000001 0024 aaaa03 000000 0806"
                          + "0001 0800 06 04 0001 525400000001 c0a80001 000000000000 c0a80002")
        let tree = P.decode(bytes)
        #expect(tree.protocolsText == "eth:llc:ethertype:arp")
        #expect(P.node(tree, "llc.oui")?.range == 17..<20)
        #expect(P.node(tree, "llc.type")?.range == 20..<22)
        #expect(P.text(tree, "llc.type") == "0x0806")
        #expect(P.text(tree, "arp.dst.proto_ipv4") == "192.168.0.2")
        #expect(tree.shortfall == nil)
    }

    @Test("802.1Q: tag fields with masks, tshark's split of a tagged short frame's padding")
    func vlanPadding() throws {
        let tree = Fixtures.frame("vlan.pcap", 1)
        #expect(tree.protocolsText == "eth:ethertype:vlan:ethertype:arp")
        let priority = try #require(P.node(tree, "vlan.priority"))
        #expect(priority.range == 14..<16 && priority.mask == 0xE000 && priority.value == .unsigned(0))
        let id = try #require(P.node(tree, "vlan.id"))
        #expect(id.range == 14..<16 && id.mask == 0x0FFF && id.value == .unsigned(10))
        #expect(P.node(tree, "vlan.dei")?.mask == 0x1000)
        #expect(P.node(tree, "vlan.etype")?.range == 16..<18)
        #expect(P.text(tree, "vlan.etype") == "0x0806")
        // 14 + 4 + 28 = 46 bytes: padding to 60 counted from the frame's start, the rest the tag's trailer.
        let padding = try #require(P.node(tree, "eth.padding"))
        #expect(padding.range == 46..<60)
        #expect(P.node(tree, "vlan.trailer")?.range == 60..<64)
        #expect(P.parent(tree, of: "eth.padding") == EthernetLayer.vlan)
        #expect(P.parent(tree, of: "vlan.trailer") == EthernetLayer.vlan)
        #expect(P.node(tree, "eth.trailer") == nil && P.node(tree, "eth.fcs") == nil)
    }

    @Test("stacked tags: legacy double 802.1Q, 802.1ad S-tag over a C-tag")
    func vlanStacks() throws {
        let double = Fixtures.frame("vlan.pcap", 9)
        #expect(double.protocolsText == "eth:ethertype:vlan:ethertype:vlan:ethertype:arp")
        #expect(P.texts(double, "vlan.id") == ["200", "10"])
        #expect(P.texts(double, "vlan.priority") == ["1", "0"])
        #expect(P.texts(double, "vlan.dei") == ["1", "0"])
        #expect(P.texts(double, "vlan.etype") == ["0x8100", "0x0806"])
        #expect(P.node(double, "vlan.id", 1)?.range == 18..<20)

        let qinq = Fixtures.frame("vlan.pcap", 8)
        #expect(qinq.protocolsText == "eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ip:ipv6:icmpv6:data")
        #expect(P.text(qinq, "eth.type") == "0x88a8")
        let sTag = try #require(P.node(qinq, "ieee8021ad.id"))
        #expect(sTag.range == 14..<16 && sTag.mask == 0x0FFF && sTag.value == .unsigned(100))
        #expect(P.text(qinq, "ieee8021ad.priority") == "3")
        #expect(P.node(qinq, "ieee8021ah.etype")?.range == 16..<18)
        #expect(P.texts(qinq, "vlan.id") == ["30"])
        #expect(P.texts(qinq, "eth.type") == ["0x88a8"])   // the S-tag's type is not an eth.type
        #expect(P.node(qinq, "ip.src")?.range == 34..<38)

        let tcpdump = Fixtures.frame("tcpdump/802.1ad_QinQ.pcap", 1)
        #expect(tcpdump.protocolsText == "eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:arp")
        #expect(P.text(tcpdump, "ieee8021ad.id") == "200" && P.text(tcpdump, "vlan.id") == "2001")
        #expect(P.node(tcpdump, "eth.padding")?.range == 50..<60)
        #expect(P.node(tcpdump, "vlan.trailer")?.range == 60..<64)
    }

    @Test("a priority-tagged frame (VID 0) still carries its payload")
    func priorityTag() {
        let tree = Fixtures.frame("vlan.pcap", 10)
        #expect(P.text(tree, "vlan.id") == "0" && P.text(tree, "vlan.priority") == "6")
        #expect(tree.protocolsText == "eth:ethertype:vlan:ethertype:ip:udp:data")
        #expect(P.text(tree, "udp.srcport") == "5004")
    }

    @Test("Linux cooked v1: every header field and its bytes")
    func cookedV1() throws {
        let arp = Fixtures.frame("sll.pcap", 10)
        #expect(arp.protocolsText == "sll:ethertype:arp")
        #expect(arp.label(P.indices(arp, "sll")[0]) == "Linux cooked capture v1")
        #expect(P.node(arp, "sll")?.range == 0..<16)
        #expect(P.node(arp, "sll.pkttype")?.range == 0..<2)
        #expect(P.text(arp, "sll.pkttype") == "4")
        #expect(arp.valueText(P.indices(arp, "sll.pkttype")[0]) == "Sent by us (4)")
        #expect(P.node(arp, "sll.hatype")?.range == 2..<4 && P.text(arp, "sll.hatype") == "1")
        #expect(P.node(arp, "sll.halen")?.range == 4..<6 && P.text(arp, "sll.halen") == "6")
        #expect(P.node(arp, "sll.src.eth")?.range == 6..<12 && P.text(arp, "sll.src.eth") == "52:54:00:f0:85:c7")
        #expect(P.node(arp, "sll.unused")?.range == 12..<14)
        #expect(P.node(arp, "sll.etype")?.range == 14..<16 && P.text(arp, "sll.etype") == "0x0806")
        #expect(P.node(arp, "arp")?.range == 16..<44)

        // The sit tunnel (ARPHRD_SIT, 776) has no link-layer address: all 8 bytes unused.
        let sit = Fixtures.frame("sll.pcap", 12)
        #expect(P.text(sit, "sll.hatype") == "776" && P.text(sit, "sll.halen") == "0")
        #expect(P.node(sit, "sll.src.eth") == nil && P.node(sit, "sll.src.other") == nil)
        #expect(P.node(sit, "sll.unused")?.range == 6..<14)
        #expect(sit.protocolsText.hasPrefix("sll:ethertype:ipv6"))
        #expect(P.node(sit, "ipv6")?.range.lowerBound == 16)
    }

    @Test("Linux cooked v2: protocol first, interface index, one-byte type and length")
    func cookedV2() throws {
        let tree = Fixtures.frame("sll2.pcap", 2)
        #expect(tree.label(P.indices(tree, "sll")[0]) == "Linux cooked capture v2")
        #expect(P.node(tree, "sll")?.range == 0..<20)
        #expect(P.node(tree, "sll.etype")?.range == 0..<2 && P.text(tree, "sll.etype") == "0x0806")
        #expect(P.node(tree, "sll.ifindex")?.range == 4..<8 && P.text(tree, "sll.ifindex") == "2")
        #expect(P.node(tree, "sll.hatype")?.range == 8..<10 && P.text(tree, "sll.hatype") == "1")
        #expect(P.node(tree, "sll.pkttype")?.range == 10..<11 && P.text(tree, "sll.pkttype") == "1")
        #expect(P.node(tree, "sll.halen")?.range == 11..<12 && P.text(tree, "sll.halen") == "6")
        #expect(P.node(tree, "sll.src.eth")?.range == 12..<18)
        #expect(P.node(tree, "sll.unused")?.range == 18..<20)
        #expect(P.node(tree, "arp")?.range == 20..<48)
        #expect(LinuxCookedLayer.info(tree, layer: P.indices(tree, "sll")[0]) == "Broadcast")

        let tunnel = Fixtures.frame("sll2.pcap", 5)
        #expect(P.text(tunnel, "sll.ifindex") == "4" && P.text(tunnel, "sll.hatype") == "776")
    }

    @Test("cooked headers typed by address length and protocol: IPv4 source, other source, Linux protocol, GRE")
    func cookedVariants() {
        // halen 4: the address is IPv4 (an IP tunnel device); unused 4 bytes.
        let ipv4Source = P.decode(P.hex("0000 0300 0004 c0000201 00000000 86dd"), linkType: .linuxSLL)
        #expect(P.text(ipv4Source, "sll.src.ipv4") == "192.0.2.1")
        #expect(P.node(ipv4Source, "sll.unused")?.range == 10..<14)
        // halen 10 (InfiniBand-like): shown as the first 8 bytes, no unused bytes.
        let longSource = P.decode(P.hex("0000 0020 000a 0102030405060708 86dd"), linkType: .linuxSLL)
        #expect(P.node(longSource, "sll.src.other")?.range == 6..<14)
        #expect(P.node(longSource, "sll.unused") == nil)
        // Protocol 4 is Linux's ETH_P_802_2: LLC follows, no ethertype step.
        let llc = P.decode(P.hex("0000 0001 0006 525400000001 0000 0004 424203 0000"), linkType: .linuxSLL)
        #expect(P.text(llc, "sll.ltype") == "0x0004")
        #expect(llc.protocolsText == "sll:llc:data")
        // ARPHRD_IPGRE (778): the protocol is a GRE protocol type.
        let gre = P.decode(P.hex("0000 030a 0000 0000000000000000 0800") + Self.minimalIPv4, linkType: .linuxSLL)
        #expect(P.text(gre, "sll.gretype") == "0x0800" && P.node(gre, "sll.etype") == nil)
        #expect(gre.protocolsText == "sll:ip")
    }

    /// A 20-byte IPv4 header without payload, checksum correct (192.0.2.1 → 192.0.2.2, protocol 59).
    static let minimalIPv4 = LinkProbe.hex("4500 0014 0000 4000 403b b6ab c0000201 c0000202")

    @Test("a cut inside a cooked header is charged to SLL")
    func cookedCut() {
        let cut = P.decode(P.hex("0000 0001 0006 5254"), linkType: .linuxSLL, originalLength: 60)
        #expect(cut.shortfall?.cut == .truncated && cut.shortfall?.layer == LinuxCookedLayer.sll)
        #expect(P.texts(cut, "_ws.short") == ["[Packet size limited during capture: SLL truncated]"])
        #expect(P.text(cut, "sll.pkttype") == "0" && P.text(cut, "sll.halen") == "6")
    }

    @Test("Info of a cooked frame and of an unknown EtherType")
    func linkInfo() {
        let experimental = Fixtures.frame("malformed/unknown-ethertype.pcap", 1)
        #expect(EthernetLayer.info(experimental, layer: P.indices(experimental, "eth")[0]) == "Local Experimental Ethertype 1")
    }
}
