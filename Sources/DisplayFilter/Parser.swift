// Tokens -> syntax tree, by recursive descent. Precedence, loosest first: or, xor, and, not
// (Wireshark's grammar); a relation binds tighter than all of them.

/// One slice or layer range as written: `i:j` (start, length), `i-j` (start, end inclusive),
/// `i` (one), `:j`, `i:` (to the end). Negative starts count from the end.
struct RangeSpec: Equatable, Sendable {
    var start: Int
    /// nil: to the end.
    var length: Int?
}

/// Something a relation compares: a word, a string, a function call; then `#layer` and slices.
struct Entity {
    indirect enum Base {
        case word(String)
        case string([UInt8])
        case character(UInt64)
        case call(name: String, arguments: [Entity])
        /// `left op right`; `token` is the operator's.
        case arithmetic(ArithmeticOperator, Entity, Entity)
    }
    var base: Base
    /// The base's token (the function name for calls).
    var token: Token
    /// `#2`, `#[1-2]`.
    var layers: [RangeSpec]?
    var layerToken: Token?
    /// `[0:3]`, each bracket one list.
    var slices: [[RangeSpec]] = []
    var sliceToken: Token?
    /// The span of the whole entity in the text.
    var start: Int
    var length: Int

    var isLiteral: Bool {
        switch base {
        case .word: return false
        case .string, .character: return true
        case .call, .arithmetic: return false
        }
    }
}

struct SetItem {
    var low: Entity
    var high: Entity?
}

indirect enum Syntax {
    case or(Syntax, Syntax)
    case xor(Syntax, Syntax)
    case and(Syntax, Syntax)
    case not(Syntax)
    case exists(Entity)
    case compare(Entity, ComparisonOperator, Token, Entity)
    case member(Entity, [SetItem], negated: Bool, Token)
}

struct Parser {
    let lexer: Lexer
    var tokens: [Token]
    var position = 0
    /// Opening parentheses not yet closed, for the "never closed" message.
    var openParens: [Token] = []
    /// Operators and parentheses so far: bounds the depth of every recursion over the tree
    /// (parsing, compiling, evaluating), so no filter can exhaust a thread's stack.
    var operators = 0
    static let maximumOperators = 1000

    mutating func countOperator(_ token: Token) throws(FilterError) {
        operators += 1
        if operators > Parser.maximumOperators {
            throw lexer.error("The filter expression is too complex (more than \(Parser.maximumOperators) operators).",
                              token.start, max(1, token.length))
        }
    }

    init(_ filter: String) throws(FilterError) {
        lexer = Lexer(filter)
        tokens = try lexer.tokenize()
    }

    var current: Token { tokens[position] }
    mutating func advance() -> Token {
        let t = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return t
    }

    func unexpected(_ token: Token) -> FilterError {
        if token.kind == .end {
            if let open = openParens.last {
                return lexer.error("Unexpected end of filter expression: \"(\" is never closed.", open.start, 1)
            }
            return lexer.error("Unexpected end of filter expression.", token.start, 1)
        }
        return lexer.error("\"\(token.text)\" was unexpected in this context.", token.start, token.length)
    }

    mutating func parse() throws(FilterError) -> Syntax {
        if current.kind == .end {
            throw lexer.error("The filter expression is empty.", 0, 0)
        }
        let syntax = try parseOr()
        guard current.kind == .end else { throw unexpected(current) }
        return syntax
    }

    mutating func parseOr() throws(FilterError) -> Syntax {
        var left = try parseXor()
        while current.kind == .or {
            try countOperator(advance())
            left = .or(left, try parseXor())
        }
        return left
    }

    mutating func parseXor() throws(FilterError) -> Syntax {
        var left = try parseAnd()
        while current.kind == .xor {
            try countOperator(advance())
            left = .xor(left, try parseAnd())
        }
        return left
    }

