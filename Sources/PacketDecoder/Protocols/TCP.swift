// TCP (RFC 9293): ports, numbers, header length, flags, window, checksum, options, payload length.
// Sequence numbers are shown raw: every packet is judged on its own bytes, as with
// tshark's `-o tcp.analyze_sequence_numbers:FALSE`.

public enum TCPLayer {
    enum Layout {
        static let sourcePort = 0..<2
        static let destinationPort = 2..<4
        static let sequence = 4..<8
        static let acknowledgement = 8..<12
        static let offsetAndFlags = 12..<14
        static let window = 14..<16
        static let checksum = 16..<18
        static let urgentPointer = 18..<20
        static let minimumHeader = 20
    }

    public static let tcp = Field(0x0E00)
    public static let sourcePort = Field(0x0E01)
    public static let destinationPort = Field(0x0E02)
    public static let port = Field(0x0E03)
    public static let segmentLength = Field(0x0E04)
    public static let sequence = Field(0x0E05)
    public static let sequenceRaw = Field(0x0E06)
    public static let nextSequence = Field(0x0E07)
    public static let acknowledgement = Field(0x0E08)
    public static let acknowledgementRaw = Field(0x0E09)
    public static let headerLength = Field(0x0E0A)
    public static let flags = Field(0x0E0B)
    public static let flagReserved = Field(0x0E0C)
    public static let flagNonce = Field(0x0E0D)
    public static let flagCWR = Field(0x0E0E)
    public static let flagECE = Field(0x0E0F)
    public static let flagURG = Field(0x0E10)
    public static let flagACK = Field(0x0E11)
    public static let flagPSH = Field(0x0E12)
    public static let flagRST = Field(0x0E13)
    public static let flagSYN = Field(0x0E14)
    public static let flagFIN = Field(0x0E15)
    public static let flagsText = Field(0x0E16)
    public static let window = Field(0x0E17)
    public static let calculatedWindow = Field(0x0E18)
    public static let checksum = Field(0x0E19)
    public static let checksumStatus = Field(0x0E1A)
    public static let checksumCalculated = Field(0x0E1B)
    public static let urgentPointer = Field(0x0E1C)
    public static let options = Field(0x0E1D)
    public static let optionKind = Field(0x0E1E)
    public static let optionLength = Field(0x0E1F)
    public static let optionEOL = Field(0x0E20)
    public static let optionNOP = Field(0x0E21)
    public static let optionMSS = Field(0x0E22)
    public static let optionMSSValue = Field(0x0E23)
    public static let optionWindowScale = Field(0x0E24)
    public static let optionWindowScaleShift = Field(0x0E25)
    public static let optionWindowScaleMultiplier = Field(0x0E26)
    public static let optionSACKPermitted = Field(0x0E27)
    public static let optionSACK = Field(0x0E28)
    public static let optionSACKLeft = Field(0x0E29)
    public static let optionSACKRight = Field(0x0E2A)
    public static let optionTimestamp = Field(0x0E2B)
    public static let optionTimestampValue = Field(0x0E2C)
    public static let optionTimestampEcho = Field(0x0E2D)
    public static let optionUnknown = Field(0x0E2E)
    public static let optionData = Field(0x0E2F)
    public static let payload = Field(0x0E30)

    static let optionNames: [(UInt64, String)] = [
        (0, "End of Option List (EOL)"), (1, "No-Operation (NOP)"), (2, "Maximum segment size"), (3, "Window scale"),
        (4, "SACK permitted"), (5, "SACK"), (8, "Time stamp"), (19, "MD5 signature"), (28, "User Timeout"),
        (29, "TCP Authentication Option"), (30, "Multipath TCP"), (34, "TCP Fast Open Cookie"),
    ]
    static let setNotSet = ("Set", "Not set")
    static let flagFields = [flagReserved, flagNonce, flagCWR, flagECE, flagURG, flagACK, flagPSH, flagRST, flagSYN, flagFIN]

