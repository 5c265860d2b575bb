// What an IPv6 address says about the IPv4 world and the link: 6to4 (RFC 3056, 2002::/16), Teredo
// (RFC 4380, 2001::/32), SLAAC interface identifiers (RFC 4291 appendix A), ISATAP (RFC 5214) and
// the well-known NAT64 prefix (RFC 6052, 64:ff9b::/96). As in Wireshark, each part is a generated
// field pointing at the address bytes it comes from, once for the source or destination and once,
// hidden, for "either address" filters (`ipv6.tc_ipv4 == 203.0.113.45`).

public enum AddressAnatomy {
    public static let source6to4Gateway = Field(0x0880)
    public static let source6to4SLA = Field(0x0881)
    public static let destination6to4Gateway = Field(0x0882)
    public static let destination6to4SLA = Field(0x0883)
    public static let any6to4Gateway = Field(0x0884)
    public static let any6to4SLA = Field(0x0885)
    public static let sourceTeredoServer = Field(0x0888)
    public static let sourceTeredoPort = Field(0x0889)
    public static let sourceTeredoClient = Field(0x088A)
    public static let destinationTeredoServer = Field(0x088B)
    public static let destinationTeredoPort = Field(0x088C)
    public static let destinationTeredoClient = Field(0x088D)
    public static let anyTeredoServer = Field(0x088E)
    public static let anyTeredoPort = Field(0x088F)
    public static let anyTeredoClient = Field(0x0890)
    public static let sourceSLAAC = Field(0x0894)
    public static let destinationSLAAC = Field(0x0895)
    public static let anySLAAC = Field(0x0896)
    public static let sourceISATAP = Field(0x0898)
    public static let destinationISATAP = Field(0x0899)
    public static let anyISATAP = Field(0x089A)
    public static let sourceEmbedded = Field(0x089C)
    public static let destinationEmbedded = Field(0x089D)
    public static let anyEmbedded = Field(0x089E)
    public static let embeddedPrefix = Field(0x089F)

    /// The numbers of the fields below, 0x0880 to 0x089F.
    static let fieldNumbers: ClosedRange<UInt16> = 0x0880...0x089F

