import ScreenModel

/// What a cell's character becomes on the terminal: one column wide, never a control character.
enum CellText {
    /// The Unicode scalars to hand to `setcchar`: a spacing character and its combining marks.
    /// `unicode` false (a locale that is not UTF-8): ASCII stand-ins for the box and arrow characters.
    /// `width` tells the display width of a scalar (wcwidth); anything not one column wide becomes "?".
    static func scalars(_ character: Character, unicode: Bool, width: (Unicode.Scalar) -> Int32) -> [Unicode.Scalar] {
        let all = Array(character.unicodeScalars)
        guard let first = all.first else { return [" "] }
        if first.value < 0x20 || (0x7F..<0xA0).contains(first.value) { return ["."] }
        if first.isASCII { return unicode ? [first] + combining(all.dropFirst(), width) : [first] }
        guard unicode else { return [asciiStandIn(first)] }
        guard width(first) == 1 else { return ["?"] }
        return [first] + combining(all.dropFirst(), width)
    }

    private static func combining(_ rest: ArraySlice<Unicode.Scalar>, _ width: (Unicode.Scalar) -> Int32) -> [Unicode.Scalar] {
        // A cchar_t holds five wide characters; the first is the spacing one.
        Array(rest.filter { width($0) == 0 }.prefix(4))
    }

    /// The nearest ASCII for the characters the screens use.
    static func asciiStandIn(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar {
        case "→", "▶", "►", "»": return ">"
        case "←", "◀", "◄", "«": return "<"
        case "↑", "▲": return "^"
        case "↓", "▼": return "v"
        case "│", "┃", "║": return "|"
        case "─", "━", "═": return "-"
        case "┌", "┐", "└", "┘", "├", "┤", "┬", "┴", "┼", "╭", "╮", "╯", "╰": return "+"
        case "…": return "~"
        case "·", "•": return "*"
        case "█", "▓", "▒", "░": return "#"
        case "\u{A0}": return " "
        default: return "?"
        }
    }
}
