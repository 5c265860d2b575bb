// ARP (RFC 826) and RARP: every field.

public enum ARPLayer {
    public static let arp = Field(0x0600)
    static let fields: [FieldInfo] = [
        FieldInfo(arp, "arp", "Address Resolution Protocol", .protocolLayer, short: "ARP"),
    ]

    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) -> Int {
        ctx.openLayer(arp, offset, 0)
        ctx.close()
        return limit
    }
}
