// IPv6 hop-by-hop and destination options headers (RFC 8200 §4.3, §4.6) and the options they carry.

public enum IPv6OptionsLayer {
    public static let hopByHop = Field(0x0900)
    public static let hopByHopNext = Field(0x0901)
    public static let hopByHopLength = Field(0x0902)
    public static let hopByHopLengthBytes = Field(0x0903)
    public static let destination = Field(0x0908)
    public static let destinationNext = Field(0x0909)
    public static let destinationLength = Field(0x090A)
    public static let destinationLengthBytes = Field(0x090B)

    public static let option = Field(0x0980)
    public static let optionType = Field(0x0981)
    public static let optionAction = Field(0x0982)
    public static let optionChange = Field(0x0983)
    public static let optionRest = Field(0x0984)
    public static let optionLength = Field(0x0985)
    public static let pad1 = Field(0x0986)
    public static let padN = Field(0x0987)
    public static let pmtuMinimum = Field(0x0988)
    public static let pmtuReturn = Field(0x0989)
    public static let pmtuReturnFlag = Field(0x098A)
    public static let routerAlert = Field(0x098B)
    public static let tunnelEncapsulationLimit = Field(0x098C)
    public static let jumbo = Field(0x098D)
    public static let calipsoDOI = Field(0x098E)
    public static let calipsoCompartmentLength = Field(0x098F)
    public static let calipsoSensitivity = Field(0x0990)
    public static let calipsoChecksum = Field(0x0991)
    public static let calipsoBitmap = Field(0x0992)
    public static let smfHashBit = Field(0x0993)
    public static let smfTaggerType = Field(0x0994)
    public static let smfTaggerLength = Field(0x0995)
    public static let smfTagger = Field(0x0996)
    public static let smfIdentifier = Field(0x0997)
    public static let smfHashAssist = Field(0x0998)
    public static let pdmScaleReceived = Field(0x0999)
    public static let pdmScaleSent = Field(0x099A)
    public static let pdmSequenceThis = Field(0x099B)
    public static let pdmSequenceLast = Field(0x099C)
    public static let pdmDeltaReceived = Field(0x099D)
    public static let pdmDeltaSent = Field(0x099E)
    public static let quickStartFunction = Field(0x099F)
    public static let quickStartRate = Field(0x09A0)
    public static let quickStartTTL = Field(0x09A1)
    public static let quickStartTTLDifference = Field(0x09A2)
    public static let quickStartUnused = Field(0x09A3)
    public static let quickStartNonce = Field(0x09A4)
    public static let quickStartReserved = Field(0x09A5)
    public static let ioamReserved = Field(0x09A6)
    public static let ioamType = Field(0x09A7)
    public static let tpfInformation = Field(0x09A8)
    public static let homeAddress = Field(0x09A9)
    public static let rplFlags = Field(0x09AA)
    public static let rplDown = Field(0x09AB)
    public static let rplRankError = Field(0x09AC)
    public static let rplForwardingError = Field(0x09AD)
    public static let rplReserved = Field(0x09AE)
    public static let rplInstance = Field(0x09AF)
    public static let rplSenderRank = Field(0x09B0)
    public static let ilnpNonce = Field(0x09B1)
    public static let lineIDLength = Field(0x09B2)
    public static let lineID = Field(0x09B3)
    public static let mplFlags = Field(0x09B4)
    public static let mplSeedLength = Field(0x09B5)
    public static let mplLargest = Field(0x09B6)
    public static let mplVersion = Field(0x09B7)
    public static let mplReserved = Field(0x09B8)
    public static let mplSequence = Field(0x09B9)
    public static let mplSeed = Field(0x09BA)
    public static let dffFlags = Field(0x09BB)
    public static let dffVersion = Field(0x09BC)
    public static let dffDuplicate = Field(0x09BD)
    public static let dffReturn = Field(0x09BE)
    public static let dffReserved = Field(0x09BF)
    public static let dffSequence = Field(0x09C0)
    public static let experimental = Field(0x09C1)
    public static let unknownData = Field(0x09C2)
    public static let unknownPayload = Field(0x09C3)

