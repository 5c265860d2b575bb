import PacketDecoder

/// `-V`: the field tree, four spaces per level, one headline per layer as tshark prints it,
/// expert information under the field it concerns. Hidden fields are left out.
public struct TreePrinter {
    /// Adds each field's byte range (and mask) after its text.
    public var showOffsets = false

    public init(showOffsets: Bool = false) { self.showOffsets = showOffsets }

    public func lines(for tree: PacketTree) -> [String] {
        var out: [String] = []
        for i in tree.nodes.indices {
            let node = tree.nodes[i]
            if node.flags.contains(.hidden) || isInsideHidden(tree, i) { continue }
            let indent = String(repeating: "    ", count: Int(node.depth))
            var text = indent + tree.label(i)
            if showOffsets && node.length > 0 {
                text += "  [\(node.offset)..<\(node.offset + node.length)"
                let mask = node.mask
                if mask != 0 { text += " mask 0x" + hexString(mask, width: max(2, Int(node.length) * 2)) }
                text += "]"
            }
            if node.flags.contains(.layer) && node.flags.contains(.truncated) {
                text += "  [Packet size limited during capture]"
            }
            out.append(TerminalText.sanitized(text))
            for d in tree.diagnostics where d.node == Int32(i) {
                out.append(TerminalText.sanitized(indent + "    [Expert Info (\(ExpertText.severity(d.severity))/\(ExpertText.group(d.group))): \(d.message)]"))
            }
        }
        if let s = tree.shortfall, s.cut == .truncated {
            out.append("[Packet size limited during capture: \(LayerHeadline.shortName(s.layer)) truncated]")
        }
        return out
    }

    private func isInsideHidden(_ tree: PacketTree, _ index: Int) -> Bool {
        var p = tree.parent(of: index)
        while let q = p {
            if tree.nodes[q].flags.contains(.hidden) { return true }
            p = tree.parent(of: q)
        }
        return false
    }
}

/// Wireshark's words for severities and groups.
public enum ExpertText {
    public static func severity(_ s: Severity) -> String {
        switch s {
        case .chat: return "Chat"
        case .note: return "Note"
        case .warn: return "Warning"
        case .error: return "Error"
        }
    }

    public static func group(_ g: ExpertGroup) -> String {
        switch g {
        case .checksum: return "Checksum"
        case .sequence: return "Sequence"
        case .malformed: return "Malformed"
        case .protocolViolation: return "Protocol"
        case .undecoded: return "Undecoded"
        case .comment: return "Comment"
        }
    }
}
