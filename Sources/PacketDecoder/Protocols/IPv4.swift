// IPv4 (RFC 791): every header field, options, checksum verified; later fragments not decoded.

public enum IPv4Layer {
    enum Layout {
        static let versionAndLength = 0
        static let dsfield = 1
        static let totalLength = 2..<4
        static let identification = 4..<6
        static let flagsAndOffset = 6..<8
        static let ttl = 8
        static let `protocol` = 9
        static let checksum = 10..<12
        static let source = 12..<16
        static let destination = 16..<20
        static let minimumHeader = 20
    }

    public static let ip = Field(0x0700)
    public static let version = Field(0x0701)
    public static let headerLength = Field(0x0702)
    public static let dsfield = Field(0x0703)
    public static let dscp = Field(0x0704)
    public static let ecn = Field(0x0705)
    public static let totalLength = Field(0x0706)
    public static let identification = Field(0x0707)
    public static let flags = Field(0x0708)
    public static let reservedFlag = Field(0x0709)
    public static let dontFragment = Field(0x070A)
    public static let moreFragments = Field(0x070B)
    public static let fragmentOffset = Field(0x070C)
    public static let ttl = Field(0x070D)
    public static let proto = Field(0x070E)
    public static let checksum = Field(0x070F)
    public static let checksumStatus = Field(0x0710)
    public static let checksumCalculated = Field(0x0711)
    public static let source = Field(0x0712)
    public static let destination = Field(0x0713)
    public static let address = Field(0x0714)
    public static let options = Field(0x0715)
    public static let optionType = Field(0x0716)
    public static let optionTypeCopy = Field(0x0717)
    public static let optionTypeClass = Field(0x0718)
    public static let optionTypeNumber = Field(0x0719)
    public static let optionLength = Field(0x071A)
    public static let optionData = Field(0x071B)
    public static let option = Field(0x071C)

    static let dscpNames: [(UInt64, String)] = [
        (0, "Default"), (8, "Class Selector 1"), (10, "Assured Forwarding 11"), (12, "Assured Forwarding 12"),
        (14, "Assured Forwarding 13"), (16, "Class Selector 2"), (18, "Assured Forwarding 21"),
        (20, "Assured Forwarding 22"), (22, "Assured Forwarding 23"), (24, "Class Selector 3"),
        (26, "Assured Forwarding 31"), (28, "Assured Forwarding 32"), (30, "Assured Forwarding 33"),
        (32, "Class Selector 4"), (34, "Assured Forwarding 41"), (36, "Assured Forwarding 42"),
        (38, "Assured Forwarding 43"), (40, "Class Selector 5"), (44, "Voice Admit"), (46, "Expedited Forwarding"),
        (48, "Class Selector 6"), (56, "Class Selector 7"),
    ]
    static let ecnNames: [(UInt64, String)] = [
        (0, "Not ECN-Capable Transport"), (1, "ECN-Capable Transport codepoint '01'"),
        (2, "ECN-Capable Transport codepoint '10'"), (3, "Congestion Experienced"),
    ]
    static let optionNames: [(UInt64, String)] = [
        (0, "End of Options List (EOL)"), (1, "No-Operation (NOP)"), (7, "Record Route"), (68, "Time Stamp"),
        (130, "Security"), (131, "Loose Source Route"), (136, "Stream ID"), (137, "Strict Source Route"),
        (148, "Router Alert"),
    ]

