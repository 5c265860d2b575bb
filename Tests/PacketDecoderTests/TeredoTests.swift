import Testing
import PacketDecoder
import TestSupport

@Suite("Teredo and tunnels")
struct TeredoTests {
    /// Echo request from the Teredo client (teredo.pcap frame 5): the client address
    /// 2001:0:c633:640a:8000:63bf:34ff:8ed2 is the source, the IPv6 header at 42 (no Teredo headers).
    @Test func clientAddressAnatomy() throws {
        let tree = Fixtures.frame("teredo.pcap", 5)
        #expect(try #require(tree.node("ipv6.src")).range == 50..<66)
        let server = try #require(tree.node("ipv6.src_ts_ipv4"))
        #expect(server.value == .ipv4(IPv4Address(parsing: "198.51.100.10")!) && server.range == 54..<58)
        #expect(server.flags == .generated)
        let port = try #require(tree.node("ipv6.src_tc_port"))
        #expect(port.value == .unsigned(40000) && port.range == 60..<62)
        let client = try #require(tree.node("ipv6.src_tc_ipv4"))
        #expect(client.value == .ipv4(IPv4Address(parsing: "203.0.113.45")!) && client.range == 62..<66)
        // The hidden "either address" twins, for `ipv6.tc_ipv4 == 203.0.113.45`.
        let any = try #require(tree.node("ipv6.tc_ipv4"))
        #expect(any.flags == [.generated, .hidden] && any.range == 62..<66)
        #expect(tree.texts("ipv6.ts_ipv4") == ["198.51.100.10"] && tree.texts("ipv6.tc_port") == ["40000"])
        #expect(tree.texts("ipv6.dst_ts_ipv4").isEmpty)
    }

    /// The qualification router advertisement (teredo.pcap frame 4): authentication header with
    /// empty ID and value, then an origin indication, then IPv6 at 63.
    @Test func authenticationAndOrigin() throws {
        let tree = Fixtures.frame("teredo.pcap", 4)
        #expect(tree.protocolsText.hasPrefix("eth:ethertype:ip:udp:teredo:ipv6:icmpv6"))
        let teredo = try #require(tree.node("teredo"))
        #expect(teredo.range.lowerBound == 42 && teredo.flags.contains(.layer))
        #expect(try #require(tree.node("teredo.auth")).range == 42..<55)
        let idLength = try #require(tree.node("teredo.auth.idlen"))
        #expect(idLength.range == 44..<45 && idLength.value == .unsigned(0))
        let valueLength = try #require(tree.node("teredo.auth.aulen"))
        #expect(valueLength.range == 45..<46 && valueLength.value == .unsigned(0))
        #expect(tree.node("teredo.auth.id") == nil && tree.node("teredo.auth.value") == nil)
        let nonce = try #require(tree.node("teredo.auth.nonce"))
        #expect(nonce.range == 46..<54 && tree.texts("teredo.auth.nonce") == ["5d2baf96e51bcae8"])
        let confirmation = try #require(tree.node("teredo.auth.conf"))
        #expect(confirmation.range == 54..<55 && tree.texts("teredo.auth.conf") == ["00"])
        #expect(try #require(tree.node("teredo.orig")).range == 55..<63)
        let port = try #require(tree.node("teredo.orig.port"))
        #expect(port.range == 57..<59 && port.value == .unsigned(40000))
        let address = try #require(tree.node("teredo.orig.addr"))
        #expect(address.range == 59..<63 && tree.texts("teredo.orig.addr") == ["203.0.113.45"])
        #expect(try #require(tree.node("ipv6")).range.lowerBound == 63)
    }

