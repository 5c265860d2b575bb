// The rarer ICMPv6 messages: node information (RFC 4620), mobile IPv6 (RFC 6275: home agent
// discovery, mobile prefix), SEND certification paths (RFC 3971), multicast router discovery
// (RFC 4286) and extended echo (RFC 8335). Messages Wireshark knows but tunnelscope does not
// take apart (router renumbering, FMIPv6, RPL, ILNP, 6LoWPAN, MPL) are shown as data.

extension ICMPv6Layer {
    public static let niQtype = Field(0x0BA0)
    public static let niFlags = Field(0x0BA1)
    public static let niFlagGlobal = Field(0x0BA2)
    public static let niFlagSiteLocal = Field(0x0BA3)
    public static let niFlagLinkLocal = Field(0x0BA4)
    public static let niFlagCompression = Field(0x0BA5)
    public static let niFlagAll = Field(0x0BA6)
    public static let niFlagTruncated = Field(0x0BA7)
    public static let niFlagReserved = Field(0x0BA8)
    public static let niNonce = Field(0x0BA9)
    public static let niSubjectIPv6 = Field(0x0BAA)
    public static let niSubjectFQDN = Field(0x0BAB)
    public static let niSubjectIPv4 = Field(0x0BAC)
    public static let niNodeTTL = Field(0x0BAD)
    public static let niNodeName = Field(0x0BAE)
    public static let niNodeAddress = Field(0x0BAF)
    public static let niIPv4Address = Field(0x0BB0)
    public static let mip6Identifier = Field(0x0BB1)
    public static let mip6HomeAgentAddress = Field(0x0BB2)
    public static let mip6Flags = Field(0x0BB3)
    public static let mip6FlagManaged = Field(0x0BB4)
    public static let mip6FlagOther = Field(0x0BB5)
    public static let mip6FlagReserved = Field(0x0BB6)
    public static let sendIdentifier = Field(0x0BB7)
    public static let sendAllComponents = Field(0x0BB8)
    public static let sendComponent = Field(0x0BB9)
    public static let mcastQueryInterval = Field(0x0BBA)
    public static let mcastRobustnessVariable = Field(0x0BBB)
    public static let extEchoSequence = Field(0x0BBC)
    public static let extEchoRequestReserved = Field(0x0BBD)
    public static let extEchoRequestLocal = Field(0x0BBE)
    public static let extEchoReplyState = Field(0x0BBF)
    public static let extEchoReplyReserved = Field(0x0BC0)
    public static let extEchoReplyActive = Field(0x0BC1)
    public static let extEchoReplyIPv4 = Field(0x0BC2)
    public static let extEchoReplyIPv6 = Field(0x0BC3)

    static let niQtypeNames: [(UInt64, String)] = [
        (0, "NOOP"), (1, "Supported query types (Obsolete)"), (2, "Node Name"), (3, "Node addresses"),
        (4, "IPv4 node addresses"),
    ]

