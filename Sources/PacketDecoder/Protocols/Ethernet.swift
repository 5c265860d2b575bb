// Ethernet II, IEEE 802.3 with LLC/SNAP, and 802.1Q / 802.1ad tags.

public enum EthernetLayer {
    enum Layout {
        static let destination = 0..<6
        static let source = 6..<12
        static let type = 12..<14
        static let headerLength = 14
        static let minimumFrame = 60
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
    /// tshark's `ethertype` step in `frame.protocols` (not a node).
    public static let ethertypeStep = Field(0x020F)

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

    public static let llc = Field(0x0260)
    public static let llcDSAP = Field(0x0261)
    public static let llcSSAP = Field(0x0262)
    public static let llcControl = Field(0x0263)
    public static let llcOUI = Field(0x0264)
    public static let llcPID = Field(0x0265)
    public static let llcType = Field(0x0266)

    static let priorityNames: [(UInt64, String)] = [
        (0, "Best Effort (default)"), (1, "Background"), (2, "Excellent Effort"), (3, "Critical Applications"),
        (4, "Video, < 100ms latency and jitter"), (5, "Voice, < 10ms latency and jitter"),
        (6, "Internetwork Control"), (7, "Network Control"),
    ]
    static let sapNames: [(UInt64, String)] = [
        (0x00, "NULL LSAP"), (0x06, "TCP/IP"), (0x42, "Spanning Tree BPDU"), (0xAA, "SNAP"), (0xE0, "NetWare"),
        (0xF0, "NetBIOS"), (0xFE, "ISO Network Layer"), (0xFF, "Global DSAP"),
    ]

    static let fields: [FieldInfo] = [
        FieldInfo(eth, "eth", "Ethernet II", .protocolLayer, short: "Ethernet"),
        FieldInfo(destination, "eth.dst", "Destination", .ether),
        FieldInfo(destinationLG, "eth.dst.lg", "LG bit", .boolean, mask: 0x020000,
                  trueFalse: ("Locally administered address (this is NOT the factory default)", "Globally unique address (factory default)")),
        FieldInfo(destinationIG, "eth.dst.ig", "IG bit", .boolean, mask: 0x010000,
                  trueFalse: ("Group address (multicast/broadcast)", "Individual address (unicast)")),
        FieldInfo(source, "eth.src", "Source", .ether),
        FieldInfo(sourceLG, "eth.src.lg", "LG bit", .boolean, mask: 0x020000,
                  trueFalse: ("Locally administered address (this is NOT the factory default)", "Globally unique address (factory default)")),
        FieldInfo(sourceIG, "eth.src.ig", "IG bit", .boolean, mask: 0x010000,
                  trueFalse: ("Group address (multicast/broadcast)", "Individual address (unicast)")),
        FieldInfo(address, "eth.addr", "Address", .ether),
        FieldInfo(addressLG, "eth.lg", "LG bit", .boolean, mask: 0x020000),
        FieldInfo(addressIG, "eth.ig", "IG bit", .boolean, mask: 0x010000),
        FieldInfo(type, "eth.type", "Type", .uint16, base: .hex, values: EtherType.names),
        FieldInfo(length, "eth.len", "Length", .uint16),
        FieldInfo(padding, "eth.padding", "Padding", .bytes),
        FieldInfo(trailer, "eth.trailer", "Trailer", .bytes),
        FieldInfo(ethertypeStep, "ethertype", "Ethertype", .protocolLayer, short: "Ethertype"),

        FieldInfo(vlan, "vlan", "802.1Q Virtual LAN", .protocolLayer, short: "802.1Q"),
        FieldInfo(vlanPriority, "vlan.priority", "Priority", .uint16, mask: 0xE000, values: priorityNames),
        FieldInfo(vlanDEI, "vlan.dei", "DEI", .uint16, mask: 0x1000, values: [(0, "Ineligible"), (1, "Eligible")]),
        FieldInfo(vlanID, "vlan.id", "ID", .uint16, mask: 0x0FFF),
        FieldInfo(vlanEtherType, "vlan.etype", "Type", .uint16, base: .hex, values: EtherType.names),
        FieldInfo(vlanLength, "vlan.len", "Length", .uint16),
        FieldInfo(vlanTrailer, "vlan.trailer", "Trailer", .bytes),
        FieldInfo(vlanPadding, "vlan.padding", "Padding", .bytes),

        FieldInfo(qinq, "ieee8021ad", "IEEE 802.1ad", .protocolLayer, short: "IEEE 802.1ad"),
        FieldInfo(qinqPriority, "ieee8021ad.priority", "Priority", .uint16, mask: 0xE000, values: priorityNames),
        FieldInfo(qinqDEI, "ieee8021ad.dei", "DEI", .uint16, mask: 0x1000),
        FieldInfo(qinqID, "ieee8021ad.id", "ID", .uint16, mask: 0x0FFF),

        FieldInfo(llc, "llc", "Logical-Link Control", .protocolLayer, short: "LLC"),
        FieldInfo(llcDSAP, "llc.dsap", "DSAP", .uint8, base: .hex, values: sapNames),
        FieldInfo(llcSSAP, "llc.ssap", "SSAP", .uint8, base: .hex, values: sapNames),
        FieldInfo(llcControl, "llc.control", "Control field", .uint8, base: .hex),
        FieldInfo(llcOUI, "llc.oui", "Organization Code", .uint24, base: .hex, values: [(0, "Encapsulated Ethernet")]),
        FieldInfo(llcPID, "llc.pid", "Protocol ID", .uint16, base: .hex),
        FieldInfo(llcType, "llc.type", "Type", .uint16, base: .hex, values: EtherType.names),
    ]