    /// Option types (IANA "Destination Options and Hop-by-Hop Options").
    enum Kind {
        static let pad1: UInt8 = 0x00, padN: UInt8 = 0x01, tunnelLimit: UInt8 = 0x04, routerAlert: UInt8 = 0x05
        static let calipso: UInt8 = 0x07, smfDPD: UInt8 = 0x08, pdm: UInt8 = 0x0F, quickStart: UInt8 = 0x26
        static let pmtu: UInt8 = 0x30, ioam: UInt8 = 0x31, tpf: UInt8 = 0x41, rpl: UInt8 = 0x63, mpl: UInt8 = 0x6D
        static let endpointID: UInt8 = 0x8A, ilnpNonce: UInt8 = 0x8B, lineID: UInt8 = 0x8C, jumbo: UInt8 = 0xC2
        static let homeAddress: UInt8 = 0xC9, dff: UInt8 = 0xEE
        static let experimental: Set<UInt8> = [0x1E, 0x3E, 0x5E, 0x7E, 0x9E, 0xBE, 0xDE, 0xFE]
    }

    static let optionNames: [(UInt64, String)] = [
        (0x00, "Pad1"), (0x01, "PadN"), (0x04, "Tunnel Encapsulation Limit"), (0x05, "Router Alert"), (0x07, "CALIPSO"),
        (0x08, "SMF_DPD"), (0x0F, "Performance and Diagnostic Metrics"), (0x1E, "Experimental (0x1E)"),
        (0x26, "Quick-Start"), (0x30, "Path MTU Option"), (0x31, "IOAM Option"), (0x3E, "Experimental (0x3E)"),
        (0x41, "Tunnel Payload Forwarding (TPF) Information"), (0x5E, "Experimental (0x5E)"), (0x63, "RPL Option"),
        (0x6D, "MPL Option"), (0x7E, "Experimental (0x7E)"), (0x8A, "Endpoint Identification"), (0x8B, "ILNP Nonce"),
        (0x8C, "Line-Identification Option"), (0x9E, "Experimental (0x9E)"), (0xBE, "Experimental (0xBE)"),
        (0xC2, "Jumbo Payload"), (0xC9, "Home Address"), (0xDE, "Experimental (0xDE)"), (0xEE, "IP_DFF"),
        (0xFE, "Experimental (0xFE)"),
    ]
    static let actionNames: [(UInt64, String)] = [
        (0, "Skip and continue"), (1, "Discard"), (2, "Discard and send ICMP Parameter Problem"),
        (3, "Discard and send ICMP if not multicast"),
    ]
    static let quickStartRateNames: [(UInt64, String)] = [
        (0, "0 bit/s"), (1, "80 Kbit/s"), (2, "160 Kbit/s"), (3, "320 Kbit/s"), (4, "640 Kbit/s"), (5, "1.28 Mbit/s"),
        (6, "2.56 Mbit/s"), (7, "5.12 Mbit/s"), (8, "10.24 Mbit/s"), (9, "20.48 Mbit/s"), (10, "40.96 Mbit/s"),
        (11, "81.92 Mbit/s"), (12, "163.84 Mbit/s"), (13, "327.68 Mbit/s"), (14, "655.36 Mbit/s"), (15, "1.31072 Gbit/s"),
    ]

