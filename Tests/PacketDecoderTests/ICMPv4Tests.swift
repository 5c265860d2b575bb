import Testing
import PacketDecoder
import TestSupport

/// Frames built byte by byte (the shared captures' only ICMP-over-IPv4 packet is a fuzzer's find).
enum ICMPv4Frames {
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var sum: UInt32 = 0
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let high = UInt32(bytes[i]) << 8
            let low = i + 1 < bytes.endIndex ? UInt32(bytes[i + 1]) : 0
            sum += high | low
            i += 2
        }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    static func put16(_ bytes: inout [UInt8], _ at: Int, _ value: UInt16) {
        bytes[at] = UInt8(value >> 8)
        bytes[at + 1] = UInt8(value & 0xFF)
    }

    static let ethernet: [UInt8] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0x08, 0x00]

    /// An IPv4 header (20 bytes, correct checksum) for `payload` bytes of `proto`.
    static func ipv4(total: Int, proto: UInt8, ttl: UInt8, source: [UInt8], destination: [UInt8]) -> [UInt8] {
        var h: [UInt8] = [0x45, 0x00, 0, 0, 0x1C, 0x46, 0x40, 0x00, ttl, proto, 0, 0] + source + destination
        put16(&h, 2, UInt16(total))
        put16(&h, 10, checksum(h[0..<20]))
        return h
    }

    /// Ping's echo request: a 64-bit `struct timeval` (little-endian) then 40 pattern bytes.
    static let pingSeconds: Int64 = 1_593_708_003
    static let pingMicros: Int64 = 972_476
    static func echoRequest() -> [UInt8] {
        var icmp: [UInt8] = [0x08, 0x00, 0, 0, 0x12, 0x34, 0x00, 0x01]
        for i in 0..<8 { icmp.append(UInt8((pingSeconds >> (8 * Int64(i))) & 0xFF)) }
        for i in 0..<8 { icmp.append(UInt8((pingMicros >> (8 * Int64(i))) & 0xFF)) }
        icmp += (0x10..<0x38).map { UInt8($0) }
        put16(&icmp, 2, checksum(icmp[...]))
        return ethernet + ipv4(total: 20 + icmp.count, proto: 1, ttl: 64, source: [192, 0, 2, 1],
                               destination: [198, 51, 100, 2]) + icmp
    }

    /// Time exceeded with RFC 4884 extensions: the probe padded to 128 bytes (length 32 words),
    /// then an extension structure with one MPLS label stack entry (label 16, S, TTL 1).
    static func timeExceededWithMPLS() -> [UInt8] {
        var probe = ipv4(total: 36, proto: 17, ttl: 1, source: [192, 0, 2, 1], destination: [203, 0, 113, 9])
        var udp: [UInt8] = [0x9C, 0x40, 0x82, 0x9A, 0x00, 0x10, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8]
        udp[6] = 0; udp[7] = 0
        probe += udp
        probe += [UInt8](repeating: 0, count: 128 - probe.count)
        var extensions: [UInt8] = [0x20, 0x00, 0, 0, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x01, 0x01]
        put16(&extensions, 2, checksum(extensions[...]))
        var icmp: [UInt8] = [11, 0, 0, 0, 0x00, 32, 0x00, 0x00] + probe + extensions
        put16(&icmp, 2, checksum(icmp[...]))
        return ethernet + ipv4(total: 20 + icmp.count, proto: 1, ttl: 254, source: [198, 51, 100, 254],
                               destination: [192, 0, 2, 1]) + icmp
    }

    /// tcpdump's `icmp-cksum-oobr-1.pcap` with its Linux cooked header swapped for Ethernet, so
    /// the ICMP error is reachable whatever the cooked-capture decoder does.
    static func tcpdumpUnreachable() -> [UInt8] {
        let tree = Fixtures.frame("tcpdump/icmp-cksum-oobr-1.pcap")
        return ethernet + Array(tree.bytes[16...])
    }
}

@Suite("ICMPv4")
struct ICMPv4Tests {
    typealias L = ICMPv4Layer

    @Test("an echo request: identifier and sequence both ways, ping's timestamp, data")
    func echoRequest() throws {
        let bytes = ICMPv4Frames.echoRequest()
        let tree = ICMPFixtures.decode(bytes, seconds: ICMPv4Frames.pingSeconds, nanoseconds: 972_631_000)
        #expect(tree.protocolsText == "eth:ethertype:ip:icmp:data")
        let layer = try #require(tree.find(L.icmp))
        #expect(layer.node.range == 34..<98)
        #expect(tree.find(L.type)?.node.range == 34..<35)
        #expect(tree.text(L.type) == "8")
        #expect(tree.find(L.code)?.node.range == 35..<36)
        #expect(tree.find(L.checksum)?.node.range == 36..<38)
        #expect(tree.text(L.checksumStatus) == "1")
        #expect(tree.find(L.identifier)?.node.range == 38..<40)
        #expect(tree.text(L.identifier) == "4660")
        #expect(tree.valueText(try #require(tree.find(L.identifier)).index) == "4660 (0x1234)")
        #expect(tree.text(L.identifierLE) == "13330")
        #expect(tree.find(L.sequence)?.node.range == 40..<42)
        #expect(tree.text(L.sequence) == "1")
        #expect(tree.text(L.sequenceLE) == "256")
        #expect(tree.find(L.dataTime)?.node.range == 42..<58)
        #expect(tree.text(L.dataTime) == "1593708003.972476000")
        #expect(tree.text(L.dataTimeRelative) == "0.000155000")
        let data = try #require(tree.find(DataLayer.data))
        #expect(data.node.range == 58..<98)
        #expect(tree.parent(of: data.index) == layer.index)
        #expect(tree.diagnostics.isEmpty)
        #expect(L.info(tree, layer: layer.index) == "Echo (ping) request  id=0x1234, seq=1/256, ttl=64")
    }

