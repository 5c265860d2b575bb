// UDP (RFC 768): ports, length, checksum over the pseudo-header; Teredo on port 3544.
// Follows tshark 4.0: lengths checked as it does, checksum verified only over a whole datagram.

public enum UDPLayer {
    enum Layout {
        static let sourcePort = 0..<2
        static let destinationPort = 2..<4
        static let length = 4..<6
        static let checksum = 6..<8
        static let headerLength = 8
    }
    /// LBL traceroute's first destination port (32768 + 666); it tries 3 probes per hop.
    static let tracerouteBasePort = 33434

    public static let udp = Field(0x0D00)
    public static let sourcePort = Field(0x0D01)
    public static let destinationPort = Field(0x0D02)
    public static let port = Field(0x0D03)
    public static let length = Field(0x0D04)
    public static let checksum = Field(0x0D05)
    public static let checksumStatus = Field(0x0D06)
    public static let checksumCalculated = Field(0x0D07)
    public static let payload = Field(0x0D08)

    static let fields: [FieldInfo] = [
        FieldInfo(udp, "udp", "User Datagram Protocol", .protocolLayer, short: "UDP"),
        FieldInfo(sourcePort, "udp.srcport", "Source Port", .uint16),
        FieldInfo(destinationPort, "udp.dstport", "Destination Port", .uint16),
        FieldInfo(port, "udp.port", "Source or Destination Port", .uint16),
        FieldInfo(length, "udp.length", "Length", .uint16),
        FieldInfo(checksum, "udp.checksum", "Checksum", .uint16, base: .hex, blurb: "Details at: https://www.wireshark.org/docs/wsug_html_chunked/ChAdvChecksums.html"),
        FieldInfo(checksumStatus, "udp.checksum.status", "Checksum Status", .uint8, values: ChecksumStatus.names),
        FieldInfo(checksumCalculated, "udp.checksum_calculated", "Calculated Checksum", .uint16, base: .hex,
                  blurb: "The expected UDP checksum field as calculated from the UDP packet"),
        FieldInfo(payload, "udp.payload", "Payload", .bytes),
    ]

    /// Whether the datagram at `offset` may hold Teredo (either port 3544; unknown when the
    /// ports are not captured, and then the decode stops at them anyway).
    static func mayCarryTeredo(_ ctx: borrowing DecodeContext, at offset: Int, limit: Int) -> Bool {
        guard ctx.has(offset, 4, limit: limit) else { return false }
        let source = UInt16(ctx[offset]) << 8 | UInt16(ctx[offset + 1])
        let destination = UInt16(ctx[offset + 2]) << 8 | UInt16(ctx[offset + 3])
        return source == WellKnownPort.teredo || destination == WellKnownPort.teredo || ctx.keepsAny(of: TeredoLayer.teredo)
    }