    static let fields: [FieldInfo] = [
        FieldInfo(hopByHop, "ipv6.hopopts", "IPv6 Hop-by-Hop Option", .protocolLayer, short: "IPv6 Hop-by-Hop"),
        FieldInfo(hopByHopNext, "ipv6.hopopts.nxt", "Next Header", .uint8, values: IPProtocol.names),
        FieldInfo(hopByHopLength, "ipv6.hopopts.len", "Length", .uint8,
                  blurb: "Extension header length in 8-octet words (minus 1)"),
        FieldInfo(hopByHopLengthBytes, "ipv6.hopopts.len_oct", "Length", .uint16, blurb: "Extension header length in octets"),
        FieldInfo(destination, "ipv6.dstopts", "Destination Options for IPv6", .protocolLayer, short: "IPv6 Destination"),
        FieldInfo(destinationNext, "ipv6.dstopts.nxt", "Next Header", .uint8, values: IPProtocol.names),
        FieldInfo(destinationLength, "ipv6.dstopts.len", "Length", .uint8,
                  blurb: "Extension header length in 8-octet words (minus 1)"),
        FieldInfo(destinationLengthBytes, "ipv6.dstopts.len_oct", "Length", .uint16, blurb: "Extension header length in octets"),

        FieldInfo(option, "ipv6.opt", "IPv6 Option", .none, blurb: "Option"),
        FieldInfo(optionType, "ipv6.opt.type", "Type", .uint8, base: .hex, values: optionNames, blurb: "Option type"),
        FieldInfo(optionAction, "ipv6.opt.type.action", "Action", .uint8, mask: 0xC0, values: actionNames,
                  blurb: "Action for unrecognized option type"),
        FieldInfo(optionChange, "ipv6.opt.type.change", "May Change", .boolean, mask: 0x20, trueFalse: ("Yes", "No"),
                  blurb: "Whether the option data may change en-route"),
        FieldInfo(optionRest, "ipv6.opt.type.rest", "Low-Order Bits", .uint8, base: .hex, mask: 0x1F,
                  blurb: "Remaining low-order bits"),
        FieldInfo(optionLength, "ipv6.opt.length", "Length", .uint8, blurb: "Option length in octets"),
        FieldInfo(pad1, "ipv6.opt.pad1", "Pad1", .none, blurb: "Pad1 Option"),
        FieldInfo(padN, "ipv6.opt.padn", "PadN", .bytes, blurb: "PadN Option"),
        FieldInfo(pmtuMinimum, "ipv6.opt.pmtu.min", "Minimum Reported PMTU", .uint16),
        FieldInfo(pmtuReturn, "ipv6.opt.pmtu.rtn", "Return Minimum PMTU", .uint16),
        FieldInfo(pmtuReturnFlag, "ipv6.opt.pmtu.r_flag", "Return Flag", .boolean),
        FieldInfo(routerAlert, "ipv6.opt.router_alert", "Router Alert", .uint16,
                  values: [(0, "MLD"), (1, "RSVP"), (2, "Active Network")], blurb: "Router Alert Option"),
        FieldInfo(tunnelEncapsulationLimit, "ipv6.opt.tel", "Tunnel Encapsulation Limit", .uint8),
        FieldInfo(jumbo, "ipv6.opt.jumbo", "Payload Length", .uint32, blurb: "IPv6 (Jumbo) Payload Length"),
        FieldInfo(calipsoDOI, "ipv6.opt.calipso.doi", "CALIPSO Domain of Interpretation", .uint32),
        FieldInfo(calipsoCompartmentLength, "ipv6.opt.calipso.cmpt.length", "Compartment Length", .uint8),
        FieldInfo(calipsoSensitivity, "ipv6.opt.calipso.sens_level", "Sensitivity Level", .uint8),
        FieldInfo(calipsoChecksum, "ipv6.opt.calipso.checksum", "Checksum", .uint16, base: .hex),
        FieldInfo(calipsoBitmap, "ipv6.opt.calipso.cmpt_bitmap", "Compartment Bitmap", .bytes),
        FieldInfo(smfHashBit, "ipv6.opt.smf_dpd.hash_bit", "H-bit", .boolean, mask: 0x80, blurb: "Hash indicator"),
        FieldInfo(smfTaggerType, "ipv6.opt.smf_dpd.tid_type", "TaggerID Type", .uint8, mask: 0x70,
                  values: [(0, "NULL"), (1, "DEFAULT"), (2, "IPv4"), (3, "IPv6")]),
        FieldInfo(smfTaggerLength, "ipv6.opt.smf_dpd.tid_len", "TaggerID Length", .uint8, mask: 0x0F),
        FieldInfo(smfTagger, "ipv6.opt.smf_dpd.tagger_id", "TaggerID", .bytes),
        FieldInfo(smfIdentifier, "ipv6.opt.smf_dpd.ident", "Identifier", .bytes),
        FieldInfo(smfHashAssist, "ipv6.opt.smf_dpd.hav", "Hash Assist Value", .bytes),
        FieldInfo(pdmScaleReceived, "ipv6.opt.pdm.scale_dtlr", "Scale DTLR", .uint8),
        FieldInfo(pdmScaleSent, "ipv6.opt.pdm.scale_dtls", "Scale DTLS", .uint8),
        FieldInfo(pdmSequenceThis, "ipv6.opt.pdm.psn_this_pkt", "PSN This Packet", .uint16),
        FieldInfo(pdmSequenceLast, "ipv6.opt.pdm.psn_last_recv", "PSN Last Received", .uint16),
        FieldInfo(pdmDeltaReceived, "ipv6.opt.pdm.delta_last_recv", "Delta Time Last Received", .uint16),
        FieldInfo(pdmDeltaSent, "ipv6.opt.pdm.delta_last_sent", "Delta Time Last Sent", .uint16),
        FieldInfo(quickStartFunction, "ipv6.opt.qs_func", "Function", .uint8, mask: 0xF0,
                  values: [(0, "Rate request"), (8, "Rate report")]),
        FieldInfo(quickStartRate, "ipv6.opt.qs_rate", "Rate", .uint8, mask: 0x0F, values: quickStartRateNames),
        FieldInfo(quickStartTTL, "ipv6.opt.qs_ttl", "QS TTL", .uint8),
        FieldInfo(quickStartTTLDifference, "ipv6.opt.qs_ttl_diff", "TTL Diff", .uint8),
        FieldInfo(quickStartUnused, "ipv6.opt.qs_unused", "Not Used", .uint8),
        FieldInfo(quickStartNonce, "ipv6.opt.qs_nonce", "QS Nonce", .uint32, base: .hex, mask: 0xFFFF_FFFC),
        FieldInfo(quickStartReserved, "ipv6.opt.qs_reserved", "Reserved", .uint32, base: .hex, mask: 0x3),
        FieldInfo(ioamReserved, "ipv6.opt.ioam.rsv", "Reserved", .uint8),
        FieldInfo(ioamType, "ipv6.opt.ioam.opt_type", "Option-Type", .uint8,
                  values: [(0, "Pre-allocated Trace"), (1, "Incremental Trace"), (2, "Proof of Transit"), (3, "Edge to Edge")]),
        FieldInfo(tpfInformation, "ipv6.opt.tpf_information", "TPF Information", .uint32, base: .hex),
        FieldInfo(homeAddress, "ipv6.opt.mipv6.home_address", "MIPv6 Home Address", .ipv6),
        FieldInfo(rplFlags, "ipv6.opt.rpl.flag", "Flag", .uint8, base: .hex),
        FieldInfo(rplDown, "ipv6.opt.rpl.flag.o", "Down", .boolean, mask: 0x80),
        FieldInfo(rplRankError, "ipv6.opt.rpl.flag.r", "Rank Error", .boolean, mask: 0x40),
        FieldInfo(rplForwardingError, "ipv6.opt.rpl.flag.f", "Forwarding Error", .boolean, mask: 0x20),
        FieldInfo(rplReserved, "ipv6.opt.rpl.flag.rsv", "Reserved", .uint8, base: .hex, mask: 0x1F),
        FieldInfo(rplInstance, "ipv6.opt.rpl.instance_id", "RPLInstanceID", .uint8, base: .hex),
        FieldInfo(rplSenderRank, "ipv6.opt.rpl.sender_rank", "Sender Rank", .uint16, base: .hex),
        FieldInfo(ilnpNonce, "ipv6.opt.ilnp_nonce", "ILNP Nonce", .bytes),
        FieldInfo(lineIDLength, "ipv6.opt.lio.length", "LineIDLen", .uint8),
        FieldInfo(lineID, "ipv6.opt.lio.line_id", "Line ID", .string),
        FieldInfo(mplFlags, "ipv6.opt.mpl.flag", "Flag", .uint8, base: .hex),
        FieldInfo(mplSeedLength, "ipv6.opt.mpl.flag.s", "Seed ID Length", .uint8, mask: 0xC0,
                  values: [(0, "0"), (1, "16-bit unsigned integer"), (2, "64-bit unsigned integer"), (3, "128-bit unsigned integer")]),
        FieldInfo(mplLargest, "ipv6.opt.mpl.flag.m", "Largest Sequence", .boolean, mask: 0x20),
        FieldInfo(mplVersion, "ipv6.opt.mpl.flag.v", "Version", .boolean, mask: 0x10),
        FieldInfo(mplReserved, "ipv6.opt.mpl.flag.rsv", "Reserved", .uint8, base: .hex, mask: 0x0F),
        FieldInfo(mplSequence, "ipv6.opt.mpl.sequence", "Sequence", .uint8, base: .hex),
        FieldInfo(mplSeed, "ipv6.opt.mpl.seed_id", "Seed ID", .bytes),
        FieldInfo(dffFlags, "ipv6.opt.dff.flags", "Flags", .uint8, base: .hex),
        FieldInfo(dffVersion, "ipv6.opt.dff.flag.ver", "Version (VER)", .uint8, mask: 0xC0),
        FieldInfo(dffDuplicate, "ipv6.opt.dff.flag.dup", "Duplicate (DUP)", .boolean, mask: 0x20),
        FieldInfo(dffReturn, "ipv6.opt.dff.flag.ret", "Return (RET)", .boolean, mask: 0x10),
        FieldInfo(dffReserved, "ipv6.opt.dff.flag.rsv", "Reserved", .uint8, base: .hex, mask: 0x0F),
        FieldInfo(dffSequence, "ipv6.opt.dff.sequence_number", "Sequence Number", .uint16, base: .decHex),
        FieldInfo(experimental, "ipv6.opt.experimental", "Experimental Option", .bytes),
        FieldInfo(unknownData, "ipv6.opt_unknown_data", "Unknown Data", .bytes, blurb: "Not interpreted data"),
        FieldInfo(unknownPayload, "ipv6.opt.unknown", "Unknown Option Payload", .bytes),
    ]