    static let fields: [FieldInfo] = [
        FieldInfo(tcp, "tcp", "Transmission Control Protocol", .protocolLayer, short: "TCP"),
        FieldInfo(sourcePort, "tcp.srcport", "Source Port", .uint16),
        FieldInfo(destinationPort, "tcp.dstport", "Destination Port", .uint16),
        FieldInfo(port, "tcp.port", "Source or Destination Port", .uint16),
        FieldInfo(segmentLength, "tcp.len", "TCP Segment Len", .uint32),
        FieldInfo(sequence, "tcp.seq", "Sequence Number", .uint32),
        FieldInfo(sequenceRaw, "tcp.seq_raw", "Sequence Number (raw)", .uint32),
        FieldInfo(nextSequence, "tcp.nxtseq", "Next Sequence Number", .uint32),
        FieldInfo(acknowledgement, "tcp.ack", "Acknowledgment Number", .uint32),
        FieldInfo(acknowledgementRaw, "tcp.ack_raw", "Acknowledgment number (raw)", .uint32),
        FieldInfo(headerLength, "tcp.hdr_len", "Header Length", .uint8, mask: 0xF0),
        FieldInfo(flags, "tcp.flags", "Flags", .uint16, base: .hex, mask: 0x0FFF),
        FieldInfo(flagReserved, "tcp.flags.res", "Reserved", .boolean, mask: 0x0E00, trueFalse: setNotSet),
        FieldInfo(flagNonce, "tcp.flags.ns", "Nonce", .boolean, mask: 0x0100, trueFalse: setNotSet),
        FieldInfo(flagCWR, "tcp.flags.cwr", "Congestion Window Reduced (CWR)", .boolean, mask: 0x0080, trueFalse: setNotSet),
        FieldInfo(flagECE, "tcp.flags.ecn", "ECN-Echo", .boolean, mask: 0x0040, trueFalse: setNotSet),
        FieldInfo(flagURG, "tcp.flags.urg", "Urgent", .boolean, mask: 0x0020, trueFalse: setNotSet),
        FieldInfo(flagACK, "tcp.flags.ack", "Acknowledgment", .boolean, mask: 0x0010, trueFalse: setNotSet),
        FieldInfo(flagPSH, "tcp.flags.push", "Push", .boolean, mask: 0x0008, trueFalse: setNotSet),
        FieldInfo(flagRST, "tcp.flags.reset", "Reset", .boolean, mask: 0x0004, trueFalse: setNotSet),
        FieldInfo(flagSYN, "tcp.flags.syn", "Syn", .boolean, mask: 0x0002, trueFalse: setNotSet),
        FieldInfo(flagFIN, "tcp.flags.fin", "Fin", .boolean, mask: 0x0001, trueFalse: setNotSet),
        FieldInfo(flagsText, "tcp.flags.str", "TCP Flags", .string, format: { flagsString(UInt16(truncatingIfNeeded: $0)) }),
        FieldInfo(window, "tcp.window_size_value", "Window", .uint16),
        FieldInfo(calculatedWindow, "tcp.window_size", "Calculated window size", .uint32),
        FieldInfo(checksum, "tcp.checksum", "Checksum", .uint16, base: .hex),
        FieldInfo(checksumStatus, "tcp.checksum.status", "Checksum Status", .uint8, values: ChecksumStatus.names),
        FieldInfo(checksumCalculated, "tcp.checksum_calculated", "Calculated Checksum", .uint16, base: .hex),
        FieldInfo(urgentPointer, "tcp.urgent_pointer", "Urgent Pointer", .uint16),
        FieldInfo(options, "tcp.options", "Options", .bytes),
        FieldInfo(optionKind, "tcp.option_kind", "Kind", .uint8, values: optionNames),
        FieldInfo(optionLength, "tcp.option_len", "Length", .uint8),
        FieldInfo(optionEOL, "tcp.options.eol", "TCP Option - End of Option List (EOL)", .none),
        FieldInfo(optionNOP, "tcp.options.nop", "TCP Option - No-Operation (NOP)", .none),
        FieldInfo(optionMSS, "tcp.options.mss", "TCP Option - Maximum segment size", .none),
        FieldInfo(optionMSSValue, "tcp.options.mss_val", "MSS Value", .uint16),
        FieldInfo(optionWindowScale, "tcp.options.wscale", "TCP Option - Window scale", .none),
        FieldInfo(optionWindowScaleShift, "tcp.options.wscale.shift", "Shift count", .uint8),
        FieldInfo(optionWindowScaleMultiplier, "tcp.options.wscale.multiplier", "Multiplier", .uint16),
        FieldInfo(optionSACKPermitted, "tcp.options.sack_perm", "TCP Option - SACK permitted", .none),
        FieldInfo(optionSACK, "tcp.options.sack", "TCP Option - SACK", .none),
        FieldInfo(optionSACKLeft, "tcp.options.sack_le", "left edge", .uint32),
        FieldInfo(optionSACKRight, "tcp.options.sack_re", "right edge", .uint32),
        FieldInfo(optionTimestamp, "tcp.options.timestamp", "TCP Option - Timestamps", .none),
        FieldInfo(optionTimestampValue, "tcp.options.timestamp.tsval", "Timestamp value", .uint32),
        FieldInfo(optionTimestampEcho, "tcp.options.timestamp.tsecr", "Timestamp echo reply", .uint32),
        FieldInfo(optionUnknown, "tcp.options.unknown", "TCP Option - Unknown", .none),
        FieldInfo(optionData, "tcp.options.unknown.payload", "Payload", .bytes),
        FieldInfo(payload, "tcp.payload", "TCP payload", .bytes),
    ]

