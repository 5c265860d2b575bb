// Packet bytes never reach the terminal raw: text that comes from a capture (comments, names,
// payload) passes through here before it is printed or drawn.

public enum TerminalText {
    /// `text` with C0 controls, DEL and C1 controls (which terminals take as escape sequences)
    /// replaced by ".".
    public static func sanitized(_ text: String) -> String {
        var needs = false
        for scalar in text.unicodeScalars where isControl(scalar) { needs = true; break }
        guard needs else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { out.append(isControl(scalar) ? "." : scalar) }
        return String(out)
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (s.value >= 0x7F && s.value < 0xA0)
    }

    /// A byte as it may appear in an ASCII column: printable ASCII, else ".".
    public static func asciiCell(_ byte: UInt8) -> Character {
        byte >= 0x20 && byte < 0x7F ? Character(Unicode.Scalar(byte)) : "."
    }
}
