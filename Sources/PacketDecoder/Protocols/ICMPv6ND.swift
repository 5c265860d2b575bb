// Neighbour discovery (RFC 4861, RFC 4191, RFC 3122): router solicitation and advertisement,
// neighbour solicitation and advertisement, redirect, inverse discovery. Their options are in
// ICMPv6Options.swift.

extension ICMPv6Layer {
    public static let raCurHopLimit = Field(0x0B20)
    public static let raFlags = Field(0x0B21)
    public static let raFlagManaged = Field(0x0B22)
    public static let raFlagOther = Field(0x0B23)
    public static let raFlagHomeAgent = Field(0x0B24)
    public static let raFlagPreference = Field(0x0B25)
    public static let raFlagProxy = Field(0x0B26)
    public static let raFlagReserved = Field(0x0B27)
    public static let raRouterLifetime = Field(0x0B28)
    public static let raReachableTime = Field(0x0B29)
    public static let raRetransTimer = Field(0x0B2A)
    public static let nsTargetAddress = Field(0x0B2B)
    public static let naFlags = Field(0x0B2C)
    public static let naFlagRouter = Field(0x0B2D)
    public static let naFlagSolicited = Field(0x0B2E)
    public static let naFlagOverride = Field(0x0B2F)
    public static let naFlagReserved = Field(0x0B30)
    public static let naTargetAddress = Field(0x0B31)
    public static let redirectTargetAddress = Field(0x0B32)
    public static let redirectDestinationAddress = Field(0x0B33)

    static let routerPreferenceNames: [(UInt64, String)] = [(0, "Medium"), (1, "High"), (2, "Reserved"), (3, "Low")]
    static let setNotSet = ("Set", "Not set")
    // Flag lists kept static so decoding a message allocates nothing for them.
    static let raFlagBits = [raFlagManaged, raFlagOther, raFlagHomeAgent]
    static let naFlagBits = [naFlagRouter, naFlagSolicited, naFlagOverride]

    static let ndFields: [FieldInfo] = [
        FieldInfo(raCurHopLimit, "icmpv6.nd.ra.cur_hop_limit", "Cur hop limit", .uint8),
        FieldInfo(raFlags, "icmpv6.nd.ra.flag", "Flags", .uint8, base: .hex),
        FieldInfo(raFlagManaged, "icmpv6.nd.ra.flag.m", "Managed address configuration", .boolean, mask: 0x80,
                  trueFalse: setNotSet),
        FieldInfo(raFlagOther, "icmpv6.nd.ra.flag.o", "Other configuration", .boolean, mask: 0x40, trueFalse: setNotSet),
        FieldInfo(raFlagHomeAgent, "icmpv6.nd.ra.flag.h", "Home Agent", .boolean, mask: 0x20, trueFalse: setNotSet),
        FieldInfo(raFlagPreference, "icmpv6.nd.ra.flag.prf", "Prf (Default Router Preference)", .uint8, mask: 0x18,
                  values: routerPreferenceNames),
        FieldInfo(raFlagProxy, "icmpv6.nd.ra.flag.p", "Proxy", .boolean, mask: 0x04, trueFalse: setNotSet),
        FieldInfo(raFlagReserved, "icmpv6.nd.ra.flag.rsv", "Reserved", .uint8, mask: 0x02),
        FieldInfo(raRouterLifetime, "icmpv6.nd.ra.router_lifetime", "Router lifetime (s)", .uint16),
        FieldInfo(raReachableTime, "icmpv6.nd.ra.reachable_time", "Reachable time (ms)", .uint32),
        FieldInfo(raRetransTimer, "icmpv6.nd.ra.retrans_timer", "Retrans timer (ms)", .uint32),
        FieldInfo(nsTargetAddress, "icmpv6.nd.ns.target_address", "Target Address", .ipv6),
        FieldInfo(naFlags, "icmpv6.nd.na.flag", "Flags", .uint32, base: .hex),
        FieldInfo(naFlagRouter, "icmpv6.nd.na.flag.r", "Router", .boolean, mask: 0x8000_0000, trueFalse: setNotSet),
        FieldInfo(naFlagSolicited, "icmpv6.nd.na.flag.s", "Solicited", .boolean, mask: 0x4000_0000, trueFalse: setNotSet),
        FieldInfo(naFlagOverride, "icmpv6.nd.na.flag.o", "Override", .boolean, mask: 0x2000_0000, trueFalse: setNotSet),
        FieldInfo(naFlagReserved, "icmpv6.nd.na.flag.rsv", "Reserved", .uint32, mask: 0x1FFF_FFFF),
        FieldInfo(naTargetAddress, "icmpv6.nd.na.target_address", "Target Address", .ipv6),
        FieldInfo(redirectTargetAddress, "icmpv6.nd.rd.target_address", "Target Address", .ipv6),
        // Wireshark's abbreviation, odd as it is.
        FieldInfo(redirectDestinationAddress, "icmpv6.rd.na.destination_address", "Destination Address", .ipv6),
    ]

    /// The fixed part of an ND message at `body` (after the checksum), then its options.
    static func decodeND(_ ctx: inout DecodeContext, kind: UInt8, at body: Int, limit: Int) throws(Cut) {
        var o = body
        switch kind {
        case 134:
            try ctx.addUInt(raCurHopLimit, o, 1, limit: limit)
            let flags = try ctx.u8(o + 1, limit: limit)
            ctx.open(raFlags, o + 1, 1, .unsigned(UInt64(flags)))
            for field in raFlagBits { try ctx.addFlag(field, o + 1, 1, limit: limit) }
            try ctx.addUInt(raFlagPreference, o + 1, 1, limit: limit)
            try ctx.addFlag(raFlagProxy, o + 1, 1, limit: limit)
            try ctx.addUInt(raFlagReserved, o + 1, 1, limit: limit)
            ctx.close()
            try ctx.addUInt(raRouterLifetime, o + 2, 2, limit: limit)
            try ctx.addUInt(raReachableTime, o + 4, 4, limit: limit)
            try ctx.addUInt(raRetransTimer, o + 8, 4, limit: limit)
            o += 12
        case 135:
            try ctx.addBytes(reserved, o, 4, limit: limit)
            try ctx.addIPv6(nsTargetAddress, o + 4, limit: limit)
            o += 20
        case 136:
            let flags = try ctx.u32(o, limit: limit)
            ctx.open(naFlags, o, 4, .unsigned(UInt64(flags)))
            for field in naFlagBits { try ctx.addFlag(field, o, 4, limit: limit) }
            try ctx.addUInt(naFlagReserved, o, 4, limit: limit)
            ctx.close()
            try ctx.addIPv6(naTargetAddress, o + 4, limit: limit)
            o += 20
        case 137:
            try ctx.addBytes(reserved, o, 4, limit: limit)
            try ctx.addIPv6(redirectTargetAddress, o + 4, limit: limit)
            try ctx.addIPv6(redirectDestinationAddress, o + 20, limit: limit)
            o += 36
        default:
            // Router solicitation (133) and inverse discovery (141, 142): a reserved word.
            try ctx.addBytes(reserved, o, 4, limit: limit)
            o += 4
        }
        try decodeOptions(&ctx, at: o, limit: limit)
    }
}
