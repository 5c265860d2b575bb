// Ethernet II, IEEE 802.3 with LLC/SNAP, 802.1Q / 802.1ad tags, and tshark's `ethertype` step:
// dispatch, a cut in the payload caught there, then padding, trailer and a guessed FCS.

public enum EthernetLayer {
    enum Layout {
        static let destination = 0..<6
        static let source = 6..<12
        static let type = 12..<14
        static let headerLength = 14
        /// Frames shorter than this (without FCS) were padded by the sender.
        static let minimumFrame = 60
        /// A frame at least this long may end with a 4-byte FCS.
        static let minimumFrameWithFCS = 64
        static let maximumLength: UInt16 = 1500
        /// EtherTypes start here; 1501...1535 is neither a length nor a type.
        static let firstEtherType: UInt16 = 0x0600
    }
    enum TagLayout {
        static let tci = 0..<2
        static let type = 2..<4
        static let length = 4
    }

    public static let eth = Field(0x0200)
    public static let destination = Field(0x0201)
    public static let destinationLG = Field(0x0202)
    public static let destinationIG = Field(0x0203)
    public static let source = Field(0x0204)
    public static let sourceLG = Field(0x0205)
    public static let sourceIG = Field(0x0206)
    public static let address = Field(0x0207)
    public static let addressLG = Field(0x0208)
    public static let addressIG = Field(0x0209)
    public static let type = Field(0x020A)
    public static let length = Field(0x020B)
    public static let padding = Field(0x020C)
    public static let trailer = Field(0x020D)
    /// tshark's `ethertype` step in `frame.protocols` (not a node); also the protocol a cut in
    /// the trailer is charged to ("[Packet size limited during capture: Ethertype truncated]").
    public static let ethertypeStep = Field(0x020F)
    public static let fcs = Field(0x0210)
    public static let fcsStatus = Field(0x0211)
    public static let invalidLengthType = Field(0x0212)

    public static let vlan = Field(0x0220)
    public static let vlanPriority = Field(0x0221)
    public static let vlanDEI = Field(0x0222)
    public static let vlanID = Field(0x0223)
    public static let vlanEtherType = Field(0x0224)
    public static let vlanLength = Field(0x0225)
    public static let vlanTrailer = Field(0x0226)
    public static let vlanPadding = Field(0x0227)

    public static let qinq = Field(0x0240)
    public static let qinqPriority = Field(0x0241)
    public static let qinqDEI = Field(0x0242)
    public static let qinqID = Field(0x0243)
    /// 802.1ad's type and trailer are registered by Wireshark's 802.1ah dissector.
    public static let qinqEtherType = Field(0x0244)
    public static let qinqTrailer = Field(0x0245)

    public static let llc = Field(0x0260)
    public static let llcDSAP = Field(0x0261)
    public static let llcSSAP = Field(0x0262)
    public static let llcControl = Field(0x0263)
    public static let llcOUI = Field(0x0264)
    public static let llcPID = Field(0x0265)
    public static let llcType = Field(0x0266)
    public static let llcDSAPSAP = Field(0x0267)
    public static let llcDSAPIG = Field(0x0268)
    public static let llcSSAPSAP = Field(0x0269)
    public static let llcSSAPCR = Field(0x026A)
    public static let llcFrameType = Field(0x026B)

    static let priorityNames: [(UInt64, String)] = [
        (0, "Best Effort (default)"), (1, "Background"), (2, "Excellent Effort"), (3, "Critical Applications"),
        (4, "Video, < 100ms latency and jitter"), (5, "Voice, < 10ms latency and jitter"),
        (6, "Internetwork Control"), (7, "Network Control"),
    ]
    static let sapNames: [(UInt64, String)] = [
        (0x00, "NULL LSAP"), (0x02, "LLC Sub-Layer Management Individual"), (0x06, "TCP/IP"),
        (0x42, "Spanning Tree BPDU"), (0xAA, "SNAP"), (0xE0, "NetWare"), (0xF0, "NetBIOS"),
        (0xFE, "ISO Network Layer"), (0xFF, "Global DSAP"),
    ]
    static let addressBits = (lg: ("Locally administered address (this is NOT the factory default)",
                                    "Globally unique address (factory default)"),
                              ig: ("Group address (multicast/broadcast)", "Individual address (unicast)"))

