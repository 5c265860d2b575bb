// Neighbour discovery options (RFC 4861 §4.6 and later RFCs): type, length in units of 8 bytes,
// then the option's fields. A zero length stops the list (Wireshark's "Invalid option length
// (Zero)"): a naive loop would never advance.

extension ICMPv6Layer {
    public static let option = Field(0x0B40)
    public static let optionType = Field(0x0B41)
    public static let optionLength = Field(0x0B42)
    public static let optionReserved = Field(0x0B43)
    public static let optionPadding = Field(0x0B44)
    public static let optionLinkAddress = Field(0x0B45)
    public static let optionSourceLinkAddress = Field(0x0B46)
    public static let optionTargetLinkAddress = Field(0x0B47)
    public static let optionPrefixLength = Field(0x0B48)
    public static let optionPrefixFlags = Field(0x0B49)
    public static let optionPrefixFlagOnLink = Field(0x0B4A)
    public static let optionPrefixFlagAutonomous = Field(0x0B4B)
    public static let optionPrefixFlagRouter = Field(0x0B4C)
    public static let optionPrefixFlagReserved = Field(0x0B4D)
    public static let optionPrefixValidLifetime = Field(0x0B4E)
    public static let optionPrefixPreferredLifetime = Field(0x0B4F)
    public static let optionPrefix = Field(0x0B50)
    public static let optionRedirectedPacket = Field(0x0B51)
    public static let optionMTU = Field(0x0B52)
    public static let optionShortcutLimit = Field(0x0B53)
    public static let optionAdvertisementInterval = Field(0x0B54)
    public static let optionHomeAgentPreference = Field(0x0B55)
    public static let optionHomeAgentLifetime = Field(0x0B56)
    public static let optionIPv6Address = Field(0x0B57)
    public static let optionNonce = Field(0x0B58)
    public static let optionRouteFlags = Field(0x0B59)
    public static let optionRoutePreference = Field(0x0B5A)
    public static let optionRouteFlagReserved = Field(0x0B5B)
    public static let optionRouteLifetime = Field(0x0B5C)
    public static let optionRDNSSLifetime = Field(0x0B5D)
    public static let optionRDNSS = Field(0x0B5E)
    public static let optionFlagsExpansion = Field(0x0B5F)
    public static let optionFlagsExpansionManaged = Field(0x0B60)
    public static let optionFlagsExpansionOther = Field(0x0B61)
    public static let optionFlagsExpansionHomeAgent = Field(0x0B62)
    public static let optionFlagsExpansionPreference = Field(0x0B63)
    public static let optionFlagsExpansionProxy = Field(0x0B64)
    public static let optionFlagsExpansionReserved = Field(0x0B65)
    public static let optionDNSSLLifetime = Field(0x0B66)
    public static let optionDNSSL = Field(0x0B67)
    public static let optionCaptivePortal = Field(0x0B68)
    public static let optionPref64ScaledLifetime = Field(0x0B69)
    public static let optionPref64PLC = Field(0x0B6A)
    public static let optionPref64Prefix = Field(0x0B6B)