    mutating func parseAnd() throws(FilterError) -> Syntax {
        var left = try parseNot()
        while current.kind == .and {
            try countOperator(advance())
            left = .and(left, try parseNot())
        }
        return left
    }

    mutating func parseNot() throws(FilterError) -> Syntax {
        if current.kind == .not {
            try countOperator(advance())
            return .not(try parseNot())
        }
        return try parsePrimary()
    }

    mutating func parsePrimary() throws(FilterError) -> Syntax {
        if current.kind == .leftParen {
            try countOperator(current)
            openParens.append(advance())
            let inner = try parseOr()
            guard current.kind == .rightParen else { throw unexpected(current) }
            _ = advance()
            openParens.removeLast()
            return inner
        }
        let left = try parseEntity()
        switch current.kind {
        case .comparison(let op):
            let opToken = advance()
            let right = try parseEntity()
            if case .comparison = current.kind {
                // `a == b == c`: the second comparison's left side is a value, not a field.
                throw lexer.error("Left side of \"\(current.text)\" expression must be a field or function, not \(tokenText(right)).",
                                  right.start, right.length)
            }
            return .compare(left, op, opToken, right)
        case .in:
            let opToken = advance()
            return .member(left, try parseSet(), negated: false, opToken)
        case .not where tokens[position + 1].kind == .in:
            let opToken = advance()
            _ = advance()
            return .member(left, try parseSet(), negated: true, opToken)
        default:
            return .exists(left)
        }
    }

    func tokenText(_ e: Entity) -> String {
        String(String.UnicodeScalarView(lexer.scalars[e.start..<e.start + e.length]))
    }

    mutating func parseSet() throws(FilterError) -> [SetItem] {
        guard current.kind == .leftBrace else { throw unexpected(current) }
        _ = advance()
        var items: [SetItem] = []
        while true {
            let low = try parseEntity()
            var high: Entity?
            if current.kind == .dotDot {
                _ = advance()
                high = try parseEntity()
            }
            items.append(SetItem(low: low, high: high))
            if current.kind == .comma { _ = advance(); continue }
            if current.kind == .rightBrace { _ = advance(); return items }
            throw unexpected(current)
        }
    }

    /// Arithmetic, loosest first: `&`, then `+ -`, then `* / %` (Wireshark 4.0's grammar).
    mutating func parseEntity() throws(FilterError) -> Entity {
        try parseArithmetic(level: 0)
    }

    static let arithmeticLevels: [[ArithmeticOperator]] = [[.bitwiseAnd], [.add, .subtract], [.multiply, .divide, .remainder]]

    mutating func parseArithmetic(level: Int) throws(FilterError) -> Entity {
        if level == Parser.arithmeticLevels.count { return try parseValue() }
        var left = try parseArithmetic(level: level + 1)
        while case .arithmetic(let op) = current.kind, Parser.arithmeticLevels[level].contains(op) {
            let opToken = advance()
            try countOperator(opToken)
            let right = try parseArithmetic(level: level + 1)
            left = Entity(base: .arithmetic(op, left, right), token: opToken, start: left.start,
                          length: right.start + right.length - left.start)
        }
        return left
    }