    /// The flags as tshark's `tcp.flags.str` (`·······A··S·`), high bit first.
    public static func flagsString(_ bits: UInt16) -> String {
        let letters: [Character] = ["R", "R", "R", "N", "C", "E", "U", "A", "P", "R", "S", "F"]
        var out = ""
        for i in 0..<12 {
            let bit = UInt16(1) << UInt16(11 - i)
            out.append(bits & bit != 0 ? letters[i] : "·")
        }
        return out
    }

    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int, pseudo: PseudoHeader) throws(Cut) {
        let layer = ctx.openLayer(tcp, offset, Layout.minimumHeader)
        // tshark reads the ports, adds them, then reads the fixed header up to the window before
        // adding anything else: a cut there shows the ports alone.
        try ctx.check(offset, 4, limit: limit)
        let src = try ctx.addUInt(sourcePort, offset, 2, limit: limit)
        let dst = try ctx.addUInt(destinationPort, offset + 2, 2, limit: limit)
        ctx.transportDestinationPort = UInt16(truncatingIfNeeded: dst)
        ctx.add(port, offset, 2, .unsigned(src), .hidden)
        ctx.add(port, offset + 2, 2, .unsigned(dst), .hidden)
        try ctx.check(offset, Layout.urgentPointer.lowerBound - 4, limit: limit)
        let seq = try ctx.u32(offset + Layout.sequence.lowerBound, limit: limit)
        let ack = try ctx.u32(offset + Layout.acknowledgement.lowerBound, limit: limit)
        let offsetAndFlags = try ctx.u16(offset + Layout.offsetAndFlags.lowerBound, limit: limit)
        let headerBytes = Int(offsetAndFlags >> 12) * 4
        let flagBits = offsetAndFlags & 0x0FFF

        // The segment length is known unless this is a fragment or an ICMP error's quote.
        let reported = limit - offset
        var segmentBytes: Int?
        if !ctx.fragmented && !ctx.inErrorPacket {
            if reported < headerBytes {
                ctx.diagnose(layer, .warn, .malformed, "Short segment. Segment/fragment does not contain a full TCP header"
                             + " (might be NMAP or someone else deliberately sending unusual packets)")
            } else {
                segmentBytes = reported - headerBytes
                ctx.add(segmentLength, offset + Layout.offsetAndFlags.lowerBound, 1,
                        .unsigned(UInt64(reported - headerBytes)), .generated)
            }
        }
        ctx.add(sequence, offset + Layout.sequence.lowerBound, 4, .unsigned(UInt64(seq)))
        ctx.add(sequenceRaw, offset + Layout.sequence.lowerBound, 4, .unsigned(UInt64(seq)))
        let consumesSequence = (flagBits & 0x3 != 0) ? 1 : 0
        if let segmentBytes, segmentBytes > 0 || consumesSequence > 0 {
            ctx.add(nextSequence, offset, 0,
                    .unsigned(UInt64(seq &+ UInt32(truncatingIfNeeded: segmentBytes + consumesSequence))), .generated)
        }
        ctx.add(acknowledgement, offset + Layout.acknowledgement.lowerBound, 4, .unsigned(UInt64(ack)))
        ctx.add(acknowledgementRaw, offset + Layout.acknowledgement.lowerBound, 4, .unsigned(UInt64(ack)))
        let hlIndex = ctx.add(headerLength, offset + Layout.offsetAndFlags.lowerBound, 1, .unsigned(UInt64(headerBytes)))
        if headerBytes < Layout.minimumHeader {
            ctx.diagnose(hlIndex, .error, .protocolViolation,
                         "Bogus TCP header length (\(headerBytes), must be at least \(Layout.minimumHeader))")
            ctx.close()
            return
        }
        ctx.setLength(layer, headerBytes)
        let flagsOffset = offset + Layout.offsetAndFlags.lowerBound
        ctx.open(flags, flagsOffset, 2, .unsigned(UInt64(flagBits)))
        for field in flagFields {
            ctx.add(field, flagsOffset, 2, .boolean(UInt64(flagBits) & ctx.mask(field) != 0))
        }
        ctx.add(flagsText, flagsOffset, 2, .unsigned(UInt64(flagBits)), .generated)
        ctx.close()
        let windowValue = try ctx.addUInt(window, offset + Layout.window.lowerBound, 2, limit: limit)
        ctx.add(calculatedWindow, offset + Layout.window.lowerBound, 2, .unsigned(windowValue), .generated)
        let checksumOffset = offset + Layout.checksum.lowerBound
        let stored = try ctx.u16(checksumOffset, limit: limit)
        let checksumIndex = ctx.add(checksum, checksumOffset, 2, .unsigned(UInt64(stored)))
        if !ctx.fragmented && ctx.has(offset, reported, limit: limit) {
            ChecksumStatus.verify(&ctx, stored: stored, checksumIndex: checksumIndex, at: checksumOffset,
                                  range: offset..<limit, protocolNumber: IPProtocol.tcp.rawValue, pseudo: pseudo,
                                  status: checksumStatus, calculated: checksumCalculated, zeroMeansAbsent: false,
                                  calculatedWhenGood: true)
        } else {
            ctx.add(checksumStatus, checksumOffset, 0, .unsigned(ChecksumStatus.unverified), .generated)
        }
        try ctx.addUInt(urgentPointer, offset + Layout.urgentPointer.lowerBound, 2, limit: limit)
        if headerBytes > Layout.minimumHeader {
            try decodeOptions(&ctx, at: offset + Layout.minimumHeader, end: offset + headerBytes, limit: limit)
        }
        // The payload: tshark adds it over the rest of the captured bytes, so a segment whose
        // payload was not captured at all is where the capture ran short.
        let payloadStart = offset + headerBytes
        guard payloadStart < limit else {
            ctx.close()
            return
        }
        let capturedEnd = min(limit, ctx.capturedLength)
        guard payloadStart < capturedEnd else { throw .truncated }
        ctx.add(payload, payloadStart, capturedEnd - payloadStart, .bytes)
        ctx.close()
        DataLayer.decode(&ctx, at: payloadStart, end: limit)
    }

    static func decodeOptions(_ ctx: inout DecodeContext, at start: Int, end: Int, limit: Int) throws(Cut) {
        try ctx.check(start, end - start, limit: limit)
        ctx.open(options, start, end - start, .bytes)
        var o = start
        while o < end {
            let kind = ctx[o]
            switch kind {
            case 0, 1:
                ctx.open(kind == 0 ? optionEOL : optionNOP, o, 1)
                ctx.add(optionKind, o, 1, .unsigned(UInt64(kind)))
                ctx.close()
                o += 1
                if kind == 0 { o = end }
                continue
            default:
                break
            }
            guard o + 1 < end else { break }
            let length = Int(ctx[o + 1])
            let field: Field
            switch kind {
            case 2: field = optionMSS
            case 3: field = optionWindowScale
            case 4: field = optionSACKPermitted
            case 5: field = optionSACK
            case 8: field = optionTimestamp
            default: field = optionUnknown
            }
            let index = ctx.open(field, o, min(max(length, 2), end - o))
            ctx.add(optionKind, o, 1, .unsigned(UInt64(kind)))
            ctx.add(optionLength, o + 1, 1, .unsigned(UInt64(length)))
            if length < 2 || o + length > end {
                ctx.diagnose(index, .error, .malformed, "Option length \(length) is invalid")
                ctx.close()
                break
            }
            switch kind {
            case 2 where length == 4:
                ctx.add(optionMSSValue, o + 2, 2, .unsigned(UInt64(UInt16(ctx[o + 2]) << 8 | UInt16(ctx[o + 3]))))
            case 3 where length == 3:
                let shift = ctx[o + 2]
                ctx.add(optionWindowScaleShift, o + 2, 1, .unsigned(UInt64(shift)))
                ctx.add(optionWindowScaleMultiplier, o + 2, 1, .unsigned(shift < 15 ? UInt64(1) << UInt64(shift) : 0),
                        .generated)
            case 5:
                var e = o + 2
                while e + 8 <= o + length {
                    ctx.add(optionSACKLeft, e, 4, .unsigned(UInt64(try ctx.u32(e, limit: limit))))
                    ctx.add(optionSACKRight, e + 4, 4, .unsigned(UInt64(try ctx.u32(e + 4, limit: limit))))
                    e += 8
                }
            case 8 where length == 10:
                ctx.add(optionTimestampValue, o + 2, 4, .unsigned(UInt64(try ctx.u32(o + 2, limit: limit))))
                ctx.add(optionTimestampEcho, o + 6, 4, .unsigned(UInt64(try ctx.u32(o + 6, limit: limit))))
            default:
                if length > 2 { ctx.add(optionData, o + 2, length - 2, .bytes) }
            }
            ctx.close()
            o += length
        }
        ctx.close()
    }
}

