// ICMP for IPv4 (RFC 792, RFC 1191, RFC 1256, RFC 4884, RFC 8335): type, code, checksum, the
// second word of each message, the invoking IPv4 packet quoted by errors, echo data (with the
// sender's timestamp when it looks like one) and the multi-part extension objects that ICMPv6
// shares (the `icmp` layer inside an ICMPv6 extended echo request).

public enum ICMPv4Layer {
    enum Layout {
        static let type = 0
        static let code = 1
        static let checksum = 2
        static let originalLength = 5
        static let body = 8
    }

    public static let icmp = Field(0x0A00)
    public static let type = Field(0x0A01)
    public static let code = Field(0x0A02)
    public static let checksum = Field(0x0A03)
    public static let checksumStatus = Field(0x0A04)
    public static let unused = Field(0x0A05)
    public static let reserved = Field(0x0A06)
    public static let identifier = Field(0x0A07)
    public static let identifierLE = Field(0x0A08)
    public static let sequence = Field(0x0A09)
    public static let sequenceLE = Field(0x0A0A)
    public static let mtu = Field(0x0A0B)
    public static let addressCount = Field(0x0A0C)
    public static let addressEntrySize = Field(0x0A0D)
    public static let lifetime = Field(0x0A0E)
    public static let pointer = Field(0x0A0F)
    public static let routerAddress = Field(0x0A10)
    public static let preferenceLevel = Field(0x0A11)
    public static let originateTimestamp = Field(0x0A12)
    public static let receiveTimestamp = Field(0x0A13)
    public static let transmitTimestamp = Field(0x0A14)
    public static let addressMask = Field(0x0A15)
    public static let redirectGateway = Field(0x0A16)
    public static let length = Field(0x0A17)
    public static let originalDatagramLength = Field(0x0A18)
    public static let dataTime = Field(0x0A19)
    public static let dataTimeRelative = Field(0x0A1A)
    public static let extEchoSequence = Field(0x0A1B)
    public static let extEchoRequestReserved = Field(0x0A1C)
    public static let extEchoRequestLocal = Field(0x0A1D)
    public static let extEchoReplyState = Field(0x0A1E)
    public static let extEchoReplyReserved = Field(0x0A1F)
    public static let extEchoReplyActive = Field(0x0A20)
    public static let extEchoReplyIPv4 = Field(0x0A21)
    public static let extEchoReplyIPv6 = Field(0x0A22)

    static let setNotSet = ("Set", "Not set")
    static let checksumNames = ChecksumStatus.names

    /// Wireshark's `icmp_type_str` (the tree appends it; the registry entry has no names).
    static let typeNames: [(UInt64, String)] = [
        (0, "Echo (ping) reply"), (1, "Reserved"), (2, "Reserved"), (3, "Destination unreachable"),
        (4, "Source quench (flow control)"), (5, "Redirect"), (6, "Alternate host address"),
        (8, "Echo (ping) request"), (9, "Router advertisement"), (10, "Router solicitation"),
        (11, "Time-to-live exceeded"), (12, "Parameter problem"), (13, "Timestamp request"),
        (14, "Timestamp reply"), (15, "Information request"), (16, "Information reply"),
        (17, "Address mask request"), (18, "Address mask reply"), (19, "Reserved (for security)"),
        (30, "Traceroute"), (31, "Datagram Conversion Error"), (32, "Mobile Host Redirect"),
        (33, "IPv6 Where-Are-You"), (34, "IPv6 I-Am-Here"), (35, "Mobile Registration Request"),
        (36, "Mobile Registration Reply"), (37, "Domain Name Request"), (38, "Domain Name Reply"),
        (39, "SKIP"), (40, "Photuris"), (41, "Experimental mobility protocols"),
        (42, "Extended Echo request"), (43, "Extended Echo reply"),
    ]
    static let unreachableCodes: [(UInt64, String)] = [
        (0, "Network unreachable"), (1, "Host unreachable"), (2, "Protocol unreachable"), (3, "Port unreachable"),
        (4, "Fragmentation needed"), (5, "Source route failed"), (6, "Destination network unknown"),
        (7, "Destination host unknown"), (8, "Source host isolated"), (9, "Network administratively prohibited"),
        (10, "Host administratively prohibited"), (11, "Network unreachable for TOS"),
        (12, "Host unreachable for TOS"), (13, "Communication administratively filtered"),
        (14, "Host precedence violation"), (15, "Precedence cutoff in effect"),
    ]
    static let redirectCodes: [(UInt64, String)] = [
        (0, "Redirect for network"), (1, "Redirect for host"), (2, "Redirect for TOS and network"),
        (3, "Redirect for TOS and host"),
    ]
    static let timeExceededCodes: [(UInt64, String)] = [
        (0, "Time to live exceeded in transit"), (1, "Fragment reassembly time exceeded"),
    ]
    static let parameterProblemCodes: [(UInt64, String)] = [
        (0, "Pointer indicates the error"), (1, "Required option missing"), (2, "Bad length"),
    ]
    static let photurisCodes: [(UInt64, String)] = [
        (0, "Bad SPI"), (1, "Authentication Failed"), (2, "Decompression Failed"), (3, "Decryption Failed"),
        (4, "Need Authentication"), (5, "Need Authorization"),
    ]
    static let extEchoRequestCodes: [(UInt64, String)] = [(0, "No error")]
    static let extEchoReplyCodes: [(UInt64, String)] = [
        (0, "No error"), (1, "Malformed Query"), (2, "No Such Interface"), (3, "No Such Table Entry"),
        (4, "Multiple Interfaces Satisfy Query"),
    ]
    static let extEchoStates: [(UInt64, String)] = [
        (0, "Reserved"), (1, "Incomplete"), (2, "Reachable"), (3, "Stale"), (4, "Delay"), (5, "Probe"), (6, "Failed"),
    ]

