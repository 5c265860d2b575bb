// IPv4 (RFC 791): every header field, options, checksum verified; later fragments not decoded.
// Follows tshark 4.0's order of reads, so a cut or a lying length stops where tshark's does.

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
    /// IPv4 option numbers with a layout of their own.
    enum Option {
        static let endOfList: UInt8 = 0
        static let noOperation: UInt8 = 1
        static let recordRoute: UInt8 = 7
        static let mtuProbe: UInt8 = 11
        static let mtuReply: UInt8 = 12
        static let timestamp: UInt8 = 68
        static let looseSourceRoute: UInt8 = 131
        static let streamID: UInt8 = 136
        static let strictSourceRoute: UInt8 = 137
        static let routerAlert: UInt8 = 148
    }
    /// How an option's length is checked (Wireshark's `ipopts` table).
    enum OptionLength {
        case none, fixed(Int), atLeast(Int)
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
    public static let option = Field(0x071C)
    public static let currentRoute = Field(0x071D)
    public static let optionPointer = Field(0x071E)
    public static let recordedRoute = Field(0x071F)
    public static let sourceRoute = Field(0x0720)
    public static let emptyRoute = Field(0x0721)
    public static let routerAlert = Field(0x0722)
    public static let streamID = Field(0x0723)
    public static let optionMTU = Field(0x0724)
    public static let timestampOverflow = Field(0x0725)
    public static let timestampFlag = Field(0x0726)
    public static let timestampAddress = Field(0x0727)
    public static let timestampValue = Field(0x0728)

    static let dscpNames: [(UInt64, String)] = [
        (0, "Default"), (1, "Lower Effort"), (8, "Class Selector 1"), (10, "Assured Forwarding 11"),
        (12, "Assured Forwarding 12"), (14, "Assured Forwarding 13"), (16, "Class Selector 2"),
        (18, "Assured Forwarding 21"), (20, "Assured Forwarding 22"), (22, "Assured Forwarding 23"),
        (24, "Class Selector 3"), (26, "Assured Forwarding 31"), (28, "Assured Forwarding 32"),
        (30, "Assured Forwarding 33"), (32, "Class Selector 4"), (34, "Assured Forwarding 41"),
        (36, "Assured Forwarding 42"), (38, "Assured Forwarding 43"), (40, "Class Selector 5"),
        (44, "Voice Admit"), (46, "Expedited Forwarding"), (48, "Class Selector 6"), (56, "Class Selector 7"),
    ]
    static let ecnNames: [(UInt64, String)] = [
        (0, "Not ECN-Capable Transport"), (1, "ECN-Capable Transport codepoint '01'"),
        (2, "ECN-Capable Transport codepoint '10'"), (3, "Congestion Experienced"),
    ]
    /// Wireshark's `ipopts` table: number, name, length rule.
    static let optionTable: [(UInt8, String, OptionLength)] = [
        (0, "End of Options List (EOL)", .none), (1, "No-Operation (NOP)", .none), (130, "Security", .atLeast(3)),
        (131, "Loose source route", .atLeast(3)), (68, "Time stamp", .atLeast(4)), (133, "Extended Security", .atLeast(3)),
        (134, "Commercial Security", .atLeast(10)), (7, "Record route", .atLeast(3)), (136, "Stream ID", .fixed(4)),
        (137, "Strict source route", .atLeast(3)), (11, "MTU Probe", .fixed(4)), (12, "MTU Reply", .fixed(4)),
        (82, "Traceroute", .fixed(12)), (148, "Router Alert", .fixed(4)), (149, "Selective Directed Broadcast", .atLeast(6)),
        (25, "Quick-Start", .fixed(8)),
    ]
    static let optionNames: [(UInt64, String)] = optionTable.map { (UInt64($0.0), $0.1) }
    static let optionNumberNames: [(UInt64, String)] = [
        (0, "End of Option List (EOL)"), (1, "No-Operation (NOP)"), (2, "Security"), (3, "Loose source route"),
        (4, "Time stamp"), (5, "Extended security"), (6, "Commercial IP security option"), (7, "Record route"),
        (8, "Stream identifier"), (9, "Strict source route"), (10, "Experimental Measurement"), (11, "MTU Probe"),
        (12, "MTU Reply"), (13, "Experimental Flow Control"), (14, "Experimental Access Control"),
        (15, "ENCODE"), (16, "IMI Traffic Descriptor"), (17, "Extended Internet Protocol"), (18, "Traceroute"),
        (19, "Address Extension"), (20, "Router Alert"), (21, "Selective Directed Broadcast"),
        (23, "Dynamic Packet State"), (24, "Upstream Multicast Packet"), (25, "Quick-Start"),
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
        FieldInfo(fragmentOffset, "ip.frag_offset", "Fragment Offset", .uint16, mask: 0x1FFF,
                  blurb: "Fragment offset (13 bits)"),
        FieldInfo(ttl, "ip.ttl", "Time to Live", .uint8),
        FieldInfo(proto, "ip.proto", "Protocol", .uint8, values: IPProtocol.names),
        FieldInfo(checksum, "ip.checksum", "Header Checksum", .uint16, base: .hex),
        FieldInfo(checksumStatus, "ip.checksum.status", "Header checksum status", .uint8, values: ChecksumStatus.names),
        FieldInfo(checksumCalculated, "ip.checksum_calculated", "Calculated Checksum", .uint16, base: .hex,
                  blurb: "The expected IP checksum field as calculated from the IP datagram"),
        FieldInfo(source, "ip.src", "Source Address", .ipv4),
        FieldInfo(destination, "ip.dst", "Destination Address", .ipv4),
        FieldInfo(address, "ip.addr", "Source or Destination Address", .ipv4),
        FieldInfo(currentRoute, "ip.cur_rt", "Current Route", .ipv4),
        FieldInfo(options, "ip.options", "Options", .none),
        FieldInfo(option, "ip.option", "IP Option", .none),
        FieldInfo(optionType, "ip.opt.type", "Type", .uint8, values: optionNames),
        FieldInfo(optionTypeCopy, "ip.opt.type.copy", "Copy on fragmentation", .boolean, mask: 0x80, trueFalse: ("Yes", "No")),
        FieldInfo(optionTypeClass, "ip.opt.type.class", "Class", .uint8, mask: 0x60,
                  values: [(0, "Control"), (1, "Reserved for future use"), (2, "Debugging and measurement"), (3, "Reserved for future use")]),
        FieldInfo(optionTypeNumber, "ip.opt.type.number", "Number", .uint8, mask: 0x1F, values: optionNumberNames),
        FieldInfo(optionLength, "ip.opt.len", "Length", .uint8),
        FieldInfo(optionPointer, "ip.opt.ptr", "Pointer", .uint8),
        FieldInfo(recordedRoute, "ip.rec_rt", "Recorded Route", .ipv4),
        FieldInfo(sourceRoute, "ip.src_rt", "Source Route", .ipv4),
        FieldInfo(emptyRoute, "ip.empty_rt", "Empty Route", .ipv4),
        FieldInfo(routerAlert, "ip.opt.ra", "Router Alert", .uint16, values: [(0, "Router shall examine packet")]),
        FieldInfo(streamID, "ip.opt.sid", "Stream Identifier", .uint16),
        FieldInfo(optionMTU, "ip.opt.mtu", "MTU", .uint16),
        FieldInfo(timestampOverflow, "ip.opt.ovflw", "Overflow", .uint8, mask: 0xF0),
        FieldInfo(timestampFlag, "ip.opt.flag", "Flag", .uint8, mask: 0x0F,
                  values: [(0, "Time stamps only"), (1, "Time stamp and address"), (3, "Time stamps for prespecified addresses")]),
        FieldInfo(timestampAddress, "ip.opt.time_stamp_addr", "Address", .ipv4),
        FieldInfo(timestampValue, "ip.opt.time_stamp", "Time stamp", .uint32),
    ]

    /// Decodes an IPv4 packet at `offset`; returns the end its total length claims (where a
    /// trailer would start), or `limit` when the length cannot be trusted.
    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) -> Int {
        let layer = ctx.openLayer(ip, offset, Layout.minimumHeader)
        let first = try ctx.u8(offset, limit: limit)
        let versionNumber = first >> 4
        let headerBytes = Int(first & 0x0F) * 4
        ctx.setLength(layer, headerBytes)
        let versionIndex = ctx.add(version, offset, 1, .unsigned(UInt64(versionNumber)))
        if versionNumber != 4 {
            ctx.diagnose(versionIndex, .error, .protocolViolation, "Bogus IPv4 version")
            ctx.close()
            // tshark hands an IPv6 packet behind an IPv4 EtherType to IPv6 all the same.
            if versionNumber == 6 { return try IPv6Layer.decode(&ctx, at: offset, limit: limit) }
            return limit
        }
        let lengthIndex = ctx.add(headerLength, offset, 1, .unsigned(UInt64(headerBytes)))
        if headerBytes < Layout.minimumHeader {
            ctx.diagnose(lengthIndex, .error, .protocolViolation,
                         "Bogus IP header length (\(headerBytes), must be at least \(Layout.minimumHeader))")
            ctx.close()
            return limit
        }
        let ds = try ctx.u8(offset + Layout.dsfield, limit: limit)
        ctx.open(dsfield, offset + Layout.dsfield, 1, .unsigned(UInt64(ds)))
        ctx.add(dscp, offset + Layout.dsfield, 1, .unsigned(UInt64(ds >> 2)))
        ctx.add(ecn, offset + Layout.dsfield, 1, .unsigned(UInt64(ds & 3)))
        ctx.close()

        // The end the rest of this packet is bounded by: the total length, when it is sane.
        var end = limit
        let totalOffset = offset + Layout.totalLength.lowerBound
        let total = Int(try ctx.u16(totalOffset, limit: limit))
        if total < headerBytes {
            if total != 0 {
                let index = ctx.add(totalLength, totalOffset, 2, .unsigned(UInt64(total)))
                ctx.diagnose(index, .error, .protocolViolation, "Bogus IP length")
                ctx.close()
                return limit
            }
            // TCP segmentation offload leaves 0 here; tshark presumes the frame's length.
            ctx.add(totalLength, totalOffset, 2, .unsigned(UInt64(limit - offset)), .generated)
        } else {
            let index = ctx.add(totalLength, totalOffset, 2, .unsigned(UInt64(total)))
            if offset + total > limit {
                if !ctx.inErrorPacket {
                    ctx.diagnose(index, .error, .protocolViolation,
                                 "IPv4 total length exceeds packet length (\(limit - offset) bytes)")
                }
            } else {
                end = offset + total
            }
        }

        try ctx.addUInt(identification, offset + Layout.identification.lowerBound, 2, limit: end)
        let flagsOffset = offset + Layout.flagsAndOffset.lowerBound
        let flagsWord = try ctx.u16(flagsOffset, limit: end)
        ctx.open(flags, flagsOffset, 1, .unsigned(UInt64(flagsWord >> 8) & 0xE0))
        ctx.add(reservedFlag, flagsOffset, 1, .boolean(flagsWord & 0x8000 != 0))
        ctx.add(dontFragment, flagsOffset, 1, .boolean(flagsWord & 0x4000 != 0))
        ctx.add(moreFragments, flagsOffset, 1, .boolean(flagsWord & 0x2000 != 0))
        ctx.close()
        let fragment = flagsWord & 0x1FFF
        ctx.add(fragmentOffset, flagsOffset, 2, .unsigned(UInt64(fragment)))
        let hops = try ctx.addUInt(ttl, offset + Layout.ttl, 1, limit: end)
        let ttlIndex = ctx.lastAdded
        let protocolNumber = UInt8(try ctx.addUInt(proto, offset + Layout.protocol, 1, limit: end))

        let checksumOffset = offset + Layout.checksum.lowerBound
        let stored = try ctx.u16(checksumOffset, limit: end)
        let checksumIndex = ctx.add(checksum, checksumOffset, 2, .unsigned(UInt64(stored)))
        // A decode for a filter that looks at neither result skips the sum.
        if ctx.has(offset, headerBytes, limit: end) && (ctx.keeps(checksumStatus) || ctx.keeps(checksumCalculated)) {
            let sum = ctx.onesComplementSum(offset..<offset + headerBytes)
            let good = foldChecksum(sum) == 0xFFFF
            ctx.add(checksumStatus, checksumOffset, 0, .unsigned(good ? ChecksumStatus.good : ChecksumStatus.bad), .generated)
            // The value the field should have held: the sum with the stored checksum taken out.
            let expected = good ? stored : ~foldChecksum(sum &+ UInt32(~stored))
            if !good {
                ctx.diagnose(checksumIndex, .error, .checksum, "Bad checksum [should be 0x\(hexString(UInt64(expected), width: 4))]")
            }
            ctx.add(checksumCalculated, checksumOffset, 2, .unsigned(UInt64(expected)), .generated)
        } else {
            ctx.add(checksumStatus, checksumOffset, 0, .unsigned(ChecksumStatus.unverified), .generated)
        }

        let src = try ctx.ipv4(offset + Layout.source.lowerBound, limit: end)
        ctx.add(source, offset + Layout.source.lowerBound, 4, .ipv4(src))
        ctx.add(address, offset + Layout.source.lowerBound, 4, .ipv4(src), .hidden)
        // With a source route, the final destination is the route's last address.
        let routeOffset = headerBytes > Layout.minimumHeader
            ? try destinationOffset(&ctx, at: offset + Layout.minimumHeader, length: headerBytes - Layout.minimumHeader, limit: end)
            : 0
        let dst = try ctx.ipv4(offset + Layout.destination.lowerBound + routeOffset, limit: end)
        addTTLNotes(&ctx, ttl: UInt8(hops), protocol: protocolNumber, destination: dst, at: ttlIndex)
        if routeOffset != 0 {
            ctx.add(currentRoute, offset + Layout.destination.lowerBound, 4,
                    .ipv4(try ctx.ipv4(offset + Layout.destination.lowerBound, limit: end)))
        } else {
            ctx.add(destination, offset + Layout.destination.lowerBound, 4, .ipv4(dst))
            ctx.add(address, offset + Layout.destination.lowerBound, 4, .ipv4(dst), .hidden)
        }
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
        guard end > payload else { return end }
        let wasFragmented = ctx.fragmented
        ctx.fragmented = flagsWord & 0x2000 != 0
        defer { ctx.fragmented = wasFragmented }
        try Dispatch.ipProtocol(&ctx, protocolNumber, at: payload, limit: end,
                                pseudo: .v4(source: src, destination: dst))
        return end
    }

    /// tshark's notes on a TTL that looks wrong for the destination (RFC 3171, low TTLs).
    static func addTTLNotes(_ ctx: inout DecodeContext, ttl: UInt8, protocol proto: UInt8, destination: IPv4Address,
                            at index: Int) {
        let d = destination.rawValue
        if d & 0xFFFF_FF00 == 0xE000_0000 {
            // Local Network Control Block (224.0.0.0/24): never routed, so TTL 1 (a few exceptions).
            let valid: UInt8
            switch d {
            case 0xE000_0012, 0xE000_0066: valid = 255   // VRRP, GLBP
            case 0xE000_00FB: valid = 255                // mDNS
            case 0xE000_00FC: valid = 0                  // LLMNR: any
            default: valid = 1
            }
            let expected = proto == IPProtocol.igmp.rawValue ? 1 : valid
            if ttl != expected && expected != 0 {
                ctx.diagnose(index, .note, .sequence, "\"Time To Live\" != \(expected) for a packet sent to the "
                             + "Local Network Control Block (see RFC 3171)")
            }
        } else if !ctx.inErrorPacket && ttl < 5 && d & 0xF000_0000 != 0xE000_0000 && proto != 103 && proto != 89 {
            ctx.diagnose(index, .note, .sequence, "\"Time To Live\" only \(ttl)")
        }
    }

    /// Walks the options as tshark does before reading the destination: the offset (from the
    /// fixed destination field) of the final destination in a valid source route, else 0.
    /// Reading an option past the packet throws, which is how a header longer than the packet
    /// becomes "Malformed Packet" with the source shown and the destination not.
    static func destinationOffset(_ ctx: inout DecodeContext, at start: Int, length: Int, limit: Int) throws(Cut) -> Int {
        var o = start
        var remaining = length
        while remaining > 0 {
            let kind = try ctx.u8(o, limit: limit)
            remaining -= 1
            if kind == Option.endOfList { return 0 }
            if kind == Option.noOperation { o += 1; continue }
            if remaining == 0 { return 0 }
            let len = Int(try ctx.u8(o + 1, limit: limit))
            remaining -= 1
            if len < 2 || len - 2 > remaining { return 0 }
            if kind == Option.strictSourceRoute || kind == Option.looseSourceRoute {
                let pointer = Int(try ctx.u8(o + 2, limit: limit))
                if pointer < 4 || pointer & 3 != 0 || pointer > len { return 0 }
                return (o - start) + 4 + (len - 4)
            }
            o += len
            remaining -= len - 2
        }
        return 0
    }

    static func decodeOptions(_ ctx: inout DecodeContext, at start: Int, end: Int, limit: Int) throws(Cut) {
        ctx.open(options, start, end - start)
        defer { ctx.close() }
        var o = start
        var remaining = end - start
        while remaining > 0 {
            let kind = try ctx.u8(o, limit: limit)
            remaining -= 1
            let known = optionTable.first { $0.0 == kind }
            let rule = known?.2 ?? .atLeast(2)
            if case .none = rule {
                ctx.open(option, o, 1, .unsigned(UInt64(kind)))
                addOptionType(&ctx, kind, at: o)
                ctx.close()
                o += 1
                if kind == Option.endOfList { break }
                continue
            }
            let optionIndex = ctx.open(option, o, min(2, remaining + 1), .unsigned(UInt64(kind)))
            addOptionType(&ctx, kind, at: o)
            if remaining == 0 {
                ctx.diagnose(optionIndex, .warn, .protocolViolation, "\(optionName(kind)) (length byte past end of options)")
                ctx.close()
                break
            }
            let length = Int(try ctx.u8(o + 1, limit: limit))
            remaining -= 1
            ctx.add(optionLength, o + 1, 1, .unsigned(UInt64(length)))
            var problem: String?
            if length < 2 {
                problem = "(with too-short option length = \(length) byte\(length == 1 ? "" : "s"))"
            } else if length - 2 > remaining {
                problem = "(option length = \(length) byte\(length == 1 ? "" : "s") says option goes past end of options)"
            } else if case .fixed(let wanted) = rule, length != wanted {
                problem = "(with option length = \(length) bytes; should be \(wanted))"
            } else if case .atLeast(let wanted) = rule, length < wanted {
                problem = "(with option length = \(length) bytes; should be >= \(wanted))"
            }
            if let problem {
                ctx.diagnose(optionIndex, .warn, .protocolViolation, "\(optionName(kind)) \(problem)")
                ctx.close()
                break
            }
            ctx.setLength(optionIndex, length)
            try addOptionBody(&ctx, kind, at: o, length: length, limit: limit)
            ctx.close()
            o += length
            remaining -= length - 2
        }
    }

    static func optionName(_ kind: UInt8) -> String {
        optionTable.first { $0.0 == kind }?.1 ?? "Unknown (0x\(hexString(UInt64(kind), width: 2)))"
    }

    static func addOptionBody(_ ctx: inout DecodeContext, _ kind: UInt8, at o: Int, length: Int, limit: Int) throws(Cut) {
        switch kind {
        case Option.recordRoute, Option.looseSourceRoute, Option.strictSourceRoute:
            let pointer = Int(try ctx.addUInt(optionPointer, o + 2, 1, limit: limit))
            var a = 3
            while a + 4 <= length {
                let field = a + 1 >= pointer ? (kind == Option.recordRoute ? emptyRoute : sourceRoute)
                    : (kind == Option.recordRoute ? recordedRoute : sourceRoute)
                try ctx.addIPv4(field, o + a, limit: limit)
                a += 4
            }
        case Option.routerAlert:
            try ctx.addUInt(routerAlert, o + 2, 2, limit: limit)
        case Option.streamID:
            try ctx.addUInt(streamID, o + 2, 2, limit: limit)
        case Option.mtuProbe, Option.mtuReply:
            try ctx.addUInt(optionMTU, o + 2, 2, limit: limit)
        case Option.timestamp:
            try ctx.addUInt(optionPointer, o + 2, 1, limit: limit)
            let flag = try ctx.u8(o + 3, limit: limit) & 0x0F
            try ctx.addUInt(timestampOverflow, o + 3, 1, limit: limit)
            try ctx.addUInt(timestampFlag, o + 3, 1, limit: limit)
            var a = 4
            while a + 4 <= length {
                if flag != 0 && a + 8 <= length {
                    try ctx.addIPv4(timestampAddress, o + a, limit: limit)
                    a += 4
                }
                try ctx.addUInt(timestampValue, o + a, 4, limit: limit)
                a += 4
            }
        default:
            break
        }
    }

    static func addOptionType(_ ctx: inout DecodeContext, _ kind: UInt8, at o: Int) {
        ctx.open(optionType, o, 1, .unsigned(UInt64(kind)))
        ctx.add(optionTypeCopy, o, 1, .boolean(kind & 0x80 != 0))
        ctx.add(optionTypeClass, o, 1, .unsigned(UInt64((kind >> 5) & 3)))
        ctx.add(optionTypeNumber, o, 1, .unsigned(UInt64(kind & 0x1F)))
        ctx.close()
    }

    // MARK: Summary

    /// The Info column when IPv4 is the last layer: a later fragment, or an undecoded protocol.
    public static func info(_ tree: PacketTree, layer index: Int) -> String {
        var values: [Field: UInt64] = [:]
        for i in tree.children(of: index) {
            if let v = tree.nodes[i].value.integer { values[tree.nodes[i].field] = v }
            for j in tree.children(of: i) { if let v = tree.nodes[j].value.integer { values[tree.nodes[j].field] = v } }
        }
        let protocolNumber = values[proto] ?? 0
        let protocolName = proto.info.valueName(protocolNumber) ?? "Unknown"
        let fragmentUnits = values[fragmentOffset] ?? 0
        if fragmentUnits != 0 {
            let id = hexString(values[identification] ?? 0, width: 4)
            return "Fragmented IP protocol (proto=\(protocolName) \(protocolNumber), off=\(fragmentUnits * 8), ID=\(id))"
        }
        return "\(protocolName) (\(protocolNumber))"
    }
}
