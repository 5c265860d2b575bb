import Testing
import PacketDecoder
import TestSupport

/// Lookups by Wireshark name, for tests that read like the tree they check.
extension PacketTree {
    /// The `occurrence`-th node named `name` (0: outermost).
    func node(_ name: String, _ occurrence: Int = 0) -> FieldNode? {
        guard let field = FieldRegistry.field(named: name) else { return nil }
        let all = indices(of: field)
        return occurrence < all.count ? nodes[all[occurrence]] : nil
    }

    /// The `-T fields` texts of `name`, in wire order.
    func texts(_ name: String) -> [String] {
        guard let field = FieldRegistry.field(named: name) else { return [] }
        return fieldTexts(field)
    }

    func hasDiagnostic(_ message: String, on name: String, _ severity: Severity) -> Bool {
        diagnostics.contains { $0.message == message && $0.severity == severity && nodes[Int($0.node)].info.abbreviation == name }
    }

    /// Decodes `bytes` as an Ethernet frame.
    init(ethernet bytes: [UInt8], originalLength: Int? = nil) {
        self.init(decoding: bytes, metadata: FrameMetadata(number: 1, originalLength: originalLength ?? bytes.count,
                                                           linkType: .ethernet))
    }
}

@Suite("IPv6 header and extension headers")
struct IPv6Tests {
    /// The article's 6in4 frame (Router A -> Router B): Ethernet, IPv4 at 14, IPv6 at 34.
    @Test func articleInnerHeader() throws {
        let tree = Fixtures.frame("article-echo-request.pcap", 1)
        let version = try #require(tree.node("ipv6.version"))
        #expect(version.range == 34..<35 && version.value == .unsigned(6))
        let flow = try #require(tree.node("ipv6.flow"))
        #expect(flow.range == 35..<38 && flow.value == .unsigned(0x7E7))
        let plen = try #require(tree.node("ipv6.plen"))
        #expect(plen.range == 38..<40 && plen.value == .unsigned(64))
        let next = try #require(tree.node("ipv6.nxt"))
        #expect(next.range == 40..<41 && next.value == .unsigned(58))
        let hops = try #require(tree.node("ipv6.hlim"))
        #expect(hops.range == 41..<42 && hops.value == .unsigned(63))
        let src = try #require(tree.node("ipv6.src"))
        #expect(src.range == 42..<58 && tree.texts("ipv6.src") == ["2001:2::8067"])
        let dst = try #require(tree.node("ipv6.dst"))
        #expect(dst.range == 58..<74 && tree.texts("ipv6.dst") == ["2001:3::8067"])
        #expect(tree.texts("ipv6.flow") == ["0x0007e7"])
        #expect(tree.texts("ip.version") == ["4", "6"])
        #expect(tree.protocolsText == "eth:ethertype:ip:ipv6:icmpv6:data")
        #expect(tree.diagnostics.isEmpty)
    }

    @Test func sixToFourAnatomy() throws {
        let tree = Fixtures.frame("6to4.pcap", 9)
        #expect(tree.texts("ipv6.src_6to4_gw_ipv4") == ["192.0.2.33"])
        #expect(tree.texts("ipv6.dst_6to4_gw_ipv4") == ["203.0.113.1"])
        #expect(tree.texts("ipv6.src_6to4_sla_id") == ["0"])
        #expect(tree.texts("ipv6.6to4_gw_ipv4") == ["192.0.2.33", "203.0.113.1"])
        // 2002:c000:0221:0001::1 at 42: the gateway is bytes 2..<6, the subnet 6..<8.
        let gateway = try #require(tree.node("ipv6.src_6to4_gw_ipv4"))
        #expect(gateway.range == 44..<48 && gateway.flags == .generated)
        #expect(try #require(tree.node("ipv6.src_6to4_sla_id")).range == 48..<50)
        let hidden = try #require(tree.node("ipv6.6to4_gw_ipv4"))
        #expect(hidden.flags == [.generated, .hidden] && hidden.range == 44..<48)
        #expect(try #require(tree.node("ipv6.dst_6to4_gw_ipv4")).range == 60..<64)
    }

