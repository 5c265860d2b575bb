import PacketDecoder

/// `-T json`: tunnelscope's own JSON (documented in the README): per packet the frame's
/// metadata, the summary and the field tree with every node's bytes.
public struct JSONPrinter {
    public init() {}

    /// One packet's object, on one line.
    public func object(for tree: PacketTree) -> String {
        let m = tree.metadata
        let s = tree.summary
        var out = "{\"frame\":{"
        out += "\"number\":\(m.number),\"time\":" + quote(TimeText.iso(seconds: m.seconds, nanoseconds: m.nanoseconds) + "Z")
        out += ",\"epoch\":" + quote(epoch(m)) + ",\"length\":\(m.originalLength),\"captured\":\(tree.bytes.count)"
        out += ",\"linkType\":\(m.linkType.rawValue)"
        if let id = m.interfaceID { out += ",\"interface\":\(id)" }
        if let name = m.interfaceName { out += ",\"interfaceName\":" + quote(name) }
        if let c = m.comment { out += ",\"comment\":" + quote(c) }
        out += ",\"protocols\":" + quote(tree.fieldTexts(FrameLayer.protocols).first ?? "") + "}"
        out += ",\"summary\":{\"source\":" + quote(s.source) + ",\"destination\":" + quote(s.destination)
        out += ",\"protocol\":" + quote(s.protocolName) + ",\"info\":" + quote(s.info)
        if !s.tunnels.isEmpty {
            out += ",\"tunnels\":[" + s.tunnels.map {
                "{\"kind\":" + quote($0.kind.name) + ",\"outerSource\":" + quote($0.outerSource)
                    + ",\"outerDestination\":" + quote($0.outerDestination) + "}"
            }.joined(separator: ",") + "]"
        }
        out += "}"
        if let short = tree.shortfall {
            out += ",\"shortfall\":{\"kind\":" + quote(short.cut == .truncated ? "truncated" : "malformed")
                + ",\"layer\":" + quote(short.layer.abbreviation) + "}"
        }
        out += ",\"tree\":["
        var first = true
        for root in tree.roots {
            if !first { out += "," }
            first = false
            node(tree, root, into: &out)
        }
        out += "]}"
        return out
    }

    private func epoch(_ m: FrameMetadata) -> String {
        let ns = String(m.nanoseconds)
        return "\(m.seconds)." + String(repeating: "0", count: max(0, 9 - ns.count)) + ns
    }

    private func node(_ tree: PacketTree, _ index: Int, into out: inout String) {
        let n = tree.nodes[index]
        out += "{\"field\":" + quote(n.field.abbreviation)
        out += ",\"label\":" + quote(n.field.info.name)
        if let v = value(tree, index) { out += ",\"value\":" + v }
        out += ",\"display\":" + quote(tree.label(index))
        out += ",\"offset\":\(n.offset),\"length\":\(n.length)"
        if n.mask != 0 { out += ",\"mask\":\(n.mask)" }
        var flags: [String] = []
        if n.flags.contains(.generated) { flags.append("\"generated\"") }
        if n.flags.contains(.hidden) { flags.append("\"hidden\"") }
        if n.flags.contains(.truncated) { flags.append("\"truncated\"") }
        if n.flags.contains(.layer) { flags.append("\"layer\"") }
        if !flags.isEmpty { out += ",\"flags\":[" + flags.joined(separator: ",") + "]" }
        let diagnostics = tree.diagnostics(of: index)
        if !diagnostics.isEmpty {
            out += ",\"diagnostics\":[" + diagnostics.map {
                "{\"severity\":" + quote($0.severity.name) + ",\"group\":" + quote($0.group.rawValue)
                    + ",\"message\":" + quote($0.message) + "}"
            }.joined(separator: ",") + "]"
        }
        let children = tree.children(of: index)
        if !children.isEmpty {
            out += ",\"children\":["
            for (i, c) in children.enumerated() {
                if i > 0 { out += "," }
                node(tree, c, into: &out)
            }
            out += "]"
        }
        out += "}"
    }

    /// The typed value: numbers and booleans as JSON numbers/booleans, the rest as strings.
    private func value(_ tree: PacketTree, _ index: Int) -> String? {
        switch tree.nodes[index].value {
        case .none: return nil
        case .unsigned(let v): return String(v)
        case .signed(let v): return String(v)
        case .boolean(let b): return b ? "true" : "false"
        default: return quote(tree.fieldText(index))
        }
    }
}

/// A JSON string literal. Control characters (C0, DEL, C1) are escaped, so none reach a terminal.
public func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0) {
                out += "\\u" + hexString(UInt64(scalar.value), width: 4)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
