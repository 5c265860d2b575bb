// Link-type dispatch: which decoder reads the first byte of a record.

public enum LinkLayer {
    public static let raw = Field(0x0290)
    public static let null = Field(0x0280)
    public static let nullFamily = Field(0x0281)
    public static let userDLT = Field(0x02A0)

    static let fields: [FieldInfo] = [
        FieldInfo(raw, "raw", "Raw packet data", .protocolLayer, short: "Raw"),
        FieldInfo(null, "null", "Null/Loopback", .protocolLayer, short: "Null"),
        FieldInfo(nullFamily, "null.family", "Family", .uint32,
                  values: [(2, "IP"), (24, "IPv6"), (28, "IPv6"), (30, "IPv6"), (10, "IPv6")]),
        FieldInfo(userDLT, "user_dlt", "DLT User", .protocolLayer, short: "USER"),
    ]

    static func decode(_ ctx: inout DecodeContext, linkType: LinkType, at offset: Int, limit: Int) throws(Cut) {
        switch linkType {
        case .ethernet:
            _ = try EthernetLayer.decode(&ctx, at: offset, limit: limit, fcsLength: -1)
        case .linuxSLL:
            try LinuxCookedLayer.decodeV1(&ctx, at: offset, limit: limit)
        case .linuxSLL2:
            try LinuxCookedLayer.decodeV2(&ctx, at: offset, limit: limit)
        case .raw, .rawDLT, .rawDLT14:
            // Wireshark shows a `raw` layer, then IPv4 or IPv6 by the version nibble.
            ctx.openLayer(raw, offset, 0)
            let first = try ctx.u8(offset, limit: limit)
            ctx.close()
            switch first >> 4 {
            case 4: _ = try IPv4Layer.decode(&ctx, at: offset, limit: limit)
            case 6: _ = try IPv6Layer.decode(&ctx, at: offset, limit: limit)
            default: DataLayer.decode(&ctx, at: offset, end: limit)
            }
        case .ipv4:
            _ = try IPv4Layer.decode(&ctx, at: offset, limit: limit)
        case .ipv6:
            _ = try IPv6Layer.decode(&ctx, at: offset, limit: limit)
        case .null, .loop:
            try decodeNull(&ctx, at: offset, limit: limit, loop: linkType == .loop)
        case _ where (147...162).contains(linkType.rawValue):
            ctx.openLayer(userDLT, offset, 0)
            ctx.diagnose(ctx.currentLayerIndex ?? 0, .warn, .undecoded,
                         "User encapsulation not handled: DLT=\(linkType.rawValue), check your Preferences->Protocols->DLT_USER")
            ctx.close()
            DataLayer.decode(&ctx, at: offset, end: limit)
        default:
            DataLayer.decode(&ctx, at: offset, end: limit)
        }
    }

    /// A bare IP packet: the version nibble says which.
    static func decodeIPByVersion(_ ctx: inout DecodeContext, at offset: Int, limit: Int) throws(Cut) {
        guard ctx.has(offset, 1, limit: limit) else {
            DataLayer.decode(&ctx, at: offset, end: limit)
            return
        }
        switch ctx[offset] >> 4 {
        case 4: _ = try IPv4Layer.decode(&ctx, at: offset, limit: limit)
        case 6: _ = try IPv6Layer.decode(&ctx, at: offset, limit: limit)
        default: DataLayer.decode(&ctx, at: offset, end: limit)
        }
    }

    /// BSD loopback: a 4-byte address family in the writer's byte order (LOOP: network order).
    static func decodeNull(_ ctx: inout DecodeContext, at offset: Int, limit: Int, loop: Bool) throws(Cut) {
        ctx.openLayer(null, offset, 4)
        let big = try ctx.u32(offset, limit: limit)
        let little = big.byteSwapped
        // Host order of the writer is unknown: the family is small, so the small reading is right.
        let family = loop ? big : (big > 0xFFFF ? little : big)
        ctx.add(nullFamily, offset, 4, .unsigned(UInt64(family)))
        ctx.close()
        switch family {
        case 2: _ = try IPv4Layer.decode(&ctx, at: offset + 4, limit: limit)
        case 10, 24, 28, 30: _ = try IPv6Layer.decode(&ctx, at: offset + 4, limit: limit)
        default: DataLayer.decode(&ctx, at: offset + 4, end: limit)
        }
    }
}

/// Payload dispatch tables: EtherType, IP protocol, UDP port. One row per protocol, so 6in4 is
/// the row "protocol 41 -> IPv6".
public enum Dispatch {
    /// Decodes what an EtherType announces; returns the end of the bytes the payload claims
    /// (an IP packet's total length, an ARP packet's size), which starts any trailer.
    /// The `ethertype` step around it is `EthernetLayer.etherTypePayload`.
    static func etherType(_ ctx: inout DecodeContext, _ type: UInt16, at offset: Int, limit: Int) throws(Cut) -> Int {
        switch EtherType(rawValue: type) {
        case .ipv4: return try IPv4Layer.decode(&ctx, at: offset, limit: limit)
        case .ipv6: return try IPv6Layer.decode(&ctx, at: offset, limit: limit)
        case .arp, .reverseARP:
            // Its end only places the Ethernet trailer: unread when no eth field is kept.
            if ctx.skipsTerminal(ARPLayer.arp) && !ctx.keepsAny(of: EthernetLayer.eth) { return limit }
            return try ARPLayer.decode(&ctx, at: offset, limit: limit)
        case .vlan, .qinqLegacy: return try EthernetLayer.decodeVLAN(&ctx, at: offset, limit: limit)
        case .qinq: return try EthernetLayer.decode8021ad(&ctx, at: offset, limit: limit)
        case .transparentEthernetBridging:
            return try EthernetLayer.decode(&ctx, at: offset, limit: limit, fcsLength: 0)
        default:
            DataLayer.decode(&ctx, at: offset, end: limit)
            return limit
        }
    }

