// ICMP for IPv4 (RFC 792): type, code, checksum, echo identifier and sequence.

public enum ICMPv4Layer {
    public static let icmp = Field(0x0A00)
    static let fields: [FieldInfo] = [
        FieldInfo(icmp, "icmp", "Internet Control Message Protocol", .protocolLayer, short: "ICMP"),
    ]

    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) {
        ctx.openLayer(icmp, offset, 0)
        ctx.close()
        DataLayer.decode(&ctx, at: offset, end: limit)
    }
}
