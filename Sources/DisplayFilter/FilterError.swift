// Why a filter does not compile, and where: the message and the span Wireshark would underline.

/// A display filter that does not compile. `column` is 1-based and counts Unicode scalars, so
/// the caret lines up under a terminal rendering of the filter text.
public struct FilterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One sentence, in tshark's wording where tshark has one.
    public let message: String
    /// 1-based column of the first offending character (one past the end for "unexpected end").
    public let column: Int
    /// How many characters are underlined (at least 1 in `caret`).
    public let length: Int
    /// The filter as it was given.
    public let filter: String

    public init(_ message: String, column: Int, length: Int, filter: String) {
        self.message = message
        self.column = max(1, column)
        self.length = max(0, length)
        self.filter = filter
    }

    /// Wireshark's two-line picture: the filter, then `^~~~` under the offending span.
    ///
    ///     ip.srcc == 1
    ///     ^~~~~~~
    public var caret: String {
        let line = String(String.UnicodeScalarView(filter.unicodeScalars.map { $0 == "\t" || $0 == "\n" ? " " : $0 }))
        return line + "\n" + String(repeating: " ", count: column - 1) + "^"
            + String(repeating: "~", count: max(0, length - 1))
    }

    public var description: String { message + "\n" + caret }
}
