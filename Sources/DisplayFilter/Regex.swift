// A small regular-expression engine for `matches`, without Foundation: what users type
// (literals, `.`, classes, anchors, `* + ? {m,n}`, `|`, groups, `(?i)`), compiled to a program
// and run as a Pike VM (a Thompson NFA simulation): time linear in the input times the program
// length, so no pattern can make a filter hang, and no heap allocation for ordinary patterns.
//
// Like Wireshark 4.0 (PCRE2 with PCRE2_CASELESS), matching is case-insensitive unless the
// pattern says `(?-i)`. It works on bytes: `.` is one byte, case folding is ASCII only.

/// A set of byte values.
struct ByteSet: Equatable, Sendable {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    static func == (a: ByteSet, b: ByteSet) -> Bool { a.words == b.words }

    @inline(__always) func contains(_ b: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    mutating func insert(_ b: UInt8) {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    mutating func insert(_ range: ClosedRange<UInt8>) { for b in range { insert(b) } }
    mutating func formUnion(_ other: ByteSet) {
        words.0 |= other.words.0; words.1 |= other.words.1; words.2 |= other.words.2; words.3 |= other.words.3
    }
    func inverted() -> ByteSet {
        var s = ByteSet()
        s.words = (~words.0, ~words.1, ~words.2, ~words.3)
        return s
    }
    /// Adds the other case of every ASCII letter.
    func caseFolded() -> ByteSet {
        var s = self
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") where contains(b) || contains(b | 0x20) {
            s.insert(b); s.insert(b | 0x20)
        }
        return s
    }

    static let digits: ByteSet = { var s = ByteSet(); s.insert(48...57); return s }()
    static let word: ByteSet = {
        var s = ByteSet(); s.insert(48...57); s.insert(65...90); s.insert(97...122); s.insert(95); return s
    }()
    static let space: ByteSet = { var s = ByteSet(); for b: UInt8 in [9, 10, 11, 12, 13, 32] { s.insert(b) }; return s }()
}

/// A compiled pattern (a class: shared, never copied element by element while matching).
final class Regex: Sendable {
    enum Instruction: Sendable, Equatable {
        case byte(UInt8)
        case set(ByteSet)
        /// Any byte but a newline.
        case anyButNewline
        case anyByte
        case split(Int32, Int32)
        case jump(Int32)
        case assert(Assertion)
        case match
    }

    enum Assertion: Sendable, Equatable {
        case start, end, endOrFinalNewline, lineStart, lineEnd, wordBoundary, notWordBoundary
    }

    let program: [Instruction]
    /// The bytes a match can start with, when the program starts by consuming one: positions
    /// that cannot start a match are skipped without running the machine.
    let firstBytes: ByteSet?

    /// Compiles `pattern`; the error message is PCRE2's wording where it has one.
    init(_ pattern: [UInt8]) throws(RegexError) {
        var parser = RegexParser(pattern)
        let tree = try parser.parseAll()
        var compiler = RegexCompiler()
        try compiler.emit(tree)
        compiler.program.append(.match)
        program = compiler.program
        switch program[0] {
        case .byte(let b): var set = ByteSet(); set.insert(b); firstBytes = set
        case .set(let set): firstBytes = set
        default: firstBytes = nil
        }
    }

    /// True when the pattern matches somewhere in `input`.
    func matches(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        let m = program.count
        return program.withUnsafeBufferPointer { code in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: 5 * m) { scratch in
                var vm = PikeVM(code: code, input: input, scratch: scratch.baseAddress!, size: m, firstBytes: firstBytes)
                return vm.run()
            }
        }
    }
}

struct RegexError: Error {
    var message: String
}

/// The NFA simulation: two thread lists (program counters), each with a per-step mark array.
private struct PikeVM {
    let code: UnsafeBufferPointer<Regex.Instruction>
    let input: UnsafeBufferPointer<UInt8>
    var current: UnsafeMutablePointer<Int32>
    var next: UnsafeMutablePointer<Int32>
    var currentMarks: UnsafeMutablePointer<Int32>
    var nextMarks: UnsafeMutablePointer<Int32>
    /// Work list for following epsilon transitions (each pc enters it at most once per step).
    let pending: UnsafeMutablePointer<Int32>
    var currentCount = 0
    var nextCount = 0
    var matched = false
    let firstBytes: ByteSet?