    static let fields: [FieldInfo] = [
        FieldInfo(source6to4Gateway, "ipv6.src_6to4_gw_ipv4", "Source 6to4 Gateway IPv4", .ipv4,
                  blurb: "Source IPv6 6to4 Gateway IPv4 Address"),
        FieldInfo(source6to4SLA, "ipv6.src_6to4_sla_id", "Source 6to4 SLA ID", .uint16, blurb: "Source IPv6 6to4 SLA ID"),
        FieldInfo(destination6to4Gateway, "ipv6.dst_6to4_gw_ipv4", "Destination 6to4 Gateway IPv4", .ipv4,
                  blurb: "Destination IPv6 6to4 Gateway IPv4 Address"),
        FieldInfo(destination6to4SLA, "ipv6.dst_6to4_sla_id", "Destination 6to4 SLA ID", .uint16,
                  blurb: "Destination IPv6 6to4 SLA ID"),
        FieldInfo(any6to4Gateway, "ipv6.6to4_gw_ipv4", "6to4 Gateway IPv4", .ipv4, blurb: "IPv6 6to4 Gateway IPv4 Address"),
        FieldInfo(any6to4SLA, "ipv6.6to4_sla_id", "6to4 SLA ID", .uint16, blurb: "IPv6 6to4 SLA ID"),
        FieldInfo(sourceTeredoServer, "ipv6.src_ts_ipv4", "Source Teredo Server IPv4", .ipv4,
                  blurb: "Source IPv6 Teredo Server Encapsulated IPv4 Address"),
        FieldInfo(sourceTeredoPort, "ipv6.src_tc_port", "Source Teredo Port", .uint16,
                  blurb: "Source IPv6 Teredo Client Mapped Port"),
        FieldInfo(sourceTeredoClient, "ipv6.src_tc_ipv4", "Source Teredo Client IPv4", .ipv4,
                  blurb: "Source IPv6 Teredo Client Encapsulated IPv4 Address"),
        FieldInfo(destinationTeredoServer, "ipv6.dst_ts_ipv4", "Destination Teredo Server IPv4", .ipv4,
                  blurb: "Destination IPv6 Teredo Server Encapsulated IPv4 Address"),
        FieldInfo(destinationTeredoPort, "ipv6.dst_tc_port", "Destination Teredo Port", .uint16,
                  blurb: "Destination IPv6 Teredo Client Mapped Port"),
        FieldInfo(destinationTeredoClient, "ipv6.dst_tc_ipv4", "Destination Teredo Client IPv4", .ipv4,
                  blurb: "Destination IPv6 Teredo Client Encapsulated IPv4 Address"),
        FieldInfo(anyTeredoServer, "ipv6.ts_ipv4", "Teredo Server IPv4", .ipv4,
                  blurb: "IPv6 Teredo Server Encapsulated IPv4 Address"),
        FieldInfo(anyTeredoPort, "ipv6.tc_port", "Teredo Port", .uint16, blurb: "IPv6 Teredo Client Mapped Port"),
        FieldInfo(anyTeredoClient, "ipv6.tc_ipv4", "Teredo Client IPv4", .ipv4,
                  blurb: "IPv6 Teredo Client Encapsulated IPv4 Address"),
        FieldInfo(sourceSLAAC, "ipv6.src_slaac_mac", "Source SLAAC MAC", .ether,
                  blurb: "Source IPv6 Stateless Address Autoconfiguration (SLAAC) 48-bit MAC Identifier"),
        FieldInfo(destinationSLAAC, "ipv6.dst_slaac_mac", "Destination SLAAC MAC", .ether,
                  blurb: "Destination IPv6 Stateless Address Autoconfiguration (SLAAC) 48-bit MAC Identifier"),
        FieldInfo(anySLAAC, "ipv6.slaac_mac", "SLAAC MAC", .ether,
                  blurb: "IPv6 Stateless Address Autoconfiguration (SLAAC) 48-bit MAC Identifier"),
        FieldInfo(sourceISATAP, "ipv6.src_isatap_ipv4", "Source ISATAP IPv4", .ipv4,
                  blurb: "Source IPv6 ISATAP Encapsulated IPv4 Address"),
        FieldInfo(destinationISATAP, "ipv6.dst_isatap_ipv4", "Destination ISATAP IPv4", .ipv4,
                  blurb: "Destination IPv6 ISATAP Encapsulated IPv4 Address"),
        FieldInfo(anyISATAP, "ipv6.isatap_ipv4", "ISATAP IPv4", .ipv4, blurb: "IPv6 ISATAP Encapsulated IPv4 Address"),
        FieldInfo(sourceEmbedded, "ipv6.src_embed_ipv4", "Source Embedded IPv4", .ipv4,
                  blurb: "Source IPv4-Embedded IPv6 Address"),
        FieldInfo(destinationEmbedded, "ipv6.dst_embed_ipv4", "Destination Embedded IPv4", .ipv4,
                  blurb: "Destination IPv4-Embedded IPv6 Address"),
        FieldInfo(anyEmbedded, "ipv6.embed_ipv4", "Embedded IPv4", .ipv4, blurb: "IPv4-Embedded IPv6 Address"),
        FieldInfo(embeddedPrefix, "ipv6.embed_ipv4_prefix", "Embedded IPv4 Prefix", .bytes,
                  blurb: "IPv4-Embedded IPv6 Address Prefix"),
    ]

    /// 2002::/16: 2002:GGGG:GGGG:SSSS::/64, a 6to4 site's gateway and subnet.
    public static func isSixToFour(_ address: IPv6Address) -> Bool { address.group(0) == 0x2002 }

    /// 2001:0::/32: 2001:0:SSSS:SSSS:FFFF:PPPP:CCCC:CCCC, the server, flags, and the client's mapped
    /// port and address stored inverted (so NATs do not rewrite them).
    public static func isTeredo(_ address: IPv6Address) -> Bool { address.high >> 32 == 0x2001_0000 }

    /// Interface identifier 0000:5efe:A.B.C.D, or 0200:5efe:... (u bit: a global IPv4 address).
    public static func isISATAP(_ address: IPv6Address) -> Bool {
        UInt32(truncatingIfNeeded: address.low >> 32) & 0xFCFF_FFFF == 0x0000_5EFE
    }

    /// An interface identifier made from a MAC: ff:fe in the middle, the u/l bit inverted.
    static func isSLAAC(_ address: IPv6Address) -> Bool {
        address.byte(8) & 0x02 != 0 && (address.low >> 24) & 0xFFFF == 0xFFFE
    }

    /// NAT64's well-known prefix 64:ff9b::/96.
    static func isWellKnownNAT64(_ address: IPv6Address) -> Bool {
        address.high == 0x0064_FF9B_0000_0000 && address.low >> 32 == 0
    }

