// IPv6 routing headers (RFC 8200 §4.4): type 0 source route (deprecated, RFC 5095), type 2
// (mobile IPv6, RFC 6275), type 3 RPL source route (RFC 6554), type 4 segment routing (RFC 8754)
// and the compact routing headers 5 and 6.

public enum IPv6RoutingLayer {
    public static let routing = Field(0x0940)
    public static let next = Field(0x0941)
    public static let length = Field(0x0942)
    public static let lengthBytes = Field(0x0943)
    public static let type = Field(0x0944)
    public static let segmentsLeft = Field(0x0945)
    public static let unknownData = Field(0x0946)
    public static let sourceReserved = Field(0x0947)
    public static let sourceAddress = Field(0x0948)
    public static let mobileReserved = Field(0x0949)
    public static let mobileHomeAddress = Field(0x094A)
    public static let rplInternalElided = Field(0x094B)
    public static let rplFinalElided = Field(0x094C)
    public static let rplPadding = Field(0x094D)
    public static let rplReserved = Field(0x094E)
    public static let rplAddressCount = Field(0x094F)
    public static let rplAddress = Field(0x0950)
    public static let rplFullAddress = Field(0x0951)
    public static let srhLastEntry = Field(0x0952)
    public static let srhFlags = Field(0x0953)
    public static let srhTag = Field(0x0954)
    public static let srhAddress = Field(0x0955)
    public static let crh16CurrentSID = Field(0x0956)
    public static let crh32CurrentSID = Field(0x0957)
    public static let crh16SID = Field(0x0958)
    public static let crh32SID = Field(0x0959)

    static let typeNames: [(UInt64, String)] = [
        (0, "Source Route"), (1, "Nimrod"), (2, "Type 2 Routing"), (3, "RPL Source Route"), (4, "Segment Routing"),
        (5, "Compact Routing Header 16"), (6, "Compact Routing Header 32"), (253, "Experiment 1"), (254, "Experiment 2"),
    ]

    static let fields: [FieldInfo] = [
        FieldInfo(routing, "ipv6.routing", "Routing Header for IPv6", .protocolLayer, short: "IPv6 Routing"),
        FieldInfo(next, "ipv6.routing.nxt", "Next Header", .uint8, values: IPProtocol.names),
        FieldInfo(length, "ipv6.routing.len", "Length", .uint8, blurb: "Extension header length in 8-octet words (minus 1)"),
        FieldInfo(lengthBytes, "ipv6.routing.len_oct", "Length", .uint16, blurb: "Extension header length in octets"),
        FieldInfo(type, "ipv6.routing.type", "Type", .uint8, values: typeNames, blurb: "Routing Header Type"),
        FieldInfo(segmentsLeft, "ipv6.routing.segleft", "Segments Left", .uint8, blurb: "Routing Header Segments Left"),
        FieldInfo(unknownData, "ipv6.routing.unknown_data", "Type-Specific Data", .bytes,
                  blurb: "Unknown routing header type-specific data"),
        FieldInfo(sourceReserved, "ipv6.routing.src.reserved", "Reserved", .bytes, blurb: "Must be zero"),
        FieldInfo(sourceAddress, "ipv6.routing.src.addr", "Address", .ipv6, blurb: "Source Routing Header Address"),
        FieldInfo(mobileReserved, "ipv6.routing.mipv6.reserved", "Reserved", .bytes, blurb: "Must be zero"),
        FieldInfo(mobileHomeAddress, "ipv6.routing.mipv6.home_address", "Home Address", .ipv6),
        FieldInfo(rplInternalElided, "ipv6.routing.rpl.cmprI", "Compressed Internal Octets (CmprI)", .uint32,
                  mask: 0xF000_0000, blurb: "Elided octets from all but last segment"),
        FieldInfo(rplFinalElided, "ipv6.routing.rpl.cmprE", "Compressed Final Octets (CmprE)", .uint32,
                  mask: 0x0F00_0000, blurb: "Elided octets from last segment address"),
        FieldInfo(rplPadding, "ipv6.routing.rpl.pad", "Padding Bytes", .uint32, mask: 0x00F0_0000),
        FieldInfo(rplReserved, "ipv6.routing.rpl.reserved", "Reserved", .uint32, mask: 0x000F_FFFF, blurb: "Must be zero"),
        FieldInfo(rplAddressCount, "ipv6.routing.rpl.addr_count", "Total Address Count", .int32, base: .dec),
        FieldInfo(rplAddress, "ipv6.routing.rpl.address", "Address", .bytes),
        FieldInfo(rplFullAddress, "ipv6.routing.rpl.full_address", "Full Address", .ipv6, blurb: "Uncompressed IPv6 Address"),
        FieldInfo(srhLastEntry, "ipv6.routing.srh.last_entry", "Last Entry", .uint8,
                  blurb: "Index (zero based) of the last element of the Segment List"),
        FieldInfo(srhFlags, "ipv6.routing.srh.flags", "Flags", .uint8, base: .hex, blurb: "Unused, 8 bits of flags"),
        FieldInfo(srhTag, "ipv6.routing.srh.tag", "Tag", .bytes, blurb: "Tag a packet as part of a class or group of packets"),
        FieldInfo(srhAddress, "ipv6.routing.srh.addr", "Address", .ipv6, blurb: "Segment address"),
        FieldInfo(crh16CurrentSID, "ipv6.routing.crh16.current_sid", "Current SID", .uint16),
        FieldInfo(crh32CurrentSID, "ipv6.routing.crh32.current_sid", "Current SID", .uint32),
        FieldInfo(crh16SID, "ipv6.routing.crh16.sid", "Segment ID", .uint16),
        FieldInfo(crh32SID, "ipv6.routing.crh32.sid", "Segment ID", .uint32),
    ]