    @Test func bubbleSummary() throws {
        let tree = Fixtures.frame("teredo.pcap", 6)
        #expect(tree.protocolsText == "eth:ethertype:ip:udp:teredo:ipv6")
        let teredo = try #require(FieldRegistry.field(named: "teredo").flatMap { tree.indices(of: $0).first })
        #expect(TeredoLayer.info(tree, layer: teredo) == "Teredo bubble, origin indication 192.0.2.66:3544")
        let request = Fixtures.frame("teredo.pcap", 5)
        let layer = try #require(FieldRegistry.field(named: "teredo").flatMap { request.indices(of: $0).first })
        #expect(TeredoLayer.info(request, layer: layer) == nil)
    }

    /// malformed/tunnel-inner-garbage.pcap: decoded as far as the bytes go, as tshark does.
    @Test func garbageAfterPort3544() throws {
        let lengths = Fixtures.frame("malformed/tunnel-inner-garbage.pcap", 3)
        #expect(lengths.texts("teredo.auth.idlen") == ["255"] && lengths.texts("teredo.auth.aulen") == ["255"])
        #expect(lengths.shortfall?.cut == .malformed && lengths.shortfall?.layer.abbreviation == "teredo")
        let origin = Fixtures.frame("malformed/tunnel-inner-garbage.pcap", 4)
        #expect(origin.node("teredo.orig") != nil && origin.node("teredo.orig.port") == nil)
        #expect(origin.shortfall?.cut == .malformed)
        let text = Fixtures.frame("malformed/tunnel-inner-garbage.pcap", 5)
        #expect(text.protocolsText == "eth:ethertype:ip:udp:teredo:ipv6")
        #expect(text.hasDiagnostic("IPv6 header must be exactly 40 bytes", on: "ipv6", .error))
        #expect(text.texts("ipv6.src") == ["7076:3620:7061:636b:6574:2061:7420:616c"] && text.texts("ipv6.dst").isEmpty)
    }

    @Test func truncatedTeredoHeaders() throws {
        // truncated-layers.pcap frames 44..47 stop inside the Teredo headers, 48 inside IPv6.
        for number in 44...47 {
            let tree = Fixtures.frame("malformed/truncated-layers.pcap", number)
            #expect(tree.shortfall?.cut == .truncated && tree.shortfall?.layer.abbreviation == "teredo", "frame \(number)")
        }
        #expect(Fixtures.frame("malformed/truncated-layers.pcap", 48).shortfall?.layer.abbreviation == "ipv6")
    }

    @Test func tunnels() throws {
        let article = Fixtures.frame("article-echo-request.pcap", 1).tunnels
        #expect(article.count == 1)
        let sixInFour = try #require(article.first)
        #expect(sixInFour.kind == .sixInFour && sixInFour.note == nil)
        #expect(sixInFour.text == "6in4 192.168.122.127 → 192.168.122.134")
        let tree = Fixtures.frame("article-echo-request.pcap", 1)
        #expect(tree.nodes[sixInFour.outerLayer].info.abbreviation == "ip")
        #expect(tree.nodes[sixInFour.innerLayer].info.abbreviation == "ipv6" && tree.nodes[sixInFour.innerLayer].offset == 34)

        #expect(Fixtures.frame("6to4.pcap", 1).tunnels.first?.text == "6in4 (6to4) 192.0.2.33 → 192.88.99.1")
        #expect(Fixtures.frame("isatap.pcap", 3).tunnels.first?.note == "ISATAP")
        let teredo = Fixtures.frame("teredo.pcap", 4).tunnels
        #expect(teredo.map(\.kind) == [.teredo])
        #expect(teredo.first?.text == "Teredo 198.51.100.11 → 192.168.1.23")
        // Native IPv6 and an ICMPv6 error quoting a packet are no tunnels.
        #expect(Fixtures.frame("article-tunnel.pcap", 10).tunnels.isEmpty)
        #expect(Fixtures.frame("raw-sit.pcap", 2).tunnels.isEmpty)
        // The inner header's 201 extension headers add no tunnels.
        let chained = Fixtures.frame("malformed/ipv6-exthdr-chains.pcap", 6).tunnels
        #expect(chained.map(\.kind) == [.sixInFour])
    }
}
