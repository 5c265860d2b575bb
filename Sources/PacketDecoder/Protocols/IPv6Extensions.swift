// IPv6 extension headers (RFC 8200 §4): the chain from the fixed header to the upper layer, the
// fragment header, AH (RFC 4302), ESP (RFC 4303), the mobility header (RFC 6275) and "no next
// header". Options headers are in IPv6Options.swift, routing headers in IPv6Routing.swift.

public enum IPv6ExtensionLayer {
    public static let fragment = Field(0x0910)
    public static let fragmentNext = Field(0x0911)
    public static let fragmentReservedOctet = Field(0x0912)
    public static let fragmentOffset = Field(0x0913)
    public static let fragmentReservedBits = Field(0x0914)
    public static let fragmentMore = Field(0x0915)
    public static let fragmentIdentification = Field(0x0916)

    public static let ah = Field(0x0918)
    public static let ahNext = Field(0x0919)
    public static let ahLength = Field(0x091A)
    public static let ahReserved = Field(0x091B)
    public static let ahSPI = Field(0x091C)
    public static let ahSequence = Field(0x091D)
    public static let ahICV = Field(0x091E)

    public static let esp = Field(0x0920)
    public static let espSPI = Field(0x0921)
    public static let espSequence = Field(0x0922)

    public static let mobility = Field(0x0928)
    public static let mobilityPayload = Field(0x0929)
    public static let mobilityLength = Field(0x092A)
    public static let mobilityType = Field(0x092B)
    public static let mobilityReserved = Field(0x092C)
    public static let mobilityChecksum = Field(0x092D)

    static let mobilityTypeNames: [(UInt64, String)] = [
        (0, "Binding Refresh Request"), (1, "Home Test Init"), (2, "Care-of Test Init"), (3, "Home Test"),
        (4, "Care-of Test"), (5, "Binding Update"), (6, "Binding Acknowledgement"), (7, "Binding Error"),
        (8, "Fast Binding Update"), (9, "Fast Binding Acknowledgment"), (10, "Fast Neighbor Advertisement"),
        (11, "Experimental Mobility Header"), (12, "Home Agent Switch"), (13, "Heartbeat"), (14, "Handover Initiate"),
        (15, "Handover Acknowledge"), (16, "Binding Revocation"), (17, "Localized Routing Initiation"),
        (18, "Localized Routing Acknowledgment"),
    ]