    /// The fixed part of a routing header, which every type's checks point at.
    private struct Header {
        var layer: Int
        var lengthIndex: Int
        var typeIndex: Int
        var segmentsLeftIndex: Int
        var units: Int
        var segmentsLeft: Int
    }

    /// Decodes a routing header; returns its next header, its end, and the final destination it
    /// names when segments are left (the address upper-layer checksums use, RFC 8200 §8.1).
    /// Type-specific data is read within the header (and the IPv6 payload): past either end it is
    /// malformed.
    static func decode(_ ctx: inout DecodeContext, at o: Int, limit: Int,
                       pseudo: PseudoHeader) throws(Cut) -> (next: UInt8, end: Int, destination: IPv6Address?) {
        let layer = ctx.openLayer(routing, o, IPv6ExtensionLayer.visible(ctx, o, limit - o, limit: limit))
        let nextHeader = try ctx.addUInt(next, o, 1, limit: limit)
        let units = Int(try ctx.addUInt(length, o + 1, 1, limit: limit))
        let lengthIndex = ctx.lastAdded
        let total = (units + 1) * 8
        ctx.setLength(layer, IPv6ExtensionLayer.visible(ctx, o, total, limit: limit))
        ctx.add(lengthBytes, o + 1, 1, .unsigned(UInt64(total)), .generated)
        let kind = try ctx.addUInt(type, o + 2, 1, limit: limit)
        let typeIndex = ctx.lastAdded
        let left = Int(try ctx.addUInt(segmentsLeft, o + 3, 1, limit: limit))
        let header = Header(layer: layer, lengthIndex: lengthIndex, typeIndex: typeIndex,
                            segmentsLeftIndex: ctx.lastAdded, units: units, segmentsLeft: left)
        let data = o + 4
        let dataLimit = min(o + total, limit)
        var destination: IPv6Address?
        switch kind {
        case 0: destination = try decodeSourceRoute(&ctx, header, at: data, limit: dataLimit)
        case 2: destination = try decodeMobile(&ctx, header, at: data, limit: dataLimit)
        case 3: destination = try decodeRPL(&ctx, header, at: data, limit: dataLimit, pseudo: pseudo)
        case 4: destination = try decodeSegmentRouting(&ctx, header, at: data, limit: dataLimit)
        case 5, 6: try decodeCompact(&ctx, header, sixteen: kind == 5, at: data, limit: dataLimit)
        default:
            let index = try ctx.addBytes(unknownData, data, total - 4, limit: limit)
            ctx.diagnose(index, .note, .undecoded, "Undecoded IPv6 routing header field")
        }
        try ctx.check(o + total, 0, limit: limit)
        ctx.close()
        return (UInt8(nextHeader), o + total, left > 0 ? destination : nil)
    }

    private static func isMulticast(_ address: IPv6Address) -> Bool { address.byte(0) == 0xFF }