extension TCPLayer {
    /// tshark's flag list in the Info column: "SYN, ACK".
    public static func flagNames(_ bits: UInt16) -> String {
        return String(decoding: ByteWriter.collect { writeFlagNames(bits, to: &$0) }, as: UTF8.self)
    }

    private static let flagNameList: [StaticString] = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"]

    static func writeFlagNames(_ bits: UInt16, to out: inout ByteWriter) {
        var first = true
        for i in 0..<flagNameList.count where bits & (1 << UInt16(i)) != 0 {
            if !first { TextBytes.append(", ", to: &out) }
            TextBytes.append(flagNameList[i], to: &out)
            first = false
        }
        if bits & 0x0E00 != 0 {
            if !first { TextBytes.append(", ", to: &out) }
            TextBytes.append("Reserved", to: &out)
            first = false
        }
        if first { TextBytes.append("<None>", to: &out) }
    }

    /// The Info column, raw sequence numbers (no analysis): "22 → 54321 [SYN, ACK] Seq=0 Ack=1
    /// Win=65160 Len=0 MSS=1460 SACK_PERM TSval=1 TSecr=2 WS=128".
    public static func info(_ tree: PacketTree, layer index: Int) -> String {
        return String(decoding: ByteWriter.collect { writeInfo(tree, layer: index, to: &$0) }, as: UTF8.self)
    }

