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
        let layout = summaryLayout
        let info = ByteWriter.collect { appendInfo(layout, to: &$0) }
        return SummaryColumns(sourceNode: layout.sourceNode, destinationNode: layout.destinationNode,
                              protocolName: layout.protocolName, info: String(decoding: info, as: UTF8.self),
                              tunnels: tunnels)
    }

    /// Which nodes give the row's columns; no text yet (`print` writes it as bytes).
    public var summaryLayout: SummaryLayout {
        // Node indices, not text: only the final columns are formatted (a tunnelled packet's
        // outer addresses are overwritten by the inner ones).
        var layout = SummaryLayout()
        // Layers before this index sit inside an ICMP error's quote: they give no columns.
        var quoteEnd = 0
        // The innermost addressed layer gives the columns; the innermost protocol names the row;
        // the last tunnel crossed that can be described (as `tunnels.last`) marks it.
        walkLayers(visit: { i, field, addressed in
            let quoted = i < quoteEnd
            switch field {
            case EthernetLayer.eth where layout.sourceNode == nil:
                layout.sourceNode = firstChild(i, EthernetLayer.source)
                layout.destinationNode = firstChild(i, EthernetLayer.destination)
            case LinuxCookedLayer.sll where layout.sourceNode == nil:
                // A cooked header has the sender's link-layer address only.
                layout.sourceNode = firstChild(i, LinuxCookedLayer.sourceEthernet)
            case IPv4Layer.ip, IPv6Layer.ipv6:
                if !quoted, let src = addressed?.source, let dst = addressed?.destination {
                    layout.sourceNode = src
                    layout.destinationNode = dst
                }
            case ICMPv6Layer.icmpv6, ICMPv4Layer.icmp:
                quoteEnd = max(quoteEnd, Int(nodes[i].subtreeEnd))
            default:
                break
            }
            if field == DataLayer.data || quoted || field == EthernetLayer.ethertypeStep { return }
            layout.infoLayer = i
        }, tunnel: { kind, outer, inner in
            if let source = outer.source, let destination = outer.destination {
                layout.lastTunnel = (kind, source, destination, inner.source, inner.destination)
            }
        })
        // The Protocol column: Wireshark's short name, except where a dissector sets its own.
        if let layer = layout.infoLayer {
            layout.protocolName = nodes[layer].field == ARPLayer.arp ? "ARP" : LayerHeadline.shortName(nodes[layer].field)
        } else {
            layout.protocolName = nodes.count > 1 ? LayerHeadline.shortName(nodes[1].field) : "Frame"
        }
        return layout
    }

    /// The Info column of `layout` as bytes: "[6in4 a → b] " for the last tunnel crossed, the
    /// innermost protocol's text, and a mark when the frame was cut short.
    public func appendInfo(_ layout: SummaryLayout, to out: inout ByteWriter, cache: AddressTextCache? = nil) {
        if let tunnel = layout.lastTunnel {
            TextBytes.append("[", to: &out)
            appendTunnelText(tunnel.kind, source: tunnel.source, destination: tunnel.destination,
                             innerSource: tunnel.innerSource, innerDestination: tunnel.innerDestination,
                             to: &out, cache: cache)
            TextBytes.append("] ", to: &out)
        }
        if let layer = layout.infoLayer { InfoColumn.write(self, layer: layer, to: &out) }
        if let s = shortfall {
            TextBytes.append(s.cut == .truncated ? " [Packet size limited during capture]" : " [Malformed Packet]", to: &out)
        }
    }

    func firstChildText(_ layer: Int, _ field: Field) -> String? {
        firstChild(layer, field).map(fieldText)
    }

    /// The first direct children of `layer` with the fields `first` and `second`, in one walk.
    func addresses(_ layer: Int, _ first: Field, _ second: Field) -> (Int?, Int?) {
        var a: Int?, b: Int?
        var i = layer + 1
        let end = Int(nodes[layer].subtreeEnd)
        while i < end {
            let field = nodes[i].field
            if field == first { if a == nil { a = i; if b != nil { break } } }
            else if field == second { if b == nil { b = i; if a != nil { break } } }
            i = Int(nodes[i].subtreeEnd)
        }
        return (a, b)
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

/// Which nodes give a summary row's columns (`PacketTree.summaryLayout`).
public struct SummaryLayout {
    public var sourceNode: Int?
    public var destinationNode: Int?
    public var protocolName = ""
    /// The layer whose protocol writes the Info column.
    public var infoLayer: Int?
    /// The last encapsulation crossed that has outer addresses: its kind, the outer source and
    /// destination address nodes, and the inner ones (its 6to4 or ISATAP note reads them).
    public var lastTunnel: (kind: TunnelKind, source: Int, destination: Int, innerSource: Int?, innerDestination: Int?)?
}

/// Info column text, by the innermost protocol.
public enum InfoColumn {
    /// `text`, appended as bytes: the common protocols write straight into `out`.
    public static func write(_ tree: PacketTree, layer index: Int, to out: inout ByteWriter) {
        switch tree.nodes[index].field {
        case UDPLayer.udp: UDPLayer.writeInfo(tree, layer: index, to: &out)
        case TCPLayer.tcp: TCPLayer.writeInfo(tree, layer: index, to: &out)
        case ICMPv6Layer.icmpv6: ICMPv6Layer.writeInfo(tree, layer: index, to: &out)
        case ICMPv4Layer.icmp: ICMPv4Layer.writeInfo(tree, layer: index, to: &out)
        case ARPLayer.arp: ARPLayer.writeInfo(tree, layer: index, to: &out)
        default: TextBytes.append(text(tree, layer: index), to: &out)
        }
    }

    /// Each protocol writes its own Info text (`ICMPv6Layer.writeInfo`, `IPv4Layer.info`...);
    /// this picks the one for the innermost layer.
    public static func text(_ tree: PacketTree, layer index: Int) -> String {
        switch tree.nodes[index].field {
        case UDPLayer.udp, TCPLayer.tcp, ICMPv6Layer.icmpv6, ICMPv4Layer.icmp, ARPLayer.arp:
            return String(decoding: ByteWriter.collect { write(tree, layer: index, to: &$0) }, as: UTF8.self)
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