    static let fields: [FieldInfo] = [
        FieldInfo(icmp, "icmp", "Internet Control Message Protocol", .protocolLayer, short: "ICMP"),
        FieldInfo(type, "icmp.type", "Type", .uint8),
        FieldInfo(code, "icmp.code", "Code", .uint8),
        FieldInfo(checksum, "icmp.checksum", "Checksum", .uint16, base: .hex),
        FieldInfo(checksumStatus, "icmp.checksum.status", "Checksum Status", .uint8, values: checksumNames),
        FieldInfo(unused, "icmp.unused", "Unused", .bytes),
        FieldInfo(reserved, "icmp.reserved", "Reserved", .bytes),
        FieldInfo(identifier, "icmp.ident", "Identifier (BE)", .uint16, base: .decHex),
        FieldInfo(identifierLE, "icmp.ident_le", "Identifier (LE)", .uint16, base: .decHex),
        FieldInfo(sequence, "icmp.seq", "Sequence Number (BE)", .uint16, base: .decHex),
        FieldInfo(sequenceLE, "icmp.seq_le", "Sequence Number (LE)", .uint16, base: .decHex),
        FieldInfo(mtu, "icmp.mtu", "MTU of next hop", .uint16),
        FieldInfo(addressCount, "icmp.num_addrs", "Number of addresses", .uint8),
        FieldInfo(addressEntrySize, "icmp.addr_entry_size", "Address entry size", .uint8),
        FieldInfo(lifetime, "icmp.lifetime", "Lifetime", .uint16),
        FieldInfo(pointer, "icmp.pointer", "Pointer", .uint32),
        FieldInfo(routerAddress, "icmp.router_address", "Router address", .ipv4),
        FieldInfo(preferenceLevel, "icmp.pref_level", "Preference level", .int32),
        FieldInfo(originateTimestamp, "icmp.originate_timestamp", "Originate Timestamp", .uint32),
        FieldInfo(receiveTimestamp, "icmp.receive_timestamp", "Receive Timestamp", .uint32),
        FieldInfo(transmitTimestamp, "icmp.transmit_timestamp", "Transmit Timestamp", .uint32),
        FieldInfo(addressMask, "icmp.address_mask", "Address Mask", .ipv4),
        FieldInfo(redirectGateway, "icmp.redir_gw", "Gateway Address", .ipv4),
        FieldInfo(length, "icmp.length", "Length", .uint8),
        FieldInfo(originalDatagramLength, "icmp.length.original_datagram", "Length of original datagram", .uint8),
        FieldInfo(dataTime, "icmp.data_time", "Timestamp from icmp data", .absoluteTime),
        FieldInfo(dataTimeRelative, "icmp.data_time_relative", "Timestamp from icmp data (relative)", .relativeTime),
        FieldInfo(extEchoSequence, "icmp.ext.echo.seq", "Sequence Number", .uint8, base: .decHex),
        FieldInfo(extEchoRequestReserved, "icmp.ext.echo.req.res", "Reserved", .uint8, base: .hex, mask: 0xFE),
        FieldInfo(extEchoRequestLocal, "icmp.ext.echo.req.local", "Local bit", .boolean, mask: 0x01, trueFalse: setNotSet),
        FieldInfo(extEchoReplyState, "icmp.ext.echo.rsp.state", "State", .uint8, mask: 0xE0, values: extEchoStates),
        FieldInfo(extEchoReplyReserved, "icmp.ext.echo.rsp.res", "Reserved", .uint8, base: .hex, mask: 0x18),
        FieldInfo(extEchoReplyActive, "icmp.ext.echo.rsp.active", "Active bit", .boolean, mask: 0x04, trueFalse: setNotSet),
        FieldInfo(extEchoReplyIPv4, "icmp.ext.echo.rsp.ipv4", "IPv4 bit", .boolean, mask: 0x02, trueFalse: setNotSet),
        FieldInfo(extEchoReplyIPv6, "icmp.ext.echo.rsp.ipv6", "IPv6 bit", .boolean, mask: 0x01, trueFalse: setNotSet),
    ] + ICMPExtension.fields

