// IPv6 (RFC 8200): the fixed header. Extension headers are in IPv6Extensions.swift, the
// addresses' anatomy (Teredo, 6to4, ISATAP) in AddressAnatomy.swift.

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
        FieldInfo(source, "ipv6.src", "Source Address", .ipv6),
        FieldInfo(destination, "ipv6.dst", "Destination Address", .ipv6),
        FieldInfo(address, "ipv6.addr", "Source or Destination Address", .ipv6),
    ]

    /// Decodes an IPv6 packet at `offset`; returns the end its payload length claims.
    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) -> Int {
        let layer = ctx.openLayer(ipv6, offset, Layout.headerLength)
        let word = try ctx.u32(offset, limit: limit)
        let versionNumber = UInt64(word >> 28)
        let versionIndex = ctx.add(version, offset, 1, .unsigned(versionNumber))
        ctx.add(ipVersion, offset, 1, .unsigned(versionNumber), .hidden)
        if versionNumber != 6 {
            ctx.diagnose(versionIndex, .error, .protocolViolation, "Bogus IPv6 version")
        }
        ctx.open(trafficClass, offset, 4, .unsigned(UInt64((word >> 20) & 0xFF)))
        ctx.add(dscp, offset, 4, .unsigned(UInt64((word >> 22) & 0x3F)))
        ctx.add(ecn, offset, 4, .unsigned(UInt64((word >> 20) & 0x3)))
        ctx.close()
        ctx.add(flowLabel, offset + Layout.flowLabel.lowerBound, 3, .unsigned(UInt64(word & 0xF_FFFF)))
        let plen = Int(try ctx.u16(offset + Layout.payloadLength.lowerBound, limit: limit))
        let plenIndex = ctx.add(payloadLength, offset + Layout.payloadLength.lowerBound, 2, .unsigned(UInt64(plen)))
        let next = try ctx.u8(offset + Layout.nextHeader, limit: limit)
        ctx.add(nextHeader, offset + Layout.nextHeader, 1, .unsigned(UInt64(next)))
        try ctx.addUInt(hopLimit, offset + Layout.hopLimit, 1, limit: limit)
        let src = try ctx.addIPv6(source, offset + Layout.source.lowerBound, limit: limit)
        AddressAnatomy.add(&ctx, src, at: offset + Layout.source.lowerBound, isSource: true)
        let dst = try ctx.addIPv6(destination, offset + Layout.destination.lowerBound, limit: limit)
        AddressAnatomy.add(&ctx, dst, at: offset + Layout.destination.lowerBound, isSource: false)
        ctx.add(address, offset + Layout.source.lowerBound, 16, .ipv6(src), .hidden)
        ctx.add(address, offset + Layout.destination.lowerBound, 16, .ipv6(dst), .hidden)

        let payload = offset + Layout.headerLength
        var end = payload + plen
        if plen == 0 && next == IPProtocol.hopByHop.rawValue {
            // A jumbogram (RFC 2675): the hop-by-hop header's jumbo option says the length.
            end = limit
        } else if end > limit {
            ctx.diagnose(plenIndex, .error, .protocolViolation,
                         "IPv6 payload length exceeds framing length (\(limit - payload) bytes)")
            end = limit
        }
        ctx.close()
        _ = layer
        try Dispatch.ipProtocol(&ctx, next, at: payload, limit: end,
                                pseudo: .v6(source: src, destination: dst))
        return end
    }
}
