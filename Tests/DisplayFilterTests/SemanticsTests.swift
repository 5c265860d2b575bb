import Testing
import PacketDecoder
import DisplayFilter
import TestSupport

/// What the tshark table cannot show: operators tshark 4.0 lacks (`xor`), identities between
/// spellings, the compiled filter's API, and literal forms on the article's frame.
@Suite("filter semantics")
struct SemanticsTests {
    static let tunnel = Fixtures.decodeAll(Fixtures.capture("article-tunnel.pcap")).frames
    /// Frame 73 of the tunnel: Router A -> Router B, IPv4 protocol 41 carrying the echo request.
    static let article = Fixtures.frame("article-echo-request.pcap")

    func kept(_ text: String, _ frames: [PacketTree] = SemanticsTests.tunnel) throws -> [Int] {
        let filter = try DisplayFilter(compiling: text)
        return frames.indices.filter { filter.matches(frames[$0]) }.map { $0 + 1 }
    }

    func holds(_ text: String, _ tree: PacketTree = SemanticsTests.article) throws -> Bool {
        try DisplayFilter(compiling: text).matches(tree)
    }

    @Test("xor and ^^ are exclusive or, between and and or in precedence")
    func exclusiveOr() throws {
        let expected = try kept("(ip && !udp) || (!ip && udp)")
        #expect(!expected.isEmpty)
        #expect(try kept("ip xor udp") == expected)
        #expect(try kept("ip ^^ udp") == expected)
        #expect(try kept("ip XOR udp") == expected)
        // or < xor < and: `a or b xor c and d` is `a or (b xor (c and d))`.
        #expect(try kept("arp or ip xor udp and ipv6") == kept("arp or (ip xor (udp and ipv6))"))
        #expect(try kept("tcp xor udp or arp") == kept("(tcp xor udp) or arp"))
    }

    @Test("spellings that mean the same")
    func identities() throws {
        #expect(try kept("ip.ttl == 64 && tcp") == kept("ip.ttl eq 64 and tcp"))
        #expect(try kept("ip.ttl == 64 AND tcp") == kept("ip.ttl eq 64 and tcp"))
        #expect(try kept("!tcp || arp") == kept("not tcp or arp"))
        #expect(try kept("not ip.proto == 41 && ipv6") == kept("(!(ip.proto == 41)) && ipv6"))
        #expect(try kept("ipv6.src ~= 2001:2::8067") == kept("ipv6.src !== 2001:2::8067"))
        #expect(try kept("ip.src not in {192.168.122.1}") == kept("!(ip.src in {192.168.122.1})"))
        #expect(try kept("ip.proto in {1, 6..17}") == kept("ip.proto == 1 || (ip.proto >= 6 && ip.proto <= 17)"))
        // `!=` is "no occurrence equals" (4.0), `~=` is "some occurrence differs".
        #expect(try kept("ip.addr != 192.168.122.1") == kept("ip && !(ip.addr == 192.168.122.1)"))
        #expect(try kept("ip.addr ~= 192.168.122.1") == kept("ip"))
    }