    public static let optionNames: [(UInt64, String)] = [
        (1, "Source link-layer address"), (2, "Target link-layer address"), (3, "Prefix information"),
        (4, "Redirected header"), (5, "MTU"), (6, "NBMA Shortcut Limit Option"), (7, "Advertisement Interval"),
        (8, "Home Agent Information"), (9, "Source Address List"), (10, "Target Address List"), (11, "CGA"),
        (12, "RSA Signature"), (13, "Timestamp"), (14, "Nonce"), (15, "Trust Anchor"), (16, "Certificate"),
        (17, "IP Address/Prefix Option"), (18, "New Router Prefix Information"), (19, "Link-layer Address"),
        (20, "Neighbor Advertisement Acknowledgment"), (23, "MAP"), (24, "Route Information"),
        (25, "Recursive DNS Server"), (26, "RA Flags Extension"), (27, "Handover Key Request"),
        (28, "Handover Key Reply"), (29, "Handover Assist Information"), (30, "Mobile Node Identifier Option"),
        (31, "DNS Search List Option"), (32, "Proxy Signature (PS)"), (33, "Address Registration Option"),
        (34, "6LoWPAN Context Option"), (35, "Authoritative Border Router"),
        (36, "6LoWPAN Capability Indication Option"), (37, "DHCP Captive-Portal"), (38, "PREF64 Option"),
        (138, "CARD Request"), (139, "CARD Reply"), (253, "RFC3692-style Experiment 1"),
        (254, "RFC3692-style Experiment 2"),
    ]
    static let infinity: [(UInt64, String)] = [(0xFFFF_FFFF, "Infinity")]
    static let prefixFlagBits = [optionPrefixFlagOnLink, optionPrefixFlagAutonomous, optionPrefixFlagRouter]
    static let flagsExpansionBits = [optionFlagsExpansionManaged, optionFlagsExpansionOther, optionFlagsExpansionHomeAgent]
    /// Prefix bytes sent for each PREF64 prefix length code (RFC 8781 §4).
    static let pref64PrefixBytes = [12, 8, 7, 6, 5, 4]
    static let pref64LengthCodes: [(UInt64, String)] = [
        (0, "96 bits prefix length"), (1, "64 bits prefix length"), (2, "56 bits prefix length"),
        (3, "48 bits prefix length"), (4, "40 bits prefix length"), (5, "32 bits prefix length"),
    ]

