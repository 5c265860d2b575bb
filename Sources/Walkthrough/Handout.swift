import PacketDecoder

/// The printed lesson: the diagram, the hex dump, then every step with its bytes marked under
/// the dump's rows and its explanation, as plain text or Markdown.
public enum Handout {
    public enum Format: String, CaseIterable, Sendable { case text, markdown }

    public static let width = 78

    public static func render(_ walk: Walkthrough, tree: PacketTree, source: String, format: Format) -> String {
        var out: [String] = []
        let md = format == .markdown
        let m = tree.metadata
        let time = TimeText.iso(seconds: m.seconds, nanoseconds: m.nanoseconds) + " UTC"
        let origin = walk.lesson == "generic" ? "the generic tour (no lesson matches this packet)" : "lesson \"\(walk.lesson)\""
        if md {
            out.append("# \(walk.title)")
            out.append("")
            out.append("Frame \(m.number) of `\(source)`: \(m.originalLength) bytes, captured \(time); \(origin), \(walk.steps.count) steps.")
            out.append("")
            out.append("```text")
        } else {
            out.append(walk.title)
            out.append(String(repeating: "=", count: min(width, walk.title.count)))
            out.append("Frame \(m.number) of \(source): \(m.originalLength) bytes, captured \(time)")
            out.append("\(origin.prefix(1).uppercased() + origin.dropFirst()), \(walk.steps.count) steps.")
            out.append("")
        }
        out += walk.diagram.boxLines(width: width)
        out.append("")
        out += dump(tree.bytes, rows: 0..<(tree.bytes.count + 15) / 16, marks: nil)
        if md { out.append("```") }
        for (i, step) in walk.steps.enumerated() {
            out.append("")
            let heading = "Step \(i + 1) of \(walk.steps.count): \(step.title)"
            let place = placeText(step, tree)
            if md {
                out.append("## " + heading)
                out.append("")
                out.append(place)
                out.append("")
                if !step.range.isEmpty {
                    out.append("```text")
                    out += dump(tree.bytes, rows: rows(of: step.range), marks: step.range)
                    out.append("```")
                    out.append("")
                }
                out.append(step.text)
            } else {
                out.append(heading)
                out.append(String(repeating: "-", count: min(width, heading.count)))
                if !place.isEmpty { out.append(String(place.filter { $0 != "`" })) }
                if !step.range.isEmpty { out += dump(tree.bytes, rows: rows(of: step.range), marks: step.range) }
                out += wrap(step.text, width: width)
            }
        }
        if !walk.missing.isEmpty {
            out.append("")
            out.append(md ? "## Not in this packet" : "Not in this packet:")
            if md { out.append("") }
            for note in walk.missing { out.append("- " + note) }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// `eth.dst, bytes 0..<6: 52 54 00 2b 01 cc` (backticks become code spans in Markdown).
    static func placeText(_ step: Walkthrough.Step, _ tree: PacketTree) -> String {
        var parts: [String] = []
        if let field = step.field { parts.append("`\(field)`") }
        if !step.range.isEmpty {
            let bytes = Array(tree.bytes[step.range])
            var hex = HexText.spaced(Array(bytes.prefix(16)))
            if bytes.count > 16 { hex += " …" }
            let where_ = step.range.count == 1 ? "byte \(step.range.lowerBound)" : "bytes \(step.range.lowerBound)..<\(step.range.upperBound)"
            parts.append("\(where_): `\(hex)`")
        }
        return parts.joined(separator: ", ")
    }

    static func rows(of range: Range<Int>) -> Range<Int> {
        let first = range.lowerBound / 16, last = (range.upperBound - 1) / 16
        return first..<min(last + 1, first + 4)
    }

    /// Hex rows as `tunnelscope print -x` shows them; with `marks`, a line of `^` under the
    /// marked bytes after each row.
    static func dump(_ bytes: [UInt8], rows: Range<Int>, marks: Range<Int>?) -> [String] {
        var lines: [String] = []
        for row in rows {
            let start = row * 16
            guard start < bytes.count else { break }
            var hex = Array(repeating: Character(" "), count: 6 + 16 * 3 + 2 + 17)
            var under = hex
            var anyMark = false
            for (i, c) in hexString(UInt64(start), width: 4).enumerated() { hex[i] = c }
            for b in 0..<16 where start + b < bytes.count {
                let byte = bytes[start + b]
                let column = 6 + b * 3 + (b >= 8 ? 1 : 0)
                let ascii = 6 + 16 * 3 + 2 + b + (b >= 8 ? 1 : 0)
                let h = Array(hexString(UInt64(byte), width: 2))
                hex[column] = h[0]
                hex[column + 1] = h[1]
                hex[ascii] = TerminalText.asciiCell(byte)
                if let marks, marks.contains(start + b) {
                    under[column] = "^"; under[column + 1] = "^"; under[ascii] = "^"
                    anyMark = true
                }
            }
            lines.append(String(hex).trimmedRight)
            if anyMark { lines.append(String(under).trimmedRight) }
        }
        let total = marks.map { (($0.upperBound - 1) / 16) - ($0.lowerBound / 16) + 1 } ?? 0
        if total > rows.count { lines.append("      … (\(total - rows.count) more rows)") }
        return lines
    }

    /// Words wrapped to `width`; blank lines in the text are kept as paragraph breaks.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                if !line.isEmpty && line.count + 1 + word.count > width {
                    lines.append(line)
                    line = ""
                }
                line += (line.isEmpty ? "" : " ") + word
            }
            lines.append(line)
        }
        return lines
    }
}

extension String {
    var trimmedRight: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