    /// Decodes a hop-by-hop or destination options header; returns its next header, its end, and
    /// the home address option's address (the real source, RFC 6275 §6.3), if any. Options may
    /// read past the header's end (up to the IPv6 payload's), as Wireshark's do.
    static func decode(_ ctx: inout DecodeContext, hopByHop: Bool, at o: Int, limit: Int,
                       enclosing: IPv6ExtensionLayer.Enclosing?) throws(Cut) -> (next: UInt8, end: Int, home: IPv6Address?) {
        let misplaced = hopByHop && ctx.protocolPath.last != IPv6Layer.ipv6
        let layer = ctx.openLayer(hopByHop ? self.hopByHop : destination, o, 0)
        let next = try ctx.u8(o, limit: limit)
        let units = Int(try ctx.u8(o + 1, limit: limit))
        let length = (units + 1) * 8
        ctx.setLength(layer, IPv6ExtensionLayer.visible(ctx, o, length, limit: limit))
        if misplaced {
            ctx.diagnose(layer, .error, .protocolViolation,
                         "IPv6 Hop-by-Hop extension header must appear immediately after IPv6 header")
        }
        ctx.add(hopByHop ? hopByHopNext : destinationNext, o, 1, .unsigned(UInt64(next)))
        ctx.add(hopByHop ? hopByHopLength : destinationLength, o + 1, 1, .unsigned(UInt64(units)))
        ctx.add(hopByHop ? hopByHopLengthBytes : destinationLengthBytes, o + 1, 1, .unsigned(UInt64(length)), .generated)
        let end = o + length
        var p = o + 2
        var home: IPv6Address?
        while p < end {
            // Each option moves on by at least one byte.
            p = try decodeOption(&ctx, at: p, limit: limit, hopByHop: hopByHop, enclosing: enclosing, home: &home)
        }
        try ctx.check(end, 0, limit: limit)
        ctx.close()
        return (next, end, home)
    }

