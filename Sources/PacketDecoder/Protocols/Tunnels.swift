// Which encapsulations a packet crosses: 6in4 (RFC 4213), Teredo (RFC 4380), IP-in-IP.

public struct TunnelDescription: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case sixInFour, teredo, ipv6InIPv6, ipv4InIPv4, ipv4InIPv6

        /// The short label the summary line uses.
        public var label: String {
            switch self {
            case .sixInFour: return "6in4"
            case .teredo: return "Teredo"
            case .ipv6InIPv6: return "IPv6-in-IPv6"
            case .ipv4InIPv4: return "IPv4-in-IPv4"
            case .ipv4InIPv6: return "IPv4-in-IPv6"
            }
        }
    }
    public var kind: Kind
    public var outerSource: String
    public var outerDestination: String
    /// Node indices of the outer and inner network layers.
    public var outerLayer: Int
    public var innerLayer: Int
}

extension PacketTree {
    /// Each encapsulation in the packet, outermost first.
    public var tunnels: [TunnelDescription] {
        var result: [TunnelDescription] = []
        var lastNetwork: Int?
        var sawTeredo = false
        for i in nodes.indices where nodes[i].flags.contains(.layer) {
            let f = nodes[i].field
            if f == TeredoLayer.teredo { sawTeredo = true }
            guard f == IPv4Layer.ip || f == IPv6Layer.ipv6 else { continue }
            if isQuoted(i) { break }
            if let outer = lastNetwork {
                let outerIsV4 = nodes[outer].field == IPv4Layer.ip
                let innerIsV4 = f == IPv4Layer.ip
                let kind: TunnelDescription.Kind
                switch (outerIsV4, innerIsV4) {
                case (true, false): kind = sawTeredo ? .teredo : .sixInFour
                case (false, false): kind = .ipv6InIPv6
                case (true, true): kind = .ipv4InIPv4
                case (false, true): kind = .ipv4InIPv6
                }
                let s = outerIsV4 ? IPv4Layer.source : IPv6Layer.source
                let d = outerIsV4 ? IPv4Layer.destination : IPv6Layer.destination
                result.append(TunnelDescription(kind: kind, outerSource: firstChildText(outer, s) ?? "?",
                                                outerDestination: firstChildText(outer, d) ?? "?",
                                                outerLayer: outer, innerLayer: i))
            }
            lastNetwork = i
            sawTeredo = false
        }
        return result
    }
}
