import Foundation

/// The benchmark workload: a seeded, deterministic libvirt-bridge mix written as classic pcap.
/// About 30% IPv4 protocol 41 (ICMPv6 echo, IPv6 TCP/UDP inside), 30% plain IPv4 TCP/UDP,
/// 20% native IPv6 with neighbour discovery and echo, 10% ARP, 10% 802.1Q-tagged and ICMP.
/// Every checksum is correct, so decoders do their full work. `make bench` measures on it; tests
/// hold the fast paths (summary selection, filter decodes) to the full decode on it.
public struct Workload {
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    var random: SplitMix64
    var time: UInt64 = 1_593_708_000_000_000  // microseconds, 2020-07-02

    public init(seed: UInt64) { random = SplitMix64(state: seed) }

    static let routerA: [UInt8] = [0x52, 0x54, 0x00, 0xf0, 0x85, 0xc7]
    static let routerB: [UInt8] = [0x52, 0x54, 0x00, 0x2b, 0x01, 0xcc]
    static let pcA: [UInt8] = [0x52, 0x54, 0x00, 0x3b, 0x82, 0x36]
    static let pcB: [UInt8] = [0x52, 0x54, 0x00, 0x7b, 0xed, 0xc0]
    static let host: [UInt8] = [0x52, 0x54, 0x00, 0x9d, 0x43, 0x1e]

    /// Writes `count` packets to `path`; returns the file size.
    public mutating func write(count: Int, to path: String) throws -> Int {
        var out = Data()
        out.reserveCapacity(count * 310)
        // pcap file header: magic, v2.4, snaplen 262144, Ethernet.
        out.append(le32(0xA1B2_C3D4)); out.append(le16(2)); out.append(le16(4))
        out.append(le32(0)); out.append(le32(0)); out.append(le32(262_144)); out.append(le32(1))
        let handle = FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil
        guard let handle else { throw CocoaError(.fileWriteUnknown) }
        var written = 0
        for _ in 0..<count {
            let frame = nextFrame()
            time += UInt64(20 + random.below(200))
            out.append(le32(UInt32(time / 1_000_000))); out.append(le32(UInt32(time % 1_000_000)))
            out.append(le32(UInt32(frame.count))); out.append(le32(UInt32(frame.count)))
            out.append(contentsOf: frame)
            if out.count > 1 << 22 { handle.write(out); written += out.count; out.removeAll(keepingCapacity: true) }
        }
        handle.write(out)
        written += out.count
        try handle.close()
        return written
    }

    /// The next frame (Ethernet).
    public mutating func nextFrame() -> [UInt8] {
        let pick = random.below(100)
        let payload = (0..<(random.below(4) == 0 ? random.below(1200) : random.below(400))).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        switch pick {
        case 0..<30:
            // 6in4 between the routers: the inner packet is ICMPv6 echo, TCP or UDP.
            let src = ipv6(0x2001_0002, 0x8067), dst = ipv6(0x2001_0003, 0x8067)
            let inner: [UInt8]
            switch random.below(3) {
            case 0: inner = ipv6Packet(src, dst, hopLimit: 63, next: 58, icmpv6Echo(src, dst, payload))
            case 1: inner = ipv6Packet(src, dst, hopLimit: 63, next: 6, tcp(.v6(src, dst), payload))
            default: inner = ipv6Packet(src, dst, hopLimit: 63, next: 17, udp(.v6(src, dst), payload))
            }
            return ether(Self.routerB, Self.routerA, 0x0800, ipv4Packet(0xC0A8_7A7F, 0xC0A8_7A86, ttl: 255, proto: 41, inner))
        case 30..<60:
            let s: UInt32 = 0xC0A8_7A01, d: UInt32 = 0xC0A8_7A56
            let useTCP = random.below(2) == 0
            let l4 = useTCP ? tcp(.v4(s, d), payload) : udp(.v4(s, d), payload)
            return ether(Self.pcA, Self.host, 0x0800, ipv4Packet(s, d, ttl: 64, proto: useTCP ? 6 : 17, l4))
        case 60..<80:
            let src = ipv6(0x2001_0002, 0x8067), router = ipv6(0x2001_0002, 0x1)
            switch random.below(3) {
            case 0:  // neighbour solicitation with a source link-layer option
                let target = router
                var body: [UInt8] = [135, 0, 0, 0, 0, 0, 0, 0] + bytes(target) + [1, 1] + Self.pcA
                setChecksum(&body, at: 2, pseudo: .v6(src, solicited(target)), proto: 58)
                return ether([0x33, 0x33, 0xff, 0x00, 0x00, 0x01], Self.pcA, 0x86DD, ipv6Packet(src, solicited(target), hopLimit: 255, next: 58, body))
            case 1:  // neighbour advertisement, solicited + override
                var body: [UInt8] = [136, 0, 0, 0, 0x60, 0, 0, 0] + bytes(router) + [2, 1] + Self.routerA
                setChecksum(&body, at: 2, pseudo: .v6(router, src), proto: 58)
                return ether(Self.pcA, Self.routerA, 0x86DD, ipv6Packet(router, src, hopLimit: 255, next: 58, body))
            default:
                return ether(Self.routerA, Self.pcA, 0x86DD, ipv6Packet(src, ipv6(0x2001_0003, 0x8067), hopLimit: 64, next: 58,
                                                                      icmpv6Echo(src, ipv6(0x2001_0003, 0x8067), payload)))
            }
        case 80..<90:
            var arp: [UInt8] = [0, 1, 8, 0, 6, 4, 0, 1] + Self.host + [192, 168, 122, 1] + [0, 0, 0, 0, 0, 0] + [192, 168, 122, UInt8(random.below(254) + 1)]
            arp += [UInt8](repeating: 0, count: 18)  // padded to 60 bytes
            return ether([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], Self.host, 0x0806, arp)
        default:
            // 802.1Q VLAN 10 carrying ICMP echo.
            let s: UInt32 = 0x0A00_0A01, d: UInt32 = 0x0A00_0A02
            var icmp: [UInt8] = [8, 0, 0, 0, 0x12, 0x34, 0, UInt8(random.below(256))] + payload
            setChecksum(&icmp, at: 2, pseudo: nil, proto: 1)
            let tag: [UInt8] = [0x00, 0x0A, 0x08, 0x00]
            return ether(Self.routerB, Self.pcB, 0x8100, tag + ipv4Packet(s, d, ttl: 64, proto: 1, icmp))
        }
    }