    static let optionFields: [FieldInfo] = [
        FieldInfo(option, "icmpv6.opt", "ICMPv6 Option", .none),
        FieldInfo(optionType, "icmpv6.opt.type", "Type", .uint8, values: optionNames),
        FieldInfo(optionLength, "icmpv6.opt.length", "Length", .uint8),
        FieldInfo(optionReserved, "icmpv6.opt.reserved", "Reserved", .none),
        FieldInfo(optionPadding, "icmpv6.opt.padding", "Padding", .none),
        // Wireshark registers these three twice (FT_ETHER for a 6-byte address, FT_BYTES for any
        // other length); one entry each here, the node's value says which.
        FieldInfo(optionLinkAddress, "icmpv6.opt.linkaddr", "Link-layer address", .ether),
        FieldInfo(optionSourceLinkAddress, "icmpv6.opt.src_linkaddr", "Source Link-layer address", .ether),
        FieldInfo(optionTargetLinkAddress, "icmpv6.opt.target_linkaddr", "Target Link-layer address", .ether),
        FieldInfo(optionPrefixLength, "icmpv6.opt.prefix.length", "Prefix Length", .uint8),
        FieldInfo(optionPrefixFlags, "icmpv6.opt.prefix.flag", "Flag", .uint8, base: .hex),
        FieldInfo(optionPrefixFlagOnLink, "icmpv6.opt.prefix.flag.l", "On-link flag(L)", .boolean, mask: 0x80,
                  trueFalse: setNotSet),
        FieldInfo(optionPrefixFlagAutonomous, "icmpv6.opt.prefix.flag.a", "Autonomous address-configuration flag(A)",
                  .boolean, mask: 0x40, trueFalse: setNotSet),
        FieldInfo(optionPrefixFlagRouter, "icmpv6.opt.prefix.flag.r", "Router address flag(R)", .boolean, mask: 0x20,
                  trueFalse: setNotSet),
        FieldInfo(optionPrefixFlagReserved, "icmpv6.opt.prefix.flag.reserved", "Reserved", .uint8, mask: 0x1F),
        FieldInfo(optionPrefixValidLifetime, "icmpv6.opt.prefix.valid_lifetime", "Valid Lifetime", .uint32,
                  values: infinity),
        FieldInfo(optionPrefixPreferredLifetime, "icmpv6.opt.prefix.preferred_lifetime", "Preferred Lifetime", .uint32,
                  values: infinity),
        FieldInfo(optionPrefix, "icmpv6.opt.prefix", "Prefix", .ipv6),
        FieldInfo(optionRedirectedPacket, "icmpv6.opt.redirected_packet", "Redirected Packet", .none),
        FieldInfo(optionMTU, "icmpv6.opt.mtu", "MTU", .uint32),
        FieldInfo(optionShortcutLimit, "icmpv6.opt.nbma.shortcut_limit", "Shortcut Limit", .uint8),
        FieldInfo(optionAdvertisementInterval, "icmpv6.opt.advertisement_interval", "Advertisement Interval", .uint32),
        FieldInfo(optionHomeAgentPreference, "icmpv6.opt.home_agent_preference", "Home Agent Preference", .uint16),
        // Wireshark's label for the lifetime repeats "Preference".
        FieldInfo(optionHomeAgentLifetime, "icmpv6.opt.home_agent_lifetime", "Home Agent Preference", .uint16),
        FieldInfo(optionIPv6Address, "icmpv6.opt.ipv6_address", "IPv6 Address", .ipv6),
        FieldInfo(optionNonce, "icmpv6.opt.nonce", "Nonce", .bytes),
        FieldInfo(optionRouteFlags, "icmpv6.opt.route_info.flag", "Flag", .uint8, base: .hex),
        FieldInfo(optionRoutePreference, "icmpv6.opt.route_info.flag.route_preference", "Route Preference", .uint8,
                  mask: 0x18, values: routerPreferenceNames),
        FieldInfo(optionRouteFlagReserved, "icmpv6.opt.route_info.flag.reserved", "Reserved", .uint8, mask: 0xE7),
        FieldInfo(optionRouteLifetime, "icmpv6.opt.route_lifetime", "Route Lifetime", .uint32, values: infinity),
        FieldInfo(optionRDNSSLifetime, "icmpv6.opt.rdnss.lifetime", "Lifetime", .uint32,
                  values: [(0, "RDNSS address MUST no longer be used"), (0xFFFF_FFFF, "Infinity")]),
        FieldInfo(optionRDNSS, "icmpv6.opt.rdnss", "Recursive DNS Servers", .ipv6),
        FieldInfo(optionFlagsExpansion, "icmpv6.opt.efo", "Flags Expansion Option", .uint16, base: .hex),
        FieldInfo(optionFlagsExpansionManaged, "icmpv6.opt.efo.m", "Managed address configuration", .boolean,
                  mask: 0x8000, trueFalse: setNotSet),
        FieldInfo(optionFlagsExpansionOther, "icmpv6.opt.efo.o", "Other configuration", .boolean, mask: 0x4000,
                  trueFalse: setNotSet),
        FieldInfo(optionFlagsExpansionHomeAgent, "icmpv6.opt.efo.h", "Home Agent", .boolean, mask: 0x2000,
                  trueFalse: setNotSet),
        FieldInfo(optionFlagsExpansionPreference, "icmpv6.opt.efo.prf", "Prf (Default Router Preference)", .uint16,
                  mask: 0x1800, values: routerPreferenceNames),
        FieldInfo(optionFlagsExpansionProxy, "icmpv6.opt.efo.p", "Proxy", .boolean, mask: 0x0400, trueFalse: setNotSet),
        FieldInfo(optionFlagsExpansionReserved, "icmpv6.opt.efo.rsv", "Reserved", .uint16, mask: 0x02FF),
        FieldInfo(optionDNSSLLifetime, "icmpv6.opt.dnssl.lifetime", "Lifetime", .uint32,
                  values: [(0, "DNSSL domain name MUST no longer be used"), (0xFFFF_FFFF, "Infinity")]),
        FieldInfo(optionDNSSL, "icmpv6.opt.dnssl", "Domain Names", .string),
        FieldInfo(optionCaptivePortal, "icmpv6.opt.captive_portal", "Captive Portal", .string),
        FieldInfo(optionPref64ScaledLifetime, "icmpv6.opt.pref64.scaled_lifetime", "Scaled Lifetime", .uint16,
                  mask: 0xFFF8),
        FieldInfo(optionPref64PLC, "icmpv6.opt.pref64.plc", "PLC (Prefix Length Code)", .uint16, base: .hex,
                  mask: 0x0007, values: pref64LengthCodes),
        FieldInfo(optionPref64Prefix, "icmpv6.opt.pref64.prefix", "Prefix", .ipv6),
    ]

