// The Info column of an ICMPv6 message, as tshark builds it: the type's name, the code's name in
// brackets, then what identifies the message (echo id and sequence with the hop limit, ND target,
// link-layer address options).

extension ICMPv6Layer {
    /// tshark's Info text for the ICMPv6 layer at node `index`.
    public static func info(_ tree: PacketTree, layer index: Int) -> String {
        return String(decoding: ByteWriter.collect { writeInfo(tree, layer: index, to: &$0) }, as: UTF8.self)
    }

    /// `info`, appended as bytes.
    static func writeInfo(_ tree: PacketTree, layer index: Int, to out: inout ByteWriter) {
        var kind: UInt8?, codeValue: UInt8 = 0
        var identifier: UInt64?, sequence: UInt64?
        var nonceSeen = false
        var hasExtras = false
        var i = index + 1
        let end = Int(tree.nodes[index].subtreeEnd)
        while i < end {
            let node = tree.nodes[i]
            defer { i = Int(node.subtreeEnd) }
            switch node.field {
            case type: kind = UInt8(truncatingIfNeeded: node.value.integer ?? 0)
            case code: codeValue = UInt8(truncatingIfNeeded: node.value.integer ?? 0)
            case echoIdentifier: identifier = node.value.integer
            case echoSequence: sequence = node.value.integer
            case nonce: nonceSeen = true
            case nsTargetAddress, naTargetAddress, option: hasExtras = true
            default: break
            }
        }
        guard let kind else { return }
        if kind == 128 && nonceSeen { return TextBytes.append("Direct IPv6 Connectivity Test", to: &out) }
        TextBytes.append(typeName(kind), to: &out)
        if let name = codeName(type: kind, code: codeValue) {
            TextBytes.append(" (", to: &out)
            TextBytes.append(name, to: &out)
            TextBytes.append(")", to: &out)
        }
        if kind == 128 || kind == 129, let identifier, let sequence {
            TextBytes.append(" id=0x", to: &out)
            TextBytes.appendHex(identifier, width: 4, to: &out)
            TextBytes.append(", seq=", to: &out)
            TextBytes.appendDecimal(sequence, to: &out)
            if let hopLimit = ICMPContext.enclosing(tree, IPv6Layer.hopLimit, before: index) {
                TextBytes.append(", hop limit=", to: &out)
                TextBytes.appendDecimal(hopLimit, to: &out)
            }
        }
        guard hasExtras else { return }
        i = index + 1
        while i < end {
            defer { i = Int(tree.nodes[i].subtreeEnd) }
            switch tree.nodes[i].field {
            case nsTargetAddress:
                TextBytes.append(" for ", to: &out)
                _ = tree.appendFieldText(i, to: &out)
            case naTargetAddress:
                TextBytes.append(" ", to: &out)
                _ = tree.appendFieldText(i, to: &out)
                TextBytes.append(" (", to: &out)
                TextBytes.append(naFlagsText(tree, flagsIn: index), to: &out)
                TextBytes.append(")", to: &out)
            case option:
                TextBytes.append(optionInfo(tree, option: i), to: &out)
            default:
                break
            }
        }
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