    /// The code's name for `type`, as the tree and Info column append it (nil: the type has none).
    public static func codeName(type: UInt8, code: UInt8) -> String? {
        func name(_ table: [(UInt64, String)]) -> String {
            for (v, n) in table where v == UInt64(code) { return n }
            return "Unknown code: \(code)"
        }
        switch type {
        case 3: return name(unreachableCodes)
        case 5: return name(redirectCodes)
        case 6: return name([(0, "Alternate address for host")])
        case 9: return name([(0, "Normal router advertisement"), (16, "Does not route common traffic")])
        case 11: return name(timeExceededCodes)
        case 12: return name(parameterProblemCodes)
        case 40: return name(photurisCodes)
        case 42: return name(extEchoRequestCodes)
        case 43: return name(extEchoReplyCodes)
        default: return nil
        }
    }

    /// Types RFC 6633 and RFC 6918 deprecated: Wireshark notes them.
    static func isDeprecated(_ type: UInt8) -> Bool {
        switch type {
        case 4, 6, 15, 16, 17, 18, 30...39: return true
        default: return false
        }
    }

    /// Whether the message at `offset` may hold another protocol's layer: the errors, which
    /// quote the datagram they answer (`decodeQuote`). One whose type is not captured holds
    /// nothing.
    static func mayHoldOtherLayers(_ ctx: borrowing DecodeContext, at offset: Int, limit: Int) -> Bool {
        guard ctx.has(offset, 1, limit: limit) else { return false }
        switch ctx[offset] {
        case 3, 4, 5, 11, 12: return true
        default: return false
        }
    }

    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) {
        let inError = ctx.inErrorPacket
        let fragmented = ctx.fragmented
        let visibleEnd = min(limit, ctx.capturedLength)
        ctx.openLayer(icmp, offset, max(0, visibleEnd - offset))
        // Wireshark reads type, code and the RFC 4884 length byte before adding anything.
        let kind = try ctx.u8(offset + Layout.type, limit: limit)
        let codeValue = try ctx.u8(offset + Layout.code, limit: limit)
        var originalWords = Int(try ctx.u8(offset + Layout.originalLength, limit: limit))
        if kind == 6 { originalWords = 0 }

        let typeIndex = ctx.add(type, offset + Layout.type, 1, .unsigned(UInt64(kind)))
        if isDeprecated(kind) {
            ctx.diagnose(typeIndex, .note, .protocolViolation, "Type is deprecated")
        }
        ctx.add(code, offset + Layout.code, 1, .unsigned(UInt64(codeValue)))
        let complete = limit <= ctx.capturedLength
        try ICMPChecksum.add(&ctx, checksum, checksumStatus, at: offset + Layout.checksum, range: offset..<limit,
                             pseudoSum: complete && !fragmented && !inError ? 0 : nil, limit: limit)

        let word = offset + 4
        switch kind {
        case 0, 8, 13, 14, 15, 16, 17, 18:
            try addIdentifierAndSequence(&ctx, at: word, limit: limit)
        case 3:
            if originalWords > 0 {
                try ctx.addBytes(unused, word, 1, limit: limit)
                try addOriginalLength(&ctx, at: word + 1, words: originalWords, limit: limit)
                if codeValue == 4 { try ctx.addUInt(mtu, word + 2, 2, limit: limit) }
                else { try ctx.addBytes(unused, word + 2, 2, limit: limit) }
            } else if codeValue == 4 {
                try ctx.addBytes(unused, word, 2, limit: limit)
                try ctx.addUInt(mtu, word + 2, 2, limit: limit)
            } else {
                try ctx.addBytes(unused, word, 4, limit: limit)
            }
        case 9:
            try ctx.addUInt(addressCount, word, 1, limit: limit)
            try ctx.addUInt(addressEntrySize, word + 1, 1, limit: limit)
            try ctx.addUInt(lifetime, word + 2, 2, limit: limit)
        case 12:
            try ctx.addUInt(pointer, word, 1, limit: limit)
            if originalWords > 0 {
                try addOriginalLength(&ctx, at: word + 1, words: originalWords, limit: limit)
                try ctx.addBytes(unused, word + 2, 2, limit: limit)
            } else {
                try ctx.addBytes(unused, word + 1, 3, limit: limit)
            }
        case 5:
            try ctx.addIPv4(redirectGateway, word, limit: limit)
        case 11:
            if originalWords > 0 {
                try ctx.addBytes(unused, word, 1, limit: limit)
                try addOriginalLength(&ctx, at: word + 1, words: originalWords, limit: limit)
                try ctx.addBytes(unused, word + 2, 2, limit: limit)
            } else {
                try ctx.addBytes(unused, word, 4, limit: limit)
            }
        case 42:
            try addIdentifierPair(&ctx, at: word, limit: limit)
            try ctx.addUInt(extEchoSequence, word + 2, 1, limit: limit)
            try ctx.addUInt(extEchoRequestReserved, word + 3, 1, limit: limit)
            try ctx.addFlag(extEchoRequestLocal, word + 3, 1, limit: limit)
        case 43:
            try addIdentifierPair(&ctx, at: word, limit: limit)
            try ctx.addUInt(extEchoSequence, word + 2, 1, limit: limit)
            try ctx.addUInt(extEchoReplyState, word + 3, 1, limit: limit)
            try ctx.addUInt(extEchoReplyReserved, word + 3, 1, limit: limit)
            try ctx.addFlag(extEchoReplyActive, word + 3, 1, limit: limit)
            try ctx.addFlag(extEchoReplyIPv4, word + 3, 1, limit: limit)
            try ctx.addFlag(extEchoReplyIPv6, word + 3, 1, limit: limit)
        default:
            break
        }

        let body = offset + Layout.body
        switch kind {
        case 3, 11, 12, 4, 5:
            try decodeQuote(&ctx, kind: kind, originalWords: originalWords, at: offset, limit: limit)
        case 0, 8:
            decodeEchoData(&ctx, at: body, limit: limit)
        case 9:
            let count = Int(try ctx.u8(word, limit: limit))
            if ctx[word + 1] == 2 {
                for i in 0..<count {
                    try ctx.addIPv4(routerAddress, body + i * 8, limit: limit)
                    let level = try ctx.u32(body + i * 8 + 4, limit: limit)
                    ctx.add(preferenceLevel, body + i * 8 + 4, 4, .signed(Int64(Int32(bitPattern: level))))
                }
            } else {
                DataLayer.decode(&ctx, at: body, end: limit)
            }
        case 13, 14:
            try ctx.addUInt(originateTimestamp, body, 4, limit: limit)
            try ctx.addUInt(receiveTimestamp, body + 4, 4, limit: limit)
            try ctx.addUInt(transmitTimestamp, body + 8, 4, limit: limit)
        case 17, 18:
            try ctx.addIPv4(addressMask, body, limit: limit)
        case 42:
            if limit - body > 0 {
                try ICMPExtension.decode(&ctx, at: body, limit: limit)
            }
        default:
            break
        }
        ctx.close()
    }

    static func addIdentifierPair(_ ctx: inout DecodeContext, at o: Int, limit: Int) throws(Cut) {
        let id = try ctx.addUInt(identifier, o, 2, limit: limit)
        ctx.add(identifierLE, o, 2, .unsigned(UInt64(UInt16(id).byteSwapped)))
    }

    static func addIdentifierAndSequence(_ ctx: inout DecodeContext, at o: Int, limit: Int) throws(Cut) {
        try addIdentifierPair(&ctx, at: o, limit: limit)
        let seq = try ctx.addUInt(sequence, o + 2, 2, limit: limit)
        ctx.add(sequenceLE, o + 2, 2, .unsigned(UInt64(UInt16(seq).byteSwapped)))
    }

    static func addOriginalLength(_ ctx: inout DecodeContext, at o: Int, words: Int, limit: Int) throws(Cut) {
        try ctx.addUInt(length, o, 1, limit: limit)
        ctx.add(originalDatagramLength, o, 1, .unsigned(UInt64(words * 4)), .generated)
    }

    /// The invoking datagram of an error message (IPv4 header + at least 64 bits), then RFC 4884
    /// extension objects when the quote leaves room for them.
    static func decodeQuote(_ ctx: inout DecodeContext, kind: UInt8, originalWords: Int, at offset: Int,
                            limit: Int) throws(Cut) {
        let quote = offset + Layout.body
        var quoteEnd = limit
        if kind == 5 {
            let headerWords = Int(try ctx.u8(quote, limit: limit) & 0x0F)
            quoteEnd = min(limit, quote + headerWords * 4 + 8)
        } else if originalWords > 0, limit - offset > 8 + originalWords * 4,
                  Int(try ctx.u16(quote + 2, limit: limit)) > originalWords * 4 {
            let headerWords = Int(try ctx.u8(quote, limit: limit) & 0x0F)
            quoteEnd = min(limit, quote + (headerWords + originalWords) * 4)
        }
        let first = try ctx.u8(quote, limit: quoteEnd)
        let cut = PacketDecoder.decodeNested(&ctx) { (c: inout DecodeContext) throws(Cut) in
            // Quotes of quotes are bounded like tunnels in tunnels.
            try Dispatch.encapsulated(&c) { (inner: inout DecodeContext) throws(Cut) in
                if first >> 4 == 6 {
                    _ = try IPv6Layer.decode(&inner, at: quote, limit: quoteEnd)
                } else {
                    _ = try IPv4Layer.decode(&inner, at: quote, limit: quoteEnd)
                }
            }
        }
        // Wireshark lets an exception in the quote end the dissection: nothing after it is shown.
        guard cut == nil else { return }
        if limit - offset > 8 + 128, Int(try ctx.u16(quote + 2, limit: limit)) <= 128 {
            let extensions = offset + max(originalWords * 4, 128) + 8
            try ICMPExtension.decode(&ctx, at: extensions, limit: limit)
        }
    }

    /// Echo data: Wireshark shows a leading `struct timeval` (ping's send time) as a timestamp when
    /// one of its four readings lies within a day of the capture time.
    static func decodeEchoData(_ ctx: inout DecodeContext, at body: Int, limit: Int) {
        let captured = min(limit, ctx.capturedLength) - body
        guard captured >= 8 else {
            DataLayer.decode(&ctx, at: body, end: limit)
            return
        }
        let frameTime = ctx.frameSeconds * 1_000_000_000 + Int64(ctx.frameNanoseconds)
        var best: (length: Int, seconds: Int64, micros: Int64)? = nil
        var bestDelta = Int64(86_400) * 1_000_000_000
        func consider(_ seconds: Int64, _ micros: Int64, _ length: Int) {
            guard micros >= 0, micros < 1_000_000 else { return }
            let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            guard !overflow else { return }
            let stamp = product &+ micros * 1000
            let delta = stamp > frameTime ? stamp &- frameTime : frameTime &- stamp
            if delta >= 0, delta < bestDelta {
                bestDelta = delta
                best = (length, seconds, micros)
            }
        }
        func le64(_ o: Int) -> Int64 {
            var v: UInt64 = 0
            for i in (0..<8).reversed() { v = v << 8 | UInt64(ctx[o + i]) }
            return Int64(bitPattern: v)
        }
        func be64(_ o: Int) -> Int64 {
            var v: UInt64 = 0
            for i in 0..<8 { v = v << 8 | UInt64(ctx[o + i]) }
            return Int64(bitPattern: v)
        }
        func le32(_ o: Int) -> Int64 { Int64(UInt32(ctx[o]) | UInt32(ctx[o + 1]) << 8 | UInt32(ctx[o + 2]) << 16 | UInt32(ctx[o + 3]) << 24) }
        func be32(_ o: Int) -> Int64 { Int64(UInt32(ctx[o]) << 24 | UInt32(ctx[o + 1]) << 16 | UInt32(ctx[o + 2]) << 8 | UInt32(ctx[o + 3])) }
        let has16 = captured >= 16
        if has16 { consider(le64(body), le64(body + 8), 16) }
        let leMicros = le32(body + 4)
        if best == nil || leMicros != 0 { consider(le32(body), leMicros, 8) }
        consider(be32(body), be32(body + 4), 8)
        if has16 { consider(be64(body), be64(body + 8), 16) }
        if let stamp = best {
            let nanos = UInt32(stamp.micros * 1000)
            ctx.add(dataTime, body, stamp.length, .time(seconds: stamp.seconds, nanoseconds: nanos))
            var relative = frameTime &- (stamp.seconds &* 1_000_000_000 &+ Int64(nanos))
            var relSeconds = relative / 1_000_000_000
            relative %= 1_000_000_000
            if relative < 0 { relative += 1_000_000_000; relSeconds -= 1 }
            ctx.add(dataTimeRelative, body, stamp.length,
                    .time(seconds: relSeconds, nanoseconds: UInt32(relative)), .generated)
            DataLayer.decode(&ctx, at: body + stamp.length, end: limit)
        } else {
            DataLayer.decode(&ctx, at: body, end: limit)
        }
    }

    // MARK: Info column

    /// tshark's Info text for the ICMP layer at node `index`: the type name padded to 20
    /// characters, the code name, and for echo the identifier, both readings of the sequence
    /// number and the enclosing TTL.
    public static func info(_ tree: PacketTree, layer index: Int) -> String {
        return String(decoding: ByteWriter.collect { writeInfo(tree, layer: index, to: &$0) }, as: UTF8.self)
    }

    /// `info`, appended as bytes.
    static func writeInfo(_ tree: PacketTree, layer index: Int, to out: inout ByteWriter) {
        var kind: UInt8?, codeValue: UInt8 = 0, ident: UInt64?, seq: UInt64?
        var i = index + 1
        let end = Int(tree.nodes[index].subtreeEnd)
        while i < end {
            let node = tree.nodes[i]
            defer { i = Int(node.subtreeEnd) }
            switch node.field {
            case type: kind = node.value.integer.map { UInt8(truncatingIfNeeded: $0) }
            case code: codeValue = node.value.integer.map { UInt8(truncatingIfNeeded: $0) } ?? 0
            case identifier: ident = node.value.integer
            case sequence: seq = node.value.integer
            default: break
            }
        }
        guard let kind else { return }
        var name = "Unknown ICMP (obsolete or malformed?)"
        for (v, n) in typeNames where v == UInt64(kind) { name = n }
        if kind == 9 && (codeValue == 0 || codeValue == 16) { name = "Mobile IP Advertisement" }
        TextBytes.append(name, width: 20, to: &out)
        if let codeText = codeName(type: kind, code: codeValue) {
            TextBytes.append(" (", to: &out)
            TextBytes.append(codeText, to: &out)
            TextBytes.append(")", to: &out)
        }
        if [0, 8, 13, 14, 15, 16, 17, 18].contains(kind), let ident, let seq {
            TextBytes.append(" id=0x", to: &out)
            TextBytes.appendHex(ident, width: 4, to: &out)
            TextBytes.append(", seq=", to: &out)
            TextBytes.appendDecimal(seq, to: &out)
            TextBytes.append("/", to: &out)
            TextBytes.appendDecimal(UInt64(UInt16(truncatingIfNeeded: seq).byteSwapped), to: &out)
            if let ttl = ICMPContext.enclosing(tree, IPv4Layer.ttl, before: index) {
                TextBytes.append(", ttl=", to: &out)
                TextBytes.appendDecimal(ttl, to: &out)
            }
        }
    }
}