    static let fields: [FieldInfo] = [
        FieldInfo(eth, "eth", "Ethernet II", .protocolLayer, short: "Ethernet"),
        FieldInfo(destination, "eth.dst", "Destination", .ether, blurb: "Destination Hardware Address"),
        FieldInfo(destinationLG, "eth.dst.lg", "LG bit", .boolean, mask: 0x020000, trueFalse: addressBits.lg),
        FieldInfo(destinationIG, "eth.dst.ig", "IG bit", .boolean, mask: 0x010000, trueFalse: addressBits.ig),
        FieldInfo(source, "eth.src", "Source", .ether, blurb: "Source Hardware Address"),
        FieldInfo(sourceLG, "eth.src.lg", "LG bit", .boolean, mask: 0x020000, trueFalse: addressBits.lg),
        FieldInfo(sourceIG, "eth.src.ig", "IG bit", .boolean, mask: 0x010000, trueFalse: addressBits.ig),
        FieldInfo(address, "eth.addr", "Address", .ether, blurb: "Source or Destination Hardware Address"),
        FieldInfo(addressLG, "eth.lg", "LG bit", .boolean, mask: 0x020000, trueFalse: addressBits.lg),
        FieldInfo(addressIG, "eth.ig", "IG bit", .boolean, mask: 0x010000, trueFalse: addressBits.ig),
        FieldInfo(type, "eth.type", "Type", .uint16, base: .hex, values: EtherType.names),
        FieldInfo(length, "eth.len", "Length", .uint16),
        FieldInfo(invalidLengthType, "eth.invalid_lentype", "Invalid length/type", .uint16, base: .hexDec),
        FieldInfo(padding, "eth.padding", "Padding", .bytes, blurb: "Ethernet Padding"),
        FieldInfo(trailer, "eth.trailer", "Trailer", .bytes, blurb: "Ethernet Trailer or Checksum"),
        FieldInfo(fcs, "eth.fcs", "Frame check sequence", .uint32, base: .hex, blurb: "Ethernet checksum"),
        FieldInfo(fcsStatus, "eth.fcs.status", "FCS Status", .uint8, values: ChecksumStatus.names),
        FieldInfo(ethertypeStep, "ethertype", "Ethertype", .protocolLayer, short: "Ethertype"),

        FieldInfo(vlan, "vlan", "802.1Q Virtual LAN", .protocolLayer, short: "VLAN"),
        FieldInfo(vlanPriority, "vlan.priority", "Priority", .uint16, mask: 0xE000, values: priorityNames,
                  blurb: "Descriptions are recommendations from IEEE standard 802.1Q-2014"),
        FieldInfo(vlanDEI, "vlan.dei", "DEI", .uint16, mask: 0x1000, values: [(0, "Ineligible"), (1, "Eligible")],
                  blurb: "Drop Eligible Indicator"),
        FieldInfo(vlanID, "vlan.id", "ID", .uint16, mask: 0x0FFF, blurb: "VLAN ID"),
        FieldInfo(vlanEtherType, "vlan.etype", "Type", .uint16, base: .hex, values: EtherType.names, blurb: "Ethertype"),
        FieldInfo(vlanLength, "vlan.len", "Length", .uint16),
        FieldInfo(vlanTrailer, "vlan.trailer", "Trailer", .bytes, blurb: "VLAN Trailer"),
        FieldInfo(vlanPadding, "vlan.padding", "Padding", .bytes, blurb: "VLAN Padding"),

        FieldInfo(qinq, "ieee8021ad", "IEEE 802.1ad", .protocolLayer, short: "IEEE 802.1AD"),
        FieldInfo(qinqPriority, "ieee8021ad.priority", "Priority", .uint16, mask: 0xE000),
        FieldInfo(qinqDEI, "ieee8021ad.dei", "DEI", .uint16, mask: 0x1000, blurb: "Drop Eligibility"),
        FieldInfo(qinqID, "ieee8021ad.id", "ID", .uint16, mask: 0x0FFF, blurb: "Vlan ID"),
        FieldInfo(qinqEtherType, "ieee8021ah.etype", "Type", .uint16, base: .hex, values: EtherType.names),
        FieldInfo(qinqTrailer, "ieee8021ah.trailer", "Trailer", .bytes, blurb: "802.1ah Trailer"),

        FieldInfo(llc, "llc", "Logical-Link Control", .protocolLayer, short: "LLC"),
        FieldInfo(llcDSAP, "llc.dsap", "DSAP", .uint8, base: .hex, values: sapNames, blurb: "Destination Service Access Point"),
        FieldInfo(llcDSAPSAP, "llc.dsap.sap", "SAP", .uint8, base: .hex, mask: 0xFE, values: sapNames),
        FieldInfo(llcDSAPIG, "llc.dsap.ig", "IG Bit", .boolean, mask: 0x01, trueFalse: ("Group", "Individual")),
        FieldInfo(llcSSAP, "llc.ssap", "SSAP", .uint8, base: .hex, values: sapNames, blurb: "Source Service Access Point"),
        FieldInfo(llcSSAPSAP, "llc.ssap.sap", "SAP", .uint8, base: .hex, mask: 0xFE, values: sapNames),
        FieldInfo(llcSSAPCR, "llc.ssap.cr", "CR Bit", .boolean, mask: 0x01, trueFalse: ("Response", "Command")),
        FieldInfo(llcControl, "llc.control", "Control field", .uint16, base: .hex),
        FieldInfo(llcFrameType, "llc.control.ftype", "Frame type", .uint16, base: .hex, mask: 0x03,
                  values: [(0, "Information frame"), (1, "Supervisory frame"), (2, "Information frame"), (3, "Unnumbered frame")]),
        FieldInfo(llcOUI, "llc.oui", "Organization Code", .uint24, base: .hex, values: [(0, "Encapsulated Ethernet")]),
        FieldInfo(llcPID, "llc.pid", "Protocol ID", .uint16, base: .hex),
        FieldInfo(llcType, "llc.type", "Type", .uint16, base: .hex, values: EtherType.names),
    ]

