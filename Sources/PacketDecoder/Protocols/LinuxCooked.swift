// Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 113) and v2 (LINKTYPE_LINUX_SLL2, 276): `-i any`.

public enum LinuxCookedLayer {
    public static let sll = Field(0x0500)
    static let fields: [FieldInfo] = [
        FieldInfo(sll, "sll", "Linux cooked capture", .protocolLayer, short: "Linux SLL"),
    ]

    static func decodeV1(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) {
        ctx.openLayer(sll, offset, 16)
        ctx.close()
        DataLayer.decode(&ctx, at: offset, end: limit)
    }

    static func decodeV2(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) {
        ctx.openLayer(sll, offset, 20)
        ctx.close()
        DataLayer.decode(&ctx, at: offset, end: limit)
    }
}
