import PacketDecoder

/// `{ip.ttl}`, `{ipv6.src#2}`, `{bytes}`, `{range}`... in a step's text, filled from the packet.
/// `{{` and `}}` stand for braces.
enum Placeholders {
    /// Names that are not fields: about the step's own bytes and field, and the frame.
    static let specials: [String: String] = [
        "bytes": "the step's bytes in hex",
        "range": "the step's byte range, as 14..<23",
        "offset": "the step's first byte",
        "length": "the step's byte count",
        "value": "the step's field value",
        "label": "the step's field as the tree shows it",
        "field": "the step's field abbreviation",
        "frame": "the frame number",
        "time": "the capture time (UTC)",
        "timeval": "the step's first 16 bytes read as a little-endian struct timeval (UTC)",
        "timeval.age": "how long before the capture time that timeval is",
    ]

    /// Splits text into literal pieces and placeholder names.
    enum Piece: Equatable { case text(String), name(String) }

    static func pieces(_ text: String) -> (pieces: [Piece], problem: String?) {
        var result: [Piece] = []
        var literal = ""
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if c == "{" {
                if chars.first == "{" { chars.removeFirst(); literal.append("{"); continue }
                guard let close = chars.firstIndex(of: "}") else { return (result, "unclosed \"{\" (write {{ for a brace)") }
                let name = String(chars[..<close])
                chars = chars[(close + 1)...]
                if !literal.isEmpty { result.append(.text(literal)); literal = "" }
                result.append(.name(name))
            } else if c == "}" {
                if chars.first == "}" { chars.removeFirst() }
                literal.append("}")
            } else {
                literal.append(c)
            }
        }
        if !literal.isEmpty { result.append(.text(literal)) }
        return (result, nil)
    }

    /// Nil when every placeholder is known, else the problem.
    static func check(_ text: String) -> String? {
        let (pieces, problem) = pieces(text)
        if let problem { return problem }
        for case .name(let name) in pieces where specials[name] == nil {
            let (abbreviation, occurrence) = LessonFile.splitOccurrence(name)
            if occurrence == nil || occurrence! < 1 { return "bad occurrence in {\(name)}" }
            if FieldRegistry.field(named: abbreviation) == nil {
                return "unknown placeholder {\(name)}: " + LessonFile.unknownField(abbreviation)
                    + " (or one of " + specials.keys.sorted().joined(separator: ", ") + ")"
            }
        }
        return nil
    }

    /// Fills the placeholders of `text` for a step over `range` (and its `node`, if any).
    static func fill(_ text: String, tree: PacketTree, range: Range<Int>, node: Int?) -> String {
        var out = ""
        for piece in pieces(text).pieces {
            switch piece {
            case .text(let s): out += s
            case .name(let name): out += value(name, tree: tree, range: range, node: node)
            }
        }
        return out
    }

    static func value(_ name: String, tree: PacketTree, range: Range<Int>, node: Int?) -> String {
        let bytes = Array(tree.bytes[range.clamped(to: 0..<tree.bytes.count)])
        switch name {
        case "bytes": return HexText.spaced(bytes)
        case "range": return "\(range.lowerBound)..<\(range.upperBound)"
        case "offset": return String(range.lowerBound)
        case "length": return String(range.count)
        case "value": return node.map { tree.valueText($0) } ?? HexText.spaced(bytes)
        case "label": return node.map { tree.label($0) } ?? ""
        case "field": return node.map { tree.nodes[$0].field.abbreviation } ?? ""
        case "frame": return String(tree.metadata.number)
        case "time": return TimeText.iso(seconds: tree.metadata.seconds, nanoseconds: tree.metadata.nanoseconds) + " UTC"
        case "timeval", "timeval.age":
            guard let (seconds, micros) = timeval(bytes) else { return "(not a timestamp)" }
            if name == "timeval" { return TimeText.iso(seconds: seconds, nanoseconds: UInt32(micros) * 1000) + " UTC" }
            let captured = tree.metadata.seconds * 1_000_000 + Int64(tree.metadata.nanoseconds / 1000)
            let age = captured - (seconds * 1_000_000 + micros)
            return age >= 0 && age < 1_000_000 ? "\(age) µs" : "\(Double(age) / 1_000_000) s"
        default:
            let (abbreviation, occurrence) = LessonFile.splitOccurrence(name)
            guard let field = FieldRegistry.field(named: abbreviation), let occurrence else { return "{\(name)}" }
            let found = tree.indices(of: field)
            guard occurrence >= 1, occurrence <= found.count else { return "(no \(name))" }
            return tree.valueText(found[occurrence - 1])
        }
    }

    /// Little-endian 64-bit seconds and microseconds, as Linux ping stamps its payload.
    static func timeval(_ bytes: [UInt8]) -> (Int64, Int64)? {
        guard bytes.count >= 16 else { return nil }
        func le(_ at: Int) -> Int64 { (0..<8).reduce(Int64(0)) { $0 | Int64(bytes[at + $1]) << (8 * Int64($1)) } }
        let seconds = le(0), micros = le(8)
        guard micros >= 0, micros < 1_000_000, seconds >= 0, seconds < 1 << 40 else { return nil }
        return (seconds, micros)
    }
}

enum HexText {
    static func spaced(_ bytes: [UInt8]) -> String {
        bytes.map { hexString(UInt64($0), width: 2) }.joined(separator: " ")
    }
}