    static let chainFields: [FieldInfo] = [
        FieldInfo(fragment, "ipv6.fraghdr", "Fragment Header for IPv6", .protocolLayer, short: "IPv6 Fragment"),
        FieldInfo(fragmentNext, "ipv6.fraghdr.nxt", "Next header", .uint8, values: IPProtocol.names),
        FieldInfo(fragmentReservedOctet, "ipv6.fraghdr.reserved_octet", "Reserved octet", .uint8, base: .hex,
                  blurb: "Should always be 0"),
        // Wireshark's mask makes `-T fields` print the offset in 8-byte units.
        FieldInfo(fragmentOffset, "ipv6.fraghdr.offset", "Offset", .uint16, mask: 0xFFF8, blurb: "Fragment Offset"),
        FieldInfo(fragmentReservedBits, "ipv6.fraghdr.reserved_bits", "Reserved bits", .uint16, mask: 0x0006),
        FieldInfo(fragmentMore, "ipv6.fraghdr.more", "More Fragments", .boolean, mask: 0x0001, trueFalse: ("Yes", "No")),
        FieldInfo(fragmentIdentification, "ipv6.fraghdr.ident", "Identification", .uint32, base: .hex,
                  blurb: "Fragment Identification"),

        FieldInfo(ah, "ah", "Authentication Header", .protocolLayer, short: "AH"),
        FieldInfo(ahNext, "ah.next_header", "Next header", .uint8, values: IPProtocol.names),
        FieldInfo(ahLength, "ah.length", "Length", .uint8),
        FieldInfo(ahReserved, "ah.reserved", "Reserved", .bytes),
        FieldInfo(ahSPI, "ah.spi", "AH SPI", .uint32, base: .hex,
                  blurb: "IP Authentication Header Security Parameters Index"),
        FieldInfo(ahSequence, "ah.sequence", "AH Sequence", .uint32,
                  blurb: "IP Authentication Header Sequence Number"),
        FieldInfo(ahICV, "ah.icv", "AH ICV", .bytes, blurb: "IP Authentication Header Integrity Check Value"),

        FieldInfo(esp, "esp", "Encapsulating Security Payload", .protocolLayer, short: "ESP"),
        FieldInfo(espSPI, "esp.spi", "ESP SPI", .uint32, base: .hexDec,
                  blurb: "IP Encapsulating Security Payload Security Parameters Index"),
        FieldInfo(espSequence, "esp.sequence", "ESP Sequence", .uint32,
                  blurb: "IP Encapsulating Security Payload Sequence Number"),

        FieldInfo(mobility, "mipv6", "Mobile IPv6", .protocolLayer, short: "MIPv6"),
        FieldInfo(mobilityPayload, "mip6.proto", "Payload protocol", .uint8, values: IPProtocol.names),
        FieldInfo(mobilityLength, "mip6.hlen", "Header length", .uint8),
        FieldInfo(mobilityType, "mip6.mhtype", "Mobility Header Type", .uint8, values: mobilityTypeNames),
        FieldInfo(mobilityReserved, "mip6.reserved", "Reserved", .uint8, base: .hex),
        FieldInfo(mobilityChecksum, "mip6.csum", "Checksum", .uint16, base: .hex, blurb: "Header Checksum"),
    ]

    static let fields: [FieldInfo] = chainFields + IPv6OptionsLayer.fields + IPv6RoutingLayer.fields

    /// What the chain knows of the IPv6 header it follows.
    struct Enclosing {
        /// The IPv6 layer node: extension headers are its children, as in Wireshark's tree.
        var node: Int
        /// The open depth to return to when the chain ends (the IPv6 node closed).
        var depth: Int
        /// The header's payload length field (0 for a jumbogram).
        var payloadLength: Int
        /// The jumbo payload length the hop-by-hop header gave, 0 if none.
        var jumboLength: Int
        var hopLimit: UInt8
    }

    /// Next-header values the chain handles: extension headers, and the two that end it at once.
    static func startsChain(_ value: UInt8) -> Bool {
        switch IPProtocol(rawValue: value) {
        case .hopByHop, .routing, .fragment, .destinationOptions, .authentication, .mobility, .esp, .noNextHeader:
            return true
        default:
            return false
        }
    }

    /// Decodes a chain of extension headers starting with `first`, then the upper layer. Entered from
    /// `Dispatch.ipProtocol` (AH or ESP after IPv4), there is no IPv6 header to belong to.
    static func decodeChain(_ ctx: inout DecodeContext, first: UInt8, at offset: Int, limit: Int,
                            pseudo: PseudoHeader) throws(Cut) {
        try decodeChain(&ctx, first: first, at: offset, limit: limit, pseudo: pseudo, enclosing: nil)
    }

