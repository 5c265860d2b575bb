// ARP (RFC 826) and RARP (RFC 903), any hardware and protocol address sizes: Ethernet/IPv4
// addresses are typed (`arp.src.hw_mac`, `arp.src.proto_ipv4`), others are shown as bytes.

public enum ARPLayer {
    enum Layout {
        static let hardwareType = 0..<2
        static let protocolType = 2..<4
        static let hardwareSize = 4
        static let protocolSize = 5
        static let opcode = 6..<8
        static let headerLength = 8
    }
    enum Opcode {
        static let request: UInt16 = 1
        static let reply: UInt16 = 2
        static let reverseRequest: UInt16 = 3
        static let reverseReply: UInt16 = 4
        static let inverseRequest: UInt16 = 8
        static let inverseReply: UInt16 = 9
    }
    /// Hardware types whose 6-byte addresses are MAC addresses (Ethernet, IEEE 802).
    static let macHardwareTypes: Set<UInt16> = [1, 6]

    public static let arp = Field(0x0600)
    public static let hardwareType = Field(0x0601)
    public static let protocolType = Field(0x0602)
    public static let hardwareSize = Field(0x0603)
    public static let protocolSize = Field(0x0604)
    public static let opcode = Field(0x0605)
    public static let isGratuitous = Field(0x0606)
    public static let isProbe = Field(0x0607)
    public static let isAnnouncement = Field(0x0608)
    public static let senderHardware = Field(0x0609)
    public static let senderMAC = Field(0x060A)
    public static let senderProtocol = Field(0x060B)
    public static let senderIPv4 = Field(0x060C)
    public static let targetHardware = Field(0x060D)
    public static let targetMAC = Field(0x060E)
    public static let targetProtocol = Field(0x060F)
    public static let targetIPv4 = Field(0x0610)

    /// Wireshark's `arp_hrd_vals` (IANA hardware types), also used by `sll.hatype`.
    public static let hardwareTypeNames: [(UInt64, String)] = [
        (0, "NET/ROM pseudo"), (1, "Ethernet"), (2, "Experimental Ethernet"), (3, "AX.25"), (4, "ProNET"),
        (5, "Chaos"), (6, "IEEE 802"), (7, "ARCNET"), (8, "Hyperchannel"), (9, "Lanstar"),
        (10, "Autonet Short Address"), (11, "Localtalk"), (12, "LocalNet"), (13, "Ultra link"), (14, "SMDS"),
        (15, "Frame Relay DLCI"), (16, "ATM"), (17, "HDLC"), (18, "Fibre Channel"), (19, "ATM (RFC 2225)"),
        (20, "Serial Line"), (21, "ATM"), (22, "MIL-STD-188-220"), (23, "Metricom STRIP"), (24, "IEEE 1394.1995"),
        (25, "MAPOS"), (26, "Twinaxial"), (27, "EUI-64"), (28, "HIPARP"), (29, "IP and ARP over ISO 7816-3"),
        (30, "ARPSec"), (31, "IPsec tunnel"), (32, "InfiniBand"), (33, "TIA-102 Project 25 CAI"),
        (34, "Wiegand Interface"), (35, "Pure IP"), (36, "Experimental 1"), (37, "HFI"), (256, "Experimental 2"),
    ]
    static let opcodeNames: [(UInt64, String)] = [
        (1, "request"), (2, "reply"), (3, "reverse request"), (4, "reverse reply"), (5, "DRARP request"),
        (6, "DRARP reply"), (7, "DRARP error"), (8, "inverse request"), (9, "inverse reply"), (10, "NAK"),
        (11, "MARS request"), (12, "MARS multi"), (13, "MARS mserv"), (14, "MARS join"), (15, "MARS leave"),
        (16, "MARS NAK"), (17, "MARS unserv"), (18, "MARS sjoin"), (19, "MARS sleave"),
        (20, "MARS grouplist request"), (21, "MARS grouplist reply"), (22, "MARS redirect map"),
        (23, "MAPOS UNARP"), (24, "OP_EXP1"), (25, "OP_EXP2"),
    ]