    private static func warnMulticast(_ ctx: inout DecodeContext, _ address: IPv6Address, node: Int) {
        if isMulticast(address) {
            ctx.diagnose(node, .warn, .protocolViolation, "Multicast addresses must not appear in the source route list")
        }
    }

    /// Type 0: a list of addresses to visit (deprecated by RFC 5095 for its amplification attacks).
    private static func decodeSourceRoute(_ ctx: inout DecodeContext, _ header: Header, at start: Int,
                                          limit: Int) throws(Cut) -> IPv6Address? {
        try ctx.addBytes(sourceReserved, start, 4, limit: limit)
        if header.units % 2 != 0 {
            ctx.diagnose(header.lengthIndex, .error, .malformed, "IPv6 Routing Header extension header length must not be odd")
        }
        let count = header.units / 2
        if header.segmentsLeft > count {
            ctx.diagnose(header.segmentsLeftIndex, .warn, .protocolViolation,
                         "IPv6 Type 0 Routing Header segments left field must not exceed address count (\(count))")
        }
        var q = start + 4
        var last: IPv6Address?
        for _ in 0..<count {
            let address = try ctx.addIPv6(sourceAddress, q, limit: limit)
            warnMulticast(&ctx, address, node: ctx.lastAdded)
            last = address
            q += 16
        }
        ctx.diagnose(header.typeIndex, .note, .protocolViolation, "Routing header type is deprecated")
        return last
    }

    /// Type 2: the mobile node's home address.
    private static func decodeMobile(_ ctx: inout DecodeContext, _ header: Header, at start: Int,
                                     limit: Int) throws(Cut) -> IPv6Address? {
        try ctx.addBytes(mobileReserved, start, 4, limit: limit)
        if header.units != 2 {
            ctx.diagnose(header.lengthIndex, .error, .malformed, "IPv6 Type 2 Routing Header extension header length must equal 2")
        }
        if header.segmentsLeft != 1 {
            ctx.diagnose(header.segmentsLeftIndex, .warn, .protocolViolation,
                         "IPv6 Type 2 Routing Header segments left field must equal 1")
        }
        let address = try ctx.addIPv6(mobileHomeAddress, start + 4, limit: limit)
        warnMulticast(&ctx, address, node: ctx.lastAdded)
        return address
    }

    /// Type 3: addresses with their common prefix (shared with the destination) elided.
    private static func decodeRPL(_ ctx: inout DecodeContext, _ header: Header, at start: Int, limit: Int,
                                  pseudo: PseudoHeader) throws(Cut) -> IPv6Address? {
        guard case .v6(let source, let destination) = pseudo else { return nil }
        if isMulticast(destination) {
            ctx.diagnose(header.layer, .warn, .protocolViolation, "Destination address must not be a multicast address")
        }
        let word = try ctx.u32(start, limit: limit)
        let internalElided = Int(word >> 28), finalElided = Int((word >> 24) & 0xF), padding = Int((word >> 20) & 0xF)
        ctx.add(rplInternalElided, start, 4, .unsigned(UInt64(internalElided)))
        ctx.add(rplFinalElided, start, 4, .unsigned(UInt64(finalElided)))
        let padIndex = ctx.add(rplPadding, start, 4, .unsigned(UInt64(padding)))
        if internalElided == 0 && finalElided == 0 && padding != 0 {
            ctx.diagnose(padIndex, .warn, .protocolViolation,
                         "When cmprI equals 0 and cmprE equals 0, pad MUST equal 0 but instead was \(padding)")
        }
        let reserved = word & 0xF_FFFF
        let reservedIndex = ctx.add(rplReserved, start, 4, .unsigned(UInt64(reserved)))
        if reserved != 0 {
            ctx.diagnose(reservedIndex, .note, .protocolViolation, "Reserved field must equal 0 but instead was \(reserved)")
        }
        // RFC 6554 §3: n = (((Hdr Ext Len * 8) - Pad - (16 - CmprE)) / (16 - CmprI)) + 1
        let count = header.units > 0 ? (header.units * 8 - padding - (16 - finalElided)) / (16 - internalElided) + 1 : 0
        let countIndex = ctx.add(rplAddressCount, start, 2, .signed(Int64(count)), .generated)
        if count < 0 {
            ctx.diagnose(countIndex, .error, .malformed,
                         "Calculated total address count must be greater than or equal to 0, instead was \(count)")
        } else if header.segmentsLeft > count {
            ctx.diagnose(header.segmentsLeftIndex, .warn, .protocolViolation,
                         "IPv6 RPL Routing Header segments left field must not exceed address count (\(count))")
        }
        guard count > 0 else { return nil }
        var q = start + 4
        var last: IPv6Address?
        for index in 1...count {
            let present = index == count ? 16 - finalElided : 16 - internalElided
            try ctx.addBytes(rplAddress, q, present, limit: limit)
            var full = destination
            for i in 0..<present { full = replacing(full, byte: 16 - present + i, with: ctx[q + i]) }
            let fullIndex = ctx.add(rplFullAddress, q, present, .ipv6(full), .generated)
            if full == source {
                ctx.diagnose(fullIndex, .warn, .protocolViolation, "Source address must not appear in the source route list")
            }
            if full == destination {
                ctx.diagnose(fullIndex, .warn, .protocolViolation, "Destination address must not appear in the source route list")
            }
            warnMulticast(&ctx, full, node: fullIndex)
            last = full
            q += present
        }
        return last
    }