    @Test("a flipped checksum byte: status bad and a warning, as Wireshark's ICMP")
    func badChecksum() throws {
        var bytes = ICMPv4Frames.echoRequest()
        let good = UInt16(bytes[36]) << 8 | UInt16(bytes[37])
        bytes[37] ^= 0x01
        let tree = ICMPFixtures.decode(bytes)
        #expect(tree.text(L.checksumStatus) == "0")
        let diagnostics = tree.diagnostics(on: L.checksum)
        #expect(diagnostics.map(\.message) == ["Bad checksum [should be 0x\(String(good, radix: 16))]"])
        #expect(diagnostics.map(\.severity) == [.warn])
    }

    @Test("a port unreachable quoting the invoking IPv4/UDP packet (tcpdump's fuzzer find)")
    func unreachableQuote() throws {
        let tree = ICMPFixtures.decode(ICMPv4Frames.tcpdumpUnreachable())
        #expect(tree.protocolsText == "eth:ethertype:ip:icmp:ip:udp:data")
        let layer = try #require(tree.find(L.icmp))
        #expect(tree.text(L.type) == "3")
        #expect(tree.text(L.code) == "3")
        #expect(tree.find(L.unused)?.node.range == 38..<42)
        #expect(tree.text(L.checksumStatus) == "0")
        #expect(tree.diagnostics(on: L.checksum).map(\.message) == ["Bad checksum [should be 0x5770]"])
        let quoted = try #require(tree.find(IPv4Layer.ip, 1))
        #expect(quoted.node.range.lowerBound == 42)
        #expect(tree.parent(of: quoted.index) == layer.index)
        #expect(tree.text(IPv4Layer.ttl, 1) == "114")
        #expect(tree.text(UDPLayer.destinationPort) == "1027")
        // The ICMP layer's own expert items: only the checksum (tshark's list for the frame).
        let own = tree.diagnostics.filter { ICMPFixtures.isICMPNode(tree, Int($0.node)) && $0.severity >= .warn }
        #expect(own.map(\.message) == ["Bad checksum [should be 0x5770]"])
        #expect(L.info(tree, layer: layer.index) == "Destination unreachable (Port unreachable)")
    }

    @Test("time exceeded with RFC 4884 length and an MPLS extension object")
    func extensionObjects() throws {
        let tree = ICMPFixtures.decode(ICMPv4Frames.timeExceededWithMPLS())
        #expect(tree.protocolsText == "eth:ethertype:ip:icmp:ip:udp:data")
        #expect(tree.text(L.checksumStatus) == "1")
        #expect(tree.find(L.length)?.node.range == 39..<40)
        #expect(tree.text(L.length) == "32")
        #expect(tree.text(L.originalDatagramLength) == "128")
        #expect(tree.text(IPv4Layer.ttl, 1) == "1")
        let extensions = try #require(tree.find(ICMPExtension.extensions))
        #expect(extensions.node.range == 170..<182)
        #expect(tree.text(ICMPExtension.version) == "2")
        #expect(tree.text(ICMPExtension.checksumStatus) == "1")
        #expect(tree.text(ICMPExtension.objectClass) == "1")
        #expect(tree.text(ICMPExtension.mplsLabel) == "16")
        #expect(tree.find(ICMPExtension.mplsLabel)?.node.range == 178..<181)
        #expect(tree.text(ICMPExtension.mplsStack) == "1")
        #expect(tree.text(ICMPExtension.mplsTTL) == "1")
        #expect(tree.diagnostics.isEmpty)
        let layer = try #require(tree.find(L.icmp)).index
        #expect(L.info(tree, layer: layer) == "Time-to-live exceeded (Time to live exceeded in transit)")
    }

    @Test("every truncation of the ICMPv4 frames decodes within the captured bytes")
    func prefixSweep() {
        var tree = PacketTree()
        for bytes in [ICMPv4Frames.echoRequest(), ICMPv4Frames.tcpdumpUnreachable(), ICMPv4Frames.timeExceededWithMPLS()] {
            for cut in 0...bytes.count {
                let metadata = FrameMetadata(number: 1, originalLength: bytes.count, linkType: .ethernet)
                PacketDecoder.decode(Array(bytes[0..<cut]), metadata: metadata, into: &tree)
                for i in tree.nodes.indices where ICMPFixtures.isICMPNode(tree, i) {
                    #expect(tree.nodes[i].range.upperBound <= cut, "cut \(cut): \(tree.nodes[i].field.abbreviation)")
                }
            }
        }
    }

    @Test("a message shorter than six bytes is cut before any field, as in Wireshark")
    func shortMessage() {
        let bytes = ICMPv4Frames.echoRequest()
        let tree = ICMPFixtures.decode(Array(bytes[0..<39]), original: bytes.count)
        #expect(tree.contains(L.icmp))
        #expect(!tree.contains(L.type))
        #expect(tree.shortfall?.cut == .truncated)
        #expect(tree.shortfall?.layer == L.icmp)
    }
}
