// ICMPv6 (RFC 4443): type, code, checksum over the pseudo-header, echo, and the errors that quote
// the invoking packet (decoded as nested IPv6 as far as it was quoted). Neighbour discovery is in
// ICMPv6ND.swift and ICMPv6Options.swift, MLD in ICMPv6MLD.swift, the rarer messages in
// ICMPv6Other.swift, the Info column in ICMPv6Summary.swift. Names follow Wireshark's
// packet-icmpv6.c.

public enum ICMPv6Layer {
    enum Layout {
        static let type = 0
        static let code = 1
        static let checksum = 2..<4
        /// The message body after type, code and checksum.
        static let body = 4
        /// An error's quote of the invoking packet.
        static let quote = 8
    }

    public static let icmpv6 = Field(0x0B00)
    public static let type = Field(0x0B01)
    public static let code = Field(0x0B02)
    public static let checksum = Field(0x0B03)
    public static let checksumStatus = Field(0x0B04)
    public static let reserved = Field(0x0B05)
    public static let echoIdentifier = Field(0x0B06)
    public static let echoSequence = Field(0x0B07)
    public static let data = Field(0x0B08)
    public static let unknownData = Field(0x0B09)
    public static let mtu = Field(0x0B0A)
    public static let pointer = Field(0x0B0B)
    public static let nonce = Field(0x0B0C)
    public static let originalLength = Field(0x0B0D)

    public static let typeNames: [(UInt64, String)] = [
        (1, "Destination Unreachable"), (2, "Packet Too Big"), (3, "Time Exceeded"), (4, "Parameter Problem"),
        (100, "Private experimentation"), (101, "Private experimentation"),
        (127, "Reserved for expansion of ICMPv6 error messages"),
        (128, "Echo (ping) request"), (129, "Echo (ping) reply"), (130, "Multicast Listener Query"),
        (131, "Multicast Listener Report"), (132, "Multicast Listener Done"), (133, "Router Solicitation"),
        (134, "Router Advertisement"), (135, "Neighbor Solicitation"), (136, "Neighbor Advertisement"),
        (137, "Redirect"), (138, "Router Renumbering"), (139, "Node Information Query"),
        (140, "Node Information Reply"), (141, "Inverse Neighbor Discovery Solicitation"),
        (142, "Inverse Neighbor Discovery Advertisement"), (143, "Multicast Listener Report Message v2"),
        (144, "Home Agent Address Discovery Request"), (145, "Home Agent Address Discovery Reply"),
        (146, "Mobile Prefix Solicitation"), (147, "Mobile Prefix Advertisement"),
        (148, "Certification Path Solicitation"), (149, "Certification Path Advertisement"),
        (150, "Experimental Mobility"), (151, "Multicast Router Advertisement"),
        (152, "Multicast Router Solicitation"), (153, "Multicast Router Termination"), (154, "FMIPv6"),
        (155, "RPL Control"), (156, "Locator Update"), (157, "Duplicate Address Request"),
        (158, "Duplicate Address Confirmation"), (159, "MPL Control Message"), (160, "Extended Echo request"),
        (161, "Extended Echo reply"), (200, "Private experimentation"), (201, "Private experimentation"),
        (255, "Reserved for expansion of ICMPv6 informational messages"),
    ]
    static let unreachableCodes: [(UInt64, String)] = [
        (0, "no route to destination"), (1, "Administratively prohibited"), (2, "Beyond scope of source address"),
        (3, "Address unreachable"), (4, "Port unreachable"), (5, "Source address failed ingress/egress policy"),
        (6, "Reject route to destination"), (7, "Error in Source Routing Header"),
    ]
    static let timeExceededCodes: [(UInt64, String)] = [
        (0, "hop limit exceeded in transit"), (1, "fragment reassembly time exceeded"),
    ]
    static let parameterProblemCodes: [(UInt64, String)] = [
        (0, "erroneous header field encountered"), (1, "unrecognized Next Header type encountered"),
        (2, "unrecognized IPv6 option encountered"), (3, "IPv6 First Fragment has incomplete IPv6 Header Chain"),
    ]
    static let renumberingCodes: [(UInt64, String)] = [(0, "Command"), (1, "Result"), (255, "Sequence number reset")]
    static let nodeInfoQueryCodes: [(UInt64, String)] = [
        (0, "Query subject = IPv6 addresses"), (1, "Query subject = DNS name or empty"),
        (2, "Query subject = IPv4 addresses"),
    ]
    static let nodeInfoReplyCodes: [(UInt64, String)] = [(0, "Successful"), (1, "Refused"), (2, "Unknown query type")]
    static let rplCodes: [(UInt64, String)] = [
        (0x00, "DODAG Information Solicitation"), (0x01, "DODAG Information Object"),
        (0x02, "Destination Advertisement Object"), (0x03, "Destination Advertisement Object Acknowledgment"),
        (0x80, "Secure DODAG Information Solicitation"), (0x81, "Secure DODAG Information Object"),
        (0x82, "Secure Destination Advertisement Object"),
        (0x83, "Secure Destination Advertisement Object Acknowledgment"), (0x8A, "Consistency Check"),
        (0x04, "P2P Discovery Reply Object"), (0x84, "P2P Secure Discovery Reply Object"),
        (0x05, "P2P Discovery Reply Object Acknowledgement"), (0x85, "P2P Secure Discovery Reply Object Acknowledgement"),
    ]