/// Checksums of ICMP and ICMPv6: verified over the whole message (ICMPv6: plus its pseudo-header)
/// when it is all there, not a fragment and not inside an error's quote; a bad one is a warning.
enum ICMPChecksum {
    /// Reads and adds the checksum and its status. `pseudoSum` nil: not verified (status 2).
    static func add(_ ctx: inout DecodeContext, _ checksumField: Field, _ statusField: Field, at offset: Int,
                    range: Range<Int>, pseudoSum: UInt32?, limit: Int) throws(Cut) {
        let stored = try ctx.u16(offset, limit: limit)
        let index = ctx.add(checksumField, offset, 2, .unsigned(UInt64(stored)))
        guard let pseudoSum, range.upperBound <= ctx.capturedLength else {
            ctx.add(statusField, offset, 0, .unsigned(ChecksumStatus.unverified), .generated)
            return
        }
        verify(&ctx, stored: stored, index: index, statusField, at: offset, range: range, initial: pseudoSum)
    }

    /// Adds the status of `stored` over `range` (which includes it) and, when bad, Wireshark's warning.
    static func verify(_ ctx: inout DecodeContext, stored: UInt16, index: Int, _ statusField: Field, at offset: Int,
                       range: Range<Int>, initial: UInt32) {
        guard ctx.keeps(statusField) else { return }   // a decode for a filter that does not look
        let computed = ~foldChecksum(ctx.onesComplementSum(range, initial: initial))
        ctx.add(statusField, offset, 0, .unsigned(computed == 0 ? ChecksumStatus.good : ChecksumStatus.bad), .generated)
        if computed != 0 {
            let shouldBe = foldChecksum(UInt32(stored) &+ UInt32(computed))
            ctx.diagnose(index, .warn, .checksum, "Bad checksum [should be 0x\(hexString(UInt64(shouldBe), width: 4))]")
        }
    }
}

