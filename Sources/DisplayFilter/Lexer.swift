// Display filter text -> tokens. Unquoted words are not classified here: whether `ip` or `c7`
// is a field or a literal is decided against the registry by the compiler, as Wireshark does.

enum ComparisonOperator: Sendable, Equatable {
    case equal, notEqual, allEqual, anyNotEqual
    case less, lessOrEqual, greater, greaterOrEqual
    case contains, matches

    var isOrdering: Bool {
        switch self {
        case .less, .lessOrEqual, .greater, .greaterOrEqual: return true
        default: return false
        }
    }
}

/// Arithmetic between values (Wireshark 4.0): `&` is bitwise and, the rest integer arithmetic.
enum ArithmeticOperator: Sendable, Equatable {
    case add, subtract, multiply, divide, remainder, bitwiseAnd

    var symbol: String {
        switch self {
        case .add: return "+"
        case .subtract: return "-"
        case .multiply: return "*"
        case .divide: return "/"
        case .remainder: return "%"
        case .bitwiseAnd: return "&"
        }
    }
}

enum TokenKind: Equatable {
    /// Unquoted text: a field, a protocol, a number, an address, a byte string...
    case word(String)
    /// A double-quoted string, escapes decoded, as UTF-8 bytes.
    case string([UInt8])
    /// A character constant (`'a'`, `'\x40'`).
    case character(UInt64)
    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
    case comma, hash, dotDot
    case comparison(ComparisonOperator)
    case arithmetic(ArithmeticOperator)
    case and, or, xor, not, `in`
    case end
}

struct Token: Equatable {
    var kind: TokenKind
    /// 0-based scalar offset in the filter text.
    var start: Int
    var length: Int
    /// The source text of the token.
    var text: String
}

struct Lexer {
    let scalars: [Unicode.Scalar]
    let filter: String

    init(_ filter: String) {
        self.filter = filter
        scalars = Array(filter.unicodeScalars)
    }

    func error(_ message: String, _ start: Int, _ length: Int) -> FilterError {
        FilterError(message, column: start + 1, length: length, filter: filter)
    }

    static let keywords: [String: TokenKind] = [
        "and": .and, "or": .or, "xor": .xor, "not": .not, "in": .in,
        "eq": .comparison(.equal), "ne": .comparison(.notEqual),
        "all_eq": .comparison(.allEqual), "any_ne": .comparison(.anyNotEqual), "any_eq": .comparison(.equal),
        "all_ne": .comparison(.notEqual),
        "lt": .comparison(.less), "le": .comparison(.lessOrEqual),
        "gt": .comparison(.greater), "ge": .comparison(.greaterOrEqual),
        "contains": .comparison(.contains), "matches": .comparison(.matches),
    ]

