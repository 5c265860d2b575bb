import PacketDecoder

/// A lesson resolved against one packet: every step with its bytes, its node and its text filled.
public struct Walkthrough: Sendable {
    public struct Step: Sendable, Equatable {
        public var title: String
        public var text: String
        /// The bytes the step points at (empty for a generated field with no bytes of its own).
        public var range: Range<Int>
        /// The field node the step is about: selected in the tree. Nil for a byte-range step
        /// (the TUI selects the innermost field of its first byte).
        public var node: Int?
        /// The field's abbreviation, or nil for a byte range.
        public var field: String?
        /// The innermost diagram box holding the step's first byte.
        public var layer: Int?
    }

    /// The lesson's name ("generic" for the generic tour) and title.
    public var lesson: String
    public var title: String
    public var frameNumber: Int
    public var steps: [Step]
    public var diagram: Diagram
    /// Steps the lesson names that this packet lacks (not `optional`): shown as notes.
    public var missing: [String]

    /// Resolves `lesson` against `tree`.
    public static func resolve(_ lesson: Lesson, _ tree: PacketTree) -> Walkthrough {
        let diagram = Diagram(tree)
        var steps: [Step] = []
        var missing: [String] = []
        for spec in lesson.steps {
            var range: Range<Int>
            var node: Int?
            var fieldName: String?
            switch spec.target {
            case .bytes(let r):
                range = r
            case .field(let name, let occurrence, let offset, let length):
                let found = FieldRegistry.field(named: name).map { tree.indices(of: $0) } ?? []
                guard occurrence <= found.count else {
                    if !spec.optional { missing.append("\(spec.title): no \(name)\(occurrence > 1 ? "#\(occurrence)" : "") in this packet") }
                    continue
                }
                let n = found[occurrence - 1]
                range = tree.nodes[n].range
                if let offset, let length {
                    range = range.lowerBound + offset..<range.lowerBound + offset + length
                } else {
                    node = n
                    fieldName = name
                }
            }
            let clamped = range.clamped(to: 0..<tree.bytes.count)
            if clamped.isEmpty && !range.isEmpty {
                if !spec.optional { missing.append("\(spec.title): bytes \(range.lowerBound)..<\(range.upperBound) are past the end of the packet") }
                continue
            }
            range = clamped
            steps.append(Step(title: Placeholders.fill(spec.title, tree: tree, range: range, node: node),
                              text: Placeholders.fill(spec.text, tree: tree, range: range, node: node),
                              range: range, node: node, field: fieldName,
                              layer: diagram.innermost(containing: range.isEmpty ? tree.nodes[node ?? 0].range.lowerBound : range.lowerBound)))
        }
        return Walkthrough(lesson: lesson.name, title: lesson.title, frameNumber: tree.metadata.number,
                           steps: steps, diagram: diagram, missing: missing)
    }

    /// The generic tour: every visible field of every layer, in wire order, from the registry's
    /// labels and the decoded values.
    public static func genericTour(_ tree: PacketTree) -> Walkthrough {
        let diagram = Diagram(tree)
        var steps: [Step] = []
        var i = 0
        while i < tree.nodes.count {
            let node = tree.nodes[i]
            if node.flags.contains(.hidden) {
                i = Int(node.subtreeEnd)
                continue
            }
            let info = node.field.info
            let isLayer = node.flags.contains(.layer) || node.field == FrameLayer.frame
            var text: String
            if isLayer {
                text = "\(tree.label(i)). "
                text += node.length > 0 ? "This layer's header is bytes \(node.range.lowerBound)..<\(node.range.upperBound) (\(node.length) bytes)." : ""
                if node.field == FrameLayer.frame { text = "\(tree.label(i)). What the capture recorded about the frame, then its layers from the outside in." }
                if let note = tunnelNote(tree, i) { text += " " + note }
            } else {
                text = "\(info.name) (\(info.abbreviation))"
                if !info.blurb.isEmpty && info.blurb != info.name { text += ": \(info.blurb)" }
                text += "."
                let value = tree.valueText(i)
                if !value.isEmpty { text += " Here: \(value)." }
                if node.length > 0 {
                    text += node.length == 1 ? " Byte \(node.offset)" : " Bytes \(node.range.lowerBound)..<\(node.range.upperBound)"
                    if node.mask != 0 { text += ", bits of mask 0x" + hexString(node.mask, width: max(2, Int(node.length) * 2)) }
                    text += ": " + HexText.spaced(Array(tree.bytes(of: i).prefix(16))) + (node.length > 16 ? " …" : "") + "."
                } else if node.flags.contains(.generated) {
                    text += " Worked out by the decoder, not carried on the wire."
                }
            }
            for d in tree.diagnostics(of: i) { text += " [\(d.message)]" }
            let title = isLayer ? LayerHeadline.shortName(node.field) : info.name
            steps.append(Step(title: title, text: text, range: node.range.clamped(to: 0..<tree.bytes.count), node: i,
                              field: info.abbreviation, layer: diagram.innermost(containing: node.range.lowerBound)))
            i += 1
        }
        return Walkthrough(lesson: "generic", title: "Tour of frame \(tree.metadata.number), layer by layer",
                           frameNumber: tree.metadata.number, steps: steps, diagram: diagram, missing: [])
    }
}

/// Why a layer matters for the tunnel, for the generic tour: which header is the tunnel's and
/// which is carried inside it.
func tunnelNote(_ tree: PacketTree, _ index: Int) -> String? {
    let name = tree.nodes[index].field.info.protocolAbbreviation
    let layers = tree.nodes.indices.filter { tree.nodes[$0].flags.contains(.layer) }
    let before = layers.filter { $0 < index }.map { tree.nodes[$0].field.info.protocolAbbreviation }
    let after = layers.filter { $0 > index }.map { tree.nodes[$0].field.info.protocolAbbreviation }
    let outerIP = before.contains("ip") || before.contains("ipv6")
    switch name {
    case "ip" where after.first == "ipv6":
        return "It carries an IPv6 packet directly (protocol 41, 6in4, RFC 4213): this is the tunnel's header, its addresses the tunnel's two ends."
    case "udp" where after.first == "teredo":
        return "Port 3544 marks Teredo (RFC 4380): IPv6 carried in UDP so that it passes NAT."
    case "teredo":
        return "The IPv6 packet inside the UDP datagram: Teredo's payload."
    case "ipv6" where before.contains("teredo") || (outerIP && before.last != "icmpv6"):
        return "This IPv6 packet travels inside the tunnel: the hosts' real addresses, unchanged end to end."
    case "ipv6" where before.last == "icmpv6":
        return "The start of the packet that caused this ICMPv6 error, quoted so the sender can tell which one it was."
    default:
        return nil
    }
}

/// The encapsulation as nested boxes: Ethernet [ IPv4 [ IPv6 [ ICMPv6 ] ] ], each with the bytes
/// from its header to the end of what it carries.
public struct Diagram: Sendable, Equatable {
    public struct Box: Sendable, Equatable {
        public var name: String
        public var range: Range<Int>
        public var depth: Int
    }

    public var boxes: [Box]

    public init(_ tree: PacketTree) {
        var layers: [(String, Int, Int)] = []  // name, start, header end
        for node in tree.nodes where node.flags.contains(.layer) {
            if node.field == FrameLayer.frame { continue }
            let name = LayerHeadline.shortName(node.field)
            if name == "Data" || node.field.info.protocolAbbreviation == "data" { continue }
            layers.append((name, Int(node.offset), Int(node.offset + node.length)))
        }
        let end = tree.bytes.count
        boxes = layers.enumerated().map { index, layer in
            Box(name: layer.0, range: layer.1..<max(layer.2, end), depth: index)
        }
    }

    /// The innermost box whose range holds `offset`.
    public func innermost(containing offset: Int) -> Int? {
        boxes.indices.last { boxes[$0].range.contains(offset) }
    }

    /// One line: `Ethernet 0..<138 [ IPv4 14..<138 [ IPv6 34..<138 [ ICMPv6 74..<138 ] ] ]`.
    public var line: String {
        boxes.map { "\($0.name) \($0.range.lowerBound)..<\($0.range.upperBound)" }.joined(separator: " [ ")
            + String(repeating: " ]", count: max(0, boxes.count - 1))
    }

    /// Pieces of `line` with the index of the box each names (nil for brackets), for lighting one.
    public var linePieces: [(String, Int?)] {
        var pieces: [(String, Int?)] = []
        for (i, box) in boxes.enumerated() {
            if i > 0 { pieces.append((" [ ", nil)) }
            pieces.append(("\(box.name) \(box.range.lowerBound)..<\(box.range.upperBound)", i))
        }
        if boxes.count > 1 { pieces.append((String(repeating: " ]", count: boxes.count - 1), nil)) }
        return pieces
    }

    /// Nested boxes drawn with box characters, `width` columns wide; `lit` marks a box with `▶`.
    public func boxLines(width: Int, lit: Int? = nil) -> [String] {
        var top: [String] = [], bottom: [String] = []
        for (i, box) in boxes.enumerated() {
            let indent = String(repeating: "│ ", count: i)
            let inner = width - 2 * i * 2
            let label = (i == lit ? "▶ " : "") + "\(box.name)  bytes \(box.range.lowerBound)..<\(box.range.upperBound) "
            let dashes = max(0, inner - 3 - label.count)
            top.append(indent + "┌ " + label + String(repeating: "─", count: dashes) + "┐" + String(repeating: " │", count: i))
            bottom.insert(indent + "└" + String(repeating: "─", count: max(0, inner - 2)) + "┘" + String(repeating: " │", count: i), at: 0)
        }
        return top + bottom
    }
}