/// What the enclosing layers tell an ICMP decoder (Wireshark's `pinfo` flags), read from the
/// layers decoded so far.
enum ICMPContext {
    /// The last value of `field` before node `index` (the enclosing header's hop limit or TTL).
    static func enclosing(_ tree: PacketTree, _ field: Field, before index: Int) -> UInt64? {
        var i = index - 1
        while i >= 0 {
            if tree.nodes[i].field == field { return tree.nodes[i].value.integer }
            i -= 1
        }
        return nil
    }
}

/// ICMP multi-part extensions (RFC 4884) and their objects: MPLS label stack (RFC 4950), interface
/// information (RFC 5837), interface identification (RFC 8335). Wireshark's `icmp_extension`.
public enum ICMPExtension {
    public static let extensions = Field(0x0A40)
    public static let version = Field(0x0A41)
    public static let reserved = Field(0x0A42)
    public static let checksum = Field(0x0A43)
    public static let checksumStatus = Field(0x0A44)
    public static let length = Field(0x0A45)
    public static let objectClass = Field(0x0A46)
    public static let cType = Field(0x0A47)
    public static let data = Field(0x0A48)
    public static let mplsLabel = Field(0x0A49)
    public static let mplsExperimental = Field(0x0A4A)
    public static let mplsStack = Field(0x0A4B)
    public static let mplsTTL = Field(0x0A4C)
    public static let mplsData = Field(0x0A4D)
    public static let identName = Field(0x0A4E)
    public static let identIndex = Field(0x0A4F)
    public static let identAFI = Field(0x0A50)
    public static let identAddressLength = Field(0x0A51)
    public static let identReserved = Field(0x0A52)
    public static let identIPv4 = Field(0x0A53)
    public static let identIPv6 = Field(0x0A54)
    public static let identAddress = Field(0x0A55)