    static let fields: [FieldInfo] = [
        FieldInfo(arp, "arp", "Address Resolution Protocol", .protocolLayer, short: "ARP/RARP"),
        FieldInfo(hardwareType, "arp.hw.type", "Hardware type", .uint16, values: hardwareTypeNames),
        FieldInfo(protocolType, "arp.proto.type", "Protocol type", .uint16, base: .hex, values: EtherType.names),
        FieldInfo(hardwareSize, "arp.hw.size", "Hardware size", .uint8),
        FieldInfo(protocolSize, "arp.proto.size", "Protocol size", .uint8),
        FieldInfo(opcode, "arp.opcode", "Opcode", .uint16, values: opcodeNames),
        FieldInfo(isGratuitous, "arp.isgratuitous", "Is gratuitous", .boolean),
        FieldInfo(isProbe, "arp.isprobe", "Is probe", .boolean),
        FieldInfo(isAnnouncement, "arp.isannouncement", "Is announcement", .boolean),
        FieldInfo(senderHardware, "arp.src.hw", "Sender hardware address", .bytes),
        FieldInfo(senderMAC, "arp.src.hw_mac", "Sender MAC address", .ether),
        FieldInfo(senderProtocol, "arp.src.proto", "Sender protocol address", .bytes),
        FieldInfo(senderIPv4, "arp.src.proto_ipv4", "Sender IP address", .ipv4),
        FieldInfo(targetHardware, "arp.dst.hw", "Target hardware address", .bytes),
        FieldInfo(targetMAC, "arp.dst.hw_mac", "Target MAC address", .ether),
        FieldInfo(targetProtocol, "arp.dst.proto", "Target protocol address", .bytes),
        FieldInfo(targetIPv4, "arp.dst.proto_ipv4", "Target IP address", .ipv4),
    ]

    /// Decodes ARP/RARP at `offset`; returns its end (8 + 2 × hardware size + 2 × protocol size),
    /// so the Ethernet layer can show what follows as padding.
    static func decode(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) -> Int {
        let layer = ctx.openLayer(arp, offset, Layout.headerLength)
        let hrd = UInt16(try ctx.u16(offset + Layout.hardwareType.lowerBound, limit: limit))
        ctx.add(hardwareType, offset + Layout.hardwareType.lowerBound, 2, .unsigned(UInt64(hrd)))
        let pro = UInt16(try ctx.addUInt(protocolType, offset + Layout.protocolType.lowerBound, 2, limit: limit))
        let hln = Int(try ctx.addUInt(hardwareSize, offset + Layout.hardwareSize, 1, limit: limit))
        let pln = Int(try ctx.addUInt(protocolSize, offset + Layout.protocolSize, 1, limit: limit))
        let op = UInt16(try ctx.addUInt(opcode, offset + Layout.opcode.lowerBound, 2, limit: limit))
        let total = Layout.headerLength + 2 * hln + 2 * pln
        ctx.setLength(layer, total)
        // Wireshark shortens its buffer to the ARP packet here; a size past the frame is malformed.
        let end = offset + total
        if end > limit { throw .malformed }

        let sha = offset + Layout.headerLength
        let spa = sha + hln
        let tha = spa + pln
        let tpa = tha + hln
        let macs = macHardwareTypes.contains(hrd) && hln == 6
        let ipv4 = pro == EtherType.ipv4.rawValue && pln == 4
        if op == Opcode.request || op == Opcode.reply {
            // Wireshark reads the addresses (to learn names, then to compare them) before adding
            // them: a cut anywhere in them shows none.
            if macs && ipv4 { try ctx.check(sha, total - Layout.headerLength, limit: end) }
            try ctx.check(tpa, pln, limit: end)
            try ctx.check(spa, pln, limit: end)
            var gratuitous = false, probe = false, announcement = false
            let targetMACZero = ctx.has(tha, 6, limit: end) && (tha..<tha + 6).allSatisfy { ctx[$0] == 0 }
            if (0..<pln).allSatisfy({ ctx[spa + $0] == ctx[tpa + $0] }) {
                gratuitous = true
                announcement = op == Opcode.request && targetMACZero
            } else if op == Opcode.request && targetMACZero {
                probe = try ctx.u32(spa, limit: end) == 0
            }
            if gratuitous { ctx.add(isGratuitous, offset, 0, .boolean(true), .generated) }
            if probe { ctx.add(isProbe, offset, 0, .boolean(true), .generated) }
            if announcement { ctx.add(isAnnouncement, offset, 0, .boolean(true), .generated) }
        }
        if hln > 0 { try addHardware(&ctx, sender: true, at: sha, length: hln, mac: macs, limit: end) }
        if pln > 0 { try addProtocol(&ctx, sender: true, at: spa, length: pln, ipv4: ipv4, limit: end) }
        if hln > 0 { try addHardware(&ctx, sender: false, at: tha, length: hln, mac: macs, limit: end) }
        if pln > 0 { try addProtocol(&ctx, sender: false, at: tpa, length: pln, ipv4: ipv4, limit: end) }
        ctx.close()
        return end
    }

    static func addHardware(_ ctx: inout DecodeContext, sender: Bool, at offset: Int, length: Int, mac: Bool,
                            limit: Int) throws(Cut) {
        if mac {
            try ctx.addMAC(sender ? senderMAC : targetMAC, offset, limit: limit)
        } else {
            try ctx.addBytes(sender ? senderHardware : targetHardware, offset, length, limit: limit)
        }
    }