    static func isWordScalar(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", "_", ".", ":", "-", "/": return true
        default: return false
        }
    }

    func tokenize() throws(FilterError) -> [Token] {
        var tokens: [Token] = []
        var i = 0
        let n = scalars.count
        func text(_ a: Int, _ b: Int) -> String { String(String.UnicodeScalarView(scalars[a..<b])) }
        func peek(_ k: Int) -> Unicode.Scalar? { i + k < n ? scalars[i + k] : nil }

        while i < n {
            let c = scalars[i]
            if c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1; continue }
            let start = i
            func emit(_ kind: TokenKind, _ length: Int) {
                tokens.append(Token(kind: kind, start: start, length: length, text: text(start, start + length)))
                i = start + length
            }
            switch c {
            case "(": emit(.leftParen, 1)
            case ")": emit(.rightParen, 1)
            case "{": emit(.leftBrace, 1)
            case "}": emit(.rightBrace, 1)
            case "[": emit(.leftBracket, 1)
            case "]": emit(.rightBracket, 1)
            case ",": emit(.comma, 1)
            case "#": emit(.hash, 1)
            case "=":
                if peek(1) == "=" && peek(2) == "=" { emit(.comparison(.allEqual), 3) }
                else if peek(1) == "=" { emit(.comparison(.equal), 2) }
                else { throw error("\"=\" was unexpected in this context. Did you mean \"==\"?", start, 1) }
            case "!":
                if peek(1) == "=" && peek(2) == "=" { emit(.comparison(.anyNotEqual), 3) }
                else if peek(1) == "=" { emit(.comparison(.notEqual), 2) }
                else { emit(.not, 1) }
            case "~":
                if peek(1) == "=" { emit(.comparison(.anyNotEqual), 2) } else { emit(.comparison(.matches), 1) }
            case "<":
                if peek(1) == "=" { emit(.comparison(.lessOrEqual), 2) } else { emit(.comparison(.less), 1) }
            case ">":
                if peek(1) == "=" { emit(.comparison(.greaterOrEqual), 2) } else { emit(.comparison(.greater), 1) }
            case "&":
                if peek(1) == "&" { emit(.and, 2) } else { emit(.arithmetic(.bitwiseAnd), 1) }
            case "+": emit(.arithmetic(.add), 1)
            case "*": emit(.arithmetic(.multiply), 1)
            case "%": emit(.arithmetic(.remainder), 1)
            case "|":
                guard peek(1) == "|" else { throw error("\"|\" was unexpected in this context. Did you mean \"||\"?", start, 1) }
                emit(.or, 2)
            case "^":
                guard peek(1) == "^" else { throw error("\"^\" was unexpected in this context. Did you mean \"^^\"?", start, 1) }
                emit(.xor, 2)
            case "\"":
                let (bytes, end) = try quoted(from: i + 1, raw: false)
                emit(.string(bytes), end - start)
            case "r" where peek(1) == "\"":
                let (bytes, end) = try quoted(from: i + 2, raw: true)
                emit(.string(bytes), end - start)
            case "'":
                let (value, end) = try character(from: i + 1)
                emit(.character(value), end - start)
            case "." where peek(1) == ".":
                emit(.dotDot, 2)
            default:
                guard Lexer.isWordScalar(c) else {
                    throw error("\"\(text(start, start + 1))\" was unexpected in this context.", start, 1)
                }
                var j = i
                while j < n && Lexer.isWordScalar(scalars[j]) {
                    // `133..137` is a range, not one word.
                    if scalars[j] == "." && j + 1 < n && scalars[j + 1] == "." { break }
                    j += 1
                }
                let word = text(start, j)
                // A lone `-` or `/` between spaces is arithmetic (`ip.ttl - 1`); inside a word
                // they belong to it (`aa-bb`, `10.0.0.0/8`).
                if word == "-" { emit(.arithmetic(.subtract), 1); continue }
                if word == "/" { emit(.arithmetic(.divide), 1); continue }
                // Keywords in lower case, or all upper case (`AND`).
                if let keyword = Lexer.keywords[word] ?? (word == word.uppercased() ? Lexer.keywords[word.lowercased()] : nil) {
                    emit(keyword, j - start)
                } else {
                    emit(.word(word), j - start)
                }
            }
        }
        tokens.append(Token(kind: .end, start: n, length: 0, text: ""))
        return tokens
    }

    /// A double-quoted string starting after its opening quote; returns its UTF-8 bytes and the
    /// index after the closing quote.
    func quoted(from first: Int, raw: Bool) throws(FilterError) -> ([UInt8], Int) {
        var bytes: [UInt8] = []
        var i = first
        let n = scalars.count
        while i < n {
            let c = scalars[i]
            if c == "\"" { return (bytes, i + 1) }
            if c == "\\" {
                guard i + 1 < n else { break }
                if raw {
                    // Raw strings keep backslashes; only `\"` does not end the string.
                    bytes.append(0x5C)
                    if scalars[i + 1] == "\"" { bytes.append(0x22); i += 2 } else { i += 1 }
                    continue
                }
                let (value, isByte, end) = try escape(at: i)
                if isByte { bytes.append(UInt8(value)) } else { appendUTF8(value, to: &bytes) }
                i = end
                continue
            }
            appendUTF8(c.value, to: &bytes)
            i += 1
        }
        throw error("The final quote was missing from a quoted string.", n, 1)
    }

    /// A character constant after its opening `'`: its value and the index after the closing `'`.
    func character(from first: Int) throws(FilterError) -> (UInt64, Int) {
        let n = scalars.count
        guard first < n else { throw error("The final quote was missing from a character constant.", n, 1) }
        var value: UInt64
        var i = first
        if scalars[i] == "\\" {
            let (v, _, end) = try escape(at: i)
            value = UInt64(v)
            i = end
        } else {
            value = UInt64(scalars[i].value)
            i += 1
        }
        guard i < n, scalars[i] == "'" else {
            throw error("The final quote was missing from a character constant.", first - 1, max(1, i - first + 1))
        }
        return (value, i + 1)
    }

    /// The escape sequence at `i` (a backslash): its value, whether it is a raw byte (`\x`, octal)
    /// rather than a code point, and the index after it.
    func escape(at i: Int) throws(FilterError) -> (UInt32, Bool, Int) {
        let n = scalars.count
        let e = scalars[i + 1]
        func hexValue(_ c: Unicode.Scalar) -> UInt32? {
            switch c {
            case "0"..."9": return c.value - 48
            case "a"..."f": return c.value - 87
            case "A"..."F": return c.value - 55
            default: return nil
            }
        }
        switch e {
        case "\\": return (0x5C, false, i + 2)
        case "\"": return (0x22, false, i + 2)
        case "'": return (0x27, false, i + 2)
        case "a": return (7, false, i + 2)
        case "b": return (8, false, i + 2)
        case "f": return (12, false, i + 2)
        case "n": return (10, false, i + 2)
        case "r": return (13, false, i + 2)
        case "t": return (9, false, i + 2)
        case "v": return (11, false, i + 2)
        case "x":
            var v: UInt32 = 0, j = i + 2
            while j < n, j < i + 4, let d = hexValue(scalars[j]) { v = v * 16 + d; j += 1 }
            guard j > i + 2 else { throw error("\\x is not a valid character escape sequence", i, 2) }
            return (v, true, j)
        case "0"..."7":
            var v: UInt32 = 0, j = i + 1
            while j < n, j < i + 4, scalars[j].value >= 48, scalars[j].value <= 55 { v = v * 8 + scalars[j].value - 48; j += 1 }
            guard v <= 255 else { throw error("\\\(text(i + 1, j)) is not a valid character escape sequence", i, j - i) }
            return (v, true, j)
        case "u", "U":
            let digits = e == "u" ? 4 : 8
            var v: UInt32 = 0, j = i + 2
            while j < n, j < i + 2 + digits, let d = hexValue(scalars[j]) { v = v &* 16 &+ d; j += 1 }
            guard j == i + 2 + digits, Unicode.Scalar(v) != nil else {
                throw error("\\\(text(i + 1, min(n, i + 2 + digits))) is not a valid universal character name", i, j - i)
            }
            return (v, false, j)
        default:
            throw error("\\\(text(i + 1, i + 2)) is not a valid character escape sequence", i, 2)
        }
    }

    private func text(_ a: Int, _ b: Int) -> String { String(String.UnicodeScalarView(scalars[a..<b])) }
}

func appendUTF8(_ value: UInt32, to bytes: inout [UInt8]) {
    guard let scalar = Unicode.Scalar(value) else { return }
    bytes.append(contentsOf: String(Character(scalar)).utf8)
}