    static let classNames: [(UInt64, String)] = [
        (1, "MPLS Label Stack Class"), (2, "Interface Information Object"), (3, "Interface Identification Object"),
    ]
    static let identTypes: [(UInt64, String)] = [
        (1, "Identifies Interface By Name"), (2, "Identifies Interface By Index"), (3, "Identifies Interface By Address"),
    ]

    static let fields: [FieldInfo] = [
        FieldInfo(extensions, "icmp.ext", "ICMP Extensions", .none),
        FieldInfo(version, "icmp.ext.version", "Version", .uint8),
        FieldInfo(reserved, "icmp.ext.res", "Reserved", .uint16, base: .hex, mask: 0x0FFF),
        FieldInfo(checksum, "icmp.ext.checksum", "Checksum", .uint16, base: .hex),
        FieldInfo(checksumStatus, "icmp.ext.checksum.status", "Checksum Status", .uint8, values: ChecksumStatus.names),
        FieldInfo(length, "icmp.ext.length", "Length", .uint16),
        FieldInfo(objectClass, "icmp.ext.class", "Class", .uint8, values: classNames),
        FieldInfo(cType, "icmp.ext.ctype", "C-Type", .uint8),
        FieldInfo(data, "icmp.ext.data", "Data", .bytes),
        FieldInfo(mplsLabel, "icmp.mpls.label", "Label", .uint24, mask: 0xFF_FFF0),
        FieldInfo(mplsExperimental, "icmp.mpls.exp", "Experimental", .uint24, mask: 0x0E),
        FieldInfo(mplsStack, "icmp.mpls.s", "Stack bit", .boolean, mask: 0x01, trueFalse: ("Set", "Not set")),
        FieldInfo(mplsTTL, "icmp.mpls.ttl", "Time to live", .uint8),
        FieldInfo(mplsData, "icmp.mpls.data", "Data", .bytes),
        FieldInfo(identName, "icmp.int_ident.name", "Name", .string),
        FieldInfo(identIndex, "icmp.int_ident.index", "Interface Index", .uint32),
        FieldInfo(identAFI, "icmp.int_ident.afi", "Address Family Identifier", .uint16, values: [(1, "IPv4"), (2, "IPv6")]),
        FieldInfo(identAddressLength, "icmp.int_ident.addr_length", "Address Length", .uint8),
        FieldInfo(identReserved, "icmp.int_ident.reserved", "Reserved", .bytes),
        FieldInfo(identIPv4, "icmp.int_ident.ipv4", "Address", .ipv4),
        FieldInfo(identIPv6, "icmp.int_ident.ipv6", "Address", .ipv6),
        FieldInfo(identAddress, "icmp.int_ident.address", "Address", .bytes),
    ]