    private static func replacing(_ address: IPv6Address, byte index: Int, with value: UInt8) -> IPv6Address {
        var result = address
        let shift = UInt64((7 - index % 8) * 8)
        if index < 8 {
            result.high = result.high & ~(0xFF << shift) | UInt64(value) << shift
        } else {
            result.low = result.low & ~(0xFF << shift) | UInt64(value) << shift
        }
        return result
    }

    /// Type 4: the segment list (Wireshark 4.0 leaves the TLVs after it undecoded, so do we).
    /// Segment 0 is the final destination.
    private static func decodeSegmentRouting(_ ctx: inout DecodeContext, _ header: Header, at start: Int,
                                             limit: Int) throws(Cut) -> IPv6Address? {
        let count = Int(try ctx.addUInt(srhLastEntry, start, 1, limit: limit)) + 1
        try ctx.addUInt(srhFlags, start + 1, 1, limit: limit)
        try ctx.addBytes(srhTag, start + 2, 2, limit: limit)
        if header.segmentsLeft > count {
            ctx.diagnose(header.segmentsLeftIndex, .warn, .protocolViolation,
                         "IPv6 Type 4 Routing Header segments left field must not exceed address count (\(count))")
        }
        var first: IPv6Address?
        for i in 0..<count {
            let address = try ctx.addIPv6(srhAddress, start + 4 + 16 * i, limit: limit)
            if i == 0 { first = address }
        }
        return first
    }

    /// Types 5 and 6 (draft-bonica-6man-comp-rtg-hdr): 16- or 32-bit segment identifiers. As in
    /// Wireshark 4.0, the list is read until a zero identifier, one past the last.
    private static func decodeCompact(_ ctx: inout DecodeContext, _ header: Header, sixteen: Bool, at start: Int,
                                      limit: Int) throws(Cut) {
        let width = sixteen ? 2 : 4
        let perWord = sixteen ? 4 : 2
        let count = sixteen ? header.units * 4 + 2 : header.units * 2 + 1
        let inFirstWord = sixteen ? 2 : 1
        var minimum = 0
        if header.segmentsLeft > inFirstWord {
            let beyond = header.segmentsLeft - inFirstWord
            minimum = (beyond + perWord - 1) / perWord
        }
        if minimum > header.units {
            ctx.diagnose(header.lengthIndex, .error, .malformed,
                         "IPv6 Compact Routing Header minimum length must not exceed header length (\(header.units))")
        }
        let current = start + width * header.segmentsLeft
        let currentValue = sixteen ? UInt64(try ctx.u16(current, limit: limit)) : UInt64(try ctx.u32(current, limit: limit))
        ctx.add(sixteen ? crh16CurrentSID : crh32CurrentSID, current, width, .unsigned(currentValue), .generated)
        var q = start
        var sid = sixteen ? UInt64(try ctx.u16(q, limit: limit)) : UInt64(try ctx.u32(q, limit: limit))
        var index = 0
        while index < count && sid != 0 {
            ctx.add(sixteen ? crh16SID : crh32SID, q, width, .unsigned(sid))
            q += width
            sid = sixteen ? UInt64(try ctx.u16(q, limit: limit)) : UInt64(try ctx.u32(q, limit: limit))
            index += 1
        }
    }
}
