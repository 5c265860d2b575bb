// UDP (RFC 768): ports, length, checksum over the pseudo-header; Teredo on port 3544.

public enum UDPLayer {
    enum Layout {
        static let sourcePort = 0..<2
        static let destinationPort = 2..<4
        static let length = 4..<6
        static let checksum = 6..<8
        static let headerLength = 8
    }

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
        FieldInfo(checksum, "udp.checksum", "Checksum", .uint16, base: .hex),
        FieldInfo(checksumStatus, "udp.checksum.status", "Checksum Status", .uint8, values: ChecksumStatus.names),
        FieldInfo(checksumCalculated, "udp.checksum_calculated", "Calculated Checksum", .uint16, base: .hex),
        FieldInfo(payload, "udp.payload", "Payload", .bytes),
    ]

    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int, pseudo: PseudoHeader) throws(Cut) {
        ctx.openLayer(udp, offset, Layout.headerLength)
        let src = try ctx.addUInt(sourcePort, offset, 2, limit: limit)
        let dst = try ctx.addUInt(destinationPort, offset + 2, 2, limit: limit)
        ctx.add(port, offset, 2, .unsigned(src), .hidden)
        ctx.add(port, offset + 2, 2, .unsigned(dst), .hidden)
        let claimed = Int(try ctx.u16(offset + Layout.length.lowerBound, limit: limit))
        let lengthIndex = ctx.add(length, offset + Layout.length.lowerBound, 2, .unsigned(UInt64(claimed)))
        var end = offset + claimed
        if claimed < Layout.headerLength {
            ctx.diagnose(lengthIndex, .error, .malformed, "Bad length value \(claimed) < \(Layout.headerLength)")
            end = limit
        } else if end > limit {
            ctx.diagnose(lengthIndex, .error, .malformed, "Bad length value \(claimed) > IP payload length")
            end = limit
        }
        let stored = try ctx.u16(offset + Layout.checksum.lowerBound, limit: limit)
        let checksumIndex = ctx.add(checksum, offset + Layout.checksum.lowerBound, 2, .unsigned(UInt64(stored)))
        ChecksumStatus.verify(&ctx, stored: stored, checksumIndex: checksumIndex, at: offset + Layout.checksum.lowerBound,
                              range: offset..<end, protocolNumber: IPProtocol.udp.rawValue, pseudo: pseudo,
                              status: checksumStatus, calculated: checksumCalculated, zeroMeansAbsent: true)
        ctx.close()

        let payloadStart = offset + Layout.headerLength
        if UInt16(src) == WellKnownPort.teredo || UInt16(dst) == WellKnownPort.teredo {
            try TeredoLayer.decode(&ctx, at: payloadStart, limit: end)
            return
        }
        DataLayer.decode(&ctx, at: payloadStart, end: end)
    }
}

/// Checksum status values as Wireshark's `proto_checksum_vals`, and the shared verification of
/// UDP, TCP and ICMPv6 checksums over a pseudo-header.
public enum ChecksumStatus {
    public static let bad: UInt64 = 0, good: UInt64 = 1, unverified: UInt64 = 2, notPresent: UInt64 = 3, illegal: UInt64 = 4
    static let names: [(UInt64, String)] = [(0, "Bad"), (1, "Good"), (2, "Unverified"), (3, "Not present"), (4, "Illegal")]

    /// Adds the status (and the calculated value with an expert error when bad).
    /// `zeroMeansAbsent`: UDP over IPv4 may omit its checksum; over IPv6 zero is illegal.
    static func verify(_ ctx: inout DecodeContext, stored: UInt16, checksumIndex: Int, at offset: Int,
                       range: Range<Int>, protocolNumber: UInt8, pseudo: PseudoHeader,
                       status: Field, calculated: Field, zeroMeansAbsent: Bool) {
        if zeroMeansAbsent && stored == 0 {
            if case .v6 = pseudo {
                ctx.add(status, offset, 0, .unsigned(illegal), .generated)
                ctx.diagnose(checksumIndex, .error, .checksum, "Illegal checksum value (0)")
            } else {
                ctx.add(status, offset, 0, .unsigned(notPresent), .generated)
            }
            return
        }
        guard range.upperBound <= ctx.capturedLength, range.upperBound <= ctx.originalLength,
              let pseudoSum = pseudo.sum(protocol: protocolNumber, length: range.count) else {
            ctx.add(status, offset, 0, .unsigned(unverified), .generated)
            return
        }
        let total = ctx.onesComplementSum(range, initial: pseudoSum)
        let good = foldChecksum(total) == 0xFFFF
        ctx.add(status, offset, 0, .unsigned(good ? ChecksumStatus.good : bad), .generated)
        if !good {
            var expected = ~foldChecksum(total &+ UInt32(~stored))
            if expected == 0 && zeroMeansAbsent { expected = 0xFFFF }
            ctx.add(calculated, offset, 2, .unsigned(UInt64(expected)), .generated)
            ctx.diagnose(checksumIndex, .error, .checksum, "Bad checksum [should be 0x\(hexString(UInt64(expected), width: 4))]")
        }
    }
}
