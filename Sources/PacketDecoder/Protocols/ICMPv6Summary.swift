// The Info column of an ICMPv6 message, as tshark builds it: the type's name, the code's name in
// brackets, then what identifies the message (echo id and sequence with the hop limit, ND target,
// link-layer address options).

extension ICMPv6Layer {
    /// tshark's Info text for the ICMPv6 layer at node `index`.
    public static func info(_ tree: PacketTree, layer index: Int) -> String {
        var kind: UInt8?, codeValue: UInt8 = 0
        var identifier: UInt64?, sequence: UInt64?
        var extras = ""
        var nonceSeen = false
        for i in tree.children(of: index) {
            let node = tree.nodes[i]
            switch node.field {
            case type: kind = UInt8(truncatingIfNeeded: node.value.integer ?? 0)
            case code: codeValue = UInt8(truncatingIfNeeded: node.value.integer ?? 0)
            case echoIdentifier: identifier = node.value.integer
            case echoSequence: sequence = node.value.integer
            case nonce: nonceSeen = true
            case nsTargetAddress:
                extras += " for " + tree.fieldText(i)
            case naTargetAddress:
                extras += " " + tree.fieldText(i) + " (" + naFlagsText(tree, flagsIn: index) + ")"
            case option:
                extras += optionInfo(tree, option: i)
            default:
                break
            }
        }
        guard let kind else { return "" }
        if kind == 128 && nonceSeen { return "Direct IPv6 Connectivity Test" }
        var text = typeName(kind)
        if let name = codeName(type: kind, code: codeValue) { text += " (\(name))" }
        if kind == 128 || kind == 129, let identifier, let sequence {
            text += " id=0x" + hexString(identifier, width: 4) + ", seq=\(sequence)"
            if let hopLimit = ICMPContext.enclosing(tree, IPv6Layer.hopLimit, before: index) {
                text += ", hop limit=\(hopLimit)"
            }
        }
        return text + extras
    }

    /// "rtr, sol, ovr" from a neighbour advertisement's flags ("none" when clear).
    static func naFlagsText(_ tree: PacketTree, flagsIn layer: Int) -> String {
        var names: [String] = []
        for i in tree.children(of: layer) where tree.nodes[i].field == naFlags {
            for j in tree.children(of: i) where tree.nodes[j].value == .boolean(true) {
                switch tree.nodes[j].field {
                case naFlagRouter: names.append("rtr")
                case naFlagSolicited: names.append("sol")
                case naFlagOverride: names.append("ovr")
                default: break
                }
            }
        }
        return names.isEmpty ? "none" : names.joined(separator: ", ")
    }

    /// " from <mac>" for a source link-layer address option, " is at <mac>" for a target one.
    static func optionInfo(_ tree: PacketTree, option index: Int) -> String {
        var kind: UInt64?
        for i in tree.children(of: index) {
            let node = tree.nodes[i]
            if node.field == optionType { kind = node.value.integer }
            if node.field == optionLinkAddress, case .ether = node.value {
                return (kind == 2 ? " is at " : " from ") + tree.fieldText(i)
            }
        }
        return ""
    }
}