    /// Which header an option belongs in (RFC-given), for the "wrong header" warning.
    private static func requiredHeader(_ type: UInt8) -> Bool? {
        switch type {
        case Kind.tunnelLimit, Kind.pdm, Kind.tpf, Kind.ilnpNonce, Kind.lineID, Kind.homeAddress:
            return false  // destination options
        case Kind.routerAlert, Kind.pmtu, Kind.calipso, Kind.smfDPD, Kind.quickStart, Kind.ioam, Kind.rpl, Kind.mpl,
             Kind.jumbo, Kind.dff:
            return true  // hop-by-hop
        default:
            return nil
        }
    }

    /// One option at `p`; returns where the next one starts.
    private static func decodeOption(_ ctx: inout DecodeContext, at p: Int, limit: Int, hopByHop: Bool,
                                     enclosing: IPv6ExtensionLayer.Enclosing?, home: inout IPv6Address?) throws(Cut) -> Int {
        let type = try ctx.u8(p, limit: limit)
        // Wireshark reads the length byte even for Pad1, so a Pad1 ending the payload is malformed.
        let length = Int(try ctx.u8(p + 1, limit: limit))
        let optionIndex = ctx.open(option, p, IPv6ExtensionLayer.visible(ctx, p, type == Kind.pad1 ? 1 : 2 + length, limit: limit))
        if type == Kind.pad1 {
            ctx.add(optionType, p, 1, .unsigned(UInt64(type)))
            ctx.add(pad1, p, 1, .none)
            ctx.close()
            return p + 1
        }
        let typeIndex = ctx.open(optionType, p, 1, .unsigned(UInt64(type)))
        if let wantsHopByHop = requiredHeader(type), wantsHopByHop != hopByHop {
            let name = FieldRegistry.info(optionType).valueName(UInt64(type)) ?? ""
            ctx.diagnose(typeIndex, .warn, .protocolViolation,
                         "\(name) must use a \(wantsHopByHop ? "hop-by-hop" : "destination") options header")
        }
        ctx.add(optionAction, p, 1, .unsigned(UInt64(type >> 6)))
        ctx.add(optionChange, p, 1, .boolean(type & 0x20 != 0))
        ctx.add(optionRest, p, 1, .unsigned(UInt64(type & 0x1F)))
        ctx.close()
        let lengthIndex = ctx.add(optionLength, p + 1, 1, .unsigned(UInt64(length)))
        let start = p + 2
        var q = start

        func invalidLength(_ ctx: inout DecodeContext, _ what: String) {
            ctx.diagnose(lengthIndex, .error, .malformed, "\(what) (\(length) bytes)")
        }

        switch type {
        case Kind.padN:
            try ctx.addBytes(padN, q, length, limit: limit)
            ctx.close()
            return q + length
        case Kind.jumbo:
            if length != 4 { invalidLength(&ctx, "Jumbo Payload: Invalid length") }
            let value = try ctx.addUInt(jumbo, q, 4, limit: limit)
            let valueIndex = ctx.lastAdded
            q += 4
            if let enclosing, enclosing.payloadLength != 0 {
                ctx.diagnose(optionIndex, .warn, .protocolViolation,
                             "When IPv6 payload length does not equal 0 a Jumbo Payload option must not be present")
            }
            if value < 65536 {
                ctx.diagnose(valueIndex, .warn, .protocolViolation, "Jumbo Payload option present and jumbo length < 65536")
            }
        case Kind.rpl:
            if length < 4 { invalidLength(&ctx, "RPL Option: Invalid length") }
            try addFlags(&ctx, rplFlags, at: q, limit: limit,
                         [(rplDown, 0x80), (rplRankError, 0x40), (rplForwardingError, 0x20), (rplReserved, 0x1F)])
            try ctx.addUInt(rplInstance, q + 1, 1, limit: limit)
            try ctx.addUInt(rplSenderRank, q + 2, 2, limit: limit)
            q += 4
        case Kind.tunnelLimit:
            if length != 1 { invalidLength(&ctx, "Tunnel Encapsulation Limit: Invalid length") }
            try ctx.addUInt(tunnelEncapsulationLimit, q, 1, limit: limit)
            q += 1
        case Kind.routerAlert:
            if length != 2 { invalidLength(&ctx, "Router alert: Invalid Length") }
            try ctx.addUInt(routerAlert, q, 2, limit: limit)
            q += 2
        case Kind.pmtu:
            if length != 4 { invalidLength(&ctx, "PMTU Option: Invalid Length") }
            try ctx.addUInt(pmtuMinimum, q, 2, limit: limit)
            let word = try ctx.u16(q + 2, limit: limit)
            ctx.add(pmtuReturn, q + 2, 2, .unsigned(UInt64(word & 0xFFFE)))
            ctx.add(pmtuReturnFlag, q + 3, 1, .boolean(word & 1 != 0))
            q += 4
        case Kind.quickStart:
            if length != 6 { invalidLength(&ctx, "Quick-Start: Invalid Length") }
            q = try decodeQuickStart(&ctx, at: q, limit: limit, enclosing: enclosing)
        case Kind.ioam:
            if length < 2 { invalidLength(&ctx, "IOAM Option: Invalid length") }
            try ctx.addUInt(ioamReserved, q, 1, limit: limit)
            try ctx.addUInt(ioamType, q + 1, 1, limit: limit)
            // The trace data that follows is not taken apart (it stays in the option's bytes).
            q = max(q + 2, start + length)
        case Kind.tpf:
            if length != 4 { invalidLength(&ctx, "TPF: Invalid Length") }
            try ctx.addUInt(tpfInformation, q, 4, limit: limit)
            q += 4
        case Kind.calipso:
            if length < 8 { invalidLength(&ctx, "CALIPSO: Invalid Length") }
            try ctx.addUInt(calipsoDOI, q, 4, limit: limit)
            let compartments = Int(try ctx.addUInt(calipsoCompartmentLength, q + 4, 1, limit: limit))
            try ctx.addUInt(calipsoSensitivity, q + 5, 1, limit: limit)
            try ctx.addUInt(calipsoChecksum, q + 6, 2, limit: limit)
            try ctx.addBytes(calipsoBitmap, q + 8, compartments * 4, limit: limit)
            q += 8 + compartments * 4
        case Kind.smfDPD:
            q = try decodeSMF(&ctx, at: q, length: length, limit: limit)
        case Kind.pdm:
            if length != 10 { invalidLength(&ctx, "PDM: Invalid length") }
            try ctx.addUInt(pdmScaleReceived, q, 1, limit: limit)
            try ctx.addUInt(pdmScaleSent, q + 1, 1, limit: limit)
            try ctx.addUInt(pdmSequenceThis, q + 2, 2, limit: limit)
            try ctx.addUInt(pdmSequenceLast, q + 4, 2, limit: limit)
            try ctx.addUInt(pdmDeltaReceived, q + 6, 2, limit: limit)
            try ctx.addUInt(pdmDeltaSent, q + 8, 2, limit: limit)
            q += 10
        case Kind.homeAddress:
            if length != 16 { invalidLength(&ctx, "Home Address: Invalid length") }
            home = try ctx.addIPv6(homeAddress, q, limit: limit)
            q += 16
        case Kind.ilnpNonce:
            try ctx.addBytes(ilnpNonce, q, length, limit: limit)
            q += length
        case Kind.lineID:
            var idLength = Int(try ctx.addUInt(lineIDLength, q, 1, limit: limit))
            q += 1
            if idLength + 1 > length { idLength = max(0, length - 1) }
            try ctx.check(q, idLength, limit: limit)
            var text = ""
            for i in q..<q + idLength { text.unicodeScalars.append(Unicode.Scalar(ctx[i])) }
            ctx.add(lineID, q, idLength, ctx.string(text))
            q += idLength
        case Kind.mpl:
            let flags = try ctx.u8(q, limit: limit)
            try addFlags(&ctx, mplFlags, at: q, limit: limit,
                         [(mplSeedLength, 0xC0), (mplLargest, 0x20), (mplVersion, 0x10), (mplReserved, 0x0F)])
            let seedLength = [0, 2, 8, 16][Int(flags >> 6)]
            try ctx.addUInt(mplSequence, q + 1, 1, limit: limit)
            q += 2
            if seedLength > 0 {
                try ctx.addBytes(mplSeed, q, seedLength, limit: limit)
                q += seedLength
            } else {
                ctx.diagnose(typeIndex, .chat, .protocolViolation, "Seed ID is the IPv6 Source Address")
            }
        case Kind.dff:
            if length != 3 { invalidLength(&ctx, "IPv6 DFF: Invalid length") }
            try addFlags(&ctx, dffFlags, at: q, limit: limit,
                         [(dffVersion, 0xC0), (dffDuplicate, 0x20), (dffReturn, 0x10), (dffReserved, 0x0F)])
            try ctx.addUInt(dffSequence, q + 1, 2, limit: limit)
            q += 3
        case Kind.endpointID:
            q = try addUnknown(&ctx, at: q, length: length, limit: limit)
            ctx.diagnose(typeIndex, .note, .protocolViolation, "Option type is deprecated")
        case _ where Kind.experimental.contains(type):
            try ctx.addBytes(experimental, q, length, limit: limit)
            q += length
        default:
            q = try addUnknown(&ctx, at: q, length: length, limit: limit)
        }
        if q < start + length {
            let index = try ctx.addBytes(unknownData, q, start + length - q, limit: limit)
            ctx.diagnose(index, .note, .undecoded, "Unknown Data (not interpreted)")
            q = start + length
        }
        ctx.close()
        return q
    }

