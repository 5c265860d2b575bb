// The `frame` pseudo-protocol: what the capture file says about the record, plus `data` and the
// expert pseudo-fields (`_ws.*`) that filters and `-T fields` can ask for.

public enum FrameLayer {
    public static let frame = Field(0x0100)
    public static let interfaceID = Field(0x0101)
    public static let interfaceName = Field(0x0102)
    public static let packetFlags = Field(0x0103)
    public static let direction = Field(0x0104)
    public static let comment = Field(0x0105)
    public static let time = Field(0x0106)
    public static let timeEpoch = Field(0x0107)
    public static let number = Field(0x0108)
    public static let length = Field(0x0109)
    public static let capturedLength = Field(0x010A)
    public static let protocols = Field(0x010B)
    public static let sectionNumber = Field(0x010C)
    public static let linkType = Field(0x010D)

    static let fields: [FieldInfo] = [
        FieldInfo(frame, "frame", "Frame", .protocolLayer, short: "Frame"),
        FieldInfo(sectionNumber, "frame.section_number", "Section number", .uint32),
        FieldInfo(interfaceID, "frame.interface_id", "Interface id", .uint32),
        FieldInfo(interfaceName, "frame.interface_name", "Interface name", .string),
        FieldInfo(packetFlags, "frame.packet_flags", "Packet flags", .uint32, base: .hex),
        FieldInfo(direction, "frame.packet_flags_direction", "Direction", .uint32, base: .hex, mask: 0x3,
                  values: [(0, "Unknown"), (1, "Inbound"), (2, "Outbound")]),
        FieldInfo(comment, "frame.comment", "Comment", .string),
        FieldInfo(linkType, "frame.encap_type", "Encapsulation type", .uint32,
                  values: [(0, "NULL/Loopback"), (1, "Ethernet"), (12, "Raw IP"), (14, "Raw IP"), (101, "Raw IP"),
                           (108, "OpenBSD loopback"), (113, "Linux cooked-mode capture v1"), (228, "Raw IPv4"),
                           (229, "Raw IPv6"), (276, "Linux cooked-mode capture v2")]),
        FieldInfo(time, "frame.time", "Arrival Time", .absoluteTime),
        FieldInfo(timeEpoch, "frame.time_epoch", "Epoch Time", .absoluteTime),
        FieldInfo(number, "frame.number", "Frame Number", .uint32),
        FieldInfo(length, "frame.len", "Frame Length", .uint32),
        FieldInfo(capturedLength, "frame.cap_len", "Capture Length", .uint32),
        FieldInfo(protocols, "frame.protocols", "Protocols in frame", .string),
    ]

    /// Opens the frame node and adds what the file said about the record.
    static func open(_ ctx: inout DecodeContext, _ metadata: borrowing FrameMetadata) -> Int {
        let captured = ctx.capturedLength
        let index = ctx.open(frame, 0, captured, .none, [])
        // A filter's decode that reads no frame field (most) adds none.
        guard ctx.keepsAny(of: frame) else {
            ctx.close()
            return index
        }
        if let section = metadata.section { ctx.add(sectionNumber, 0, 0, .unsigned(UInt64(section)), .generated) }
        if let id = metadata.interfaceID {
            ctx.add(interfaceID, 0, 0, .unsigned(UInt64(id)), .generated)
            // tshark names an interface description without a name "unknown".
            ctx.add(interfaceName, 0, 0, ctx.string(metadata.interfaceName ?? "unknown"), .generated)
        }
        if let flags = metadata.direction {
            ctx.open(packetFlags, 0, 0, .unsigned(UInt64(flags)), .generated)
            ctx.add(direction, 0, 0, .unsigned(UInt64(flags & 0x3)), .generated)
            ctx.close()
        }
        if let text = metadata.comment { ctx.add(comment, 0, 0, ctx.string(text), .generated) }
        ctx.add(linkType, 0, 0, .unsigned(UInt64(metadata.linkType.rawValue)), .generated)
        ctx.add(time, 0, 0, .time(seconds: metadata.seconds, nanoseconds: metadata.nanoseconds), .generated)
        ctx.add(timeEpoch, 0, 0, .time(seconds: metadata.seconds, nanoseconds: metadata.nanoseconds), .generated)
        ctx.add(number, 0, 0, .unsigned(UInt64(metadata.number)), .generated)
        ctx.add(length, 0, 0, .unsigned(UInt64(metadata.originalLength)), .generated)
        ctx.add(capturedLength, 0, 0, .unsigned(UInt64(captured)), .generated)
        // Its text comes from the tree's protocol path (see `PacketTree.fieldText`).
        ctx.add(protocols, 0, 0, .none, .generated)
        ctx.close()
        return index
    }

    /// Adds `frame.protocols` once the layers are known, and the frame-level expert notes.
    static func finish(_ ctx: inout DecodeContext, frameIndex: Int, originalLength: Int) {
        // frame.protocols keeps no text: `fieldText` builds it from `protocolPath` when asked.
        if originalLength < ctx.capturedLength {
            ctx.diagnose(frameIndex, .error, .malformed, "Frame length is less than captured length")
        }
    }
}

public enum DataLayer {
    public static let data = Field(0x1000)
    public static let bytes = Field(0x1001)
    public static let length = Field(0x1002)

    static let fields: [FieldInfo] = [
        FieldInfo(data, "data", "Data", .protocolLayer, short: "Data"),
        FieldInfo(bytes, "data.data", "Data", .bytes),
        FieldInfo(length, "data.len", "Length", .uint32),
    ]

    /// Bytes no decoder claims: a `data` layer over `offset..<end` (clamped to the capture).
    public static func decode(_ ctx: inout DecodeContext, at offset: Int, end: Int) {
        let stop = min(end, ctx.capturedLength)
        guard stop > offset else { return }
        ctx.openLayer(data, offset, stop - offset)
        ctx.add(bytes, offset, stop - offset, .bytes)
        ctx.add(length, offset, stop - offset, .unsigned(UInt64(stop - offset)), .generated)
        ctx.close()
    }
}

/// Expert information as fields: `_ws.expert.message`, `_ws.malformed`, `_ws.short`. They are
/// not nodes of the tree; printers and filters derive them from `PacketTree.diagnostics` and
/// `PacketTree.shortfall`.
public enum ExpertLayer {
    public static let expert = Field(0x1100)
    public static let message = Field(0x1101)
    public static let severity = Field(0x1102)
    public static let group = Field(0x1103)
    public static let malformed = Field(0x1104)
    public static let short = Field(0x1105)

    static let fields: [FieldInfo] = [
        FieldInfo(expert, "_ws.expert", "Expert Info", .protocolLayer),
        FieldInfo(message, "_ws.expert.message", "Message", .string),
        FieldInfo(severity, "_ws.expert.severity", "Severity level", .uint32,
                  values: [(0x200000, "Chat"), (0x400000, "Note"), (0x600000, "Warning"), (0x800000, "Error")]),
        FieldInfo(group, "_ws.expert.group", "Group", .uint32),
        FieldInfo(malformed, "_ws.malformed", "Malformed Packet", .protocolLayer),
        FieldInfo(short, "_ws.short", "Packet size limited during capture", .protocolLayer),
    ]
}
