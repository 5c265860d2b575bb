// The packet list's row: Source, Destination, Protocol and Info, tunnel-aware. A 6in4 or Teredo
// packet shows its inner addresses and protocol, and Info names the tunnel with the outer
// addresses: "[6in4 192.168.122.127 → 192.168.122.134] Echo (ping) request ...".

public struct PacketSummary: Sendable, Equatable {
    public var source: String
    public var destination: String
    public var protocolName: String
    public var info: String
    /// The encapsulations crossed, outermost first (empty for a plain packet).
    public var tunnels: [TunnelDescription]
}

/// The row before its address columns become text: `print` writes those straight as bytes
/// (`PacketTree.appendFieldText`).
public struct SummaryColumns {
    public var sourceNode: Int?
    public var destinationNode: Int?
    public var protocolName: String
    public var info: String
    public var tunnels: [TunnelDescription]
}

extension PacketTree {
    /// The row for the packet list and `print`'s summary line.
    public var summary: PacketSummary {
        let c = summaryColumns
        return PacketSummary(source: c.sourceNode.map(fieldText) ?? "", destination: c.destinationNode.map(fieldText) ?? "",
                             protocolName: c.protocolName, info: c.info, tunnels: c.tunnels)
    }

    /// `summary` with the address columns as node indices.
    public var summaryColumns: SummaryColumns {
        // Node indices, not text: only the final columns are formatted (a tunnelled packet's
        // outer addresses are overwritten by the inner ones).
        var sourceNode: Int?, destinationNode: Int?
        var protocolName = ""
        var infoLayer: Int?
        // Layers before this index sit inside an ICMP error's quote: they give no columns.
        var quoteEnd = 0
        // The innermost addressed layer gives the columns; the innermost protocol names the row.
        for i in nodes.indices where nodes[i].flags.contains(.layer) {
            let field = nodes[i].field
            let quoted = i < quoteEnd
            if field == ICMPv6Layer.icmpv6 || field == ICMPv4Layer.icmp {
                quoteEnd = max(quoteEnd, Int(nodes[i].subtreeEnd))
            }
            switch field {
            case EthernetLayer.eth where sourceNode == nil:
                sourceNode = firstChild(i, EthernetLayer.source)
                destinationNode = firstChild(i, EthernetLayer.destination)
            case LinuxCookedLayer.sll where sourceNode == nil:
                // A cooked header has the sender's link-layer address only.
                sourceNode = firstChild(i, LinuxCookedLayer.sourceEthernet)
            case IPv4Layer.ip, IPv6Layer.ipv6:
                let s = field == IPv4Layer.ip ? IPv4Layer.source : IPv6Layer.source
                let d = field == IPv4Layer.ip ? IPv4Layer.destination : IPv6Layer.destination
                if !quoted, let src = firstChild(i, s), let dst = firstChild(i, d) {
                    sourceNode = src
                    destinationNode = dst
                }
            default:
                break
            }
            if field == DataLayer.data { continue }
            if quoted { continue }
            if field == EthernetLayer.ethertypeStep { continue }
            // The Protocol column: Wireshark's short name, except where a dissector sets its own.
            protocolName = field == ARPLayer.arp ? "ARP" : LayerHeadline.shortName(field)
            infoLayer = i
        }
        if protocolName.isEmpty { protocolName = nodes.count > 1 ? LayerHeadline.shortName(nodes[1].field) : "Frame" }
        var info = infoLayer.map { InfoColumn.text(self, layer: $0) } ?? ""
        let crossed = tunnels
        if let tunnel = crossed.last {
            info = "[\(tunnel.text)] " + info
        }
        if let s = shortfall {
            info += s.cut == .truncated ? " [Packet size limited during capture]" : " [Malformed Packet]"
        }
        return SummaryColumns(sourceNode: sourceNode, destinationNode: destinationNode, protocolName: protocolName,
                              info: info, tunnels: crossed)
    }

    func firstChildText(_ layer: Int, _ field: Field) -> String? {
        firstChild(layer, field).map(fieldText)
    }

    /// The first direct child of `layer` with this field id, walked without building an array.
    func firstChild(_ layer: Int, _ field: Field) -> Int? {
        var i = layer + 1
        let end = Int(nodes[layer].subtreeEnd)
        while i < end {
            if nodes[i].field == field { return i }
            i = Int(nodes[i].subtreeEnd)
        }
        return nil
    }
}

/// Info column text, by the innermost protocol.
public enum InfoColumn {
    /// Each protocol writes its own Info text (`ICMPv6Layer.info`...); this picks the one for
    /// the innermost layer.
    public static func text(_ tree: PacketTree, layer index: Int) -> String {
        switch tree.nodes[index].field {
        case UDPLayer.udp: return UDPLayer.info(tree, layer: index)
        case TCPLayer.tcp: return TCPLayer.info(tree, layer: index)
        case ICMPv6Layer.icmpv6: return ICMPv6Layer.info(tree, layer: index)
        case ICMPv4Layer.icmp: return ICMPv4Layer.info(tree, layer: index)
        case ARPLayer.arp: return ARPLayer.info(tree, layer: index)
        case IPv4Layer.ip: return IPv4Layer.info(tree, layer: index)
        case LinuxCookedLayer.sll: return LinuxCookedLayer.info(tree, layer: index)
        case EthernetLayer.eth: return EthernetLayer.info(tree, layer: index)
        case TeredoLayer.teredo: return TeredoLayer.info(tree, layer: index) ?? LayerHeadline.text(tree, index)
        case IPv6Layer.ipv6:
            // A Teredo bubble or indication: Teredo says more than the bare IPv6 header.
            if let teredo = tree.nodes[..<index].lastIndex(where: { $0.field == TeredoLayer.teredo }),
               let text = TeredoLayer.info(tree, layer: teredo) {
                return text
            }
            return LayerHeadline.text(tree, index)
        default:
            return LayerHeadline.text(tree, index)
        }
    }
}