    enum Pseudo { case v4(UInt32, UInt32), v6([UInt8], [UInt8]) }

    func ipv6(_ prefix: UInt32, _ low: UInt16) -> [UInt8] {
        be32(prefix) + [UInt8](repeating: 0, count: 10) + be16(low)
    }
    func bytes(_ a: [UInt8]) -> [UInt8] { a }
    func solicited(_ a: [UInt8]) -> [UInt8] { [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff] + a[13...] }

    func ether(_ dst: [UInt8], _ src: [UInt8], _ type: UInt16, _ payload: [UInt8]) -> [UInt8] {
        dst + src + be16(type) + payload
    }

    mutating func ipv4Packet(_ s: UInt32, _ d: UInt32, ttl: UInt8, proto: UInt8, _ payload: [UInt8]) -> [UInt8] {
        var h: [UInt8] = [0x45, 0] + be16(UInt16(20 + payload.count)) + be16(UInt16(random.below(65536))) + [0x40, 0, ttl, proto, 0, 0]
        h += be32(s) + be32(d)
        setChecksum(&h, at: 10, pseudo: nil, proto: 0)
        return h + payload
    }

    func ipv6Packet(_ s: [UInt8], _ d: [UInt8], hopLimit: UInt8, next: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [0x60, 0x00, 0x07, 0xe7] + be16(UInt16(payload.count)) + [next, hopLimit] + s + d + payload
    }

    mutating func icmpv6Echo(_ s: [UInt8], _ d: [UInt8], _ payload: [UInt8]) -> [UInt8] {
        var m: [UInt8] = [128, 0, 0, 0, 0x03, 0xd9] + be16(UInt16(random.below(65536))) + payload
        setChecksum(&m, at: 2, pseudo: .v6(s, d), proto: 58)
        return m
    }

    mutating func udp(_ p: Pseudo, _ payload: [UInt8]) -> [UInt8] {
        var u = be16(UInt16(40000 + random.below(20000))) + be16(UInt16(33434 + random.below(30))) + be16(UInt16(8 + payload.count)) + [0, 0] + payload
        setChecksum(&u, at: 6, pseudo: p, proto: 17)
        return u
    }

    mutating func tcp(_ p: Pseudo, _ payload: [UInt8]) -> [UInt8] {
        var t = be16(UInt16(40000 + random.below(20000))) + be16(22) + be32(UInt32(truncatingIfNeeded: random.next()))
        t += be32(UInt32(truncatingIfNeeded: random.next())) + [0x50, 0x18] + be16(502) + [0, 0, 0, 0] + payload
        setChecksum(&t, at: 16, pseudo: p, proto: 6)
        return t
    }

    func setChecksum(_ b: inout [UInt8], at offset: Int, pseudo: Pseudo?, proto: UInt8) {
        var sum: UInt32 = 0
        switch pseudo {
        case .v4(let s, let d)?:
            sum = (s >> 16) + (s & 0xFFFF) + (d >> 16) + (d & 0xFFFF) + UInt32(proto) + UInt32(b.count)
        case .v6(let s, let d)?:
            for i in stride(from: 0, to: 16, by: 2) { sum += UInt32(s[i]) << 8 | UInt32(s[i + 1]); sum += UInt32(d[i]) << 8 | UInt32(d[i + 1]) }
            sum += UInt32(b.count) + UInt32(proto)
        case nil: break
        }
        var i = 0
        while i + 1 < b.count { sum += UInt32(b[i]) << 8 | UInt32(b[i + 1]); i += 2 }
        if i < b.count { sum += UInt32(b[i]) << 8 }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        var c = ~UInt16(sum)
        if c == 0 && proto == 17 { c = 0xFFFF }
        b[offset] = UInt8(c >> 8)
        b[offset + 1] = UInt8(c & 0xFF)
    }

    func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    func le16(_ v: UInt16) -> Data { Data([UInt8(v & 0xFF), UInt8(v >> 8)]) }
    func le32(_ v: UInt32) -> Data { Data([UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]) }
}