    static let otherFields: [FieldInfo] = [
        FieldInfo(niQtype, "icmpv6.ni.qtype", "Qtype", .uint16, values: niQtypeNames),
        FieldInfo(niFlags, "icmpv6.ni.flag", "Flags", .uint16, base: .hex),
        FieldInfo(niFlagGlobal, "icmpv6.ni.flag.g", "Global-scope addresses", .boolean, mask: 0x0020, trueFalse: setNotSet),
        FieldInfo(niFlagSiteLocal, "icmpv6.ni.flag.s", "Site-local addresses", .boolean, mask: 0x0010, trueFalse: setNotSet),
        FieldInfo(niFlagLinkLocal, "icmpv6.ni.flag.l", "Link-local addresses", .boolean, mask: 0x0008, trueFalse: setNotSet),
        FieldInfo(niFlagCompression, "icmpv6.ni.flag.c", "Compression", .boolean, mask: 0x0004, trueFalse: setNotSet),
        FieldInfo(niFlagAll, "icmpv6.ni.flag.a", "Unicast Addresses", .boolean, mask: 0x0002,
                  trueFalse: ("All unicast address", "Unicast addresses on the queried interface")),
        FieldInfo(niFlagTruncated, "icmpv6.ni.flag.t", "Truncated", .boolean, mask: 0x0001, trueFalse: setNotSet),
        FieldInfo(niFlagReserved, "icmpv6.ni.flag.rsv", "Reserved", .uint16, base: .hex, mask: 0xFFC0),
        FieldInfo(niNonce, "icmpv6.ni.nonce", "Nonce", .uint64, base: .hex),
        FieldInfo(niSubjectIPv6, "icmpv6.ni.query.subject_ipv6", "IPv6 subject address", .ipv6),
        FieldInfo(niSubjectFQDN, "icmpv6.ni.query.subject_fqdn", "FQDN subject", .string),
        FieldInfo(niSubjectIPv4, "icmpv6.ni.query.subject_ipv4", "IPv4 subject address", .ipv4),
        FieldInfo(niNodeTTL, "icmpv6.ni.reply.node_ttl", "TTL", .uint32),
        FieldInfo(niNodeName, "icmpv6.ni.reply.node_name", "Name Node", .string),
        FieldInfo(niNodeAddress, "icmpv6.ni.reply.node_address", "IPv6 Node address", .ipv6),
        FieldInfo(niIPv4Address, "icmpv6.ni.reply.ipv4_address", "IPv4 Node address", .ipv4),
        FieldInfo(mip6Identifier, "icmpv6.mip6.identifier", "Identifier", .uint16, base: .decHex),
        FieldInfo(mip6HomeAgentAddress, "icmpv6.mip6.home_agent_address", "Home Agent Address", .ipv6),
        FieldInfo(mip6Flags, "icmpv6.mip6.flag", "Flags", .uint16, base: .hex),
        FieldInfo(mip6FlagManaged, "icmpv6.mip6.flag.m", "Managed address configuration", .boolean, mask: 0x8000,
                  trueFalse: setNotSet),
        FieldInfo(mip6FlagOther, "icmpv6.mip6.flag.o", "Other configuration", .boolean, mask: 0x4000, trueFalse: setNotSet),
        FieldInfo(mip6FlagReserved, "icmpv6.mip6.flag.rsv", "Reserved", .uint16, mask: 0x3FFF),
        FieldInfo(sendIdentifier, "icmpv6.send.identifier", "Identifier", .uint16),
        FieldInfo(sendAllComponents, "icmpv6.send.all_components", "All Components", .uint16),
        FieldInfo(sendComponent, "icmpv6.send.component", "Component", .uint16),
        FieldInfo(mcastQueryInterval, "icmpv6.mcast_ra.query_interval", "Query Interval", .uint16),
        FieldInfo(mcastRobustnessVariable, "icmpv6.mcast_ra.robustness_variable", "Robustness Variable", .uint16),
        FieldInfo(extEchoSequence, "icmpv6.ext.echo.seq", "Sequence number", .uint8, base: .decHex),
        FieldInfo(extEchoRequestReserved, "icmpv6.ext.echo.req.res", "Reserved", .uint8, base: .hex, mask: 0xFE),
        FieldInfo(extEchoRequestLocal, "icmpv6.ext.echo.req.local", "Local bit", .boolean, mask: 0x01, trueFalse: setNotSet),
        FieldInfo(extEchoReplyState, "icmpv6.ext.echo.rsp.state", "State", .uint8, mask: 0xE0,
                  values: ICMPv4Layer.extEchoStates),
        FieldInfo(extEchoReplyReserved, "icmpv6.ext.echo.rsp.res", "Reserved", .uint8, base: .hex, mask: 0x18),
        FieldInfo(extEchoReplyActive, "icmpv6.ext.echo.rsp.active", "Active bit", .boolean, mask: 0x04, trueFalse: setNotSet),
        FieldInfo(extEchoReplyIPv4, "icmpv6.ext.echo.rsp.ipv4", "IPv4 bit", .boolean, mask: 0x02, trueFalse: setNotSet),
        FieldInfo(extEchoReplyIPv6, "icmpv6.ext.echo.rsp.ipv6", "IPv6 bit", .boolean, mask: 0x01, trueFalse: setNotSet),
    ]

    static let niFlagBits = [niFlagGlobal, niFlagSiteLocal, niFlagLinkLocal, niFlagCompression, niFlagAll, niFlagTruncated]

    /// Types Wireshark decodes in detail that tunnelscope shows as data.
    static let shownAsData: Set<UInt8> = [138, 150, 154, 155, 156, 157, 158, 159]