    static let fields: [FieldInfo] = [
        FieldInfo(ip, "ip", "Internet Protocol Version 4", .protocolLayer, short: "IPv4"),
        FieldInfo(version, "ip.version", "Version", .uint8, mask: 0xF0),
        FieldInfo(headerLength, "ip.hdr_len", "Header Length", .uint8, mask: 0x0F),
        FieldInfo(dsfield, "ip.dsfield", "Differentiated Services Field", .uint8, base: .hex),
        FieldInfo(dscp, "ip.dsfield.dscp", "Differentiated Services Codepoint", .uint8, mask: 0xFC, values: dscpNames),
        FieldInfo(ecn, "ip.dsfield.ecn", "Explicit Congestion Notification", .uint8, mask: 0x03, values: ecnNames),
        FieldInfo(totalLength, "ip.len", "Total Length", .uint16),
        FieldInfo(identification, "ip.id", "Identification", .uint16, base: .hexDec),
        FieldInfo(flags, "ip.flags", "Flags", .uint8, base: .hex),
        FieldInfo(reservedFlag, "ip.flags.rb", "Reserved bit", .boolean, mask: 0x80, trueFalse: ("Set", "Not set")),
        FieldInfo(dontFragment, "ip.flags.df", "Don't fragment", .boolean, mask: 0x40, trueFalse: ("Set", "Not set")),
        FieldInfo(moreFragments, "ip.flags.mf", "More fragments", .boolean, mask: 0x20, trueFalse: ("Set", "Not set")),
        FieldInfo(fragmentOffset, "ip.frag_offset", "Fragment Offset", .uint16, mask: 0x1FFF),
        FieldInfo(ttl, "ip.ttl", "Time to Live", .uint8),
        FieldInfo(proto, "ip.proto", "Protocol", .uint8, values: IPProtocol.names),
        FieldInfo(checksum, "ip.checksum", "Header Checksum", .uint16, base: .hex),
        FieldInfo(checksumStatus, "ip.checksum.status", "Header checksum status", .uint8,
                  values: [(0, "Bad"), (1, "Good"), (2, "Unverified")]),
        FieldInfo(checksumCalculated, "ip.checksum_calculated", "Calculated Checksum", .uint16, base: .hex),
        FieldInfo(source, "ip.src", "Source Address", .ipv4),
        FieldInfo(destination, "ip.dst", "Destination Address", .ipv4),
        FieldInfo(address, "ip.addr", "Source or Destination Address", .ipv4),
        FieldInfo(options, "ip.options", "Options", .none),
        FieldInfo(option, "ip.option", "IP Option", .none),
        FieldInfo(optionType, "ip.opt.type", "Type", .uint8, values: optionNames),
        FieldInfo(optionTypeCopy, "ip.opt.type.copy", "Copy on fragmentation", .boolean, mask: 0x80, trueFalse: ("Yes", "No")),
        FieldInfo(optionTypeClass, "ip.opt.type.class", "Class", .uint8, mask: 0x60,
                  values: [(0, "Control"), (1, "Reserved for future use"), (2, "Debugging and measurement"), (3, "Reserved for future use")]),
        FieldInfo(optionTypeNumber, "ip.opt.type.number", "Number", .uint8, mask: 0x1F),
        FieldInfo(optionLength, "ip.opt.len", "Length", .uint8),
        FieldInfo(optionData, "ip.opt.data", "Data", .bytes),
    ]