    /// Options from `start` to the end of the message.
    static func decodeOptions(_ ctx: inout DecodeContext, at start: Int, limit: Int) throws(Cut) {
        var o = start
        while limit > o {
            let optionBytes = Int(try ctx.u8(o + 1, limit: limit)) * 8
            // Wireshark's option item claims all its bytes without checking them: clamp for the tree.
            let optionIndex = ctx.open(option, o, max(0, min(optionBytes, min(limit, ctx.capturedLength) - o)))
            let kind = UInt8(try ctx.addUInt(optionType, o, 1, limit: limit))
            let lengthIndex = ctx.add(optionLength, o + 1, 1, .unsigned(UInt64(optionBytes / 8)))
            if optionBytes == 0 {
                ctx.diagnose(lengthIndex, .error, .malformed, "Invalid option length (Zero)")
                ctx.close()
                return
            }
            let end = o + optionBytes
            guard let reached = try decodeOption(&ctx, kind: kind, at: o, bytes: optionBytes, optionIndex: optionIndex,
                                                 lengthIndex: lengthIndex, limit: limit) else {
                // A cut inside a redirected packet: Wireshark stops there.
                ctx.close()
                return
            }
            if end > reached {
                let index = try ctx.addBytes(unknownData, reached, end - reached, limit: limit)
                ctx.diagnose(index, .error, .malformed, "Unknown Data (not interpreted)")
            }
            ctx.close()
            o = end
        }
    }

