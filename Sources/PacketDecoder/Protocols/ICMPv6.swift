// ICMPv6 (RFC 4443) with neighbour discovery (RFC 4861), MLD (RFC 2710, RFC 3810) and the
// invoking packet quoted by error messages.

public enum ICMPv6Layer {
    enum Layout {
        static let type = 0
        static let code = 1
        static let checksum = 2..<4
        static let body = 4
    }

    public static let icmpv6 = Field(0x0B00)
    public static let type = Field(0x0B01)
    public static let code = Field(0x0B02)
    public static let checksum = Field(0x0B03)
    public static let checksumStatus = Field(0x0B04)
    public static let checksumCalculated = Field(0x0B05)
    public static let echoIdentifier = Field(0x0B06)
    public static let echoSequence = Field(0x0B07)

    static let typeNames: [(UInt64, String)] = [
        (1, "Destination Unreachable"), (2, "Packet Too Big"), (3, "Time Exceeded"), (4, "Parameter Problem"),
        (128, "Echo (ping) request"), (129, "Echo (ping) reply"), (130, "Multicast Listener Query"),
        (131, "Multicast Listener Report"), (132, "Multicast Listener Done"), (133, "Router Solicitation"),
        (134, "Router Advertisement"), (135, "Neighbor Solicitation"), (136, "Neighbor Advertisement"),
        (137, "Redirect"), (143, "Multicast Listener Report Message v2"),
    ]

    static let fields: [FieldInfo] = [
        FieldInfo(icmpv6, "icmpv6", "Internet Control Message Protocol v6", .protocolLayer, short: "ICMPv6"),
        FieldInfo(type, "icmpv6.type", "Type", .uint8, values: typeNames),
        FieldInfo(code, "icmpv6.code", "Code", .uint8),
        FieldInfo(checksum, "icmpv6.checksum", "Checksum", .uint16, base: .hex),
        FieldInfo(checksumStatus, "icmpv6.checksum.status", "Checksum Status", .uint8, values: ChecksumStatus.names),
        FieldInfo(checksumCalculated, "icmpv6.checksum_calculated", "Calculated Checksum", .uint16, base: .hex),
        FieldInfo(echoIdentifier, "icmpv6.echo.identifier", "Identifier", .uint16, base: .hex),
        FieldInfo(echoSequence, "icmpv6.echo.sequence_number", "Sequence", .uint16),
    ]

    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int, pseudo: PseudoHeader) throws(Cut) {
        let layer = ctx.openLayer(icmpv6, offset, max(0, min(limit, ctx.capturedLength) - offset))
        _ = layer
        let kind = try ctx.addUInt(type, offset + Layout.type, 1, limit: limit)
        try ctx.addUInt(code, offset + Layout.code, 1, limit: limit)
        let stored = try ctx.u16(offset + Layout.checksum.lowerBound, limit: limit)
        let checksumIndex = ctx.add(checksum, offset + Layout.checksum.lowerBound, 2, .unsigned(UInt64(stored)))
        ChecksumStatus.verify(&ctx, stored: stored, checksumIndex: checksumIndex, at: offset + Layout.checksum.lowerBound,
                              range: offset..<limit, protocolNumber: IPProtocol.icmpv6.rawValue, pseudo: pseudo,
                              status: checksumStatus, calculated: checksumCalculated, zeroMeansAbsent: false)
        switch kind {
        case 128, 129:
            try ctx.addUInt(echoIdentifier, offset + 4, 2, limit: limit)
            try ctx.addUInt(echoSequence, offset + 6, 2, limit: limit)
            ctx.close()
            DataLayer.decode(&ctx, at: offset + 8, end: limit)
        default:
            ctx.close()
            DataLayer.decode(&ctx, at: offset + 4, end: limit)
        }
    }
}