    @Test func isatapAnatomy() throws {
        let local = Fixtures.frame("isatap.pcap", 3)
        #expect(local.texts("ipv6.src_isatap_ipv4") == ["10.1.1.20"])
        #expect(local.texts("ipv6.dst_isatap_ipv4") == ["10.1.1.1"])
        // Inside IPv4 (at 14), the IPv6 addresses are at 42 and 58: the IPv4 address is each one's last 4 bytes.
        #expect(try #require(local.node("ipv6.src_isatap_ipv4")).range == 54..<58)
        #expect(try #require(local.node("ipv6.dst_isatap_ipv4")).range == 70..<74)
        // u bit set (0200:5efe) for a global IPv4 address.
        let global = Fixtures.frame("isatap.pcap", 9)
        #expect(global.texts("ipv6.dst_isatap_ipv4") == ["192.0.2.50"])
        #expect(global.texts("ipv6.isatap_ipv4") == ["10.1.1.20", "192.0.2.50"])
    }

    /// MLDv2 report (article-tunnel.pcap frame 10): hop-by-hop with router alert (MLD) and PadN.
    @Test func hopByHopRouterAlert() throws {
        let tree = Fixtures.frame("article-tunnel.pcap", 10)
        #expect(tree.protocolsText.hasPrefix("eth:ethertype:ipv6:ipv6.hopopts:icmpv6"))
        let header = try #require(tree.node("ipv6.hopopts"))
        #expect(header.range == 54..<62 && header.flags.contains(.layer))
        #expect(try #require(tree.node("ipv6.hopopts.nxt")).range == 54..<55)
        #expect(tree.texts("ipv6.hopopts.nxt") == ["58"])
        #expect(tree.texts("ipv6.hopopts.len") == ["0"])
        #expect(tree.texts("ipv6.hopopts.len_oct") == ["8"])
        #expect(tree.texts("ipv6.opt.type") == ["0x05", "0x01"])
        #expect(tree.texts("ipv6.opt.length") == ["2", "0"])
        #expect(try #require(tree.node("ipv6.opt", 0)).range == 56..<60)
        let alert = try #require(tree.node("ipv6.opt.router_alert"))
        #expect(alert.range == 58..<60 && alert.value == .unsigned(0))
        #expect(FieldRegistry.info(alert.field).valueName(0) == "MLD")
        let padN = try #require(tree.node("ipv6.opt.padn"))
        #expect(padN.range == 62..<62)
        // The options header is part of the IPv6 header's tree, which now spans 48 bytes.
        let ipv6 = try #require(tree.node("ipv6"))
        #expect(ipv6.range == 14..<62 && header.depth == ipv6.depth + 1)
        #expect(tree.node("icmpv6")?.depth == 0)
    }

    /// 31 fragment headers in a row (ipv6-exthdr-chains.pcap frame 3), each a first fragment.
    @Test func fragmentHeader() throws {
        let tree = Fixtures.frame("malformed/ipv6-exthdr-chains.pcap", 3)
        let first = try #require(tree.node("ipv6.fraghdr"))
        #expect(first.range == 54..<62)
        #expect(try #require(tree.node("ipv6.fraghdr.nxt")).range == 54..<55)
        #expect(try #require(tree.node("ipv6.fraghdr.offset")).range == 56..<58)
        #expect(try #require(tree.node("ipv6.fraghdr.more")).value == .boolean(true))
        let identification = try #require(tree.node("ipv6.fraghdr.ident"))
        #expect(identification.range == 58..<62 && identification.value == .unsigned(7))
        #expect(tree.texts("ipv6.fraghdr.ident").first == "0x00000007")
        #expect(tree.texts("ipv6.fraghdr").count == 31)
        #expect(tree.texts("ipv6.fraghdr.more").last == "0")
    }

    /// A later fragment's bytes are data; its offset prints in 8-byte units, as tshark's.
    @Test func laterFragmentIsData() throws {
        var bytes = Fixtures.frame("article-tunnel.pcap", 10).bytes
        // Make the hop-by-hop header a fragment header: next 58, offset 1456 bytes, more, id 0x1234.
        bytes[20] = 44
        bytes.replaceSubrange(54..<62, with: [58, 0, 0x05, 0xB1, 0, 0, 0x12, 0x34])
        let tree = PacketTree(ethernet: bytes)
        #expect(tree.texts("ipv6.fraghdr.offset") == ["182"])
        #expect(tree.texts("ipv6.fraghdr.more") == ["1"])
        #expect(tree.protocolsText == "eth:ethertype:ipv6:ipv6.fraghdr:data")
        #expect(try #require(tree.node("data")).range.lowerBound == 62)
    }