    /// Adds the generated fields the two addresses of the IPv6 header at `header` imply, in
    /// Wireshark's order: 6to4, Teredo, SLAAC, ISATAP, NAT64, each for source then destination.
    static func add(_ ctx: inout DecodeContext, source: IPv6Address, destination: IPv6Address, header: Int) {
        // A selective decode that keeps none of these fields (a filter's, the summary's) skips
        // the analysis.
        guard ctx.keepsAnyField(in: fieldNumbers) else { return }
        let src = header + IPv6Layer.Layout.source.lowerBound
        let dst = header + IPv6Layer.Layout.destination.lowerBound
        // Each test before its call (the adders assume it passed): most addresses are none of
        // these, and ten calls that return at once were a twentieth of a full decode.
        if isSixToFour(source) { add6to4(&ctx, source, at: src, isSource: true) }
        if isSixToFour(destination) { add6to4(&ctx, destination, at: dst, isSource: false) }
        if isTeredo(source) { addTeredo(&ctx, source, at: src, isSource: true) }
        if isTeredo(destination) { addTeredo(&ctx, destination, at: dst, isSource: false) }
        if isSLAAC(source) { addSLAAC(&ctx, source, at: src, isSource: true) }
        if isSLAAC(destination) { addSLAAC(&ctx, destination, at: dst, isSource: false) }
        if isISATAP(source) { addISATAP(&ctx, source, at: src, isSource: true) }
        if isISATAP(destination) { addISATAP(&ctx, destination, at: dst, isSource: false) }
        if isWellKnownNAT64(source) { addNAT64(&ctx, source, at: src, isSource: true) }
        if isWellKnownNAT64(destination) { addNAT64(&ctx, destination, at: dst, isSource: false) }
    }

    private static func add6to4(_ ctx: inout DecodeContext, _ address: IPv6Address, at offset: Int, isSource: Bool) {
        let gateway = FieldValue.ipv4(IPv4Address(UInt32(truncatingIfNeeded: address.high >> 16)))
        let subnet = FieldValue.unsigned(UInt64(address.group(3)))
        for hidden in 0..<2 {
            let flags: NodeFlags = hidden == 1 ? [.generated, .hidden] : .generated
            ctx.add(hidden == 1 ? any6to4Gateway : isSource ? source6to4Gateway : destination6to4Gateway,
                    offset + 2, 4, gateway, flags)
            ctx.add(hidden == 1 ? any6to4SLA : isSource ? source6to4SLA : destination6to4SLA, offset + 6, 2, subnet, flags)
        }
    }

    private static func addTeredo(_ ctx: inout DecodeContext, _ address: IPv6Address, at offset: Int, isSource: Bool) {
        let server = FieldValue.ipv4(IPv4Address(UInt32(truncatingIfNeeded: address.high)))
        let port = FieldValue.unsigned(UInt64(~address.group(5)))
        let client = FieldValue.ipv4(IPv4Address(~UInt32(truncatingIfNeeded: address.low)))
        for hidden in 0..<2 {
            let flags: NodeFlags = hidden == 1 ? [.generated, .hidden] : .generated
            ctx.add(hidden == 1 ? anyTeredoServer : isSource ? sourceTeredoServer : destinationTeredoServer,
                    offset + 4, 4, server, flags)
            ctx.add(hidden == 1 ? anyTeredoPort : isSource ? sourceTeredoPort : destinationTeredoPort,
                    offset + 10, 2, port, flags)
            ctx.add(hidden == 1 ? anyTeredoClient : isSource ? sourceTeredoClient : destinationTeredoClient,
                    offset + 12, 4, client, flags)
        }
    }

    private static func addSLAAC(_ ctx: inout DecodeContext, _ address: IPv6Address, at offset: Int, isSource: Bool) {
        let low = address.low ^ 0x0200_0000_0000_0000
        let mac = FieldValue.ether(MACAddress((low >> 40) << 24 | (low & 0xFF_FFFF)))
        for hidden in 0..<2 {
            let flags: NodeFlags = hidden == 1 ? [.generated, .hidden] : .generated
            ctx.add(hidden == 1 ? anySLAAC : isSource ? sourceSLAAC : destinationSLAAC, offset + 8, 8, mac, flags)
        }
    }

    private static func addISATAP(_ ctx: inout DecodeContext, _ address: IPv6Address, at offset: Int, isSource: Bool) {
        let ipv4 = FieldValue.ipv4(IPv4Address(UInt32(truncatingIfNeeded: address.low)))
        for hidden in 0..<2 {
            let flags: NodeFlags = hidden == 1 ? [.generated, .hidden] : .generated
            ctx.add(hidden == 1 ? anyISATAP : isSource ? sourceISATAP : destinationISATAP, offset + 12, 4, ipv4, flags)
        }
    }

    /// Wireshark shows the prefix and the address, neither hidden.
    private static func addNAT64(_ ctx: inout DecodeContext, _ address: IPv6Address, at offset: Int, isSource: Bool) {
        ctx.add(embeddedPrefix, offset, 12, .bytes, .generated)
        let embedded = FieldValue.ipv4(IPv4Address(UInt32(truncatingIfNeeded: address.low)))
        ctx.add(isSource ? sourceEmbedded : destinationEmbedded, offset + 12, 4, embedded, .generated)
        ctx.add(anyEmbedded, offset + 12, 4, embedded, .generated)
    }
}