    /// Decodes an IPv4 packet at `offset`; returns the end the header's total length claims.
    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) -> Int {
        let layer = ctx.openLayer(ip, offset, Layout.minimumHeader)
        let first = try ctx.u8(offset, limit: limit)
        let headerBytes = Int(first & 0x0F) * 4
        ctx.add(version, offset, 1, .unsigned(UInt64(first >> 4)))
        if first >> 4 != 4 {
            ctx.diagnose(layer, .error, .protocolViolation, "Bogus IPv4 version (\(first >> 4), must be 4)")
        }
        let lengthIndex = ctx.add(headerLength, offset, 1, .unsigned(UInt64(headerBytes)))
        if headerBytes < Layout.minimumHeader {
            ctx.diagnose(lengthIndex, .error, .protocolViolation,
                         "Bogus IP header length (\(headerBytes), must be at least \(Layout.minimumHeader))")
            ctx.setLength(layer, 1)
            ctx.close()
            return limit
        }
        ctx.setLength(layer, headerBytes)
        let ds = try ctx.u8(offset + Layout.dsfield, limit: limit)
        ctx.open(dsfield, offset + Layout.dsfield, 1, .unsigned(UInt64(ds)))
        ctx.add(dscp, offset + Layout.dsfield, 1, .unsigned(UInt64(ds >> 2)))
        ctx.add(ecn, offset + Layout.dsfield, 1, .unsigned(UInt64(ds & 3)))
        ctx.close()

        let total = Int(try ctx.u16(offset + Layout.totalLength.lowerBound, limit: limit))
        let totalIndex = ctx.add(totalLength, offset + Layout.totalLength.lowerBound, 2, .unsigned(UInt64(total)))
        // The end the rest of this packet is bounded by.
        var end = limit
        if total < headerBytes {
            if total == 0 {
                // TCP segmentation offload leaves 0 here; Wireshark assumes the frame's length.
                end = limit
            } else {
                ctx.diagnose(totalIndex, .error, .protocolViolation,
                             "Bogus IP length (\(total), less than header length \(headerBytes))")
                ctx.close()
                return limit
            }
        } else if offset + total > limit {
            ctx.diagnose(totalIndex, .error, .protocolViolation,
                         "IPv4 total length exceeds packet length (\(limit - offset) bytes)")
            end = limit
        } else {
            end = offset + total
        }

        try ctx.addUInt(identification, offset + Layout.identification.lowerBound, 2, limit: end)
        let flagsWord = try ctx.u16(offset + Layout.flagsAndOffset.lowerBound, limit: end)
        let flagsOffset = offset + Layout.flagsAndOffset.lowerBound
        ctx.open(flags, flagsOffset, 1, .unsigned(UInt64(flagsWord >> 8) & 0xE0))
        ctx.add(reservedFlag, flagsOffset, 1, .boolean(flagsWord & 0x8000 != 0))
        ctx.add(dontFragment, flagsOffset, 1, .boolean(flagsWord & 0x4000 != 0))
        ctx.add(moreFragments, flagsOffset, 1, .boolean(flagsWord & 0x2000 != 0))
        ctx.close()
        let fragment = flagsWord & 0x1FFF
        ctx.add(fragmentOffset, flagsOffset, 2, .unsigned(UInt64(fragment)))
        try ctx.addUInt(ttl, offset + Layout.ttl, 1, limit: end)
        let protocolNumber = try ctx.u8(offset + Layout.protocol, limit: end)
        ctx.add(proto, offset + Layout.protocol, 1, .unsigned(UInt64(protocolNumber)))

        let stored = try ctx.u16(offset + Layout.checksum.lowerBound, limit: end)
        let checksumIndex = ctx.add(checksum, offset + Layout.checksum.lowerBound, 2, .unsigned(UInt64(stored)))
        if ctx.has(offset, headerBytes, limit: end) {
            let computed = ~foldChecksum(ctx.onesComplementSum(offset..<offset + headerBytes))
            let good = computed == 0
            // The value the field should have held: the sum with the stored checksum taken out.
            let expected = ~foldChecksum(ctx.onesComplementSum(offset..<offset + headerBytes)
                                         &+ UInt32(~stored))
            ctx.add(checksumStatus, offset + Layout.checksum.lowerBound, 0, .unsigned(good ? 1 : 0), .generated)
            if !good {
                ctx.add(checksumCalculated, offset + Layout.checksum.lowerBound, 2, .unsigned(UInt64(expected)), .generated)
                ctx.diagnose(checksumIndex, .error, .checksum, "Bad checksum [should be 0x\(hexString(UInt64(expected), width: 4))]")
            }
        } else {
            ctx.add(checksumStatus, offset + Layout.checksum.lowerBound, 0, .unsigned(2), .generated)
        }

        let src = try ctx.addIPv4(source, offset + Layout.source.lowerBound, limit: end)
        let dst = try ctx.addIPv4(destination, offset + Layout.destination.lowerBound, limit: end)
        ctx.add(address, offset + Layout.source.lowerBound, 4, .ipv4(src), .hidden)
        ctx.add(address, offset + Layout.destination.lowerBound, 4, .ipv4(dst), .hidden)

        if headerBytes > Layout.minimumHeader {
            try decodeOptions(&ctx, at: offset + Layout.minimumHeader, end: offset + headerBytes, limit: end)
        }
        ctx.close()

        let payload = offset + headerBytes
        if fragment != 0 {
            // A later fragment: its bytes continue a payload we do not reassemble.
            DataLayer.decode(&ctx, at: payload, end: end)
            return end
        }
        try Dispatch.ipProtocol(&ctx, protocolNumber, at: payload, limit: end,
                                pseudo: .v4(source: src, destination: dst))
        return end
    }

    static func decodeOptions(_ ctx: inout DecodeContext, at start: Int, end: Int, limit: Int) throws(Cut) {
        ctx.open(options, start, end - start)
        var o = start
        while o < end {
            let kind = try ctx.u8(o, limit: limit)
            if kind == 0 || kind == 1 {
                ctx.open(option, o, 1, .unsigned(UInt64(kind)))
                addOptionType(&ctx, kind, at: o)
                ctx.close()
                o += 1
                if kind == 0 { break }
                continue
            }
            let length = Int(try ctx.u8(o + 1, limit: limit))
            let optionIndex = ctx.open(option, o, max(2, min(length, end - o)), .unsigned(UInt64(kind)))
            addOptionType(&ctx, kind, at: o)
            ctx.add(optionLength, o + 1, 1, .unsigned(UInt64(length)))
            if length < 2 || o + length > end {
                ctx.diagnose(optionIndex, .error, .malformed, "Invalid Option Length")
                ctx.close()
                break
            }
            if length > 2 { ctx.add(optionData, o + 2, length - 2, .bytes) }
            ctx.close()
            o += length
        }
        ctx.close()
    }

    static func addOptionType(_ ctx: inout DecodeContext, _ kind: UInt8, at o: Int) {
        ctx.open(optionType, o, 1, .unsigned(UInt64(kind)))
        ctx.add(optionTypeCopy, o, 1, .boolean(kind & 0x80 != 0))
        ctx.add(optionTypeClass, o, 1, .unsigned(UInt64((kind >> 5) & 3)))
        ctx.add(optionTypeNumber, o, 1, .unsigned(UInt64(kind & 0x1F)))
        ctx.close()
    }
}