    mutating func parseValue() throws(FilterError) -> Entity {
        let token = current
        var entity: Entity
        switch token.kind {
        case .word(let w):
            _ = advance()
            if current.kind == .leftParen {
                _ = advance()
                var arguments: [Entity] = []
                if current.kind != .rightParen {
                    while true {
                        arguments.append(try parseEntity())
                        if current.kind == .comma { _ = advance(); continue }
                        break
                    }
                }
                guard current.kind == .rightParen else { throw unexpected(current) }
                let close = advance()
                entity = Entity(base: .call(name: w, arguments: arguments), token: token,
                                start: token.start, length: close.start + 1 - token.start)
            } else {
                entity = Entity(base: .word(w), token: token, start: token.start, length: token.length)
            }
        case .string(let bytes):
            _ = advance()
            entity = Entity(base: .string(bytes), token: token, start: token.start, length: token.length)
        case .character(let v):
            _ = advance()
            entity = Entity(base: .character(v), token: token, start: token.start, length: token.length)
        default:
            throw unexpected(token)
        }
        // The layer operator comes right after a field: `ipv6.src#2`, `ip#[1-2]`.
        if current.kind == .hash {
            let hash = advance()
            if current.kind == .leftBracket {
                _ = advance()
                entity.layers = try parseRanges(layer: true)
            } else if case .word(let w) = current.kind, current.start == hash.start + 1 {
                let t = advance()
                guard let n = Int(w), n >= 0 else {
                    throw lexer.error("Expected digit or \"[\", not \"\(w.prefix(1))\"", t.start, 1)
                }
                entity.layers = [RangeSpec(start: n, length: 1)]
            } else {
                throw lexer.error("Expected digit or \"[\", not \"\(current.text)\"", current.start, max(1, current.length))
            }
            entity.layerToken = hash
            entity.length = tokens[position - 1].start + tokens[position - 1].length - entity.start
        }
        while current.kind == .leftBracket {
            let open = advance()
            entity.slices.append(try parseRanges(layer: false))
            if entity.sliceToken == nil { entity.sliceToken = open }
            entity.length = tokens[position - 1].start + tokens[position - 1].length - entity.start
        }
        return entity
    }

    /// The ranges inside `[...]`, after the `[`; consumes the `]`.
    mutating func parseRanges(layer: Bool) throws(FilterError) -> [RangeSpec] {
        var ranges: [RangeSpec] = []
        while true {
            let t = current
            guard case .word(let w) = t.kind else {
                if t.kind == .end || t.kind == .rightBracket || t.kind == .comma {
                    throw lexer.error(layer ? "The right bracket was missing from a layer range."
                                            : "The right bracket was missing from a slice.", t.start, max(1, t.length))
                }
                throw unexpected(t)
            }
            _ = advance()
            ranges.append(try parseRange(w, t))
            if current.kind == .comma { _ = advance(); continue }
            if current.kind == .rightBracket { _ = advance(); return ranges }
            throw lexer.error(layer ? "The right bracket was missing from a layer range."
                                    : "The right bracket was missing from a slice.", current.start, max(1, current.length))
        }
    }

    func parseRange(_ w: String, _ t: Token) throws(FilterError) -> RangeSpec {
        func number(_ s: Substring) throws(FilterError) -> Int {
            guard let n = Int(s) else { throw lexer.error("\"\(s)\" is not a valid number.", t.start, t.length) }
            return n
        }
        let invalid = lexer.error("\"\(w)\" is not a valid range.", t.start, t.length)
        if let colon = w.firstIndex(of: ":") {
            let a = w[..<colon], b = w[w.index(after: colon)...]
            let start = a.isEmpty ? 0 : try number(a)
            if b.isEmpty {
                guard !a.isEmpty else { throw invalid }
                return RangeSpec(start: start, length: nil)
            }
            let length = try number(b)
            guard length > 0 else {
                throw lexer.error("Range \(w) isn't valid because length \(length) isn't positive", t.start, t.length)
            }
            return RangeSpec(start: start, length: length)
        }
        // `i-j`: the dash after the first character (a leading one is a sign).
        let body = w.dropFirst()
        if let dash = body.firstIndex(of: "-") {
            let a = w[..<dash], b = w[w.index(after: dash)...]
            guard !b.isEmpty else { throw invalid }
            let start = try number(a), end = try number(b)
            guard (start >= 0) == (end >= 0), end >= start else {
                throw lexer.error("Range \(w) isn't valid because the end comes before the start", t.start, t.length)
            }
            return RangeSpec(start: start, length: end - start + 1)
        }
        return RangeSpec(start: try number(Substring(w)), length: 1)
    }
}
