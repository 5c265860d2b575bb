// Wire numbers as open structs: unknown values survive, each known one has one name.

public struct EtherType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let ipv4 = EtherType(rawValue: 0x0800)
    public static let arp = EtherType(rawValue: 0x0806)
    public static let reverseARP = EtherType(rawValue: 0x8035)
    public static let vlan = EtherType(rawValue: 0x8100)
    public static let ipv6 = EtherType(rawValue: 0x86DD)
    public static let qinq = EtherType(rawValue: 0x88A8)
    public static let lldp = EtherType(rawValue: 0x88CC)
    /// The pre-802.1ad stacking TPID that switches still send.
    public static let qinqLegacy = EtherType(rawValue: 0x9100)
    public static let transparentEthernetBridging = EtherType(rawValue: 0x6558)

    /// Names as Wireshark's `etype_vals`.
    public static let names: [(UInt64, String)] = [
        (0x0800, "IPv4"), (0x0806, "ARP"), (0x8035, "RARP"), (0x8100, "802.1Q Virtual LAN"),
        (0x86DD, "IPv6"), (0x88A8, "802.1ad Provider Bridge (Q-in-Q)"), (0x88CC, "802.1 Link Layer Discovery Protocol (LLDP)"),
        (0x88B5, "Local Experimental Ethertype 1"), (0x88B6, "Local Experimental Ethertype 2"),
        (0x8809, "Slow Protocols"), (0x88E5, "802.1AE (MACsec)"), (0x8847, "MPLS label switched packet"),
        (0x8863, "PPPoE Discovery"), (0x8864, "PPPoE Session"), (0x9100, "VLAN-tagged frame (Q-in-Q)"),
        (0x6558, "Transparent Ethernet bridging"), (0x0842, "Wake on LAN"), (0x22F0, "IEEE 1722 Audio Video Bridging Transport Protocol"),
        (0x8808, "MAC Control"), (0x88E7, "802.1ah Provider Backbone Bridge (mac-in-mac)"), (0x88F7, "PTPv2 over Ethernet (IEEE1588)"),
        (0x8906, "Fibre Channel over Ethernet"), (0x8914, "FCoE Initialization Protocol"), (0x88E1, "HomePlug AV MME"),
        (0x893A, "IEEE 1905.1a"), (0x88A4, "EtherCAT frame"), (0x88B7, "OUI Extended Ethertype"),
    ]
}

public struct IPProtocol: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let hopByHop = IPProtocol(rawValue: 0)
    public static let icmp = IPProtocol(rawValue: 1)
    public static let igmp = IPProtocol(rawValue: 2)
    public static let ipv4InIP = IPProtocol(rawValue: 4)
    public static let tcp = IPProtocol(rawValue: 6)
    public static let udp = IPProtocol(rawValue: 17)
    /// IPv6 encapsulated in IPv4 or IPv6 (6in4, RFC 4213; ISATAP; 6to4).
    public static let ipv6InIP = IPProtocol(rawValue: 41)
    public static let routing = IPProtocol(rawValue: 43)
    public static let fragment = IPProtocol(rawValue: 44)
    public static let gre = IPProtocol(rawValue: 47)
    public static let esp = IPProtocol(rawValue: 50)
    public static let authentication = IPProtocol(rawValue: 51)
    public static let icmpv6 = IPProtocol(rawValue: 58)
    public static let noNextHeader = IPProtocol(rawValue: 59)
    public static let destinationOptions = IPProtocol(rawValue: 60)
    public static let mobility = IPProtocol(rawValue: 135)
    public static let sctp = IPProtocol(rawValue: 132)

    /// Names as Wireshark's `ipproto_val`.
    public static let names: [(UInt64, String)] = [
        (0, "IPv6 Hop-by-Hop Option"), (1, "ICMP"), (2, "IGMP"), (4, "IPIP"), (6, "TCP"), (17, "UDP"),
        (41, "IPv6"), (43, "Routing Header for IPv6"), (44, "Fragment Header for IPv6"), (47, "GRE"),
        (50, "Encap Security Payload"), (51, "Authentication Header"), (58, "ICMPv6"), (59, "IPv6 No Next Header"),
        (60, "Destination Options for IPv6"), (89, "OSPF IGP"), (103, "PIM"), (112, "VRRP"), (132, "SCTP"),
        (135, "Mobility Header"), (139, "Host Identity Protocol"), (140, "Shim6 Protocol"),
        (253, "Experimentation and testing"), (254, "Experimentation and testing"),
    ]
}

/// Well-known ports that tunnelscope dispatches on.
public enum WellKnownPort {
    /// Teredo (RFC 4380).
    public static let teredo: UInt16 = 3544
}