    /// Decodes the extension structure at `offset..<limit` inside the current layer. When called
    /// from ICMPv6 (`asLayer`), a usable structure also adds `icmp` to `frame.protocols`, as
    /// Wireshark's handle call does.
    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int, asLayer: Bool = false) throws(Cut) {
        let total = max(0, limit - offset)
        ctx.open(extensions, offset, max(0, min(limit, ctx.capturedLength) - offset))
        defer { ctx.close() }
        guard total >= 4 else { return }
        let first = try ctx.u8(offset, limit: limit)
        let versionNumber = first >> 4
        if asLayer && (versionNumber == 1 || versionNumber == 2) {
            ctx.appendProtocolStep(ICMPv4Layer.icmp)
        }
        ctx.add(version, offset, 1, .unsigned(UInt64(versionNumber)))
        try ctx.addUInt(reserved, offset, 2, limit: limit)
        let stored = try ctx.u16(offset + 2, limit: limit)
        let index = ctx.add(checksum, offset + 2, 2, .unsigned(UInt64(stored)))
        if stored == 0 {
            ctx.add(checksumStatus, offset + 2, 0, .unsigned(ChecksumStatus.notPresent), .generated)
        } else {
            try ctx.check(offset, total, limit: limit)
            ICMPChecksum.verify(&ctx, stored: stored, index: index, checksumStatus, at: offset + 2,
                                range: offset..<limit, initial: 0)
        }
        guard versionNumber == 1 || versionNumber == 2 else { return }
        var o = offset + 4
        while limit - o >= 4 {
            let claimed = Int(try ctx.u16(o, limit: limit))
            let objectLength = min(claimed, limit - o)
            let objectEnd = o + objectLength
            // Wireshark gives each object a text-only subtree: its fields sit under `icmp.ext` here.
            ctx.add(length, o, 2, .unsigned(UInt64(claimed)))
            let classNumber = try ctx.addUInt(objectClass, o + 2, 1, limit: limit)
            let c = try ctx.u8(o + 3, limit: limit)
            if claimed < 4 { break }
            var known = false
            if classNumber == 3, limit - o >= 5 {
                known = true
                ctx.add(cType, o + 3, 1, .unsigned(UInt64(c)))
                try decodeIdentification(&ctx, cType: c, at: o + 4, claimed: claimed, limit: limit)
            } else if classNumber == 1, c == 1 {
                known = true
                ctx.add(cType, o + 3, 1, .unsigned(UInt64(c)))
                var e = o + 4
                while e + 4 <= objectEnd, limit - e >= 4 {
                    let word = try ctx.u32(e, limit: limit)
                    ctx.add(mplsLabel, e, 3, .unsigned(UInt64(word >> 12)))
                    ctx.add(mplsExperimental, e + 2, 1, .unsigned(UInt64((word >> 9) & 7)))
                    ctx.add(mplsStack, e + 2, 1, .boolean(word & 0x100 != 0))
                    ctx.add(mplsTTL, e + 3, 1, .unsigned(UInt64(word & 0xFF)))
                    e += 4
                }
                if e < objectEnd { try ctx.addBytes(mplsData, e, objectEnd - e, limit: limit) }
            }
            if !known {
                ctx.add(cType, o + 3, 1, .unsigned(UInt64(c)))
                if objectLength > 4 { try ctx.addBytes(data, o + 4, objectLength - 4, limit: limit) }
            }
            o = objectEnd
        }
    }

    static func decodeIdentification(_ ctx: inout DecodeContext, cType c: UInt8, at o: Int, claimed: Int,
                                     limit: Int) throws(Cut) {
        switch c {
        case 1:
            let count = claimed - 4
            try ctx.check(o, count, limit: limit)
            var text = ""
            for i in 0..<count where ctx[o + i] != 0 {
                let b = ctx[o + i]
                text.append(b >= 0x20 && b < 0x7F ? Character(Unicode.Scalar(b)) : "\u{FFFD}")
            }
            ctx.add(identName, o, count, ctx.string(text))
        case 2:
            try ctx.addUInt(identIndex, o, 4, limit: limit)
        case 3:
            let afi = try ctx.addUInt(identAFI, o, 2, limit: limit)
            var remaining = Int(try ctx.addUInt(identAddressLength, o + 2, 1, limit: limit))
            try ctx.addBytes(identReserved, o + 3, 1, limit: limit)
            var a = o + 4
            switch afi {
            case 1:
                while remaining >= 4, limit - a >= 4 {
                    try ctx.addIPv4(identIPv4, a, limit: limit)
                    a += 4
                    remaining -= 4
                }
            case 2:
                while remaining >= 16, limit - a >= 16 {
                    try ctx.addIPv6(identIPv6, a, limit: limit)
                    a += 16
                    remaining -= 16
                }
            default:
                try ctx.addBytes(identAddress, a, max(0, limit - a), limit: limit)
            }
        default:
            break
        }
    }
}
