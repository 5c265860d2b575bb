// IPv6 (RFC 8200): the fixed header, its payload length (jumbograms: RFC 2675) and where the
// payload goes. Extension headers are in IPv6Extensions.swift, the addresses' anatomy (Teredo,
// 6to4, ISATAP) in AddressAnatomy.swift.

public enum IPv6Layer {
    enum Layout {
        static let versionClassFlow = 0..<4
        static let flowLabel = 1..<4
        static let payloadLength = 4..<6
        static let nextHeader = 6
        static let hopLimit = 7
        static let source = 8..<24
        static let destination = 24..<40
        static let headerLength = 40
    }

    public static let ipv6 = Field(0x0800)
    public static let version = Field(0x0801)
    /// Wireshark adds a hidden `ip.version` to IPv6 headers too, so `ip.version == 6` works.
    public static let ipVersion = IPv4Layer.version
    public static let trafficClass = Field(0x0803)
    public static let dscp = Field(0x0804)
    public static let ecn = Field(0x0805)
    public static let flowLabel = Field(0x0806)
    public static let payloadLength = Field(0x0807)
    public static let nextHeader = Field(0x0808)
    public static let hopLimit = Field(0x0809)
    public static let source = Field(0x080A)
    public static let destination = Field(0x080B)
    public static let address = Field(0x080C)

    static let fields: [FieldInfo] = [
        FieldInfo(ipv6, "ipv6", "Internet Protocol Version 6", .protocolLayer, short: "IPv6"),
        FieldInfo(version, "ipv6.version", "Version", .uint8, mask: 0xF0),
        FieldInfo(trafficClass, "ipv6.tclass", "Traffic Class", .uint32, base: .hex, mask: 0x0FF0_0000),
        FieldInfo(dscp, "ipv6.tclass.dscp", "Differentiated Services Codepoint", .uint32, mask: 0x0FC0_0000,
                  values: IPv4Layer.dscpNames),
        FieldInfo(ecn, "ipv6.tclass.ecn", "Explicit Congestion Notification", .uint32, mask: 0x0030_0000,
                  values: IPv4Layer.ecnNames),
        FieldInfo(flowLabel, "ipv6.flow", "Flow Label", .uint24, base: .hex, mask: 0x0F_FFFF),
        FieldInfo(payloadLength, "ipv6.plen", "Payload Length", .uint16),
        FieldInfo(nextHeader, "ipv6.nxt", "Next Header", .uint8, values: IPProtocol.names),
        FieldInfo(hopLimit, "ipv6.hlim", "Hop Limit", .uint8),
        FieldInfo(source, "ipv6.src", "Source Address", .ipv6, blurb: "Source IPv6 Address"),
        FieldInfo(destination, "ipv6.dst", "Destination Address", .ipv6, blurb: "Destination IPv6 Address"),
        FieldInfo(address, "ipv6.addr", "Source or Destination Address", .ipv6),
    ]

