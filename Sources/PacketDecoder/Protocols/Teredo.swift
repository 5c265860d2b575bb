// Teredo (RFC 4380): IPv6 over UDP port 3544, optionally preceded by an authentication header
// (indicator 0x0001) and an origin indication (indicator 0x0000). Whatever follows is handed to
// IPv6, as Wireshark does, so garbage shows up as a bogus or short IPv6 header.

public enum TeredoLayer {
    enum Layout {
        static let indicator = 0..<2
        /// Authentication: indicator, ID-len, AU-len, client ID, authentication value, nonce, confirmation.
        static let authenticationFixed = 13
        static let nonceLength = 8
        /// Origin indication: indicator, obfuscated port, obfuscated IPv4 address.
        static let originLength = 8
    }

    public static let teredo = Field(0x0F00)
    public static let authentication = Field(0x0F01)
    public static let identifierLength = Field(0x0F02)
    public static let authenticationLength = Field(0x0F03)
    public static let identifier = Field(0x0F04)
    public static let authenticationValue = Field(0x0F05)
    public static let nonce = Field(0x0F06)
    public static let confirmation = Field(0x0F07)
    public static let origin = Field(0x0F08)
    public static let originPort = Field(0x0F09)
    public static let originAddress = Field(0x0F0A)

    static let fields: [FieldInfo] = [
        FieldInfo(teredo, "teredo", "Teredo IPv6 over UDP tunneling", .protocolLayer, short: "Teredo"),
        FieldInfo(authentication, "teredo.auth", "Teredo Authentication header", .none),
        FieldInfo(identifierLength, "teredo.auth.idlen", "Client identifier length", .uint8,
                  blurb: "Client identifier length (ID-len)"),
        FieldInfo(authenticationLength, "teredo.auth.aulen", "Authentication value length", .uint8,
                  blurb: "Authentication value length (AU-len)"),
        FieldInfo(identifier, "teredo.auth.id", "Client identifier", .bytes, blurb: "Client identifier (ID)"),
        FieldInfo(authenticationValue, "teredo.auth.value", "Authentication value", .bytes,
                  blurb: "Authentication value (hash)"),
        FieldInfo(nonce, "teredo.auth.nonce", "Nonce value", .bytes, blurb: "Nonce value prevents spoofing Teredo server."),
        FieldInfo(confirmation, "teredo.auth.conf", "Confirmation byte", .bytes,
                  blurb: "Confirmation byte is zero upon successful authentication."),
        FieldInfo(origin, "teredo.orig", "Teredo Origin Indication header", .none, blurb: "Teredo Origin Indication"),
        FieldInfo(originPort, "teredo.orig.port", "Origin UDP port", .uint16),
        FieldInfo(originAddress, "teredo.orig.addr", "Origin IPv4 address", .ipv4),
    ]

    /// Decodes a Teredo payload at `offset` (the UDP payload, up to `limit`).
    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) {
        // Wireshark's UDP hands an empty payload to no one (a bare UDP header to port 3544).
        guard offset < limit else { return }
        // Like Wireshark's, the layer spans the whole payload: the IPv6 packet is its content.
        ctx.openLayer(teredo, offset, IPv6ExtensionLayer.visible(ctx, offset, limit - offset, limit: limit))
        var o = offset
        var indicator = try ctx.u16(o, limit: limit)
        if indicator == 1 {
            o = try decodeAuthentication(&ctx, at: o, limit: limit)
            indicator = try ctx.u16(o, limit: limit)
        }
        if indicator == 0 {
            o = try decodeOrigin(&ctx, at: o, limit: limit)
        }
        // Wireshark reads the IPv6 version byte here: Teredo with nothing after its headers is cut.
        _ = try ctx.u8(o, limit: limit)
        ctx.close()
        let inner = o
        try Dispatch.encapsulated(&ctx) { (c: inout DecodeContext) throws(Cut) in
            _ = try IPv6Layer.decode(&c, at: inner, limit: limit)
        }
    }

    private static func decodeAuthentication(_ ctx: inout DecodeContext, at o: Int, limit: Int) throws(Cut) -> Int {
        let idLength = Int(try ctx.u8(o + 2, limit: limit))
        let valueLength = Int(try ctx.u8(o + 3, limit: limit))
        ctx.open(authentication, o, IPv6ExtensionLayer.visible(ctx, o, Layout.authenticationFixed + idLength + valueLength,
                                                                limit: limit))
        ctx.add(identifierLength, o + 2, 1, .unsigned(UInt64(idLength)))
        ctx.add(authenticationLength, o + 3, 1, .unsigned(UInt64(valueLength)))
        var p = o + 4
        if idLength > 0 {
            try ctx.addBytes(identifier, p, idLength, limit: limit)
            p += idLength
        }
        if valueLength > 0 {
            try ctx.addBytes(authenticationValue, p, valueLength, limit: limit)
            p += valueLength
        }
        try ctx.addBytes(nonce, p, Layout.nonceLength, limit: limit)
        p += Layout.nonceLength
        try ctx.addBytes(confirmation, p, 1, limit: limit)
        ctx.close()
        return p + 1
    }

    /// The origin indication: the port and address the packet came from, inverted on the wire.
    private static func decodeOrigin(_ ctx: inout DecodeContext, at o: Int, limit: Int) throws(Cut) -> Int {
        ctx.open(origin, o, IPv6ExtensionLayer.visible(ctx, o, Layout.originLength, limit: limit))
        let port = try ctx.u16(o + 2, limit: limit)
        ctx.add(originPort, o + 2, 2, .unsigned(UInt64(~port)))
        let address = try ctx.u32(o + 4, limit: limit)
        ctx.add(originAddress, o + 4, 4, .ipv4(IPv4Address(~address)))
        ctx.close()
        return o + Layout.originLength
    }

    /// Summary text for the Teredo layer at `index`: "Teredo bubble" for an IPv6 packet with no
    /// next header and no payload (RFC 4380 §2.8), and the origin indication's address, if any.
    public static func info(_ tree: PacketTree, layer index: Int) -> String? {
        guard tree.nodes.indices.contains(index), tree.nodes[index].field == teredo else { return nil }
        var parts: [String] = []
        var i = index + 1
        let end = Int(tree.nodes[index].subtreeEnd)
        var port: String?, address: String?
        while i < end {
            switch tree.nodes[i].field {
            case originPort: port = tree.fieldText(i)
            case originAddress: address = tree.fieldText(i)
            default: break
            }
            i += 1
        }
        // The inner IPv6 layer follows the Teredo subtree.
        if end < tree.nodes.count, tree.nodes[end].field == IPv6Layer.ipv6, isBubble(tree, ipv6: end) {
            parts.append("Teredo bubble")
        }
        if let address, let port {
            parts.append("origin indication \(address):\(port)")
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// An IPv6 header with next header 59 and payload length 0.
    private static func isBubble(_ tree: PacketTree, ipv6 index: Int) -> Bool {
        var next: UInt64?, length: UInt64?
        for child in tree.children(of: index) {
            switch tree.nodes[child].field {
            case IPv6Layer.nextHeader: next = tree.nodes[child].value.integer
            case IPv6Layer.payloadLength: length = tree.nodes[child].value.integer
            default: break
            }
        }
        return next == UInt64(IPProtocol.noNextHeader.rawValue) && length == 0
    }
}