    static let coreFields: [FieldInfo] = [
        FieldInfo(icmpv6, "icmpv6", "Internet Control Message Protocol v6", .protocolLayer, short: "ICMPv6"),
        FieldInfo(type, "icmpv6.type", "Type", .uint8, values: typeNames),
        FieldInfo(code, "icmpv6.code", "Code", .uint8),
        FieldInfo(checksum, "icmpv6.checksum", "Checksum", .uint16, base: .hex),
        FieldInfo(checksumStatus, "icmpv6.checksum.status", "Checksum Status", .uint8, values: ChecksumStatus.names),
        FieldInfo(reserved, "icmpv6.reserved", "Reserved", .bytes),
        FieldInfo(echoIdentifier, "icmpv6.echo.identifier", "Identifier", .uint16, base: .hex),
        FieldInfo(echoSequence, "icmpv6.echo.sequence_number", "Sequence", .uint16),
        FieldInfo(data, "icmpv6.data", "Data", .bytes),
        FieldInfo(unknownData, "icmpv6.unknown_data", "Unknown Data", .bytes),
        FieldInfo(mtu, "icmpv6.mtu", "MTU", .uint32),
        FieldInfo(pointer, "icmpv6.pointer", "Pointer", .uint32),
        FieldInfo(nonce, "icmpv6.nonce", "Nonce", .bytes),
        FieldInfo(originalLength, "icmpv6.length", "Length of original datagram", .uint8),
    ]

    static let fields: [FieldInfo] = coreFields + ndFields + optionFields + mldFields + otherFields

    /// The code's name for `type`, as Wireshark appends it to the code and the Info column (nil:
    /// the type has no code names).
    public static func codeName(type: UInt8, code: UInt8) -> String? {
        func name(_ table: [(UInt64, String)], unknown: String) -> String {
            for (v, n) in table where v == UInt64(code) { return n }
            return unknown
        }
        let unknown = "Unknown (\(code))"
        switch type {
        case 1: return name(unreachableCodes, unknown: "Unknown")
        case 3: return name(timeExceededCodes, unknown: unknown)
        case 4: return name(parameterProblemCodes, unknown: unknown)
        case 138: return name(renumberingCodes, unknown: unknown)
        case 139: return name(nodeInfoQueryCodes, unknown: unknown)
        case 140: return name(nodeInfoReplyCodes, unknown: unknown)
        case 155: return name(rplCodes, unknown: unknown)
        case 160: return name(ICMPv4Layer.extEchoRequestCodes, unknown: unknown)
        case 161: return name(ICMPv4Layer.extEchoReplyCodes, unknown: unknown)
        default: return nil
        }
    }

    /// The name of `type` as the Info column shows it.
    public static func typeName(_ type: UInt8) -> String {
        typeNameTable[Int(type)] ?? "Unknown (\(type))"
    }

    /// `typeNames` by type: every Info column of an ICMPv6 row looks its type up.
    private static let typeNameTable: [String?] = {
        var table = [String?](repeating: nil, count: 256)
        for (v, n) in typeNames.reversed() where v < 256 { table[Int(v)] = n }
        return table
    }()