    /// The chain proper. Every header is at least 8 bytes and must begin inside `limit`, so the loop
    /// ends after at most `limit / 8` headers, whatever the packet claims.
    static func decodeChain(_ ctx: inout DecodeContext, first: UInt8, at offset: Int, limit: Int,
                            pseudo: PseudoHeader, enclosing: Enclosing?) throws(Cut) {
        var next = first
        var o = offset
        // The addresses upper-layer checksums use: a routing header names the final destination, a
        // home address option the real source.
        var pseudo = pseudo
        // Payload bytes after the headers so far (Wireshark's `frag_plen`): a fragment header only
        // splits a datagram when some remain, which a jumbogram's zero payload length never does.
        var remaining = enclosing?.payloadLength ?? 0
        // A fragment's upper layer is incomplete: its checksum cannot be verified.
        var fragmented = false
        while true {
            let start = o
            switch IPProtocol(rawValue: next) {
            case .hopByHop, .destinationOptions:
                let header = try IPv6OptionsLayer.decode(&ctx, hopByHop: next == IPProtocol.hopByHop.rawValue,
                                                         at: o, limit: limit, enclosing: enclosing)
                (next, o) = (header.next, header.end)
                if let home = header.home, case .v6(_, let destination) = pseudo {
                    pseudo = .v6(source: home, destination: destination)
                }
            case .routing:
                let header = try IPv6RoutingLayer.decode(&ctx, at: o, limit: limit, pseudo: pseudo)
                (next, o) = (header.next, header.end)
                if let final = header.destination, case .v6(let source, _) = pseudo {
                    pseudo = .v6(source: source, destination: final)
                }
            case .authentication:
                (next, o) = try decodeAH(&ctx, at: o, limit: limit)
            case .fragment:
                let header = try decodeFragment(&ctx, at: o, limit: limit, enclosing: enclosing)
                o += 8
                if enclosing != nil && remaining - 8 > 0 && (header.offset != 0 || header.more) {
                    fragmented = true
                    if header.offset != 0 {
                        // A later fragment continues a payload we do not reassemble.
                        endChain(&ctx, enclosing, at: o)
                        DataLayer.decode(&ctx, at: o, end: limit)
                        return
                    }
                }
                next = header.next
            case .mobility:
                o = try decodeMobility(&ctx, at: o, limit: limit)
                endChain(&ctx, enclosing, at: o)
                return
            case .esp:
                // Wireshark treats ESP as a payload, outside the IPv6 header's tree.
                endChain(&ctx, enclosing, at: o)
                try decodeESP(&ctx, at: o, limit: limit)
                return
            case .noNextHeader:
                endChain(&ctx, enclosing, at: o)
                DataLayer.decode(&ctx, at: o, end: limit)
                return
            default:
                endChain(&ctx, enclosing, at: o)
                let wasFragmented = ctx.fragmented
                ctx.fragmented = wasFragmented || fragmented
                defer { ctx.fragmented = wasFragmented }
                guard fragmented else {
                    try Dispatch.ipProtocol(&ctx, next, at: o, limit: limit, pseudo: pseudo)
                    return
                }
                // A fragment holds part of a datagram: lengths inside it that run past the fragment
                // are expected (the rest is in later fragments), so running out is not malformed.
                let depth = ctx.openDepth
                do {
                    try Dispatch.ipProtocol(&ctx, next, at: o, limit: limit, pseudo: .none)
                } catch .malformed {
                    ctx.close(downTo: depth)
                }
                return
            }
            remaining -= o - start
        }
    }

    /// The chain is over: the IPv6 header's node now spans its extension headers and is closed.
    private static func endChain(_ ctx: inout DecodeContext, _ enclosing: Enclosing?, at end: Int) {
        guard let enclosing else { return }
        guard enclosing.node >= 0 else { return ctx.close(downTo: enclosing.depth) }
        let start = Int(ctx.nodes[enclosing.node].offset)
        ctx.setLength(enclosing.node, max(0, min(end, ctx.capturedLength) - start))
        ctx.close(downTo: enclosing.depth)
    }

    /// Bytes of `offset..<offset+length` that a layer node may claim: Wireshark cuts protocol items
    /// at the end of the data (captured and claimed), without complaint.
    @inline(__always)
    static func visible(_ ctx: borrowing DecodeContext, _ offset: Int, _ length: Int, limit: Int) -> Int {
        max(0, min(offset + length, limit, ctx.capturedLength) - offset)
    }

    // MARK: Fragment header (RFC 8200 §4.5)