    /// Ethernet II or IEEE 802.3 at `offset`; returns the frame's end. `fcsLength` is Wireshark's:
    /// -1 "maybe" (a file's Ethernet), 0 none (Ethernet inside something else), 4 present.
    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int, fcsLength: Int = -1) throws(Cut) -> Int {
        let layer = ctx.openLayer(eth, offset, Layout.headerLength)
        // tshark reads the type before it adds any field: a header cut anywhere shows none of them.
        try ctx.check(offset, Layout.headerLength, limit: limit)
        let dst = try ctx.mac(offset + Layout.destination.lowerBound, limit: limit)
        let src = try ctx.mac(offset + Layout.source.lowerBound, limit: limit)
        let typeOrLength = try ctx.u16(offset + Layout.type.lowerBound, limit: limit)
        addAddress(&ctx, destination, lg: destinationLG, ig: destinationIG, dst, at: offset + Layout.destination.lowerBound)
        let srcIndex = addAddress(&ctx, source, lg: sourceLG, ig: sourceIG, src, at: offset + Layout.source.lowerBound)
        if src.rawValue & 0x0100_0000_0000 != 0 {
            ctx.diagnose(srcIndex, .warn, .protocolViolation,
                         "Source MAC must not be a group address: IEEE 802.3-2002, Section 3.2.3(b)")
        }
        let payload = offset + Layout.headerLength
        let typeOffset = offset + Layout.type.lowerBound

        if typeOrLength <= Layout.maximumLength {
            // IEEE 802.3: a length, then LLC (or raw IPX when the payload starts 0xffff).
            let raw = ctx.has(payload, 2, limit: limit) && (try? ctx.u16(payload, limit: limit)) == 0xFFFF
            try decode8023(&ctx, length: typeOrLength, lengthField: length, at: typeOffset, rawIPX: raw,
                           limit: limit, owner: layer, trailer: trailer, fcsLength: fcsLength)
            return limit
        }
        if typeOrLength < Layout.firstEtherType {
            let index = ctx.add(invalidLengthType, typeOffset, 2, .unsigned(UInt64(typeOrLength)))
            ctx.diagnose(index, .warn, .protocolViolation,
                         "Invalid length/type: 0x\(hexString(UInt64(typeOrLength), width: 4)) (\(typeOrLength))")
            ctx.close()
            DataLayer.decode(&ctx, at: payload, end: limit)
            return limit
        }
        ctx.add(type, typeOffset, 2, .unsigned(UInt64(typeOrLength)))
        ctx.close()
        try etherTypePayload(&ctx, typeOrLength, at: payload, limit: limit, owner: layer, trailer: trailer,
                             fcsLength: fcsLength)
        return limit
    }

    @discardableResult
    static func addAddress(_ ctx: inout DecodeContext, _ field: Field, lg: Field, ig: Field, _ mac: MACAddress,
                           at offset: Int) -> Int {
        guard ctx.keepsAny(of: eth) else { return DecodeContext.skipped }  // a filter's decode that reads no eth field
        if !ctx.keeps(lg) && !ctx.keeps(ig) && !ctx.keeps(addressLG) && !ctx.keeps(addressIG) {
            // A selective decode that reads the addresses but not their bits (the summary's).
            let index = ctx.add(field, offset, 6, .ether(mac))
            ctx.add(address, offset, 6, .ether(mac), .hidden)
            return index
        }
        let index = ctx.open(field, offset, 6, .ether(mac))
        let top = mac.rawValue >> 40
        ctx.add(lg, offset, 3, .boolean(top & 0x02 != 0))
        ctx.add(ig, offset, 3, .boolean(top & 0x01 != 0))
        // Hidden "either address" nodes make `eth.addr == ...` (and `eth.ig`, `eth.lg`) filters work.
        ctx.add(address, offset, 6, .ether(mac), .hidden)
        ctx.add(addressLG, offset, 3, .boolean(top & 0x02 != 0), .hidden)
        ctx.add(addressIG, offset, 3, .boolean(top & 0x01 != 0), .hidden)
        ctx.close()
        return index
    }

    // MARK: The ethertype step

    /// What tshark's `ethertype` dissector does for the header before it: dispatch on `type`,
    /// catch a cut in the payload (marking it, as Wireshark's TRY does), then add the padding,
    /// trailer and FCS after the end the payload claims. A cut in that tail is charged to
    /// `Ethertype` and ends the frame.
    static func etherTypePayload(_ ctx: inout DecodeContext, _ type: UInt16, at payload: Int, limit: Int,
                                 owner: Int, trailer: Field, fcsLength: Int) throws(Cut) {
        ctx.noteEtherTypeDispatch()
        let claimed = Dispatch.claimedEnd(ctx, etherType: type, at: payload, limit: limit)
        var end = limit
        let depth = ctx.openDepth
        do {
            end = try Dispatch.etherType(&ctx, type, at: payload, limit: limit)
        } catch {
            PacketDecoder.markCut(&ctx, error)
            ctx.close(downTo: depth)
            end = claimed
        }
        try addTrailer(&ctx, payloadEnd: end, limit: limit, owner: owner, trailer: trailer, fcsLength: fcsLength)
    }

    /// Padding up to the 60-byte minimum frame (counted from the start of the frame, as tshark
    /// does, so a tagged frame's padding stops 4 bytes early and the rest is the tag's trailer),
    /// then the trailer, then an FCS when `fcsLength` says so or guesses so.
    static func addTrailer(_ ctx: inout DecodeContext, payloadEnd: Int, limit: Int, owner: Int, trailer: Field,
                           fcsLength: Int) throws(Cut) {
        let captured = min(limit, ctx.capturedLength)
        // Only a tail that starts inside the captured bytes is shown.
        guard payloadEnd < limit, payloadEnd < captured else { return }
        var tailCaptured = captured - payloadEnd
        var tailReported = limit - payloadEnd
        let frameLength = ctx.originalLength
        var paddingLength = 0
        if frameLength >= Layout.minimumFrame && frameLength - tailReported < Layout.minimumFrame {
            paddingLength = min(tailReported, Layout.minimumFrame - (frameLength - tailReported))
        }
        if paddingLength > 0 {
            if paddingLength > tailCaptured { throw tailCut(&ctx) }
            ctx.insertLeaf(under: owner, padding, payloadEnd, paddingLength, .bytes)
            tailCaptured -= paddingLength
            tailReported -= paddingLength
        }
        var hasFCS = false
        if fcsLength == 4 || (fcsLength < 0 && limit >= Layout.minimumFrameWithFCS && tailReported >= 4) {
            if tailReported >= 4 {
                if tailCaptured < tailReported {
                    tailReported -= 4
                    tailCaptured = min(tailCaptured, tailReported)
                } else {
                    tailCaptured -= 4
                    tailReported -= 4
                }
                hasFCS = true
            }
        }
        let trailerStart = payloadEnd + paddingLength
        if tailReported > 0 && tailCaptured > 0 {
            ctx.insertLeaf(under: owner, trailer, trailerStart, tailCaptured, .bytes)
        }
        if hasFCS {
            let fcsOffset = trailerStart + tailCaptured
            guard ctx.has(fcsOffset, 4, limit: limit) else { throw tailCut(&ctx) }
            let value = try ctx.u32(fcsOffset, limit: limit)
            ctx.insertLeaf(under: owner, fcs, fcsOffset, 4, .unsigned(UInt64(value)))
            ctx.insertLeaf(under: owner, fcsStatus, fcsOffset, 0, .unsigned(ChecksumStatus.unverified), .generated)
        }
    }

    /// A read past the captured bytes while adding a tail: tshark charges it to `Ethertype`.
    private static func tailCut(_ ctx: inout DecodeContext) -> Cut {
        ctx.cutProtocol = ethertypeStep
        return .truncated
    }

    /// IEEE 802.3 length field (also after an 802.1Q tag): the payload is LLC, bounded by the
    /// length; a cut inside it is caught, then the tail is added.
    static func decode8023(_ ctx: inout DecodeContext, length claimed: UInt16, lengthField: Field, at lengthOffset: Int,
                           rawIPX: Bool, limit: Int, owner: Int, trailer: Field, fcsLength: Int) throws(Cut) {
        let payload = lengthOffset + 2
        let lengthIndex = ctx.add(lengthField, lengthOffset, 2, .unsigned(UInt64(claimed)))
        var length = Int(claimed)
        let reported = max(0, limit - payload)
        if length > reported {
            ctx.diagnose(lengthIndex, .error, .malformed, "Length field value goes past the end of the payload")
            length = reported
        }
        ctx.close()
        let end = payload + length
        let depth = ctx.openDepth
        do {
            if rawIPX {
                DataLayer.decode(&ctx, at: payload, end: end)
            } else {
                try decodeLLC(&ctx, at: payload, limit: end)
            }
        } catch {
            PacketDecoder.markCut(&ctx, error)
            ctx.close(downTo: depth)
        }
        try addTrailer(&ctx, payloadEnd: end, limit: limit, owner: owner, trailer: trailer, fcsLength: fcsLength)
    }

    // MARK: Tags

    /// An 802.1Q tag (also the legacy 0x9100 stacking); returns the end of the bytes it was given
    /// (a tag never shortens them: its own ethertype step adds the tail).
    static func decodeVLAN(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) -> Int {
        let layer = ctx.openLayer(vlan, offset, TagLayout.length)
        try ctx.addUInt(vlanPriority, offset, 2, limit: limit)
        try ctx.addUInt(vlanDEI, offset, 2, limit: limit)
        try ctx.addUInt(vlanID, offset, 2, limit: limit)
        let typeOffset = offset + TagLayout.type.lowerBound
        let typeOrLength = try ctx.u16(typeOffset, limit: limit)
        let payload = offset + TagLayout.length
        if typeOrLength <= Layout.maximumLength {
            let raw = ctx.has(payload, 2, limit: limit) && (try? ctx.u16(payload, limit: limit)) == 0xFFFF
            try decode8023(&ctx, length: typeOrLength, lengthField: vlanLength, at: typeOffset, rawIPX: raw,
                           limit: limit, owner: layer, trailer: vlanTrailer, fcsLength: 0)
            return limit
        }
        ctx.add(vlanEtherType, typeOffset, 2, .unsigned(UInt64(typeOrLength)))
        ctx.close()
        try etherTypePayload(&ctx, typeOrLength, at: payload, limit: limit, owner: layer, trailer: vlanTrailer,
                             fcsLength: 0)
        return limit
    }

    /// An 802.1ad service tag (S-tag, TPID 0x88a8). tshark reads the type before adding the tag's fields.
    static func decode8021ad(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) -> Int {
        let layer = ctx.openLayer(qinq, offset, TagLayout.length)
        try ctx.check(offset, TagLayout.length, limit: limit)
        try ctx.addUInt(qinqPriority, offset, 2, limit: limit)
        try ctx.addUInt(qinqDEI, offset, 2, limit: limit)
        try ctx.addUInt(qinqID, offset, 2, limit: limit)
        let next = try ctx.u16(offset + TagLayout.type.lowerBound, limit: limit)
        ctx.add(qinqEtherType, offset + TagLayout.type.lowerBound, 2, .unsigned(UInt64(next)))
        ctx.close()
        try etherTypePayload(&ctx, next, at: offset + TagLayout.length, limit: limit, owner: layer,
                             trailer: qinqTrailer, fcsLength: 0)
        return limit
    }

    // MARK: LLC

    /// IEEE 802.2 LLC; SNAP with OUI 0 carries an EtherType (another ethertype step).
    static func decodeLLC(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) {
        let layer = ctx.openLayer(llc, offset, 3)
        let dsap = try ctx.u8(offset, limit: limit)
        ctx.open(llcDSAP, offset, 1, .unsigned(UInt64(dsap)))
        ctx.add(llcDSAPSAP, offset, 1, .unsigned(UInt64(dsap >> 1)))
        ctx.add(llcDSAPIG, offset, 1, .boolean(dsap & 1 != 0))
        ctx.close()
        let ssap = try ctx.u8(offset + 1, limit: limit)
        ctx.open(llcSSAP, offset + 1, 1, .unsigned(UInt64(ssap)))
        ctx.add(llcSSAPSAP, offset + 1, 1, .unsigned(UInt64(ssap >> 1)))
        ctx.add(llcSSAPCR, offset + 1, 1, .boolean(ssap & 1 != 0))
        ctx.close()
        // Unnumbered frames have a 1-byte control field, I and S frames (802.2 extended) 2 bytes.
        let first = try ctx.u8(offset + 2, limit: limit)
        let controlLength = first & 0x03 == 0x03 ? 1 : 2
        let control = controlLength == 1 ? UInt64(first) : UInt64(try ctx.u16(offset + 2, limit: limit))
        ctx.open(llcControl, offset + 2, controlLength, .unsigned(control))
        ctx.add(llcFrameType, offset + 2, controlLength, .unsigned(UInt64(first & 0x03)))
        ctx.close()
        let headerEnd = offset + 2 + controlLength
        ctx.setLength(layer, headerEnd - offset)
        if dsap & 0xFE == 0xAA && ssap & 0xFE == 0xAA && controlLength == 1 {
            let oui = try ctx.u24(headerEnd, limit: limit)
            let pid = try ctx.u16(headerEnd + 3, limit: limit)
            ctx.setLength(layer, headerEnd + 5 - offset)
            ctx.add(llcOUI, headerEnd, 3, .unsigned(UInt64(oui)))
            if oui == 0 {
                ctx.add(llcType, headerEnd + 3, 2, .unsigned(UInt64(pid)))
                ctx.close()
                try etherTypePayload(&ctx, pid, at: headerEnd + 5, limit: limit, owner: layer, trailer: trailer,
                                     fcsLength: 0)
                return
            }
            ctx.add(llcPID, headerEnd + 3, 2, .unsigned(UInt64(pid)))
            ctx.close()
            DataLayer.decode(&ctx, at: headerEnd + 5, end: limit)
            return
        }
        ctx.close()
        DataLayer.decode(&ctx, at: headerEnd, end: limit)
    }

    // MARK: Summary

    /// The Info column of a frame whose last layer is Ethernet (an unknown EtherType).
    public static func info(_ tree: PacketTree, layer index: Int) -> String {
        for i in tree.children(of: index) where tree.nodes[i].field == type {
            if case .unsigned(let v) = tree.nodes[i].value, let name = type.info.valueName(v) { return name }
            return "Ethernet II"
        }
        for i in tree.children(of: index) where tree.nodes[i].field == length {
            return "IEEE 802.3 Ethernet, length \(tree.fieldText(i))"
        }
        return "Ethernet II"
    }
}
