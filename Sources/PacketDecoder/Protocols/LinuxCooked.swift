// Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 113) and v2 (LINKTYPE_LINUX_SLL2, 276): what
// `tcpdump -i any` writes. A pseudo header with the packet's direction, the device's ARPHRD type
// and link-layer source address, and the protocol (an EtherType, or a Linux protocol number).

public enum LinuxCookedLayer {
    /// v1: packet type, ARPHRD type, address length, 8 address bytes, protocol.
    enum V1Layout {
        static let packetType = 0..<2
        static let hardwareType = 2..<4
        static let addressLength = 4..<6
        static let address = 6..<14
        static let `protocol` = 14..<16
        static let headerLength = 16
    }
    /// v2: protocol first, then a reserved word, the interface index and the v1 fields shrunk.
    enum V2Layout {
        static let `protocol` = 0..<2
        static let reserved = 2..<4
        static let interfaceIndex = 4..<8
        static let hardwareType = 8..<10
        static let packetType = 10
        static let addressLength = 11
        static let address = 12..<20
        static let headerLength = 20
    }
    static let addressBytes = 8
    /// Protocol values up to this are Linux's own (`ETH_P_802_2`...), not EtherTypes.
    static let largestLinuxProtocol: UInt16 = 1536

    /// ARPHRD values the decoder treats specially.
    enum HardwareType {
        static let ipGRE: UInt16 = 778
        static let netlink: UInt16 = 824
    }
    /// Linux protocol numbers (`sll.ltype`).
    enum LinuxProtocol {
        static let raw8023: UInt16 = 0x0001
        static let ethernet: UInt16 = 0x0003
        static let llc: UInt16 = 0x0004
    }

    public static let sll = Field(0x0500)
    public static let packetType = Field(0x0501)
    public static let hardwareType = Field(0x0502)
    public static let addressLength = Field(0x0503)
    public static let sourceEthernet = Field(0x0504)
    public static let sourceIPv4 = Field(0x0505)
    public static let sourceOther = Field(0x0506)
    public static let unused = Field(0x0507)
    public static let linuxProtocol = Field(0x0508)
    public static let greProtocol = Field(0x0509)
    public static let etherType = Field(0x050A)
    public static let trailer = Field(0x050B)
    public static let interfaceIndex = Field(0x050C)

    static let packetTypeNames: [(UInt64, String)] = [
        (0, "Unicast to us"), (1, "Broadcast"), (2, "Multicast"), (3, "Unicast to another host"), (4, "Sent by us"),
    ]
    static let linuxProtocolNames: [(UInt64, String)] = [
        (0x0001, "Raw 802.3"), (0x0003, "Ethernet"), (0x0004, "802.2 LLC"), (0x0007, "PPP (HDLC)"),
        (0x000C, "CAN"), (0x000D, "CAN FD"), (0x0017, "IrDA LAP"), (0x00F5, "ISI"), (0x00F6, "IEEE 802.15.4"),
    ]

    static let fields: [FieldInfo] = [
        FieldInfo(sll, "sll", "Linux cooked capture", .protocolLayer, short: "SLL"),
        FieldInfo(packetType, "sll.pkttype", "Packet type", .uint16, values: packetTypeNames),
        FieldInfo(hardwareType, "sll.hatype", "Link-layer address type", .uint16, values: ARPLayer.hardwareTypeNames),
        FieldInfo(addressLength, "sll.halen", "Link-layer address length", .uint16),
        FieldInfo(sourceEthernet, "sll.src.eth", "Source", .ether, blurb: "Source link-layer address"),
        FieldInfo(sourceIPv4, "sll.src.ipv4", "Source", .ipv4, blurb: "Source link-layer address"),
        FieldInfo(sourceOther, "sll.src.other", "Source", .bytes, blurb: "Source link-layer address"),
        FieldInfo(unused, "sll.unused", "Unused", .bytes, blurb: "Unused bytes"),
        FieldInfo(linuxProtocol, "sll.ltype", "Protocol", .uint16, base: .hex, values: linuxProtocolNames,
                  blurb: "Linux protocol type"),
        FieldInfo(greProtocol, "sll.gretype", "Protocol", .uint16, base: .hex, values: EtherType.names,
                  blurb: "GRE protocol type"),
        FieldInfo(etherType, "sll.etype", "Protocol", .uint16, base: .hex, values: EtherType.names,
                  blurb: "Ethernet protocol type"),
        FieldInfo(trailer, "sll.trailer", "Trailer", .bytes),
        FieldInfo(interfaceIndex, "sll.ifindex", "Interface index", .uint32),
    ]

