// Multicast listener discovery: MLDv1 (RFC 2710: query 130, report 131, done 132) and MLDv2
// (RFC 3810: a query of 28 bytes or more, report 143 with its multicast address records).

extension ICMPv6Layer {
    public static let mldMaximumResponseDelay = Field(0x0B80)
    public static let mldMulticastAddress = Field(0x0B81)
    public static let mldMaximumResponseCode = Field(0x0B82)
    public static let mldFlags = Field(0x0B83)
    public static let mldFlagSuppress = Field(0x0B84)
    public static let mldFlagQRV = Field(0x0B85)
    public static let mldFlagReserved = Field(0x0B86)
    public static let mldQQIC = Field(0x0B87)
    public static let mldSourceCount = Field(0x0B88)
    public static let mldSourceAddress = Field(0x0B89)
    public static let mldrRecordCount = Field(0x0B8A)
    public static let mldrRecord = Field(0x0B8B)
    public static let mldrRecordType = Field(0x0B8C)
    public static let mldrAuxDataLength = Field(0x0B8D)
    public static let mldrSourceCount = Field(0x0B8E)
    public static let mldrMulticastAddress = Field(0x0B8F)
    public static let mldrSourceAddress = Field(0x0B90)
    public static let mldrAuxiliaryData = Field(0x0B91)

    public static let mldRecordTypeNames: [(UInt64, String)] = [
        (1, "Include"), (2, "Exclude"), (3, "Changed to include"), (4, "Changed to exclude"),
        (5, "Allow new sources"), (6, "Block old sources"),
    ]

    static let mldFields: [FieldInfo] = [
        FieldInfo(mldMaximumResponseDelay, "icmpv6.mld.maximum_response_delay", "Maximum Response Delay [ms]", .uint16),
        FieldInfo(mldMulticastAddress, "icmpv6.mld.multicast_address", "Multicast Address", .ipv6),
        FieldInfo(mldMaximumResponseCode, "icmpv6.mld.maximum_response_code", "Maximum Response Code", .uint16),
        FieldInfo(mldFlags, "icmpv6.mld.flag", "Flags", .uint8, base: .hex),
        FieldInfo(mldFlagSuppress, "icmpv6.mld.flag.s", "Suppress Router-Side Processing", .boolean, mask: 0x08),
        FieldInfo(mldFlagQRV, "icmpv6.mld.flag.qrv", "QRV (Querier's Robustness Variable)", .uint8, mask: 0x07),
        FieldInfo(mldFlagReserved, "icmpv6.mld.flag.reserved", "Reserved", .uint8, mask: 0xF0),
        FieldInfo(mldQQIC, "icmpv6.mld.qqi", "QQIC (Querier's Query Interval Code)", .uint8),
        FieldInfo(mldSourceCount, "icmpv6.mld.nb_sources", "Number of Sources", .uint16),
        FieldInfo(mldSourceAddress, "icmpv6.mld.source_address", "Source Address", .ipv6),
        FieldInfo(mldrRecordCount, "icmpv6.mldr.nb_mcast_records", "Number of Multicast Address Records", .uint16),
        FieldInfo(mldrRecord, "icmpv6.mldr.mar", "Multicast Address Record", .none),
        FieldInfo(mldrRecordType, "icmpv6.mldr.mar.record_type", "Record Type", .uint8, values: mldRecordTypeNames),
        FieldInfo(mldrAuxDataLength, "icmpv6.mldr.mar.aux_data_len", "Aux Data Len", .uint8),
        FieldInfo(mldrSourceCount, "icmpv6.mldr.mar.nb_sources", "Number of Sources", .uint16),
        FieldInfo(mldrMulticastAddress, "icmpv6.mldr.mar.multicast_address", "Multicast Address", .ipv6),
        FieldInfo(mldrSourceAddress, "icmpv6.mldr.mar.source_address", "Source Address", .ipv6),
        FieldInfo(mldrAuxiliaryData, "icmpv6.mldr.mar.auxiliary_data", "Auxiliary Data", .bytes),
    ]