    init(code: UnsafeBufferPointer<Regex.Instruction>, input: UnsafeBufferPointer<UInt8>,
         scratch: UnsafeMutablePointer<Int32>, size m: Int, firstBytes: ByteSet?) {
        self.code = code
        self.firstBytes = firstBytes
        self.input = input
        current = scratch
        next = scratch + m
        currentMarks = scratch + 2 * m
        nextMarks = scratch + 3 * m
        pending = scratch + 4 * m
        currentMarks.initialize(repeating: -1, count: m)
        nextMarks.initialize(repeating: -1, count: m)
    }

    @inline(__always) func isWord(_ i: Int) -> Bool {
        i >= 0 && i < input.count && ByteSet.word.contains(input[i])
    }

    func holds(_ a: Regex.Assertion, at i: Int) -> Bool {
        let n = input.count
        switch a {
        case .start: return i == 0
        case .end: return i == n
        case .endOrFinalNewline: return i == n || (i == n - 1 && input[i] == 10)
        case .lineStart: return i == 0 || input[i - 1] == 10
        case .lineEnd: return i == n || input[i] == 10
        case .wordBoundary: return isWord(i - 1) != isWord(i)
        case .notWordBoundary: return isWord(i - 1) == isWord(i)
        }
    }

    /// Adds `pc` and everything reachable from it without consuming input, at position `i`.
    /// Iterative: a pattern of thousands of optional items cannot overflow the stack.
    mutating func add(toNext: Bool, _ pc: Int, at i: Int, stamp: Int32) {
        let marks = toNext ? nextMarks : currentMarks
        var top = 0
        if marks[pc] == stamp { return }
        marks[pc] = stamp
        pending[top] = Int32(pc)
        top += 1
        while top > 0 {
            top -= 1
            let pc = Int(pending[top])
            func push(_ target: Int) {
                if marks[target] != stamp {
                    marks[target] = stamp
                    pending[top] = Int32(target)
                    top += 1
                }
            }
            switch code[pc] {
            case .jump(let target):
                push(Int(target))
            case .split(let a, let b):
                push(Int(b))
                push(Int(a))
            case .assert(let a):
                if holds(a, at: i) { push(pc + 1) }
            case .match:
                matched = true
            default:
                if toNext { next[nextCount] = Int32(pc); nextCount += 1 }
                else { current[currentCount] = Int32(pc); currentCount += 1 }
            }
        }
    }

    mutating func run() -> Bool {
        let n = input.count
        var i = 0
        while true {
            if currentCount == 0, let first = firstBytes {
                // No attempt alive: jump to the next byte a match can start with.
                while i < n && !first.contains(input[i]) { i += 1 }
                if i == n { return false }
            }
            // A new attempt starts at every position (the search is unanchored).
            add(toNext: false, 0, at: i, stamp: Int32(i))
            if matched { return true }
            if i == n { return false }
            let b = input[i]
            nextCount = 0
            for k in 0..<currentCount {
                let pc = Int(current[k])
                let advance: Bool
                switch code[pc] {
                case .byte(let c): advance = b == c
                case .set(let s): advance = s.contains(b)
                case .anyButNewline: advance = b != 10
                case .anyByte: advance = true
                default: advance = false
                }
                if advance {
                    add(toNext: true, pc + 1, at: i + 1, stamp: Int32(i + 1))
                    if matched { return true }
                }
            }
            swap(&current, &next)
            swap(&currentMarks, &nextMarks)
            currentCount = nextCount
            i += 1
        }
    }
}

// MARK: - Parsing

private indirect enum RegexNode {
    case empty
    case set(ByteSet)
    case byte(UInt8)
    case any(dotAll: Bool)
    case concat([RegexNode])
    case alternation([RegexNode])
    case repetition(RegexNode, min: Int, max: Int?)
    case assert(Regex.Assertion)
}

private struct RegexFlags {
    var caseless = true
    var dotAll = false
    var multiline = false
}

private struct RegexParser {
    let p: [UInt8]
    var i = 0
    var flags = RegexFlags()

    init(_ pattern: [UInt8]) { p = pattern }

    func fail(_ message: String) -> RegexError { RegexError(message: message) }

    mutating func parseAll() throws(RegexError) -> RegexNode {
        let node = try parseAlternation()
        if i < p.count {
            // Only an unmatched ")" stops the top level early.
            throw fail("unmatched closing parenthesis")
        }
        return node
    }