    /// Decodes an IPv6 packet at `offset`; returns the end its payload length claims (clamped to
    /// `limit`). A header whose version is not 6 is refused, as Wireshark refuses it: its layer
    /// leaves `frame.protocols` and the bytes become data (unless nothing came before to own them).
    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) -> Int {
        let layer = ctx.openLayer(ipv6, offset, max(0, min(Layout.headerLength, min(limit, ctx.capturedLength) - offset)))
        let first = try ctx.u8(offset, limit: limit)
        let versionNumber = UInt64(first >> 4)
        let versionIndex = ctx.add(version, offset, 1, .unsigned(versionNumber))
        ctx.add(ipVersion, offset, 1, .unsigned(versionNumber), .hidden)
        if versionNumber != 6 {
            ctx.diagnose(versionIndex, .error, .malformed, "Bogus IPv6 version")
            ctx.close()
            refuse(&ctx, at: offset, limit: limit)
            return limit
        }
        if limit - offset < Layout.headerLength {
            ctx.diagnose(layer, .error, .malformed, "IPv6 header must be exactly 40 bytes")
        }

        let word = try ctx.u32(offset, limit: limit)
        ctx.open(trafficClass, offset, 4, .unsigned(UInt64((word >> 20) & 0xFF)))
        ctx.add(dscp, offset, 4, .unsigned(UInt64((word >> 22) & 0x3F)))
        ctx.add(ecn, offset, 4, .unsigned(UInt64((word >> 20) & 0x3)))
        ctx.close()
        ctx.add(flowLabel, offset + Layout.flowLabel.lowerBound, 3, .unsigned(UInt64(word & 0xF_FFFF)))
        let plen = Int(try ctx.u16(offset + Layout.payloadLength.lowerBound, limit: limit))
        let next = try ctx.u8(offset + Layout.nextHeader, limit: limit)
        let plenIndex = ctx.add(payloadLength, offset + Layout.payloadLength.lowerBound, 2, .unsigned(UInt64(plen)))
        if plen == 0 && next != IPProtocol.hopByHop.rawValue && next != IPProtocol.noNextHeader.rawValue {
            ctx.diagnose(plenIndex, .chat, .protocolViolation,
                         "IPv6 payload length equals 0 (maybe because of \"TCP segmentation offload\" (TSO))")
        }
        ctx.add(nextHeader, offset + Layout.nextHeader, 1, .unsigned(UInt64(next)))
        let hops = try ctx.addUInt(hopLimit, offset + Layout.hopLimit, 1, limit: limit)
        let src = try ctx.addIPv6(source, offset + Layout.source.lowerBound, limit: limit)
        ctx.add(address, offset + Layout.source.lowerBound, 16, .ipv6(src), .hidden)
        let dst = try ctx.addIPv6(destination, offset + Layout.destination.lowerBound, limit: limit)
        ctx.add(address, offset + Layout.destination.lowerBound, 16, .ipv6(dst), .hidden)
        AddressAnatomy.add(&ctx, source: src, destination: dst, header: offset)

        // How long the payload is: the header says so, unless it is a jumbogram (RFC 2675), whose
        // hop-by-hop header carries the length.
        let payload = offset + Layout.headerLength
        var length = plen
        var jumbo = 0
        if plen == 0 && next == IPProtocol.hopByHop.rawValue {
            jumbo = IPv6OptionsLayer.jumboPayloadLength(ctx, hopByHopAt: payload, limit: limit)
            if jumbo != 0 {
                length = jumbo
            } else {
                ctx.diagnose(plenIndex, .error, .malformed,
                             "IPv6 payload length equals 0 and Hop-By-Hop present and Jumbo Payload option missing")
            }
        }
        // In an ICMP error's quote the lengths describe the original packet, which was cut.
        if length > limit - payload && !insideErrorQuote(ctx) {
            ctx.diagnose(plenIndex, .warn, .protocolViolation,
                         "IPv6 payload length exceeds framing length (\(limit - payload) bytes)")
        }
        let end = min(limit, payload + length)
        let pseudo = PseudoHeader.v6(source: src, destination: dst)

        if IPv6ExtensionLayer.startsChain(next) {
            // Extension headers belong to this header's tree, as in Wireshark: the chain closes it.
            let enclosing = IPv6ExtensionLayer.Enclosing(node: layer, depth: ctx.openDepth - 1, payloadLength: plen,
                                                         jumboLength: jumbo, hopLimit: UInt8(hops))
            try IPv6ExtensionLayer.decodeChain(&ctx, first: next, at: payload, limit: end, pseudo: pseudo,
                                               enclosing: enclosing)
        } else {
            ctx.close()
            try Dispatch.ipProtocol(&ctx, next, at: payload, limit: end, pseudo: pseudo)
        }
        return end
    }

    /// A header that is not IPv6 after all: its node stays (it shows why), its layer leaves
    /// `frame.protocols`, and whoever handed the bytes over gets them back as data. At the very
    /// start of a record (link type IPv6) there is no one, and Wireshark shows nothing more.
    private static func refuse(_ ctx: inout DecodeContext, at offset: Int, limit: Int) {
        if ctx.protocolPath.last == ipv6 { ctx.removeLastProtocolStep() }
        if !ctx.protocolPath.isEmpty { DataLayer.decode(&ctx, at: offset, end: limit) }
    }

    /// True inside the packet an ICMP error quotes (Wireshark's `in_error_pkt`): ICMP carries
    /// nothing else, so any layer after an ICMP layer belongs to its quote.
    @inline(__always)
    static func insideErrorQuote(_ ctx: borrowing DecodeContext) -> Bool {
        ctx.protocolPath.contains { $0 == ICMPv6Layer.icmpv6 || $0 == ICMPv4Layer.icmp }
    }
}