    private static func addUnknown(_ ctx: inout DecodeContext, at q: Int, length: Int, limit: Int) throws(Cut) -> Int {
        let index = try ctx.addBytes(unknownPayload, q, length, limit: limit)
        ctx.diagnose(index, .note, .undecoded, "Unknown Data (not interpreted)")
        return q + length
    }

    /// A flags byte and its bits, as Wireshark's `proto_tree_add_bitmask`.
    private static func addFlags(_ ctx: inout DecodeContext, _ field: Field, at q: Int, limit: Int,
                                 _ bits: [(Field, UInt8)]) throws(Cut) {
        let byte = try ctx.u8(q, limit: limit)
        ctx.open(field, q, 1, .unsigned(UInt64(byte)))
        for (bit, mask) in bits {
            if FieldRegistry.info(bit).type == .boolean {
                ctx.add(bit, q, 1, .boolean(byte & mask != 0))
            } else {
                ctx.add(bit, q, 1, .unsigned(UInt64((byte & mask) >> UInt8(mask.trailingZeroBitCount))))
            }
        }
        ctx.close()
    }

    /// Quick-Start (RFC 4782): a rate request carries a TTL the routers decrement with the hop limit.
    private static func decodeQuickStart(_ ctx: inout DecodeContext, at start: Int, limit: Int,
                                         enclosing: IPv6ExtensionLayer.Enclosing?) throws(Cut) -> Int {
        var q = start
        let command = try ctx.u8(q, limit: limit)
        try ctx.addUInt(quickStartFunction, q, 1, limit: limit)
        switch command >> 4 {
        case 0:
            try ctx.addUInt(quickStartRate, q, 1, limit: limit)
            q += 1
            let ttl = try ctx.addUInt(quickStartTTL, q, 1, limit: limit)
            if let enclosing {
                ctx.add(quickStartTTLDifference, q, 1, .unsigned(UInt64(enclosing.hopLimit &- UInt8(ttl))), .generated)
            }
            q += 1
            try ctx.addUInt(quickStartNonce, q, 4, limit: limit)
            try ctx.addUInt(quickStartReserved, q, 4, limit: limit)
            q += 4
        case 8:
            try ctx.addUInt(quickStartRate, q, 1, limit: limit)
            q += 1
            try ctx.addUInt(quickStartUnused, q, 1, limit: limit)
            q += 1
            try ctx.addUInt(quickStartNonce, q, 4, limit: limit)
            try ctx.addUInt(quickStartReserved, q, 4, limit: limit)
            q += 4
        default:
            break
        }
        return q
    }