    static func decodeOther(_ ctx: inout DecodeContext, kind: UInt8, code: UInt8, at body: Int, message: Int,
                            limit: Int) throws(Cut) {
        switch kind {
        case 139, 140:
            try decodeNodeInformation(&ctx, query: kind == 139, code: code, at: body, limit: limit)
        case 144, 146:
            try ctx.addUInt(mip6Identifier, body, 2, limit: limit)
            try ctx.addBytes(reserved, body + 2, 2, limit: limit)
        case 145:
            try ctx.addUInt(mip6Identifier, body, 2, limit: limit)
            try ctx.addBytes(reserved, body + 2, 2, limit: limit)
            // Wireshark lists addresses while captured bytes remain.
            var a = body + 4
            while min(limit, ctx.capturedLength) > a {
                try ctx.addIPv6(mip6HomeAgentAddress, a, limit: limit)
                a += 16
            }
        case 147:
            try ctx.addUInt(mip6Identifier, body, 2, limit: limit)
            let flags = try ctx.u16(body + 2, limit: limit)
            ctx.open(mip6Flags, body + 2, 2, .unsigned(UInt64(flags)))
            ctx.add(mip6FlagManaged, body + 2, 2, .boolean(flags & 0x8000 != 0))
            ctx.add(mip6FlagOther, body + 2, 2, .boolean(flags & 0x4000 != 0))
            ctx.add(mip6FlagReserved, body + 2, 2, .unsigned(UInt64(flags & 0x3FFF)))
            ctx.close()
            try decodeOptions(&ctx, at: body + 4, limit: limit)
        case 148:
            try ctx.addUInt(sendIdentifier, body, 2, limit: limit)
            try ctx.addUInt(sendComponent, body + 2, 2, limit: limit)
            try decodeOptions(&ctx, at: body + 4, limit: limit)
        case 149:
            try ctx.addUInt(sendIdentifier, body, 2, limit: limit)
            try ctx.addUInt(sendAllComponents, body + 2, 2, limit: limit)
            try ctx.addUInt(sendComponent, body + 4, 2, limit: limit)
            try ctx.addBytes(reserved, body + 6, 2, limit: limit)
            try decodeOptions(&ctx, at: body + 8, limit: limit)
        case 151:
            try ctx.addUInt(mcastQueryInterval, body, 2, limit: limit)
            try ctx.addUInt(mcastRobustnessVariable, body + 2, 2, limit: limit)
        case 152, 153:
            break
        case 160:
            try ctx.addUInt(echoIdentifier, body, 2, limit: limit)
            try ctx.addUInt(extEchoSequence, body + 2, 1, limit: limit)
            try ctx.addUInt(extEchoRequestReserved, body + 3, 1, limit: limit)
            try ctx.addFlag(extEchoRequestLocal, body + 3, 1, limit: limit)
            try ctx.check(body + 4, 0, limit: limit)
            try ICMPExtension.decode(&ctx, at: body + 4, limit: limit, asLayer: true)
        case 161:
            try ctx.addUInt(echoIdentifier, body, 2, limit: limit)
            try ctx.addUInt(extEchoSequence, body + 2, 1, limit: limit)
            try ctx.addUInt(extEchoReplyState, body + 3, 1, limit: limit)
            try ctx.addUInt(extEchoReplyReserved, body + 3, 1, limit: limit)
            try ctx.addFlag(extEchoReplyActive, body + 3, 1, limit: limit)
            try ctx.addFlag(extEchoReplyIPv4, body + 3, 1, limit: limit)
            try ctx.addFlag(extEchoReplyIPv6, body + 3, 1, limit: limit)
        default:
            if !shownAsData.contains(kind) {
                ctx.diagnose(ctx.currentLayerIndex ?? 0, .note, .undecoded,
                             "Dissector for ICMPv6 Type (\(kind)) code not implemented, Contact Wireshark developers if you want this supported")
            }
            // The rest, as far as it was captured (Wireshark's length -1 does not throw).
            let end = min(limit, ctx.capturedLength)
            try ctx.check(body, 0, limit: limit)
            if end > body { ctx.add(data, body, end - body, .bytes) }
        }
    }

    /// Node information query and reply (RFC 4620).
    static func decodeNodeInformation(_ ctx: inout DecodeContext, query: Bool, code: UInt8, at body: Int,
                                      limit: Int) throws(Cut) {
        let qtype = try ctx.addUInt(niQtype, body, 2, limit: limit)
        let flags = try ctx.u16(body + 2, limit: limit)
        ctx.open(niFlags, body + 2, 2, .unsigned(UInt64(flags)))
        for field in niFlagBits {
            ctx.add(field, body + 2, 2, .boolean(UInt64(flags) & ctx.mask(field) != 0))
        }
        ctx.add(niFlagReserved, body + 2, 2, .unsigned(UInt64(flags & 0xFFC0) >> 6))
        ctx.close()
        try ctx.addUInt(niNonce, body + 4, 8, limit: limit)
        var o = body + 12
        guard limit > o else { return }
        if query {
            switch code {
            case 0:
                try ctx.addIPv6(niSubjectIPv6, o, limit: limit)
            case 1:
                let (name, used) = try dnsName(&ctx, at: o, limit: limit)
                ctx.add(niSubjectFQDN, o, used, ctx.string(name))
            case 2:
                try ctx.addIPv4(niSubjectIPv4, o, limit: limit)
            default:
                break
            }
            return
        }
        switch qtype {
        case 2:
            try ctx.addUInt(niNodeTTL, o, 4, limit: limit)
            o += 4
            while o < limit {
                if try ctx.u8(o, limit: limit) == 0 { break }
                let (name, used) = try dnsName(&ctx, at: o, limit: limit)
                ctx.add(niNodeName, o, used, ctx.string(name))
                o += used
            }
        case 3:
            while o < limit {
                try ctx.addUInt(niNodeTTL, o, 4, limit: limit)
                try ctx.addIPv6(niNodeAddress, o + 4, limit: limit)
                o += 20
            }
        case 4:
            while o < limit {
                try ctx.addUInt(niNodeTTL, o, 4, limit: limit)
                try ctx.addIPv4(niIPv4Address, o + 4, limit: limit)
                o += 8
            }
        default:
            break
        }
    }
}