    /// tshark's note on a port in traceroute's range (33435 and the 30 after it).
    @inline(__always)
    private static func noteTraceroute(_ ctx: inout DecodeContext, port: UInt64, node: Int) {
        guard port > 33434 && port <= 33434 + 30 else { return }
        let n = Int(port) - tracerouteBasePort - 1
        ctx.diagnose(node, .chat, .sequence, "Possible traceroute: hop #\(n / 3 + 1), attempt #\(n % 3 + 1)")
    }

    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int, pseudo: PseudoHeader) throws(Cut) {
        ctx.openLayer(udp, offset, Layout.headerLength)
        // tshark reads both ports before it adds the layer's fields.
        try ctx.check(offset, 4, limit: limit)
        let src = try ctx.addUInt(sourcePort, offset, 2, limit: limit)
        let srcIndex = ctx.lastAdded
        let dst = try ctx.addUInt(destinationPort, offset + 2, 2, limit: limit)
        let dstIndex = ctx.lastAdded
        ctx.transportDestinationPort = UInt16(truncatingIfNeeded: dst)
        ctx.add(port, offset, 2, .unsigned(src), .hidden)
        ctx.add(port, offset + 2, 2, .unsigned(dst), .hidden)
        noteTraceroute(&ctx, port: src, node: srcIndex)
        noteTraceroute(&ctx, port: dst, node: dstIndex)

        let reported = limit - offset
        let claimed = Int(try ctx.u16(offset + Layout.length.lowerBound, limit: limit))
        let lengthIndex = ctx.add(length, offset + Layout.length.lowerBound, 2, .unsigned(UInt64(claimed)))
        var datagram = claimed
        var jumbogram = false
        if claimed == 0, case .v6 = pseudo {
            // RFC 2675 §4: a jumbogram's UDP length is 0; the IPv6 payload says how long it is.
            datagram = reported
            jumbogram = true
        }
        if datagram < Layout.headerLength {
            ctx.diagnose(lengthIndex, .error, .malformed, "Bad length value \(datagram) < \(Layout.headerLength)")
            ctx.close()
            return
        }
        if datagram > reported && !ctx.fragmented && !ctx.inErrorPacket {
            ctx.diagnose(lengthIndex, .error, .malformed, "Bad length value \(datagram) > IP payload length")
        }
        if jumbogram && datagram < 65536 {
            ctx.diagnose(lengthIndex, .warn, .protocolViolation, "Length is zero but payload < 65536")
        }

        let checksumOffset = offset + Layout.checksum.lowerBound
        let stored = try ctx.u16(checksumOffset, limit: limit)
        let checksumIndex = ctx.add(checksum, checksumOffset, 2, .unsigned(UInt64(stored)))
        let captured = min(limit, ctx.capturedLength) - offset
        if stored == 0 {
            if case .v6 = pseudo, !ctx.inErrorPacket {
                ctx.add(checksumStatus, checksumOffset, 0, .unsigned(ChecksumStatus.illegal), .generated)
                ctx.diagnose(checksumIndex, .error, .checksum, "Illegal checksum value (0)")
            } else {
                ctx.add(checksumStatus, checksumOffset, 0, .unsigned(ChecksumStatus.notPresent), .generated)
            }
        } else if !ctx.fragmented && captured >= reported && captured >= datagram && reported >= datagram {
            ChecksumStatus.verify(&ctx, stored: stored, checksumIndex: checksumIndex, at: checksumOffset,
                                  range: offset..<offset + datagram, protocolNumber: IPProtocol.udp.rawValue,
                                  pseudo: pseudo, status: checksumStatus, calculated: checksumCalculated,
                                  zeroMeansAbsent: true, calculatedWhenGood: true)
        } else {
            ctx.add(checksumStatus, checksumOffset, 0, .unsigned(ChecksumStatus.unverified), .generated)
        }
        if datagram == Layout.headerLength {
            ctx.close()
            return
        }

        // The payload, bounded by the UDP length. tshark adds it over the rest of the captured
        // bytes: when none of it was captured, that is where the capture ran short.
        let payloadStart = offset + Layout.headerLength
        let payloadEnd = payloadStart + min(reported, datagram) - Layout.headerLength
        if ctx.inErrorPacket && payloadStart >= min(limit, ctx.capturedLength) {
            ctx.close()
            return
        }
        guard payloadStart < min(limit, ctx.capturedLength) else { throw .truncated }
        ctx.add(payload, payloadStart, min(payloadEnd, ctx.capturedLength) - payloadStart, .bytes)
        ctx.close()
        if UInt16(src) == WellKnownPort.teredo || UInt16(dst) == WellKnownPort.teredo {
            try TeredoLayer.decode(&ctx, at: payloadStart, limit: payloadEnd)
            return
        }
        DataLayer.decode(&ctx, at: payloadStart, end: payloadEnd)
    }

    // MARK: Summary

    /// The Info column when UDP carries undecoded data: "40000 → 33434 Len=52".
    public static func info(_ tree: PacketTree, layer index: Int) -> String {
        return String(decoding: ByteWriter.collect { writeInfo(tree, layer: index, to: &$0) }, as: UTF8.self)
    }

    /// `info`, appended as bytes.
    static func writeInfo(_ tree: PacketTree, layer index: Int, to out: inout ByteWriter) {
        var first: UInt64?, second: UInt64?, extra = false
        var datagram: UInt64?
        var i = index + 1
        let end = Int(tree.nodes[index].subtreeEnd)
        while i < end {
            let node = tree.nodes[i]
            defer { i = Int(node.subtreeEnd) }
            if node.field == sourcePort || node.field == destinationPort, let v = node.value.integer {
                if first == nil { first = v } else if second == nil { second = v } else { extra = true }
            }
            if node.field == length { datagram = node.value.integer }
        }
        guard let first, let second, !extra else { return }
        TextBytes.appendDecimal(first, to: &out)
        TextBytes.append(" → ", to: &out)
        TextBytes.appendDecimal(second, to: &out)
        if let datagram, datagram >= 8 {
            TextBytes.append(" Len=", to: &out)
            TextBytes.appendDecimal(datagram - 8, to: &out)
        }
    }
}

/// Checksum status values as Wireshark's `proto_checksum_vals`, and the shared verification of
/// UDP, TCP and ICMPv6 checksums over a pseudo-header.
public enum ChecksumStatus {
    public static let bad: UInt64 = 0, good: UInt64 = 1, unverified: UInt64 = 2, notPresent: UInt64 = 3, illegal: UInt64 = 4
    static let names: [(UInt64, String)] = [(0, "Bad"), (1, "Good"), (2, "Unverified"), (3, "Not present"), (4, "Illegal")]

    /// Adds the status (and the calculated value, with an expert item of `severity` when bad).
    /// `zeroMeansAbsent`: UDP over IPv4 may omit its checksum; over IPv6 zero is illegal.
    static func verify(_ ctx: inout DecodeContext, stored: UInt16, checksumIndex: Int, at offset: Int,
                       range: Range<Int>, protocolNumber: UInt8, pseudo: PseudoHeader,
                       status: Field, calculated: Field, zeroMeansAbsent: Bool, severity: Severity = .error,
                       calculatedWhenGood: Bool = false) {
        if zeroMeansAbsent && stored == 0 {
            if case .v6 = pseudo {
                ctx.add(status, offset, 0, .unsigned(illegal), .generated)
                ctx.diagnose(checksumIndex, .error, .checksum, "Illegal checksum value (0)")
            } else {
                ctx.add(status, offset, 0, .unsigned(notPresent), .generated)
            }
            return
        }
        guard ctx.keeps(status) || ctx.keeps(calculated) else { return }  // a filter that does not look
        guard range.upperBound <= ctx.capturedLength, range.upperBound <= ctx.originalLength,
              let pseudoSum = pseudo.sum(protocol: protocolNumber, length: range.count) else {
            ctx.add(status, offset, 0, .unsigned(unverified), .generated)
            return
        }
        let total = ctx.onesComplementSum(range, initial: pseudoSum)
        let good = foldChecksum(total) == 0xFFFF
        ctx.add(status, offset, 0, .unsigned(good ? ChecksumStatus.good : bad), .generated)
        var expected = stored
        if !good {
            expected = ~foldChecksum(total &+ UInt32(~stored))
            if expected == 0 && zeroMeansAbsent { expected = 0xFFFF }
            ctx.diagnose(checksumIndex, severity, .checksum, "Bad checksum [should be 0x\(hexString(UInt64(expected), width: 4))]")
        }
        if !good || calculatedWhenGood {
            ctx.add(calculated, offset, 2, .unsigned(UInt64(expected)), .generated)
        }
    }
}