    private static func decodeFragment(_ ctx: inout DecodeContext, at o: Int, limit: Int,
                                       enclosing: Enclosing?) throws(Cut) -> (next: UInt8, offset: UInt16, more: Bool) {
        let layer = ctx.openLayer(fragment, o, visible(ctx, o, 8, limit: limit))
        let next = try ctx.u8(o, limit: limit)
        let word = try ctx.u16(o + 2, limit: limit)
        let identification = try ctx.u32(o + 4, limit: limit)
        if let enclosing, enclosing.jumboLength != 0 {
            ctx.diagnose(layer, .warn, .protocolViolation, "Jumbo Payload option cannot be used with a fragment header")
        }
        ctx.add(fragmentNext, o, 1, .unsigned(UInt64(next)))
        try ctx.addUInt(fragmentReservedOctet, o + 1, 1, limit: limit)
        ctx.add(fragmentOffset, o + 2, 2, .unsigned(UInt64(word >> 3)))
        ctx.add(fragmentReservedBits, o + 2, 2, .unsigned(UInt64((word >> 1) & 0x3)))
        ctx.add(fragmentMore, o + 2, 2, .boolean(word & 1 != 0))
        ctx.add(fragmentIdentification, o + 4, 4, .unsigned(UInt64(identification)))
        ctx.close()
        return (next, word & 0xFFF8, word & 1 != 0)
    }

    // MARK: Authentication header (RFC 4302)

    private static func decodeAH(_ ctx: inout DecodeContext, at o: Int, limit: Int) throws(Cut) -> (next: UInt8, end: Int) {
        let layer = ctx.openLayer(ah, o, visible(ctx, o, limit - o, limit: limit))
        let next = try ctx.u8(o, limit: limit)
        let units = Int(try ctx.u8(o + 1, limit: limit))
        let length = (units + 2) * 4
        ctx.add(ahNext, o, 1, .unsigned(UInt64(next)))
        ctx.add(ahLength, o + 1, 1, .unsigned(UInt64(units)))
        try ctx.addBytes(ahReserved, o + 2, 2, limit: limit)
        try ctx.addUInt(ahSPI, o + 4, 4, limit: limit)
        try ctx.addUInt(ahSequence, o + 8, 4, limit: limit)
        try ctx.addBytes(ahICV, o + 12, units == 0 ? 0 : (units - 1) * 4, limit: limit)
        ctx.setLength(layer, visible(ctx, o, length, limit: limit))
        try ctx.check(o + length, 0, limit: limit)
        ctx.close()
        return (next, o + length)
    }

    // MARK: Encapsulating security payload (RFC 4303)

    /// Without keys only the SPI and the sequence number can be read; the rest stays in the layer.
    private static func decodeESP(_ ctx: inout DecodeContext, at o: Int, limit: Int) throws(Cut) {
        ctx.openLayer(esp, o, visible(ctx, o, limit - o, limit: limit))
        try ctx.addUInt(espSPI, o, 4, limit: limit)
        try ctx.addUInt(espSequence, o + 4, 4, limit: limit)
        ctx.close()
    }

    // MARK: Mobility header (RFC 6275 §6.1): the common fields; it ends the chain.

    private static func decodeMobility(_ ctx: inout DecodeContext, at o: Int, limit: Int) throws(Cut) -> Int {
        let layer = ctx.openLayer(mobility, o, 0)
        let payload = try ctx.u8(o, limit: limit)
        let units = Int(try ctx.u8(o + 1, limit: limit))
        let length = (units + 1) * 8
        ctx.setLength(layer, visible(ctx, o, length, limit: limit))
        ctx.add(mobilityPayload, o, 1, .unsigned(UInt64(payload)))
        ctx.add(mobilityLength, o + 1, 1, .unsigned(UInt64(units)))
        try ctx.addUInt(mobilityType, o + 2, 1, limit: limit)
        try ctx.addUInt(mobilityReserved, o + 3, 1, limit: limit)
        try ctx.addUInt(mobilityChecksum, o + 4, 2, limit: limit)
        ctx.close()
        return o + length
    }
}