    static func addProtocol(_ ctx: inout DecodeContext, sender: Bool, at offset: Int, length: Int, ipv4: Bool,
                            limit: Int) throws(Cut) {
        if ipv4 {
            try ctx.addIPv4(sender ? senderIPv4 : targetIPv4, offset, limit: limit)
        } else {
            try ctx.addBytes(sender ? senderProtocol : targetProtocol, offset, length, limit: limit)
        }
    }

    // MARK: Summary

    /// The Info column, as Wireshark words it ("Who has 192.168.122.86? Tell 192.168.122.1").
    public static func info(_ tree: PacketTree, layer index: Int) -> String {
        return String(decoding: ByteWriter.collect { writeInfo(tree, layer: index, to: &$0) }, as: UTF8.self)
    }

    /// `info`, appended as bytes.
    static func writeInfo(_ tree: PacketTree, layer index: Int, to out: inout ByteWriter) {
        var op: UInt64?
        // The last node of each address field (an Ethernet/IPv4 one, else the raw bytes).
        var spaIPv4: Int?, spaRaw: Int?, tpaIPv4: Int?, tpaRaw: Int?
        var shaMAC: Int?, shaRaw: Int?, thaMAC: Int?, thaRaw: Int?
        var gratuitous = false, probe = false, announcement = false
        var i = index + 1
        let end = Int(tree.nodes[index].subtreeEnd)
        while i < end {
            let node = tree.nodes[i]
            defer { i = Int(node.subtreeEnd) }
            switch node.field {
            case opcode: op = node.value.integer
            case isGratuitous: gratuitous = true
            case isProbe: probe = true
            case isAnnouncement: announcement = true
            case senderIPv4: spaIPv4 = i
            case senderProtocol: spaRaw = i
            case targetIPv4: tpaIPv4 = i
            case targetProtocol: tpaRaw = i
            case senderMAC: shaMAC = i
            case senderHardware: shaRaw = i
            case targetMAC: thaMAC = i
            case targetHardware: thaRaw = i
            default: break
            }
        }
        guard let op else { return }
        func text(_ s: StaticString) { TextBytes.append(s, to: &out) }
        func address(_ preferred: Int?, _ raw: Int?) {
            if let node = preferred ?? raw { _ = tree.appendFieldText(node, to: &out) } else { text("<No address>") }
        }
        let spa = (spaIPv4, spaRaw), tpa = (tpaIPv4, tpaRaw), sha = (shaMAC, shaRaw), tha = (thaMAC, thaRaw)
        switch UInt16(truncatingIfNeeded: op) {
        case Opcode.request:
            if announcement { text("ARP Announcement for "); address(tpa.0, tpa.1) }
            else if gratuitous { text("Gratuitous ARP for "); address(tpa.0, tpa.1); text(" (Request)") }
            else if probe { text("Who has "); address(tpa.0, tpa.1); text("? (ARP Probe)") }
            else { text("Who has "); address(tpa.0, tpa.1); text("? Tell "); address(spa.0, spa.1) }
        case Opcode.reply:
            if gratuitous { text("Gratuitous ARP for "); address(spa.0, spa.1); text(" (Reply)") }
            else { address(spa.0, spa.1); text(" is at "); address(sha.0, sha.1) }
        case Opcode.reverseRequest, Opcode.inverseRequest, 5:
            text("Who is "); address(tha.0, tha.1); text("? Tell "); address(sha.0, sha.1)
        case Opcode.reverseReply, 6:
            address(tha.0, tha.1); text(" is at "); address(tpa.0, tpa.1)
        case 7:
            text("DRARP Error")
        case Opcode.inverseReply:
            address(sha.0, sha.1); text(" is at "); address(spa.0, spa.1)
        case 10:
            text("ARP NAK")
        case 24, 25:
            TextBytes.append("Experimental \(op - 23) ( opcode \(op) )", to: &out)
        case 0, 65535:
            TextBytes.append("Reserved opcode \(op)", to: &out)
        default:
            TextBytes.append("Unknown ARP opcode 0x\(hexString(op, width: 4))", to: &out)
        }
    }

    /// The headline's parenthesis: the opcode's name, or what the packet is in effect.
    static func headlineKind(_ tree: PacketTree, layer index: Int) -> String {
        var op: UInt64?
        var gratuitous = false, probe = false, announcement = false
        for i in tree.children(of: index) {
            switch tree.nodes[i].field {
            case opcode: op = tree.nodes[i].value.integer
            case isGratuitous: gratuitous = true
            case isProbe: probe = true
            case isAnnouncement: announcement = true
            default: break
            }
        }
        guard let op else { return "" }
        guard var name = opcode.info.valueName(op) else { return " (opcode 0x\(hexString(op, width: 4)))" }
        if gratuitous && op == 1 { name = "request/gratuitous ARP" }
        if gratuitous && op == 2 { name = "reply/gratuitous ARP" }
        if probe { name = "ARP Probe" }
        if announcement { name = "ARP Announcement" }
        return " (\(name))"
    }
}