    @Test func chainOf201HeadersIsQuick() throws {
        let bytes = Fixtures.frame("malformed/ipv6-exthdr-chains.pcap", 1).bytes
        let clock = ContinuousClock()
        var tree = PacketTree()
        let elapsed = clock.measure {
            for _ in 0..<100 {
                PacketDecoder.decode(bytes, metadata: FrameMetadata(number: 1, originalLength: bytes.count, linkType: .ethernet),
                                     into: &tree)
            }
        }
        #expect(tree.texts("ipv6.dstopts").count == 201)
        #expect(tree.texts("ipv6.dstopts.nxt").last == "59")
        #expect(tree.shortfall == nil && tree.diagnostics.isEmpty)
        #expect(elapsed < .seconds(2), "100 decodes of a 201-header chain took \(elapsed)")
    }

    @Test func hopByHopAfterAnotherHeader() throws {
        let tree = Fixtures.frame("malformed/ipv6-exthdr-chains.pcap", 2)
        let message = "IPv6 Hop-by-Hop extension header must appear immediately after IPv6 header"
        #expect(tree.diagnostics.filter { $0.message == message }.count == 40)
        #expect(tree.hasDiagnostic(message, on: "ipv6.hopopts", .error))
    }

    /// One field changed: payload length 64 -> 1000 on the article frame.
    @Test func payloadLengthExceedsFraming() throws {
        var bytes = Fixtures.frame("article-echo-request.pcap", 1).bytes
        bytes[38] = 0x03
        bytes[39] = 0xE8
        let tree = PacketTree(ethernet: bytes)
        #expect(tree.texts("ipv6.plen") == ["1000"])
        #expect(tree.hasDiagnostic("IPv6 payload length exceeds framing length (64 bytes)", on: "ipv6.plen", .warn))
        // The payload is bounded by what IPv4 carries: ICMPv6 still decodes.
        #expect(tree.texts("icmpv6.type") == ["128"])
    }

    /// One field changed: the type 0 routing header's length 2 -> 3.
    @Test func routingHeaderLengthOdd() throws {
        var bytes = Fixtures.frame("tcpdump/ipv6-routing-header.pcap", 1).bytes
        #expect(PacketTree(ethernet: bytes).diagnostics.allSatisfy { !$0.message.contains("odd") })
        bytes[55] = 3
        let tree = PacketTree(ethernet: bytes)
        #expect(tree.texts("ipv6.routing.len") == ["3"])
        #expect(tree.hasDiagnostic("IPv6 Routing Header extension header length must not be odd", on: "ipv6.routing.len", .error))
        #expect(tree.texts("ipv6.routing.len_oct") == ["32"])
    }

    /// With segments left, upper-layer checksums use the routing header's final destination.
    @Test func routingHeaderFinalDestination() throws {
        let tree = Fixtures.frame("tcpdump/ipv6-routing-header.pcap", 1)
        #expect(tree.texts("ipv6.routing.src.addr").count == 1)
        #expect(tree.texts("icmpv6.checksum.status") == ["1"])
    }

