import Testing
import PacketDecoder
import TestSupport

/// IPv4: the article's outer header field by field, then one-field mutations of it, each with
/// the diagnostic tshark gives, and the hostile captures of `malformed/`.
@Suite("IPv4")
struct IPv4Tests {
    typealias P = LinkProbe

    static let article = Fixtures.frame("article-echo-request.pcap")

    @Test("the article's outer IPv4 header: values, bytes and masks")
    func articleHeader() throws {
        let tree = Self.article
        let version = try #require(P.node(tree, "ip.version"))
        #expect(version.range == 14..<15 && version.mask == 0xF0 && version.value == .unsigned(4))
        let headerLength = try #require(P.node(tree, "ip.hdr_len"))
        #expect(headerLength.range == 14..<15 && headerLength.mask == 0x0F && headerLength.value == .unsigned(20))
        #expect(P.node(tree, "ip.dsfield")?.range == 15..<16 && P.text(tree, "ip.dsfield") == "0x00")
        let total = try #require(P.node(tree, "ip.len"))
        #expect(total.range == 16..<18 && total.value == .unsigned(124))
        let id = try #require(P.node(tree, "ip.id"))
        #expect(id.range == 18..<20 && id.value == .unsigned(0x9b43) && P.text(tree, "ip.id") == "0x9b43")
        let df = try #require(P.node(tree, "ip.flags.df"))
        #expect(df.range == 20..<21 && df.mask == 0x40 && df.value == .boolean(true))
        #expect(P.node(tree, "ip.flags.mf")?.value == .boolean(false))
        let fragment = try #require(P.node(tree, "ip.frag_offset"))
        #expect(fragment.range == 20..<22 && fragment.mask == 0x1FFF && fragment.value == .unsigned(0))
        #expect(P.node(tree, "ip.ttl")?.range == 22..<23 && P.text(tree, "ip.ttl") == "255")
        #expect(P.node(tree, "ip.proto")?.range == 23..<24 && P.text(tree, "ip.proto") == "41")
        let checksum = try #require(P.node(tree, "ip.checksum"))
        #expect(checksum.range == 24..<26 && P.text(tree, "ip.checksum") == "0x69be")
        #expect(P.node(tree, "ip.checksum.status")?.value == .unsigned(ChecksumStatus.good))
        #expect(P.node(tree, "ip.checksum.status")?.flags.contains(.generated) == true)
        #expect(P.node(tree, "ip.src")?.range == 26..<30 && P.text(tree, "ip.src") == "192.168.122.127")
        #expect(P.node(tree, "ip.dst")?.range == 30..<34 && P.text(tree, "ip.dst") == "192.168.122.134")
        #expect(P.texts(tree, "ip.addr") == ["192.168.122.127", "192.168.122.134"])
        #expect(P.node(tree, "ip")?.range == 14..<34)
        #expect(tree.label(P.indices(tree, "ip")[0])
                == "Internet Protocol Version 4, Src: 192.168.122.127, Dst: 192.168.122.134")
        #expect(tree.diagnostics.isEmpty && tree.shortfall == nil)
    }

    @Test("a wrong header checksum: status Bad and what it should have been")
    func badChecksum() throws {
        let tree = P.mutated(Self.article) { $0[24] = 0x12; $0[25] = 0x34 }
        #expect(P.text(tree, "ip.checksum") == "0x1234")
        #expect(P.node(tree, "ip.checksum.status")?.value == .unsigned(ChecksumStatus.bad))
        #expect(P.text(tree, "ip.checksum_calculated") == "0x69be")
        let diagnostic = try #require(P.diagnostics(tree, on: "ip.checksum").first)
        #expect(diagnostic.message == "Bad checksum [should be 0x69be]")
        #expect(diagnostic.severity == .error && diagnostic.group == .checksum)
        // Dissection goes on: the tunnelled IPv6 packet is still there.
        #expect(tree.protocolsText == "eth:ethertype:ip:ipv6:icmpv6:data")
        #expect(P.texts(tree, "_ws.malformed").isEmpty)
    }

    @Test("a total length longer than the frame: tshark's diagnostic, the frame's end is used")
    func totalLengthTooLong() {
        let tree = P.mutated(Self.article) { $0[16] = 0x05; $0[17] = 0xdc }
        #expect(P.text(tree, "ip.len") == "1500")
        #expect(P.diagnostics(tree, on: "ip.len").map(\.message) == ["IPv4 total length exceeds packet length (124 bytes)"])
        #expect(P.diagnostics(tree, on: "ip.len").first?.severity == .error)
        #expect(tree.protocolsText == "eth:ethertype:ip:ipv6:icmpv6:data")
    }

    @Test("a total length shorter than the header stops IPv4 ('Bogus IP length'); 0 is TSO's")
    func totalLengthTooShort() {
        let bogus = P.mutated(Self.article) { $0[16] = 0; $0[17] = 10 }
        #expect(P.diagnostics(bogus, on: "ip.len").map(\.message) == ["Bogus IP length"])
        #expect(P.node(bogus, "ip.id") == nil)
        #expect(bogus.protocolsText == "eth:ethertype:ip")

        let offloaded = P.mutated(Self.article) { $0[16] = 0; $0[17] = 0 }
        #expect(P.text(offloaded, "ip.len") == "124")
        #expect(P.node(offloaded, "ip.len")?.flags.contains(.generated) == true)
        #expect(P.diagnostics(offloaded, on: "ip.len").isEmpty)
    }

    @Test("IHL 15: a 60-byte header whose 'options' are the tunnelled packet")
    func headerLength15() throws {
        let tree = P.mutated(Self.article) { $0[14] = 0x4F }
        #expect(P.text(tree, "ip.hdr_len") == "60")
        #expect(P.node(tree, "ip")?.range == 14..<74)
        #expect(P.node(tree, "ip.options")?.range == 34..<74)
        #expect(P.node(tree, "ip.checksum.status")?.value == .unsigned(ChecksumStatus.bad))
        // Option 0x60 with length 0: flagged, and the option walk stops there.
        let option = try #require(P.indices(tree, "ip.option").first)
        #expect(tree.diagnostics(of: option).map(\.message) == ["Unknown (0x60) (with too-short option length = 0 bytes)"])
        #expect(P.node(tree, "ipv6")?.range.lowerBound == 74)
    }

    @Test("IHL beyond the packet: the option walk runs off the end, Malformed IPv4 (tshark's fields)")
    func headerBeyondPacket() {
        let tree = Fixtures.frame("malformed/ipv4-ihl-beyond-packet.pcap", 1)
        #expect(P.text(tree, "ip.hdr_len") == "60")
        #expect(P.text(tree, "ip.src") == "192.168.122.127")
        #expect(P.node(tree, "ip.dst") == nil)
        #expect(P.node(tree, "ip.checksum.status")?.value == .unsigned(ChecksumStatus.unverified))
        #expect(P.texts(tree, "_ws.malformed") == ["[Malformed Packet: IPv4]", "_ws.malformed"])
        #expect(P.texts(tree, "_ws.expert.message")
                == ["IPv4 total length exceeds packet length (24 bytes)", "Malformed Packet (Exception occurred)"])
        #expect(tree.shortfall?.cut == .malformed && tree.shortfall?.layer == IPv4Layer.ip)
    }

    @Test("IHL below 5: version and header length only", arguments: 1...5)
    func headerBelowMinimum(frame: Int) {
        let tree = Fixtures.frame("malformed/ipv4-ihl-below-5.pcap", frame)
        let bytes = (frame - 1) * 4
        #expect(P.text(tree, "ip.hdr_len") == String(bytes))
        #expect(P.texts(tree, "_ws.expert.message") == ["Bogus IP header length (\(bytes), must be at least 20)"])
        #expect(P.node(tree, "ip.dsfield") == nil)
        #expect(tree.protocolsText == "eth:ethertype:ip")
    }

    @Test("version 6 behind the IPv4 EtherType: 'Bogus IPv4 version', then IPv6 all the same")
    func bogusVersion() {
        let tree = Fixtures.frame("tcpdump/kday1.pcap")
        #expect(P.diagnostics(tree, on: "ip.version").map(\.message) == ["Bogus IPv4 version"])
        #expect(P.texts(tree, "ip.version").first == "6")
        #expect(tree.protocolsText.hasPrefix("eth:ethertype:ip:ipv6"))
        #expect(P.node(tree, "ip.hdr_len") == nil)
    }

    @Test("fragments: a first fragment is dissected, a later one is data with tshark's Info")
    func fragments() {
        let first = P.mutated(Self.article) { $0[20] = 0x20 }   // MF, offset 0
        #expect(P.node(first, "ip.flags.mf")?.value == .boolean(true))
        #expect(first.protocolsText == "eth:ethertype:ip:ipv6:icmpv6:data")

        let later = P.mutated(Self.article) { $0[20] = 0x00; $0[21] = 182 }
        #expect(P.text(later, "ip.frag_offset") == "182")
        #expect(later.protocolsText == "eth:ethertype:ip:data")
        #expect(IPv4Layer.info(later, layer: P.indices(later, "ip")[0])
                == "Fragmented IP protocol (proto=IPv6 41, off=1456, ID=9b43)")
        #expect(IPv4Layer.info(Self.article, layer: P.indices(Self.article, "ip")[0]) == "IPv6 (41)")
    }

    @Test("a loose source route: the final destination is the route's last hop, ip.cur_rt the header's")
    func sourceRoute() {
        // IHL 8: LSRR (131), length 11, pointer 4, hops 10.0.0.1 and 10.0.0.2, then EOL.
        let header = "4800 0020 0001 0000 40ff 0000 c0000201 c0000202 830b04 0a000001 0a000002 00"
        let tree = P.decode(P.hex(header), linkType: .ipv4)
        #expect(P.text(tree, "ip.cur_rt") == "192.0.2.2")
        #expect(P.node(tree, "ip.dst") == nil)
        #expect(P.texts(tree, "ip.src_rt") == ["10.0.0.1", "10.0.0.2"])
        #expect(P.node(tree, "ip.opt.ptr")?.range == 22..<23)
        #expect(P.texts(tree, "ip.opt.type") == ["131", "0"])
    }

    @Test("a TTL too low for a unicast destination is a note, as in tshark")
    func lowTTL() throws {
        let tree = P.mutated(Self.article) { $0[22] = 1 }
        let note = try #require(P.diagnostics(tree, on: "ip.ttl").first)
        #expect(note.message == "\"Time To Live\" only 1" && note.severity == .note)
        #expect(P.texts(tree, "_ws.expert.message") == ["Bad checksum [should be 0x67bf]"])   // notes are not listed
    }
}