    /// Decodes an ICMPv6 message at `offset..<limit` (limit: the end the IPv6 payload length
    /// claims). Fields past the capture throw `.truncated`, past `limit` `.malformed`.
    /// Whether the message at `offset` may hold another protocol's layer: errors quote a packet,
    /// a Redirected Header option quotes one, extended echo adds ICMP extension objects as
    /// `icmp`. Echo and MLD never do; router and neighbour solicitations and advertisements only
    /// with that option (their options are walked by their lengths; anything odd counts as
    /// maybe). A message whose type is not captured holds nothing.
    static func mayHoldOtherLayers(_ ctx: borrowing DecodeContext, at offset: Int, limit: Int) -> Bool {
        guard ctx.has(offset, 1, limit: limit) else { return false }
        let optionsAt: Int
        switch ctx[offset] {
        case 128, 129, 130, 131, 132, 143: return false
        case 133: optionsAt = 8
        case 134: optionsAt = 16
        case 135, 136: optionsAt = 24
        default: return true
        }
        var o = offset + optionsAt
        let end = min(limit, ctx.capturedLength)
        while o < end {
            guard ctx.has(o, 2, limit: limit) else { return true }
            let length = Int(ctx[o + 1]) * 8
            if ctx[o] == 4 || length == 0 { return true }
            o += length
        }
        return false
    }

    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int, pseudo: PseudoHeader) throws(Cut) {
        let inError = ctx.inErrorPacket
        let fragmented = ctx.fragmented
        let teredoTest = ICMPv6Layer.teredoDestination(ctx)
        ctx.openLayer(icmpv6, offset, max(0, min(limit, ctx.capturedLength) - offset))
        let kind = UInt8(try ctx.addUInt(type, offset + Layout.type, 1, limit: limit))
        let codeValue = UInt8(try ctx.addUInt(code, offset + Layout.code, 1, limit: limit))
        let complete = limit <= ctx.capturedLength
        let pseudoSum = complete && !fragmented && !inError
            ? pseudo.sum(protocol: IPProtocol.icmpv6.rawValue, length: limit - offset) : nil
        try ICMPChecksum.add(&ctx, checksum, checksumStatus, at: offset + Layout.checksum.lowerBound,
                             range: offset..<limit, pseudoSum: pseudoSum, limit: limit)

        let body = offset + Layout.body
        switch kind {
        case 128, 129:
            try ctx.addUInt(echoIdentifier, body, 2, limit: limit)
            try ctx.addUInt(echoSequence, body + 2, 2, limit: limit)
            if teredoTest && kind == 128 {
                // RFC 4380 §5.2.9: a Teredo direct connectivity test carries a nonce, not data.
                try ctx.addBytes(nonce, body + 4, 4, limit: limit)
            } else {
                DataLayer.decode(&ctx, at: body + 4, end: limit)
            }
        case 1, 3:
            let words = try ctx.u8(body, limit: limit)
            if words != 0 {
                try ctx.addUInt(originalLength, body, 1, limit: limit)
                try ctx.addBytes(reserved, body + 1, 3, limit: limit)
            } else {
                try ctx.addBytes(reserved, body, 4, limit: limit)
            }
            guard try decodeQuote(&ctx, at: offset + Layout.quote, limit: limit) else { break }
            if words != 0 {
                let extensions = offset + Layout.quote + 8 * Int(words)
                if extensions <= limit {
                    try ICMPExtension.decode(&ctx, at: extensions, limit: limit, asLayer: true)
                }
            }
        case 2:
            try ctx.addUInt(mtu, body, 4, limit: limit)
            _ = try decodeQuote(&ctx, at: offset + Layout.quote, limit: limit)
        case 4:
            try ctx.addUInt(pointer, body, 4, limit: limit)
            _ = try decodeQuote(&ctx, at: offset + Layout.quote, limit: limit)
        case 130, 131, 132:
            try decodeMLD(&ctx, kind: kind, at: body, message: offset, limit: limit)
        case 143:
            try decodeMLDv2Report(&ctx, at: body, limit: limit)
        case 133, 134, 135, 136, 137, 141, 142:
            try decodeND(&ctx, kind: kind, at: body, limit: limit)
        default:
            try decodeOther(&ctx, kind: kind, code: codeValue, at: body, message: offset, limit: limit)
        }
        ctx.close()
    }

    /// An error's quote of the invoking packet, `at..<limit`: IPv6 (with its extension headers and
    /// upper layer) when it looks like IPv6, else data. Returns false when a cut inside the quote
    /// ended the decoding (Wireshark shows nothing after it either).
    static func decodeQuote(_ ctx: inout DecodeContext, at start: Int, limit: Int) throws(Cut) -> Bool {
        // Wireshark peeks at the version nibble first: an empty quote is itself a cut.
        let first = try ctx.u8(start, limit: limit)
        guard first & 0xF0 == 0x60 else {
            DataLayer.decode(&ctx, at: start, end: limit)
            return true
        }
        let cut = PacketDecoder.decodeNested(&ctx) { (c: inout DecodeContext) throws(Cut) in
            try Dispatch.encapsulated(&c) { (inner: inout DecodeContext) throws(Cut) in
                _ = try IPv6Layer.decode(&inner, at: start, limit: limit)
            }
        }
        return cut == nil
    }

    /// True when the nearest transport header says UDP destination port 3544: Wireshark's test for
    /// a Teredo "direct IPv6 connectivity test" echo request.
    @inline(__always)
    static func teredoDestination(_ ctx: borrowing DecodeContext) -> Bool {
        // Only inside Teredo can the port be 3544.
        guard ctx.protocolPath.contains(TeredoLayer.teredo) else { return false }
        return ctx.transportDestinationPort == WellKnownPort.teredo
    }
}