    /// MLDv1 messages, and the MLDv2 query (a query whose captured bytes reach 28, as Wireshark
    /// decides).
    static func decodeMLD(_ ctx: inout DecodeContext, kind: UInt8, at body: Int, message: Int, limit: Int) throws(Cut) {
        let capturedBytes = min(limit, ctx.capturedLength) - message
        guard kind == 130 && capturedBytes >= 28 else {
            try ctx.addUInt(mldMaximumResponseDelay, body, 2, limit: limit)
            try ctx.addBytes(reserved, body + 2, 2, limit: limit)
            try ctx.addIPv6(mldMulticastAddress, body + 4, limit: limit)
            return
        }
        // RFC 3810 §5.1.3: codes of 32768 and more are a floating-point delay.
        var delay = UInt64(try ctx.u16(body, limit: limit))
        if delay >= 32768 { delay = ((delay & 0x0FFF) | 0x1000) << (((delay & 0x7000) >> 12) + 3) }
        // The decoded value is stored as is, even past the field's width (as Wireshark does).
        ctx.add(mldMaximumResponseCode, body, 2, .unsigned(delay))
        try ctx.addBytes(reserved, body + 2, 2, limit: limit)
        try ctx.addIPv6(mldMulticastAddress, body + 4, limit: limit)
        let flags = try ctx.u8(body + 20, limit: limit)
        ctx.open(mldFlags, body + 20, 1, .unsigned(UInt64(flags)))
        ctx.add(mldFlagSuppress, body + 20, 1, .boolean(flags & 0x08 != 0))
        ctx.add(mldFlagQRV, body + 20, 1, .unsigned(UInt64(flags & 0x07)))
        ctx.add(mldFlagReserved, body + 20, 1, .unsigned(UInt64(flags >> 4)))
        ctx.close()
        var interval = UInt64(try ctx.u8(body + 21, limit: limit))
        if interval >= 128 { interval = ((interval & 0x0F) | 0x10) << (((interval & 0x70) >> 4) + 3) }
        // The decoded value is stored as is, even past the field's width (as Wireshark does).
        ctx.add(mldQQIC, body + 21, 1, .unsigned(interval))
        let sources = Int(try ctx.addUInt(mldSourceCount, body + 22, 2, limit: limit))
        for i in 0..<sources {
            try ctx.addIPv6(mldSourceAddress, body + 24 + 16 * i, limit: limit)
        }
    }

    /// An MLDv2 report: records until the end of the message (Wireshark does not trust the count).
    static func decodeMLDv2Report(_ ctx: inout DecodeContext, at body: Int, limit: Int) throws(Cut) {
        try ctx.addBytes(reserved, body, 2, limit: limit)
        try ctx.addUInt(mldrRecordCount, body + 2, 2, limit: limit)
        var o = body + 4
        while o < limit {
            let record = ctx.open(mldrRecord, o, max(0, min(limit, ctx.capturedLength) - o))
            try ctx.addUInt(mldrRecordType, o, 1, limit: limit)
            let auxWords = Int(try ctx.addUInt(mldrAuxDataLength, o + 1, 1, limit: limit))
            let sources = Int(try ctx.addUInt(mldrSourceCount, o + 2, 2, limit: limit))
            try ctx.addIPv6(mldrMulticastAddress, o + 4, limit: limit)
            var a = o + 20
            for _ in 0..<sources {
                try ctx.addIPv6(mldrSourceAddress, a, limit: limit)
                a += 16
            }
            if auxWords > 0 {
                try ctx.addBytes(mldrAuxiliaryData, a, auxWords * 4, limit: limit)
                a += auxWords * 4
            }
            ctx.setLength(record, a - o)
            ctx.close()
            o = a
        }
    }
}