    /// One option's fields after type and length; returns how far they reached (nil: a cut in a
    /// redirected packet ended the decoding).
    static func decodeOption(_ ctx: inout DecodeContext, kind: UInt8, at o: Int, bytes: Int, optionIndex: Int,
                             lengthIndex: Int, limit: Int) throws(Cut) -> Int? {
        let p = o + 2
        let end = o + bytes
        switch kind {
        case 1, 2:
            let shadow = kind == 1 ? optionSourceLinkAddress : optionTargetLinkAddress
            if bytes == 8 {
                let mac = try ctx.addMAC(optionLinkAddress, p, limit: limit)
                ctx.add(shadow, p, 6, .ether(mac), .hidden)
            } else if bytes == 16, try ctx.u32(p + 8, limit: limit) == 0, try ctx.u16(p + 12, limit: limit) == 0 {
                // An EUI-64: Wireshark shows it as FT_EUI64 (which tunnelscope has no type for);
                // for a source address it also adds the hidden byte-string forms.
                if kind == 1 {
                    try ctx.addBytes(optionLinkAddress, p, 8, limit: limit, .hidden)
                    try ctx.addBytes(shadow, p, 8, limit: limit, .hidden)
                }
                addNone(&ctx, optionPadding, p + 8, 6)
            } else {
                try ctx.addBytes(optionLinkAddress, p, bytes - 2, limit: limit)
                try ctx.addBytes(shadow, p, bytes - 2, limit: limit, .hidden)
            }
            return p + bytes
        case 3:
            try ctx.addUInt(optionPrefixLength, p, 1, limit: limit)
            try addFlagsByte(&ctx, optionPrefixFlags, prefixFlagBits, reserved: optionPrefixFlagReserved,
                             at: p + 1, limit: limit)
            try ctx.addUInt(optionPrefixValidLifetime, p + 2, 4, limit: limit)
            try ctx.addUInt(optionPrefixPreferredLifetime, p + 6, 4, limit: limit)
            addNone(&ctx, optionReserved, p + 10, 4)
            try ctx.addIPv6(optionPrefix, p + 14, limit: limit)
            return p + 30
        case 4:
            addNone(&ctx, optionReserved, p, 6)
            guard bytes > 8 else { return p + 6 }
            let start = p + 6
            let packetEnd = start + bytes - 8
            addNone(&ctx, optionRedirectedPacket, start, bytes - 8)
            if packetEnd > limit { throw .malformed }
            return try decodeQuote(&ctx, at: start, limit: packetEnd) ? packetEnd : nil
        case 5:
            addNone(&ctx, optionReserved, p, 2)
            try ctx.addUInt(optionMTU, p + 2, 4, limit: limit)
            return p + 6
        case 6:
            try ctx.addUInt(optionShortcutLimit, p, 1, limit: limit)
            addNone(&ctx, optionReserved, p, 1)
            addNone(&ctx, optionReserved, p + 1, 4)
            return p + 5
        case 7:
            addNone(&ctx, optionReserved, p, 2)
            try ctx.addUInt(optionAdvertisementInterval, p + 2, 4, limit: limit)
            return p + 6
        case 8:
            addNone(&ctx, optionReserved, p, 2)
            try ctx.addUInt(optionHomeAgentPreference, p + 2, 2, limit: limit)
            try ctx.addUInt(optionHomeAgentLifetime, p + 4, 2, limit: limit)
            return p + 6
        case 9, 10:
            addNone(&ctx, optionReserved, p, 6)
            var a = p + 6
            while a < end {
                try ctx.addIPv6(optionIPv6Address, a, limit: limit)
                a += 16
            }
            return a
        case 14:
            try ctx.addBytes(optionNonce, p, bytes - 2, limit: limit)
            return end
        case 24:
            try ctx.addUInt(optionPrefixLength, p, 1, limit: limit)
            let flags = try ctx.u8(p + 1, limit: limit)
            ctx.open(optionRouteFlags, p + 1, 1, .unsigned(UInt64(flags)))
            ctx.add(optionRoutePreference, p + 1, 1, .unsigned(UInt64((flags & 0x18) >> 3)))
            ctx.add(optionRouteFlagReserved, p + 1, 1, .unsigned(UInt64(flags & 0xE7)))
            ctx.close()
            try ctx.addUInt(optionRouteLifetime, p + 2, 4, limit: limit)
            switch bytes {
            case 8:
                return p + 6
            case 16:
                let prefix = try partialIPv6(&ctx, at: p + 6, count: 8, limit: limit)
                ctx.add(optionPrefix, p + 6, 8, .ipv6(prefix))
                return p + 14
            case 24:
                try ctx.addIPv6(optionPrefix, p + 6, limit: limit)
                return p + 22
            default:
                ctx.diagnose(lengthIndex, .error, .malformed, "Invalid Option Length")
                return p + 6
            }
        case 25:
            addNone(&ctx, optionReserved, p, 2)
            try ctx.addUInt(optionRDNSSLifetime, p + 2, 4, limit: limit)
            var a = p + 6
            while a < end {
                try ctx.addIPv6(optionRDNSS, a, limit: limit)
                a += 16
            }
            return a
        case 26:
            let flags = try ctx.u16(p, limit: limit)
            ctx.open(optionFlagsExpansion, p, 2, .unsigned(UInt64(flags)))
            for field in flagsExpansionBits {
                ctx.add(field, p, 2, .boolean(UInt64(flags) & ctx.mask(field) != 0))
            }
            ctx.add(optionFlagsExpansionPreference, p, 2, .unsigned(UInt64((flags & 0x1800) >> 11)))
            ctx.add(optionFlagsExpansionProxy, p, 2, .boolean(flags & 0x0400 != 0))
            ctx.add(optionFlagsExpansionReserved, p, 2, .unsigned(UInt64(flags & 0x02FF)))
            ctx.close()
            addNone(&ctx, optionReserved, p + 2, 4)
            return p + 6
        case 31:
            addNone(&ctx, optionReserved, p, 2)
            try ctx.addUInt(optionDNSSLLifetime, p + 2, 4, limit: limit)
            var a = p + 6
            while a < end {
                if try ctx.u8(a, limit: limit) == 0 {
                    addNone(&ctx, optionPadding, a, end - a)
                    return end
                }
                let (name, used) = try dnsName(&ctx, at: a, limit: limit)
                ctx.add(optionDNSSL, a, used, ctx.string(name))
                a += used
            }
            return a
        case 37:
            try ctx.check(p, bytes - 2, limit: limit)
            ctx.add(optionCaptivePortal, p, bytes - 2, ctx.string(asciiText(ctx, p, bytes - 2)))
            return end
        case 38:
            try ctx.addUInt(optionPref64ScaledLifetime, p, 2, limit: limit)
            let plc = try ctx.addUInt(optionPref64PLC, p, 2, limit: limit)
            if plc < 6 {
                let count = pref64PrefixBytes[Int(plc)]
                let prefix = try partialIPv6(&ctx, at: p + 2, count: count, limit: limit)
                ctx.add(optionPref64Prefix, p + 2, count, .ipv6(prefix))
            } else {
                ctx.diagnose(lengthIndex, .error, .malformed, "Invalid Option Length")
            }
            return p + 14
        default:
            if !optionNames.contains(where: { $0.0 == UInt64(kind) }) {
                ctx.diagnose(optionIndex, .note, .undecoded,
                             "Dissector for ICMPv6 Option (\(kind)) code not implemented, Contact Wireshark developers if you want this supported")
            }
            try ctx.addBytes(data, p, bytes - 2, limit: limit)
            return end
        }
    }