    /// The end a payload will claim, read ahead of decoding it: Wireshark shortens the payload's
    /// buffer (IP total length, ARP size) before a later cut, so the trailer after a caught cut
    /// still starts there.
    @inline(__always)
    static func claimedEnd(_ ctx: borrowing DecodeContext, etherType type: UInt16, at offset: Int, limit: Int) -> Int {
        switch EtherType(rawValue: type) {
        case .ipv4:
            guard ctx.has(offset, 4, limit: limit), ctx[offset] >> 4 == 4 else { return limit }
            let headerLength = Int(ctx[offset] & 0x0F) * 4
            let total = Int(ctx[offset + 2]) << 8 | Int(ctx[offset + 3])
            guard headerLength >= 20, total >= headerLength, offset + total <= limit else { return limit }
            return offset + total
        case .ipv6:
            guard ctx.has(offset, 6, limit: limit) else { return limit }
            let end = offset + 40 + (Int(ctx[offset + 4]) << 8 | Int(ctx[offset + 5]))
            return end <= limit ? end : limit
        case .arp, .reverseARP:
            guard ctx.has(offset, 6, limit: limit) else { return limit }
            let end = offset + 8 + 2 * Int(ctx[offset + 4]) + 2 * Int(ctx[offset + 5])
            return end <= limit ? end : limit
        default:
            return limit
        }
    }

    /// Decodes the payload of an IPv4 or IPv6 header (or the last IPv6 extension header).
    static func ipProtocol(_ ctx: inout DecodeContext, _ proto: UInt8, at offset: Int, limit: Int,
                           pseudo: PseudoHeader) throws(Cut) {
        switch IPProtocol(rawValue: proto) {
        case .tcp:
            if ctx.skipsTerminal(TCPLayer.tcp) { return }
            try TCPLayer.decode(&ctx, at: offset, limit: limit, pseudo: pseudo)
        case .udp:
            if ctx.skipsTerminal(UDPLayer.udp) && !UDPLayer.mayCarryTeredo(ctx, at: offset, limit: limit) { return }
            try UDPLayer.decode(&ctx, at: offset, limit: limit, pseudo: pseudo)
        case .icmp:
            if ctx.skipsTerminal(ICMPv4Layer.icmp) && !ICMPv4Layer.mayHoldOtherLayers(ctx, at: offset, limit: limit) { return }
            try ICMPv4Layer.decode(&ctx, at: offset, limit: limit)
        case .icmpv6:
            if ctx.skipsTerminal(ICMPv6Layer.icmpv6) && !ICMPv6Layer.mayHoldOtherLayers(ctx, at: offset, limit: limit) { return }
            try ICMPv6Layer.decode(&ctx, at: offset, limit: limit, pseudo: pseudo)
        case .ipv6InIP:
            try encapsulated(&ctx) { (c: inout DecodeContext) throws(Cut) in
                _ = try IPv6Layer.decode(&c, at: offset, limit: limit)
            }
        case .ipv4InIP:
            try encapsulated(&ctx) { (c: inout DecodeContext) throws(Cut) in
                _ = try IPv4Layer.decode(&c, at: offset, limit: limit)
            }
        case .hopByHop, .routing, .fragment, .destinationOptions, .authentication, .esp, .mobility, .noNextHeader:
            if case .v6 = pseudo {
                try IPv6ExtensionLayer.decodeChain(&ctx, first: proto, at: offset, limit: limit, pseudo: pseudo)
            } else if proto == IPProtocol.authentication.rawValue || proto == IPProtocol.esp.rawValue {
                try IPv6ExtensionLayer.decodeChain(&ctx, first: proto, at: offset, limit: limit, pseudo: pseudo)
            } else {
                DataLayer.decode(&ctx, at: offset, end: limit)
            }
        default:
            DataLayer.decode(&ctx, at: offset, end: limit)
        }
    }

    /// A tunnel: one more level of encapsulation, refused past a sane depth.
    static func encapsulated(_ ctx: inout DecodeContext,
                             _ body: (inout DecodeContext) throws(Cut) -> Void) throws(Cut) {
        guard ctx.encapsulationDepth < DecodeContext.maximumEncapsulation else { return }
        ctx.encapsulationDepth += 1
        defer { ctx.encapsulationDepth -= 1 }
        try body(&ctx)
    }
}

/// The addresses a transport checksum covers.
public enum PseudoHeader: Sendable {
    case v4(source: IPv4Address, destination: IPv4Address)
    case v6(source: IPv6Address, destination: IPv6Address)
    case none

    /// The pseudo-header's one's-complement sum for `protocol` and `length` (RFC 768, RFC 8200 §8.1).
    public func sum(protocol proto: UInt8, length: Int) -> UInt32? {
        switch self {
        case .v4(let s, let d):
            return (s.rawValue >> 16) &+ (s.rawValue & 0xFFFF) &+ (d.rawValue >> 16) &+ (d.rawValue & 0xFFFF)
                &+ UInt32(proto) &+ UInt32(length & 0xFFFF)
        case .v6(let s, let d):
            var total: UInt32 = 0
            for i in 0..<8 { total &+= UInt32(s.group(i)) &+ UInt32(d.group(i)) }
            total &+= UInt32(length >> 16) &+ UInt32(length & 0xFFFF) &+ UInt32(proto)
            return total
        case .none:
            return nil
        }
    }
}