    static func decodeV1(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) {
        let layer = ctx.openLayer(sll, offset, V1Layout.headerLength)
        // tshark reads the packet type and ARPHRD type before it adds the layer's fields.
        try ctx.check(offset, V1Layout.hardwareType.upperBound, limit: limit)
        try ctx.addUInt(packetType, offset + V1Layout.packetType.lowerBound, 2, limit: limit)
        let hatype = UInt16(try ctx.addUInt(hardwareType, offset + V1Layout.hardwareType.lowerBound, 2, limit: limit))
        try addAddress(&ctx, lengthAt: offset + V1Layout.addressLength.lowerBound, lengthBytes: 2,
                       addressAt: offset + V1Layout.address.lowerBound, limit: limit)
        let proto = try addProtocol(&ctx, at: offset + V1Layout.protocol.lowerBound, hardwareType: hatype, limit: limit)
        ctx.close()
        try decodePayload(&ctx, proto, hardwareType: hatype, at: offset + V1Layout.headerLength, limit: limit, owner: layer)
    }

    static func decodeV2(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) {
        let layer = ctx.openLayer(sll, offset, V2Layout.headerLength)
        // tshark reads the packet type as a 16-bit word (10..<12) and the ARPHRD type first.
        try ctx.check(offset, V2Layout.packetType + 2, limit: limit)
        let hatype = try ctx.u16(offset + V2Layout.hardwareType.lowerBound, limit: limit)
        let proto = try addProtocol(&ctx, at: offset + V2Layout.protocol.lowerBound, hardwareType: hatype, limit: limit)
        try ctx.addUInt(interfaceIndex, offset + V2Layout.interfaceIndex.lowerBound, 4, limit: limit)
        ctx.add(hardwareType, offset + V2Layout.hardwareType.lowerBound, 2, .unsigned(UInt64(hatype)))
        try ctx.addUInt(packetType, offset + V2Layout.packetType, 1, limit: limit)
        try addAddress(&ctx, lengthAt: offset + V2Layout.addressLength, lengthBytes: 1,
                       addressAt: offset + V2Layout.address.lowerBound, limit: limit)
        ctx.close()
        try decodePayload(&ctx, proto, hardwareType: hatype, at: offset + V2Layout.headerLength, limit: limit, owner: layer)
    }

    /// The address length and the source address, typed by its length as tshark does (4: IPv4,
    /// 6: Ethernet, else bytes), then the unused rest of the 8-byte address field.
    static func addAddress(_ ctx: inout DecodeContext, lengthAt lengthOffset: Int, lengthBytes: Int,
                           addressAt address: Int, limit: Int) throws(Cut) {
        let halen = Int(try ctx.addUInt(addressLength, lengthOffset, lengthBytes, limit: limit))
        switch halen {
        case 0: break
        case 4: try ctx.addIPv4(sourceIPv4, address, limit: limit)
        case 6: try ctx.addMAC(sourceEthernet, address, limit: limit)
        default: try ctx.addBytes(sourceOther, address, min(halen, addressBytes), limit: limit)
        }
        if halen < addressBytes {
            try ctx.addBytes(unused, address + halen, addressBytes - halen, limit: limit)
        }
    }

    /// The protocol word: a Linux protocol number, a GRE protocol type (ARPHRD_IPGRE) or an EtherType.
    static func addProtocol(_ ctx: inout DecodeContext, at offset: Int, hardwareType hatype: UInt16,
                            limit: Int) throws(Cut) -> UInt16 {
        let proto = try ctx.u16(offset, limit: limit)
        let field = proto <= largestLinuxProtocol ? linuxProtocol
            : hatype == HardwareType.ipGRE ? greProtocol : etherType
        ctx.add(field, offset, 2, .unsigned(UInt64(proto)))
        return proto
    }

    static func decodePayload(_ ctx: inout DecodeContext, _ proto: UInt16, hardwareType hatype: UInt16,
                              at payload: Int, limit: Int, owner: Int) throws(Cut) {
        if proto <= largestLinuxProtocol {
            switch proto {
            case LinuxProtocol.ethernet: _ = try EthernetLayer.decode(&ctx, at: payload, limit: limit, fcsLength: 0)
            case LinuxProtocol.llc: try EthernetLayer.decodeLLC(&ctx, at: payload, limit: limit)
            default: DataLayer.decode(&ctx, at: payload, end: limit)
            }
            return
        }
        if hatype == HardwareType.ipGRE {
            // GRE's protocol table, without tshark's `ethertype` step or a trailer.
            _ = try Dispatch.etherType(&ctx, proto, at: payload, limit: limit)
            return
        }
        try EthernetLayer.etherTypePayload(&ctx, proto, at: payload, limit: limit, owner: owner, trailer: trailer,
                                           fcsLength: 0)
    }

    /// The Info column of a frame whose last layer is the cooked header: the packet type.
    public static func info(_ tree: PacketTree, layer index: Int) -> String {
        for i in tree.children(of: index) where tree.nodes[i].field == packetType {
            if case .unsigned(let v) = tree.nodes[i].value {
                return packetType.info.valueName(v) ?? "Unknown (\(v))"
            }
        }
        return "Linux cooked capture"
    }
}