    @Test("literal forms on the article's frame")
    func literals() throws {
        let frame = SemanticsTests.article
        for text in [
            "ip.proto == 41", "ip.proto == 0x29", "ip.proto == 051", "ip.proto == 0b101001", "ip.proto == IPv6",
            "ip.proto == \"ipv6\"", "ip.proto == ')'", "ip.ttl == 255", "ip.id == 39747",
            "ip.flags.df", "ip.flags.df == 1", "ip.flags.df == True", "ip.flags.df == TRUE", "ip.flags.df == \"Set\"",
            "ip.flags.mf", "ip.flags.mf == 0", "ip.flags.mf == False", "ip.flags.mf == \"Not set\"",
            "ip.src == 192.168.122.127", "ip.dst == 192.168.122.134/31", "ip.addr == 192.168.0.0/16",
            "ipv6.src == 2001:2::8067", "ipv6.src == 2001:0002:0000:0000:0000:0000:0000:8067", "ipv6.dst == 2001:3::/32",
            "ipv6.flow == 0x7e7", "ipv6.hlim == 63",
            "eth.src == 52:54:00:f0:85:c7", "eth.src == 52-54-00-f0-85-c7", "eth.src == 5254.00f0.85c7",
            "eth.src == 525400f085c7", "eth.dst == 52:54:00:2b:01:cc",
            "eth.src[0:3] == 52:54:00", "eth.src[:3] == 525400", "eth.src[3:] == f0.85.c7", "eth.src[-1] == c7",
            "eth.src[5] == 0xc7", "eth.src[0-2] == 52:54:00", "eth.src[0:3,5] == 52:54:00:c7", "eth.src[0:3][1] == 54",
            "eth.src[0:3,10] == 52:54:00", "ipv6.dst[14:2] == 80:67", "ipv6.dst[14:2] == 8067",
            "frame[12:2] == 08:00", "ip[0] == 45", "ip[9] == 29", "ipv6[0] == 60",
            "icmpv6.type == 128", "icmpv6.type == \"Echo (ping) request\"", "icmpv6.echo.sequence_number == 1",
            "frame contains \"\\x80g\"", "ipv6 contains 80:67", "eth.src contains f0:85",
            "frame.protocols == \"eth:ethertype:ip:ipv6:icmpv6:data\"", "frame.protocols[0:3] == \"eth\"",
            "upper(frame.protocols) contains \"ICMPV6\"", "lower(frame.protocols) == frame.protocols",
            "len(frame) == 138", "len(ip) == 20", "len(ipv6) == 40", "len(ip.src) == 4", "len(eth.src) == 6",
            "len(ip.proto) == 1", "len(frame.protocols) == 33", "count(ip.addr) == 2", "count(ipv6.addr) == 2",
            "ip.ttl > ipv6.hlim", "ip.src != ip.dst", "ip.src < ip.dst", "eth.src[0:3] == eth.dst[0:3]",
            "frame.time == \"2020-07-02 16:40:03.972631\"", "frame.time == \"Jul  2, 2020 16:40:03.972631 UTC\"",
            "frame.time > \"2020-07-02\"", "frame.time_epoch == 1593708003.972631", "frame.time_epoch < 1593708004",
            "ip.src#1 == 192.168.122.127", "ipv6.hlim#1 == 63", "ip.version#1 == 6", "ip.version#1 == 4",
            "ip#[1:] && ipv6#[-1]", "ip.version === 4 || ip.version ~= 4", "ipv6.addr !== 2001:2::8067",
        ] {
            #expect(try holds(text, frame), "\(text)")
        }
        for text in [
            "ip.proto == 6", "ip.src == 192.168.122.1", "ip.flags.mf == True",
            "eth.src[6:]", "eth.src[4:5] == 85:c7", "eth.src[-7:2]", "ip.src#2", "ipv6#2", "ip.src#0 == 192.168.122.127",
            "ip.version#2 == 6", "ip.version === 4", "ipv6.src == ipv6.dst", "frame.protocols matches \"(?-i)ICMPV6\"",
            "ip.src > 192.168.122.0/24", "ip.addr != 192.168.122.127", "tcp.port != 22", "count(ipv6) == 2",
            "frame.time < \"Jul 2, 2020\"",
        ] {
            #expect(try !holds(text, frame), "\(text)")
        }
    }

    @Test("referencedFields names every field the filter reads")
    func referenced() throws {
        let filter = try DisplayFilter(compiling: "ip.proto == 41 && ipv6.src#2 == ::1 || len(eth.src) == 6 || tcp.srcport < tcp.dstport || ipv6")
        let names = Set(filter.referencedFields.map(\.abbreviation))
        #expect(names == ["ip.proto", "ipv6.src", "eth.src", "tcp.srcport", "tcp.dstport", "ipv6"])
        #expect(try DisplayFilter(compiling: "frame.protocols matches \"ipv6\"").referencedFields.map(\.abbreviation) == ["frame.protocols"])
        #expect(filter.text.hasPrefix("ip.proto == 41"))
    }

    @Test("every registered field compiles as a test and as a comparison with itself")
    func everyField() throws {
        // The registry grows with every protocol; nothing in the filter names fields itself.
        for info in FieldRegistry.all {
            let name = info.abbreviation
            let exists = try DisplayFilter(compiling: name)
            #expect(exists.referencedFields == [info.field])
            _ = try DisplayFilter(compiling: "\(name) == \(name)")
            _ = try DisplayFilter(compiling: "len(\(name)) >= 0 || count(\(name)) > 1")
            for tree in SemanticsTests.tunnel.prefix(20) { _ = exists.matches(tree) }
        }
    }

    @Test("expert pseudo-fields come from the diagnostics")
    func expert() throws {
        let bad = Fixtures.decodeAll(Fixtures.capture("malformed/bad-checksums.pcap")).frames
        let withDiagnostics = bad.indices.filter { !bad[$0].diagnostics.isEmpty }.map { $0 + 1 }
        #expect(!withDiagnostics.isEmpty)
        #expect(try kept("_ws.expert", bad) == withDiagnostics)
        #expect(try kept("count(_ws.expert) >= 1", bad) == withDiagnostics)
        #expect(try kept("_ws.expert.severity >= 0x600000 || _ws.expert.severity < 0x600000", bad) == withDiagnostics)
        #expect(try kept("!_ws.expert && !_ws.malformed && !_ws.short", [SemanticsTests.article]) == [1])
    }

    @Test("a filter is a value: compile once, use from many threads")
    func concurrent() async throws {
        let filter = try DisplayFilter(compiling: "ipv6.addr == 2001:2::/64 && frame.protocols matches \"icmpv6\"")
        let frames = SemanticsTests.tunnel
        let expected = frames.filter { filter.matches($0) }.count
        let counts = await withTaskGroup(of: Int.self, returning: [Int].self) { group in
            for _ in 0..<4 { group.addTask { frames.filter { filter.matches($0) }.count } }
            var all: [Int] = []
            for await c in group { all.append(c) }
            return all
        }
        #expect(counts == [expected, expected, expected, expected])
    }
}