    /// SMF duplicate packet detection (RFC 6621): a hash assist value, or a tagger and an identifier.
    private static func decodeSMF(_ ctx: inout DecodeContext, at start: Int, length: Int, limit: Int) throws(Cut) -> Int {
        var q = start
        let first = try ctx.u8(q, limit: limit)
        ctx.add(smfHashBit, q, 1, .boolean(first & 0x80 != 0))
        if first & 0x80 != 0 {
            try ctx.addBytes(smfHashAssist, q, length, limit: limit)
            return q + length
        }
        ctx.add(smfTaggerType, q, 1, .unsigned(UInt64((first >> 4) & 0x7)))
        ctx.add(smfTaggerLength, q, 1, .unsigned(UInt64(first & 0x0F)))
        q += 1
        var identifierLength = length - 1
        if first & 0x70 != 0 {
            let taggerLength = Int(first & 0x0F) + 1
            try ctx.addBytes(smfTagger, q, taggerLength, limit: limit)
            q += taggerLength
            identifierLength -= taggerLength
        }
        if identifierLength > 0 {
            try ctx.addBytes(smfIdentifier, q, identifierLength, limit: limit)
            q += identifierLength
        }
        return q
    }

    /// The jumbo payload length (RFC 2675) a hop-by-hop header at `o` carries, if above 65535;
    /// 0 otherwise. Reads only bytes that are there: it decides the IPv6 payload's extent.
    @inline(__always)
    static func jumboPayloadLength(_ ctx: borrowing DecodeContext, hopByHopAt o: Int, limit: Int) -> Int {
        guard ctx.has(o, 2, limit: limit) else { return 0 }
        let end = o + (Int(ctx[o + 1]) + 1) * 8
        var p = o + 2
        while p < end && ctx.has(p, 6, limit: limit) {
            let type = ctx[p]
            p += 1
            if type == Kind.pad1 { continue }
            let length = Int(ctx[p])
            p += 1
            if type == Kind.jumbo && length == 4 {
                let value = Int(ctx[p]) << 24 | Int(ctx[p + 1]) << 16 | Int(ctx[p + 2]) << 8 | Int(ctx[p + 3])
                return value > 0xFFFF ? value : 0
            }
            p += length
        }
        return 0
    }
}
