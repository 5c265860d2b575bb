// Each layer's headline, as tshark's tree shows it (`Internet Protocol Version 6, Src: ..., Dst: ...`).

public enum LayerHeadline {
    /// Wireshark's short protocol names, as used in "[... IPv6 truncated]" and the Protocol column.
    public static func shortName(_ layer: Field) -> String {
        let info = layer.info
        return info.shortName ?? info.name
    }

    /// The headline of layer node `index`.
    public static func text(_ tree: PacketTree, _ index: Int) -> String {
        let node = tree.nodes[index]
        let info = node.field.info
        func child(_ field: Field) -> String? { tree.firstChildText(index, field) }
        switch node.field {
        case FrameLayer.frame:
            let m = tree.metadata
            var text = "Frame \(m.number): \(m.originalLength) bytes on wire (\(m.originalLength * 8) bits), "
                + "\(tree.bytes.count) bytes captured (\(tree.bytes.count * 8) bits)"
            if let name = m.interfaceName, let id = m.interfaceID { text += " on interface \(name), id \(id)" }
            return text
        case EthernetLayer.eth:
            if let s = child(EthernetLayer.source), let d = child(EthernetLayer.destination) {
                let kind = child(EthernetLayer.length) == nil ? "Ethernet II" : "IEEE 802.3 Ethernet"
                return "\(kind), Src: \(s), Dst: \(d)"
            }
        case LinuxCookedLayer.sll:
            return node.length == Int32(LinuxCookedLayer.V2Layout.headerLength)
                ? "Linux cooked capture v2" : "Linux cooked capture v1"
        case ARPLayer.arp:
            return info.name + ARPLayer.headlineKind(tree, layer: index)
        case EthernetLayer.qinq:
            if let id = child(EthernetLayer.qinqID) { return "IEEE 802.1ad, ID: \(id)" }
        case IPv4Layer.ip:
            if let s = child(IPv4Layer.source), let d = child(IPv4Layer.destination) {
                return "\(info.name), Src: \(s), Dst: \(d)"
            }
        case IPv6Layer.ipv6:
            if let s = child(IPv6Layer.source), let d = child(IPv6Layer.destination) {
                return "\(info.name), Src: \(s), Dst: \(d)"
            }
        case UDPLayer.udp:
            if let s = child(UDPLayer.sourcePort), let d = child(UDPLayer.destinationPort) {
                return "\(info.name), Src Port: \(s), Dst Port: \(d)"
            }
        case TCPLayer.tcp:
            if let s = child(TCPLayer.sourcePort), let d = child(TCPLayer.destinationPort) {
                var text = "\(info.name), Src Port: \(s), Dst Port: \(d)"
                if let seq = child(TCPLayer.sequence) { text += ", Seq: \(seq)" }
                if let len = child(TCPLayer.segmentLength) { text += ", Len: \(len)" }
                return text
            }
        case EthernetLayer.vlan:
            if let p = child(EthernetLayer.vlanPriority), let id = child(EthernetLayer.vlanID) {
                return "802.1Q Virtual LAN, PRI: \(p), DEI: \(child(EthernetLayer.vlanDEI) ?? "0"), ID: \(id)"
            }
        case DataLayer.data:
            return "Data (\(node.length) bytes)"
        default:
            break
        }
        return info.name
    }
}
