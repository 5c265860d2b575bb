/// A link-layer header type (libpcap's DLT / pcap's LINKTYPE numbers). Open: unknown values survive.
public struct LinkType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static let null = LinkType(0)
    public static let ethernet = LinkType(1)
    /// DLT_RAW as libpcap reports it for a live sit/tun device.
    public static let rawDLT = LinkType(12)
    /// DLT_RAW's number on OpenBSD (files use 101).
    public static let rawDLT14 = LinkType(14)
    public static let loop = LinkType(108)
    public static let raw = LinkType(101)
    public static let linuxSLL = LinkType(113)
    public static let ipv4 = LinkType(228)
    public static let ipv6 = LinkType(229)
    public static let linuxSLL2 = LinkType(276)

    public var name: String {
        switch self {
        case .null: return "NULL"
        case .ethernet: return "EN10MB"
        case .rawDLT, .raw, .rawDLT14: return "RAW"
        case .loop: return "LOOP"
        case .linuxSLL: return "LINUX_SLL"
        case .linuxSLL2: return "LINUX_SLL2"
        case .ipv4: return "IPV4"
        case .ipv6: return "IPV6"
        default: return "LINKTYPE_\(rawValue)"
        }
    }
}
