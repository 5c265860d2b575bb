// IPv6 extension headers (RFC 8200 §4): hop-by-hop, routing, fragment, destination options,
// AH, ESP, mobility, no next header.

public enum IPv6ExtensionLayer {
    static let fields: [FieldInfo] = []

    /// Decodes a chain of extension headers starting with `first`, then the upper layer.
    static func decodeChain(_ ctx: inout DecodeContext, first: UInt8, at offset: Int, limit: Int,
                            pseudo: PseudoHeader) throws(Cut) {
        DataLayer.decode(&ctx, at: offset, end: limit)
    }
}