    /// Ethernet II or 802.3; returns the frame's end.
    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) -> Int {
        let layer = ctx.openLayer(eth, offset, Layout.headerLength)
        let dst = try ctx.mac(offset + Layout.destination.lowerBound, limit: limit)
        addAddress(&ctx, destination, lg: destinationLG, ig: destinationIG, dst, at: offset + Layout.destination.lowerBound)
        let src = try ctx.mac(offset + Layout.source.lowerBound, limit: limit)
        let srcIndex = addAddress(&ctx, source, lg: sourceLG, ig: sourceIG, src, at: offset + Layout.source.lowerBound)
        if src.rawValue & 0x0100_0000_0000 != 0 {
            ctx.diagnose(srcIndex, .warn, .protocolViolation,
                         "Source MAC must not be a group address: IEEE 802.3-2002, Section 3.2.3(b)")
        }
        // Hidden "either address" nodes make `eth.addr == ...` filters work.
        ctx.add(address, offset + Layout.destination.lowerBound, 6, .ether(dst), .hidden)
        ctx.add(address, offset + Layout.source.lowerBound, 6, .ether(src), .hidden)
        let typeOrLength = try ctx.u16(offset + Layout.type.lowerBound, limit: limit)
        let payload = offset + Layout.headerLength
        if typeOrLength <= 1500 {
            // IEEE 802.3: a length, then LLC.
            ctx.setValue(layer, .none)
            ctx.add(length, offset + Layout.type.lowerBound, 2, .unsigned(UInt64(typeOrLength)))
            ctx.close()
            let end = min(limit, payload + Int(typeOrLength))
            try decodeLLC(&ctx, at: payload, limit: end)
            addTrailer(&ctx, payloadEnd: end, frameEnd: limit, padding: padding, trailer: trailer)
            return limit
        }
        ctx.add(type, offset + Layout.type.lowerBound, 2, .unsigned(UInt64(typeOrLength)))
        ctx.close()
        let end = try Dispatch.etherType(&ctx, typeOrLength, at: payload, limit: limit)
        addTrailer(&ctx, payloadEnd: end, frameEnd: limit, padding: padding, trailer: trailer)
        return limit
    }