    mutating func parseAlternation() throws(RegexError) -> RegexNode {
        var branches = [try parseConcat()]
        while i < p.count && p[i] == UInt8(ascii: "|") {
            i += 1
            branches.append(try parseConcat())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    mutating func parseConcat() throws(RegexError) -> RegexNode {
        var items: [RegexNode] = []
        while i < p.count {
            let c = p[i]
            if c == UInt8(ascii: "|") || c == UInt8(ascii: ")") { break }
            guard let atom = try parseAtom() else { continue }
            items.append(try parseQuantifiers(atom))
        }
        return items.count == 1 ? items[0] : .concat(items)
    }

    /// Quantifiers after an atom (`*`, `+`, `?`, `{m,n}`, each optionally lazy `?`).
    mutating func parseQuantifiers(_ atom: RegexNode) throws(RegexError) -> RegexNode {
        var node = atom
        while i < p.count {
            var minimum = 0, maximum: Int? = nil
            switch p[i] {
            case UInt8(ascii: "*"): i += 1
            case UInt8(ascii: "+"): minimum = 1; i += 1
            case UInt8(ascii: "?"): maximum = 1; i += 1
            case UInt8(ascii: "{"):
                guard let (a, b, end) = braces(at: i) else { return node }
                guard b == nil || b! >= a else { throw fail("numbers out of order in {} quantifier") }
                guard a <= 1000, (b ?? 0) <= 1000 else { throw fail("number too big in {} quantifier") }
                minimum = a; maximum = b; i = end
            default:
                return node
            }
            if case .assert = node { throw fail("quantifier does not follow a repeatable item") }
            if case .empty = node { throw fail("quantifier does not follow a repeatable item") }
            // Lazy and possessive forms match the same strings; only whether there is a match matters.
            if i < p.count && (p[i] == UInt8(ascii: "?") || p[i] == UInt8(ascii: "+")) { i += 1 }
            node = .repetition(node, min: minimum, max: maximum)
        }
        return node
    }

    /// `{m}`, `{m,}`, `{m,n}` at `start`; nil when the brace is a literal (as in PCRE).
    func braces(at start: Int) -> (Int, Int?, Int)? {
        var j = start + 1
        func number() -> Int? {
            var v = 0, digits = 0
            while j < p.count, p[j] >= 48, p[j] <= 57 { v = min(v * 10 + Int(p[j] - 48), 100_000); j += 1; digits += 1 }
            return digits > 0 ? v : nil
        }
        guard let a = number() else { return nil }
        if j < p.count && p[j] == UInt8(ascii: "}") { return (a, a, j + 1) }
        guard j < p.count && p[j] == UInt8(ascii: ",") else { return nil }
        j += 1
        let b = number()
        guard j < p.count && p[j] == UInt8(ascii: "}") else { return nil }
        return (a, b, j + 1)
    }

    func literal(_ b: UInt8) -> RegexNode {
        let isLetter = (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z")
        if flags.caseless && isLetter {
            var s = ByteSet(); s.insert(b | 0x20); s.insert(b & ~0x20)
            return .set(s)
        }
        return .byte(b)
    }

    /// One atom, or nil for something that only changes flags (`(?i)`).
    mutating func parseAtom() throws(RegexError) -> RegexNode? {
        let c = p[i]
        switch c {
        case UInt8(ascii: "("):
            i += 1
            let saved = flags
            if i < p.count && p[i] == UInt8(ascii: "?") {
                i += 1
                guard i < p.count else { throw fail("missing closing parenthesis") }
                if p[i] == UInt8(ascii: ":") {
                    i += 1
                } else {
                    // Flag settings: `(?i)`, `(?-i)`, `(?is:...)`.
                    var on = true
                    var scoped = false
                    flagLoop: while i < p.count {
                        switch p[i] {
                        case UInt8(ascii: "i"): flags.caseless = on
                        case UInt8(ascii: "s"): flags.dotAll = on
                        case UInt8(ascii: "m"): flags.multiline = on
                        case UInt8(ascii: "-"): on = false
                        case UInt8(ascii: ")"): break flagLoop
                        case UInt8(ascii: ":"): scoped = true; break flagLoop
                        default: throw fail("unrecognized character after (? or (?-")
                        }
                        i += 1
                    }
                    guard i < p.count else { throw fail("missing closing parenthesis") }
                    i += 1
                    if !scoped { return nil }  // applies to the rest of the enclosing group
                }
            }
            let inner = try parseAlternation()
            guard i < p.count && p[i] == UInt8(ascii: ")") else { throw fail("missing closing parenthesis") }
            i += 1
            flags = saved
            return inner
        case UInt8(ascii: "["):
            return .set(try parseClass())
        case UInt8(ascii: "."):
            i += 1
            return .any(dotAll: flags.dotAll)
        case UInt8(ascii: "^"):
            i += 1
            return .assert(flags.multiline ? .lineStart : .start)
        case UInt8(ascii: "$"):
            i += 1
            return .assert(flags.multiline ? .lineEnd : .endOrFinalNewline)
        case UInt8(ascii: "\\"):
            return try parseEscape()
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
            throw fail("quantifier does not follow a repeatable item")
        case UInt8(ascii: "{"):
            if braces(at: i) != nil { throw fail("quantifier does not follow a repeatable item") }
            i += 1
            return literal(c)
        default:
            i += 1
            return literal(c)
        }
    }

    mutating func parseEscape() throws(RegexError) -> RegexNode {
        i += 1
        guard i < p.count else { throw fail("\\ at end of pattern") }
        let e = p[i]
        i += 1
        switch e {
        case UInt8(ascii: "b"): return .assert(.wordBoundary)
        case UInt8(ascii: "B"): return .assert(.notWordBoundary)
        case UInt8(ascii: "A"): return .assert(.start)
        case UInt8(ascii: "z"): return .assert(.end)
        case UInt8(ascii: "Z"): return .assert(.endOrFinalNewline)
        default:
            i -= 2
            let (set, byte) = try classEscape()
            if let set { return .set(set) }
            return literal(byte!)
        }
    }

    /// An escape valid both inside and outside a class, at `i` (the backslash): a class
    /// (`\d`) or one byte.
    mutating func classEscape() throws(RegexError) -> (ByteSet?, UInt8?) {
        i += 1
        guard i < p.count else { throw fail("\\ at end of pattern") }
        let e = p[i]
        i += 1
        switch e {
        case UInt8(ascii: "d"): return (ByteSet.digits, nil)
        case UInt8(ascii: "D"): return (ByteSet.digits.inverted(), nil)
        case UInt8(ascii: "w"): return (ByteSet.word, nil)
        case UInt8(ascii: "W"): return (ByteSet.word.inverted(), nil)
        case UInt8(ascii: "s"): return (ByteSet.space, nil)
        case UInt8(ascii: "S"): return (ByteSet.space.inverted(), nil)
        case UInt8(ascii: "n"): return (nil, 10)
        case UInt8(ascii: "t"): return (nil, 9)
        case UInt8(ascii: "r"): return (nil, 13)
        case UInt8(ascii: "f"): return (nil, 12)
        case UInt8(ascii: "v"): return (nil, 11)
        case UInt8(ascii: "a"): return (nil, 7)
        case UInt8(ascii: "e"): return (nil, 27)
        case UInt8(ascii: "0"):
            var v = 0, n = 0
            while n < 2, i < p.count, p[i] >= 48, p[i] <= 55 { v = v * 8 + Int(p[i] - 48); i += 1; n += 1 }
            return (nil, UInt8(v))
        case UInt8(ascii: "x"):
            var v = 0, n = 0
            func hex(_ c: UInt8) -> Int? {
                switch c {
                case 48...57: return Int(c - 48)
                case 65...70: return Int(c - 55)
                case 97...102: return Int(c - 87)
                default: return nil
                }
            }
            if i < p.count && p[i] == UInt8(ascii: "{") {
                i += 1
                while i < p.count, let d = hex(p[i]) { v = v * 16 + d; i += 1; n += 1 }
                guard i < p.count, p[i] == UInt8(ascii: "}"), n > 0, v <= 255 else {
                    throw fail("character code point value in \\x{} or \\o{} is too large")
                }
                i += 1
            } else {
                while n < 2, i < p.count, let d = hex(p[i]) { v = v * 16 + d; i += 1; n += 1 }
            }
            return (nil, UInt8(v))
        default:
            let isAlnum = (e >= 48 && e <= 57) || ((e | 0x20) >= 97 && (e | 0x20) <= 122)
            if isAlnum { throw fail("unrecognized character follows \\") }
            return (nil, e)
        }
    }

    static let posixClasses: [String: ByteSet] = {
        func make(_ test: (UInt8) -> Bool) -> ByteSet {
            var s = ByteSet()
            for b in 0...255 where test(UInt8(b)) { s.insert(UInt8(b)) }
            return s
        }
        let upper = make { $0 >= 65 && $0 <= 90 }, lower = make { $0 >= 97 && $0 <= 122 }
        var alpha = upper; alpha.formUnion(lower)
        var alnum = alpha; alnum.formUnion(.digits)
        let punct = make { ($0 >= 33 && $0 <= 47) || ($0 >= 58 && $0 <= 64) || ($0 >= 91 && $0 <= 96) || ($0 >= 123 && $0 <= 126) }
        return [
            "alpha": alpha, "digit": .digits, "alnum": alnum, "upper": upper, "lower": lower,
            "space": .space, "blank": make { $0 == 32 || $0 == 9 }, "punct": punct,
            "xdigit": make { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 70) || ($0 >= 97 && $0 <= 102) },
            "word": .word, "cntrl": make { $0 < 32 || $0 == 127 }, "print": make { $0 >= 32 && $0 < 127 },
            "graph": make { $0 > 32 && $0 < 127 }, "ascii": make { $0 < 128 },
        ]
    }()

    /// A bracket expression at `i` (the `[`).
    mutating func parseClass() throws(RegexError) -> ByteSet {
        i += 1
        var set = ByteSet()
        var negated = false
        if i < p.count && p[i] == UInt8(ascii: "^") { negated = true; i += 1 }
        var first = true
        while true {
            guard i < p.count else { throw fail("missing terminating ] for character class") }
            let c = p[i]
            if c == UInt8(ascii: "]") && !first { i += 1; break }
            first = false
            // POSIX class `[:alpha:]`.
            if c == UInt8(ascii: "["), i + 1 < p.count, p[i + 1] == UInt8(ascii: ":") {
                var j = i + 2
                var inverted = false
                if j < p.count && p[j] == UInt8(ascii: "^") { inverted = true; j += 1 }
                let nameStart = j
                while j < p.count && p[j] != UInt8(ascii: ":") { j += 1 }
                if j + 1 < p.count && p[j + 1] == UInt8(ascii: "]") {
                    let name = String(decoding: p[nameStart..<j], as: UTF8.self)
                    guard let cls = RegexParser.posixClasses[name] else { throw fail("unknown POSIX class name") }
                    set.formUnion(inverted ? cls.inverted() : cls)
                    i = j + 2
                    continue
                }
            }
            var low: UInt8
            if c == UInt8(ascii: "\\") {
                let (cls, byte) = try classEscape()
                if let cls { set.formUnion(cls); continue }
                low = byte!
            } else {
                low = c
                i += 1
            }
            // A range `a-z` (a `-` before `]` is literal).
            if i + 1 < p.count && p[i] == UInt8(ascii: "-") && p[i + 1] != UInt8(ascii: "]") {
                i += 1
                var high: UInt8
                if p[i] == UInt8(ascii: "\\") {
                    let (cls, byte) = try classEscape()
                    guard cls == nil, let byte else { throw fail("invalid range in character class") }
                    high = byte
                } else {
                    high = p[i]
                    i += 1
                }
                guard high >= low else { throw fail("range out of order in character class") }
                set.insert(low...high)
            } else {
                set.insert(low)
            }
        }
        if flags.caseless { set = set.caseFolded() }
        return negated ? set.inverted() : set
    }
}

// MARK: - Compiling

private struct RegexCompiler {
    var program: [Regex.Instruction] = []
    static let maximumProgram = 20_000

    mutating func emit(_ node: RegexNode) throws(RegexError) {
        guard program.count < RegexCompiler.maximumProgram else {
            throw RegexError(message: "regular expression is too large")
        }
        switch node {
        case .empty:
            break
        case .byte(let b):
            program.append(.byte(b))
        case .set(let s):
            program.append(.set(s))
        case .any(let dotAll):
            program.append(dotAll ? .anyByte : .anyButNewline)
        case .assert(let a):
            program.append(.assert(a))
        case .concat(let items):
            for item in items { try emit(item) }
        case .alternation(let branches):
            var jumps: [Int] = []
            for (k, branch) in branches.enumerated() {
                if k < branches.count - 1 {
                    let split = program.count
                    program.append(.split(0, 0))
                    try emit(branch)
                    jumps.append(program.count)
                    program.append(.jump(0))
                    program[split] = .split(Int32(split + 1), Int32(program.count))
                } else {
                    try emit(branch)
                }
            }
            for j in jumps { program[j] = .jump(Int32(program.count)) }
        case .repetition(let body, let minimum, let maximum):
            for _ in 0..<minimum { try emit(body) }
            if let maximum {
                // Each optional copy: split(body, end).
                var splits: [Int] = []
                for _ in minimum..<max(minimum, maximum) {
                    splits.append(program.count)
                    program.append(.split(0, 0))
                    try emit(body)
                }
                for s in splits { program[s] = .split(Int32(s + 1), Int32(program.count)) }
            } else {
                let loop = program.count
                program.append(.split(0, 0))
                try emit(body)
                program.append(.jump(Int32(loop)))
                program[loop] = .split(Int32(loop + 1), Int32(program.count))
            }
        }
    }
}
