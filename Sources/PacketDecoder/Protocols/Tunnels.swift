// Which encapsulations a decoded packet holds, for the summary line ("[6in4 192.168.122.127 →
// 192.168.122.134]") and the walkthrough. Read from the tree, never from the bytes again.

/// How one IP packet travels inside another.
public enum TunnelKind: Sendable, Equatable {
    /// IPv6 in IPv4, protocol 41 (RFC 4213; also 6to4 and ISATAP).
    case sixInFour
    /// IPv6 in UDP port 3544 (RFC 4380).
    case teredo
    /// IPv6 in IPv6, next header 41 (RFC 2473).
    case ipv6InIPv6
    /// IPv4 in IPv4, protocol 4 (RFC 2003).
    case ipv4InIPv4
    /// IPv4 in IPv6, next header 4 (RFC 2473).
    case ipv4InIPv6

    /// The kind of an `inner` IP layer directly after an `outer` layer, if that is a tunnel.
    init?(outer: Field, inner: Field) {
        switch (outer, inner) {
        case (IPv4Layer.ip, IPv6Layer.ipv6): self = .sixInFour
        case (TeredoLayer.teredo, IPv6Layer.ipv6): self = .teredo
        case (IPv6Layer.ipv6, IPv6Layer.ipv6): self = .ipv6InIPv6
        case (IPv4Layer.ip, IPv4Layer.ip): self = .ipv4InIPv4
        case (IPv6Layer.ipv6, IPv4Layer.ip): self = .ipv4InIPv6
        default: return nil
        }
    }

    /// The short name the summary line shows.
    public var name: String {
        switch self {
        case .sixInFour: return "6in4"
        case .teredo: return "Teredo"
        case .ipv6InIPv6: return "IPv6-in-IPv6"
        case .ipv4InIPv4: return "IPIP"
        case .ipv4InIPv6: return "IPv4-in-IPv6"
        }
    }
}

/// One encapsulation: the outer header's addresses and where both headers are in the tree.
public struct TunnelDescription: Sendable, Equatable {
    public var kind: TunnelKind
    /// What the inner addresses add: "6to4" (2002::/16) or "ISATAP" (…:5efe:a.b.c.d), for 6in4.
    public var note: String?
    public var outerSource: String
    public var outerDestination: String
    /// Node index of the outer IP layer.
    public var outerLayer: Int
    /// Node index of the inner IP layer.
    public var innerLayer: Int

    /// "6in4 192.168.122.127 → 192.168.122.134", or "6in4 (6to4) 192.0.2.33 → 192.88.99.1".
    public var text: String {
        var out = kind.name
        if let note { out += " (\(note))" }
        return out + " \(outerSource) → \(outerDestination)"
    }
}

extension PacketTree {
    /// Every encapsulation in the packet, outermost first. An IP layer directly inside another IP
    /// layer (extension headers between them do not count) is a tunnel, as is IPv6 after Teredo;
    /// an ICMP error's quote is not (its ICMP layer stands between).
    public var tunnels: [TunnelDescription] {
        var result: [TunnelDescription] = []
        forEachTunnel { kind, outer, inner in
            guard let source = outer.source, let destination = outer.destination else { return }
            result.append(TunnelDescription(
                kind: kind, note: note(kind, innerSource: inner.source, innerDestination: inner.destination).map { "\($0)" },
                outerSource: fieldText(source), outerDestination: fieldText(destination),
                outerLayer: outer.layer, innerLayer: inner.layer))
        }
        return result
    }

    /// An IP layer and its source and destination address nodes.
    typealias AddressedLayer = (layer: Int, source: Int?, destination: Int?)

    /// Calls `body` with each encapsulation's kind and outer and inner IP layers (with their
    /// address nodes), outermost first.
    func forEachTunnel(_ body: (TunnelKind, AddressedLayer, AddressedLayer) -> Void) {
        walkLayers(visit: { _, _, _ in }, tunnel: body)
    }

    /// One pass over the layers: `visit` sees every layer in order (an IP layer with its address
    /// nodes, found in one walk of its children), `tunnel` each encapsulation as its inner IP
    /// layer is reached. The summary row takes its columns and its tunnel mark from one pass.
    func walkLayers(visit: (_ layer: Int, _ field: Field, _ addressed: AddressedLayer?) -> Void,
                    tunnel: (TunnelKind, AddressedLayer, AddressedLayer) -> Void) {
        var previous: Int?                  // the last layer that matters
        var lastIP: AddressedLayer?         // the IP layer UDP/Teredo sit on
        for layer in layerNodes {
            let i = Int(layer)
            let field = nodes[i].field
            switch field {
            case IPv6OptionsLayer.hopByHop, IPv6OptionsLayer.destination, IPv6RoutingLayer.routing,
                 IPv6ExtensionLayer.fragment, IPv6ExtensionLayer.ah:
                visit(i, field, nil)
                continue
            case IPv4Layer.ip, IPv6Layer.ipv6:
                let (source, destination) = field == IPv4Layer.ip
                    ? addresses(i, IPv4Layer.source, IPv4Layer.destination)
                    : addresses(i, IPv6Layer.source, IPv6Layer.destination)
                let here = (layer: i, source: source, destination: destination)
                visit(i, field, here)
                // The outer IP layer: the one just before, or for Teredo the one under its UDP.
                if let outer = previous, let kind = TunnelKind(outer: nodes[outer].field, inner: field),
                   let outerIP = lastIP, kind == .teredo || outerIP.layer == outer {
                    tunnel(kind, outerIP, here)
                }
                lastIP = here
            default:
                visit(i, field, nil)
            }
            previous = i
        }
    }

    /// A `TunnelDescription.text` written straight as bytes (the summary line), for a tunnel whose
    /// outer address nodes are known.
    func appendTunnelText(_ kind: TunnelKind, source: Int, destination: Int, innerSource: Int?, innerDestination: Int?,
                          to out: inout ByteWriter, cache: AddressTextCache? = nil) {
        TextBytes.append(kind.name, to: &out)
        if let note = note(kind, innerSource: innerSource, innerDestination: innerDestination) {
            TextBytes.append(" (", to: &out)
            TextBytes.append(note, to: &out)
            TextBytes.append(")", to: &out)
        }
        TextBytes.append(" ", to: &out)
        _ = appendFieldText(source, to: &out, cache: cache)
        TextBytes.append(" → ", to: &out)
        _ = appendFieldText(destination, to: &out, cache: cache)
    }

    /// What the inner addresses of a 6in4 packet add: "6to4" (2002::/16) or "ISATAP".
    private func note(_ kind: TunnelKind, innerSource sourceNode: Int?, innerDestination destinationNode: Int?) -> StaticString? {
        guard kind == .sixInFour else { return nil }
        let innerSource = sourceNode.flatMap { ipv6Value($0) }
        let innerDestination = destinationNode.flatMap { ipv6Value($0) }
        if innerSource.map(AddressAnatomy.isSixToFour) == true || innerDestination.map(AddressAnatomy.isSixToFour) == true {
            return "6to4"
        }
        if innerSource.map(AddressAnatomy.isISATAP) == true || innerDestination.map(AddressAnatomy.isISATAP) == true {
            return "ISATAP"
        }
        return nil
    }

    private func ipv6Value(_ index: Int) -> IPv6Address? {
        if case .ipv6(let address) = nodes[index].value { return address }
        return nil
    }
}