    @Test func jumboPayloadMissing() throws {
        let tree = Fixtures.frame("tcpdump/ipv6_missing_jumbo_payload_option.pcap", 1)
        #expect(tree.hasDiagnostic("IPv6 payload length equals 0 and Hop-By-Hop present and Jumbo Payload option missing",
                                   on: "ipv6.plen", .error))
        #expect(tree.shortfall?.cut == .malformed)
    }

    @Test func jumbogram() throws {
        let tree = Fixtures.frame("tcpdump/ipv6_jumbogram_1.pcap", 1)
        #expect(tree.texts("ipv6.opt.jumbo") == ["65536"])
        #expect(tree.protocolsText == "eth:ethertype:ipv6:ipv6.hopopts:icmpv6:data")
        let short = Fixtures.frame("tcpdump/ipv6-too-long-jumbo.pcap", 1)
        #expect(short.hasDiagnostic("Jumbo Payload option present and jumbo length < 65536", on: "ipv6.opt.jumbo", .warn))
        #expect(short.hasDiagnostic("CALIPSO: Invalid Length (4 bytes)", on: "ipv6.opt.length", .error))
    }

    @Test func bogusVersionIsRefused() throws {
        let tree = Fixtures.frame("tcpdump/ipv6-bad-version.pcap", 2)
        #expect(tree.protocolsText == "eth:ethertype:data")
        #expect(tree.texts("ipv6.version") == ["0"])
        #expect(tree.hasDiagnostic("Bogus IPv6 version", on: "ipv6.version", .error))
        // At the start of a record nothing takes the bytes back.
        #expect(Fixtures.frame("tcpdump/LINKTYPE_IPV6_invalid.pcap", 1).protocolsText == "")
    }

    @Test func shortHeaderInsideTunnel() throws {
        let tree = Fixtures.frame("malformed/tunnel-inner-garbage.pcap", 2)
        #expect(tree.hasDiagnostic("IPv6 header must be exactly 40 bytes", on: "ipv6", .error))
        #expect(tree.shortfall?.cut == .malformed && tree.shortfall?.layer.abbreviation == "ipv6")
        #expect(tree.texts("ipv6.version") == ["6"] && tree.texts("ipv6.tclass").isEmpty)
    }

    @Test func authenticationAndSecurityPayload() throws {
        // Built by hand (tshark 4.0 agrees): IPv6 -> AH (SPI 0x2000, seq 9) -> ICMPv6 echo; then ESP.
        var base = Fixtures.frame("article-tunnel.pcap", 10).bytes
        base.removeSubrange(54...)
        var ah = base
        ah[20] = 51
        ah[18] = 0; ah[19] = 36
        ah += [58, 4, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 9] + [UInt8](repeating: 0, count: 12)
        ah += [128, 0, 0, 0, 0, 1, 0, 1, 0x61, 0x62, 0x63, 0x64]
        let tree = PacketTree(ethernet: ah)
        #expect(tree.protocolsText == "eth:ethertype:ipv6:ah:icmpv6:data")
        #expect(tree.texts("ah.spi") == ["0x00002000"] && tree.texts("ah.sequence") == ["9"])
        #expect(try #require(tree.node("ah")).range == 54..<78)
        #expect(try #require(tree.node("ah.icv")).range == 66..<78)
        var esp = base
        esp[20] = 50
        esp[18] = 0; esp[19] = 32
        esp += [0, 0, 0x10, 0, 0, 0, 0, 7] + [UInt8](repeating: 0xEE, count: 24)
        let sealed = PacketTree(ethernet: esp)
        #expect(sealed.protocolsText == "eth:ethertype:ipv6:esp")
        #expect(sealed.texts("esp.spi") == ["0x00001000"] && sealed.texts("esp.sequence") == ["7"])
    }

    @Test func prefixSweepOfTunnelCaptures() {
        for capture in ["teredo.pcap", "6to4.pcap", "isatap.pcap", "malformed/ipv6-exthdr-chains.pcap"] {
            for full in Fixtures.decodeAll(Fixtures.capture(capture)).frames {
                let bytes = full.bytes
                for cut in 0...bytes.count {
                    let tree = PacketTree(decoding: Array(bytes[..<cut]),
                                          metadata: FrameMetadata(number: 1, originalLength: bytes.count, linkType: .ethernet))
                    for node in tree.nodes where node.length > 0 {
                        let name = node.info.abbreviation
                        if name.hasPrefix("ipv6") || name.hasPrefix("teredo") {
                            #expect(node.range.upperBound <= cut, "\(capture) cut at \(cut): \(name) \(node.range)")
                        }
                    }
                }
            }
        }
    }
}

/// The decoder's node memory grows past its first 256 nodes and is reused across packets.
@Suite("node storage")
struct NodeStorageTests {
    /// Raw IPv6 with a 2,048-byte hop-by-hop header of Pad1 options: thousands of nodes.
    static let manyOptions: [UInt8] = {
        var bytes: [UInt8] = [0x60, 0, 0, 0, 0x08, 0x00, 0x00, 64]   // payload 2,048, next: hop-by-hop
        bytes += [UInt8](repeating: 0, count: 15) + [1]                  // ::1
        bytes += [UInt8](repeating: 0, count: 15) + [1]
        bytes += [59, 255] + [UInt8](repeating: 0, count: 2046)          // no next header; Pad1 x 2,046
        return bytes
    }()

    @Test func aTreeLargerThanTheFirstBufferIsWholeAndStable() {
        let metadata = FrameMetadata(number: 1, originalLength: Self.manyOptions.count, linkType: .raw)
        var tree = PacketTree()
        PacketDecoder.decode(Self.manyOptions, metadata: metadata, into: &tree)
        let first = tree.nodes
        #expect(first.count > 2046)
        #expect(first.indices.allSatisfy { Int(first[$0].subtreeEnd) > $0 && Int(first[$0].subtreeEnd) <= first.count })
        // A small packet into the same tree, then the big one again: the same nodes.
        PacketDecoder.decode(Array(Self.manyOptions.prefix(40)), metadata: metadata, into: &tree)
        #expect(tree.nodes.count < 50)
        PacketDecoder.decode(Self.manyOptions, metadata: metadata, into: &tree)
        #expect(tree.nodes == first)
        // A copy keeps its nodes when the original decodes again (the scratch is not shared).
        let copy = tree
        PacketDecoder.decode(Array(Self.manyOptions.prefix(40)), metadata: metadata, into: &tree)
        #expect(copy.nodes == first)
    }
}
