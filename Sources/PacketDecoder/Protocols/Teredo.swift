// Teredo (RFC 4380): IPv6 over UDP port 3544, with its authentication and origin indication.

public enum TeredoLayer {
    public static let teredo = Field(0x0F00)
    static let fields: [FieldInfo] = [
        FieldInfo(teredo, "teredo", "Teredo IPv6 over UDP tunneling", .protocolLayer, short: "Teredo"),
    ]

    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) {
        ctx.openLayer(teredo, offset, 0)
        ctx.close()
        DataLayer.decode(&ctx, at: offset, end: limit)
    }
}