    /// `info`, appended as bytes.
    static func writeInfo(_ tree: PacketTree, layer index: Int, to out: inout ByteWriter) {
        // Plain locals, not a dictionary: this runs for every TCP row. Direct children: the first
        // occurrence counts; an option's sub-fields: the last.
        var src: UInt64?, dst: UInt64?, bitsValue: UInt64?, seqValue: UInt64?, ackValue: UInt64?
        var winValue: UInt64?, lenValue: UInt64?, urgentValue: UInt64?
        var hasOptions = false
        var i = index + 1
        let end = Int(tree.nodes[index].subtreeEnd)
        while i < end {
            let node = tree.nodes[i]
            defer { i = Int(node.subtreeEnd) }
            if node.field == TCPLayer.options { hasOptions = true }
            guard let v = node.value.integer else { continue }
            switch node.field {
            case sourcePort: if src == nil { src = v }
            case destinationPort: if dst == nil { dst = v }
            case flags: if bitsValue == nil { bitsValue = v }
            case sequence: if seqValue == nil { seqValue = v }
            case acknowledgement: if ackValue == nil { ackValue = v }
            case window: if winValue == nil { winValue = v }
            case segmentLength: if lenValue == nil { lenValue = v }
            case urgentPointer: if urgentValue == nil { urgentValue = v }
            default: break
            }
        }
        guard let src, let dst else { return }
        TextBytes.appendDecimal(src, to: &out)
        TextBytes.append(" → ", to: &out)
        TextBytes.appendDecimal(dst, to: &out)
        guard let bits = bitsValue else { return }
        TextBytes.append(" [", to: &out)
        writeFlagNames(UInt16(truncatingIfNeeded: bits), to: &out)
        TextBytes.append("]", to: &out)
        func number(_ label: StaticString, _ value: UInt64) {
            TextBytes.append(label, to: &out)
            TextBytes.appendDecimal(value, to: &out)
        }
        if let seq = seqValue { number(" Seq=", seq) }
        if bits & 0x10 != 0, let ack = ackValue { number(" Ack=", ack) }
        if let win = winValue { number(" Win=", win) }
        if let len = lenValue { number(" Len=", len) }
        if let urgent = urgentValue, bits & 0x20 != 0 { number(" Urg=", urgent) }
        guard hasOptions else { return }
        i = index + 1
        while i < end {
            defer { i = Int(tree.nodes[i].subtreeEnd) }
            guard tree.nodes[i].field == TCPLayer.options else { continue }
            var o = i + 1
            while o < Int(tree.nodes[i].subtreeEnd) {
                defer { o = Int(tree.nodes[o].subtreeEnd) }
                var mss: UInt64?, tsval: UInt64?, tsecr: UInt64?, ws: UInt64?
                var c = o + 1
                while c < Int(tree.nodes[o].subtreeEnd) {
                    defer { c = Int(tree.nodes[c].subtreeEnd) }
                    guard let v = tree.nodes[c].value.integer else { continue }
                    switch tree.nodes[c].field {
                    case optionMSSValue: mss = v
                    case optionTimestampValue: tsval = v
                    case optionTimestampEcho: tsecr = v
                    case optionWindowScaleMultiplier: ws = v
                    default: break
                    }
                }
                switch tree.nodes[o].field {
                case optionMSS: if let v = mss { number(" MSS=", v) }
                case optionSACKPermitted: TextBytes.append(" SACK_PERM", to: &out)
                case optionTimestamp:
                    if let v = tsval, let e = tsecr { number(" TSval=", v); number(" TSecr=", e) }
                case optionWindowScale: if let m = ws { number(" WS=", m) }
                default: break
                }
            }
        }
    }
}