    @discardableResult
    static func addAddress(_ ctx: inout DecodeContext, _ field: Field, lg: Field, ig: Field, _ mac: MACAddress,
                           at offset: Int) -> Int {
        let index = ctx.open(field, offset, 6, .ether(mac))
        let top = mac.rawValue >> 40
        ctx.add(lg, offset, 3, .boolean(top & 0x02 != 0))
        ctx.add(ig, offset, 3, .boolean(top & 0x01 != 0))
        ctx.close()
        return index
    }

    /// Bytes after what the payload claims: padding up to the 60-byte minimum, then a trailer.
    static func addTrailer(_ ctx: inout DecodeContext, payloadEnd: Int, frameEnd: Int, padding: Field, trailer: Field) {
        let captured = min(frameEnd, ctx.capturedLength)
        guard payloadEnd < captured else { return }
        let padEnd = min(captured, max(payloadEnd, Layout.minimumFrame))
        if padEnd > payloadEnd {
            ctx.add(padding, payloadEnd, padEnd - payloadEnd, .bytes)
        }
        if captured > padEnd {
            ctx.add(trailer, padEnd, captured - padEnd, .bytes)
        }
    }

    /// An 802.1Q tag (also the legacy 0x9100 stacking); returns the payload's end.
    static func decodeVLAN(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) -> Int {
        ctx.openLayer(vlan, offset, 4)
        try ctx.addUInt(vlanPriority, offset, 2, limit: limit)
        try ctx.addUInt(vlanDEI, offset, 2, limit: limit)
        try ctx.addUInt(vlanID, offset, 2, limit: limit)
        let typeOrLength = try ctx.u16(offset + 2, limit: limit)
        if typeOrLength <= 1500 {
            ctx.add(vlanLength, offset + 2, 2, .unsigned(UInt64(typeOrLength)))
            ctx.close()
            try decodeLLC(&ctx, at: offset + 4, limit: min(limit, offset + 4 + Int(typeOrLength)))
            return limit
        }
        ctx.add(vlanEtherType, offset + 2, 2, .unsigned(UInt64(typeOrLength)))
        ctx.close()
        return try Dispatch.etherType(&ctx, typeOrLength, at: offset + 4, limit: limit)
    }

    /// An 802.1ad service tag (S-tag, TPID 0x88a8).
    static func decode8021ad(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) -> Int {
        ctx.openLayer(qinq, offset, 4)
        try ctx.addUInt(qinqPriority, offset, 2, limit: limit)
        try ctx.addUInt(qinqDEI, offset, 2, limit: limit)
        try ctx.addUInt(qinqID, offset, 2, limit: limit)
        let next = try ctx.u16(offset + 2, limit: limit)
        ctx.add(type, offset + 2, 2, .unsigned(UInt64(next)))
        ctx.close()
        return try Dispatch.etherType(&ctx, next, at: offset + 4, limit: limit)
    }

    /// IEEE 802.2 LLC, with SNAP carrying an EtherType.
    static func decodeLLC(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) {
        ctx.openLayer(llc, offset, 3)
        let dsap = try ctx.addUInt(llcDSAP, offset, 1, limit: limit)
        let ssap = try ctx.addUInt(llcSSAP, offset + 1, 1, limit: limit)
        try ctx.addUInt(llcControl, offset + 2, 1, limit: limit)
        if dsap == 0xAA && ssap == 0xAA {
            ctx.setLength(ctx.currentLayerIndex ?? 0, 8)
            try ctx.addUInt(llcOUI, offset + 3, 3, limit: limit)
            let type = try ctx.u16(offset + 6, limit: limit)
            ctx.add(llcPID, offset + 6, 2, .unsigned(UInt64(type)))
            ctx.close()
            _ = try Dispatch.etherType(&ctx, type, at: offset + 8, limit: limit)
            return
        }
        ctx.close()
        DataLayer.decode(&ctx, at: offset + 3, end: limit)
    }
}