    /// An `FT_NONE` label over some bytes: Wireshark does not check them, so neither do we
    /// (the range is clamped to what was captured).
    static func addNone(_ ctx: inout DecodeContext, _ field: Field, _ offset: Int, _ length: Int) {
        let shown = max(0, min(length, ctx.capturedLength - offset))
        ctx.add(field, offset, shown, .none)
    }

    /// A flags byte with its boolean bits and a reserved remainder, as `proto_tree_add_bitmask`.
    static func addFlagsByte(_ ctx: inout DecodeContext, _ parent: Field, _ bits: [Field], reserved: Field,
                             at o: Int, limit: Int) throws(Cut) {
        let value = try ctx.u8(o, limit: limit)
        ctx.open(parent, o, 1, .unsigned(UInt64(value)))
        for field in bits { ctx.add(field, o, 1, .boolean(UInt64(value) & ctx.mask(field) != 0)) }
        let mask = ctx.mask(reserved)
        ctx.add(reserved, o, 1, .unsigned((UInt64(value) & mask) >> UInt64(mask.trailingZeroBitCount)))
        ctx.close()
    }

    /// The first `count` bytes of an IPv6 address, the rest zero (a prefix sent short).
    static func partialIPv6(_ ctx: inout DecodeContext, at o: Int, count: Int, limit: Int) throws(Cut) -> IPv6Address {
        try ctx.check(o, count, limit: limit)
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<16 {
            let b = i < count ? UInt64(ctx[o + i]) : 0
            if i < 8 { high = high << 8 | b } else { low = low << 8 | b }
        }
        return IPv6Address(high: high, low: low)
    }

    /// A DNS name in wire form (labels, a zero or a compression pointer ends it): its text and
    /// the bytes it used.
    static func dnsName(_ ctx: inout DecodeContext, at start: Int, limit: Int) throws(Cut) -> (String, Int) {
        var o = start
        var labels: [String] = []
        while true {
            let count = Int(try ctx.u8(o, limit: limit))
            if count == 0 {
                o += 1
                break
            }
            if count & 0xC0 == 0xC0 {
                _ = try ctx.u8(o + 1, limit: limit)
                o += 2
                break
            }
            try ctx.check(o + 1, count, limit: limit)
            labels.append(asciiText(ctx, o + 1, count))
            o += 1 + count
        }
        return (labels.isEmpty ? "<Root>" : labels.joined(separator: "."), o - start)
    }

    /// Printable ASCII of `count` bytes (others as `\xNN`), stopping at a NUL as C strings do.
    static func asciiText(_ ctx: borrowing DecodeContext, _ o: Int, _ count: Int) -> String {
        var text = ""
        for i in 0..<count {
            let b = ctx[o + i]
            if b == 0 { break }
            if b >= 0x20 && b < 0x7F { text.append(Character(Unicode.Scalar(b))) }
            else { text += "\\x" + hexString(UInt64(b), width: 2) }
        }
        return text
    }
}
