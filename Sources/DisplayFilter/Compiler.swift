// Syntax tree -> Program: resolves words against the field registry, type-checks every
// relation, converts literals to the type they meet, and picks fast paths.

import PacketDecoder

struct Compiler {
    let lexer: Lexer
    var program = ProgramBuilder()
    var referenced: Set<Field> = []
    /// A protocol's bytes are searched (`ipv6 contains ...`): they run to the end of the last
    /// layer after it, so a decode for the filter must keep every layer.
    var searchesPayload = false

    init(lexer: Lexer) { self.lexer = lexer }

    func error(_ message: String, _ start: Int, _ length: Int) -> FilterError {
        lexer.error(message, start, length)
    }

    func text(_ e: Entity) -> String {
        String(String.UnicodeScalarView(lexer.scalars[e.start..<e.start + e.length]))
    }

    // MARK: Boolean structure

    mutating func compile(_ syntax: Syntax) throws(FilterError) -> Int32 {
        switch syntax {
        case .or(let a, let b):
            let l = try compile(a), r = try compile(b)
            return program.add(.or(l, r))
        case .xor(let a, let b):
            let l = try compile(a), r = try compile(b)
            return program.add(.xor(l, r))
        case .and(let a, let b):
            let l = try compile(a), r = try compile(b)
            return program.add(.and(l, r))
        case .not(let a):
            return program.add(.not(try compile(a)))
        case .exists(let entity):
            return try compileExists(entity)
        case .compare(let left, let op, let opToken, let right):
            return try compileComparison(left, op, opToken, right)
        case .member(let left, let items, let negated, let opToken):
            return try compileMembership(left, items, negated: negated, opToken)
        }
    }

    // MARK: Entities

    /// What an entity turned out to be.
    enum Resolved {
        case operand(Operand)
        case literal
    }

    func unknownField(_ name: String, _ start: Int, _ length: Int) -> FilterError {
        var message = "\"\(name)\" is not a valid protocol or protocol field."
        if let best = FieldRegistry.suggestions(for: name).first { message += " Did you mean \(best)?" }
        return error(message, start, length)
    }

    /// A word that reads like a field name (`ip.srcc`, `foo`), as opposed to a value (`1`, `52:54:00`).
    static func looksLikeFieldName(_ w: String) -> Bool {
        guard let first = w.unicodeScalars.first, first == "_" || (first.properties.isAlphabetic && first.isASCII) else { return false }
        return w.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "." || $0 == "-") }
    }

    static func typeName(_ type: FieldType) -> String {
        switch type {
        case .uint8: return "Unsigned integer (1 byte)"
        case .uint16: return "Unsigned integer (2 bytes)"
        case .uint24: return "Unsigned integer (3 bytes)"
        case .uint32: return "Unsigned integer (4 bytes)"
        case .uint64: return "Unsigned integer (8 bytes)"
        case .int32: return "Signed integer (4 bytes)"
        case .frameNumber: return "Frame number"
        case .boolean: return "Boolean"
        case .ipv4: return "IPv4 address"
        case .ipv6: return "IPv6 address"
        case .ether: return "Ethernet or other MAC address"
        case .bytes: return "Byte sequence"
        case .string: return "Character string"
        case .protocolLayer: return "Protocol"
        case .none: return "Label"
        case .absoluteTime: return "Date and time"
        case .relativeTime: return "Time offset"
        }
    }

    /// The Wireshark type name of what an operand produces.
    func typeName(_ op: Operand) -> String {
        switch op.function {
        case .length, .count: return Compiler.typeName(.uint32)
        case .upper, .lower: return Compiler.typeName(.string)
        case .none: return op.slices.isEmpty ? Compiler.typeName(op.field.info.type) : Compiler.typeName(.bytes)
        }
    }

    /// Resolves a field reference (a word naming a field), with its layer ranges and slices.
    mutating func fieldOperand(_ e: Entity, _ field: Field) throws(FilterError) -> Operand {
        let info = field.info
        let kind = ValueKind(info.type)
        var op = Operand(field: field, kind: kind, fieldKind: kind)
        op.expert = ExpertField(field)
        op.layers = program.layers(e.layers ?? [])
        if !e.slices.isEmpty {
            guard kind.hasBytes else {
                throw error("\"\(info.abbreviation)\" is a \(Compiler.typeName(info.type)) and cannot be sliced into a sequence of bytes.",
                            e.token.start, e.token.length)
            }
            op.slices = program.slices(e.slices)
            op.kind = .bytes
        }
        referenced.insert(field)
        return op
    }

    mutating func resolve(_ e: Entity) throws(FilterError) -> Resolved {
        switch e.base {
        case .word(let w):
            if let field = FieldRegistry.field(named: w) {
                return .operand(try fieldOperand(e, field))
            }
            if e.layers != nil || !e.slices.isEmpty { throw unknownField(w, e.token.start, e.token.length) }
            return .literal
        case .string, .character:
            if let t = e.layerToken ?? e.sliceToken { throw error("\"\(t.text)\" was unexpected in this context.", t.start, t.length) }
            return .literal
        case .arithmetic(let operation, let left, let right):
            return .operand(try arithmetic(operation, left, right))
        case .call(let name, let arguments):
            let function: FilterFunction
            switch name {
            case "len": function = .length
            case "count": function = .count
            case "upper": function = .upper
            case "lower": function = .lower
            default: throw error("Function '\(name)' does not exist", e.token.start, e.token.length)
            }
            guard arguments.count == 1 else {
                throw error("Function \(name)() takes exactly one argument", e.start, e.length)
            }
            let argument = arguments[0]
            guard case .word(let w) = argument.base, let field = FieldRegistry.field(named: w), argument.slices.isEmpty else {
                if case .word(let w) = argument.base, Compiler.looksLikeFieldName(w), FieldRegistry.field(named: w) == nil {
                    throw unknownField(w, argument.token.start, argument.token.length)
                }
                throw error("Only fields can be used as parameter for \(name)()", argument.start, argument.length)
            }
            if let t = e.layerToken ?? e.sliceToken { throw error("\"\(t.text)\" was unexpected in this context.", t.start, t.length) }
            var op = try fieldOperand(argument, field)
            op.function = function
            switch function {
            case .length, .count:
                op.kind = .unsigned
            case .upper, .lower:
                guard op.fieldKind == .string else {
                    throw error("Only string type fields can be used as parameter for \(name)()", argument.start, argument.length)
                }
                op.kind = .string
            case .none:
                break
            }
            return .operand(op)
        }
    }

    /// Wireshark's internal type name, as its arithmetic errors say it (`FT_IPv6 cannot -.`).
    func internalTypeName(_ op: Operand) -> String {
        switch op.function {
        case .length, .count: return FieldType.uint32.wiresharkName
        case .upper, .lower: return FieldType.string.wiresharkName
        case .none: return op.slices.isEmpty ? op.field.info.type.wiresharkName : FieldType.bytes.wiresharkName
        }
    }

    /// Refuses arithmetic a type cannot do.
    func checkArithmetic(_ operation: ArithmeticOperator, _ op: Operand, _ e: Entity) throws(FilterError) {
        let allowed: Bool
        switch operation {
        case .bitwiseAnd:
            let isProtocol = op.function == .none && op.slices.isEmpty && op.field.info.type == .protocolLayer
            allowed = [.unsigned, .signed, .ipv4, .ipv6, .ether, .bytes].contains(op.kind) && !isProtocol
        default:
            allowed = op.kind.isNumeric
        }
        if !allowed { throw error("\(internalTypeName(op)) cannot \(operation.symbol).", e.start, e.length) }
    }

    /// `left op right`: the left side is a field, function or arithmetic; the right side one of
    /// those or a literal of the left side's type.
    mutating func arithmetic(_ operation: ArithmeticOperator, _ left: Entity, _ right: Entity) throws(FilterError) -> Operand {
        guard case .operand(let l) = try resolve(left) else {
            if case .word(let w) = left.base, Compiler.looksLikeFieldName(w) { throw unknownField(w, left.start, left.length) }
            throw error("Constant arithmetic expression on the LHS is invalid.", left.start, left.length)
        }
        try checkArithmetic(operation, l, left)
        var kind = l.kind
        let rightIndex: Int
        switch try resolve(right) {
        case .operand(let r):
            try checkArithmetic(operation, r, right)
            guard let common = Compiler.common(l.kind, r.kind), (common == .bytes) == (l.kind == .bytes && r.kind == .bytes) else {
                throw error("\(text(left)) and \(text(right)) are not of compatible types.", right.start, right.length)
            }
            kind = common
            rightIndex = addOperand(r)
        case .literal:
            if case .string = right.base {
                throw error("\(text(right)) is not a valid arithmetic operand.", right.start, right.length)
            }
            var constant = l
            constant.source = .constant(try convert(right, to: l, leftText: text(left)))
            rightIndex = addOperand(constant)
        }
        var result = Operand(field: l.field, kind: kind, fieldKind: kind)
        result.source = .arithmetic(operation, left: Int32(addOperand(l)), right: Int32(rightIndex))
        // Literals compared with the result take the left side's type (`len(ip) + 1 == 21`
        // is 32-bit, `ip.ttl + 1 == 256` too big, as in tshark).
        result.function = l.function
        result.slices = l.slices
        return result
    }

    mutating func addOperand(_ op: Operand) -> Int {
        program.operands.append(op)
        return program.operands.count - 1
    }

    // MARK: Tests

    mutating func compileExists(_ e: Entity) throws(FilterError) -> Int32 {
        switch try resolve(e) {
        case .operand(let op):
            if case .arithmetic = op.source { return program.add(.nonZero(Int32(addOperand(op)))) }
            if op.function != .none {
                throw error("You cannot test whether a function is present.", e.token.start, e.token.length)
            }
            if op.isPlainField { return program.add(.present(op.field)) }
            return program.add(.exists(Int32(addOperand(op))))
        case .literal:
            if case .word(let w) = e.base { throw unknownField(w, e.start, e.length) }
            throw error("\"\(text(e))\" was unexpected in this context.", e.start, e.length)
        }
    }

    /// A left side that is not a field: a misspelt field name gets the unknown-field message
    /// (with a suggestion), anything else tshark's "must be a field".
    func leftSideError(_ e: Entity, _ opToken: Token) -> FilterError {
        if case .word(let w) = e.base, Compiler.looksLikeFieldName(w), FieldRegistry.field(named: w) == nil {
            return unknownField(w, e.token.start, e.token.length)
        }
        return error("Left side of \"\(opToken.text)\" expression must be a field or function, not \(text(e)).",
                     e.start, e.length)
    }

    mutating func compileComparison(_ left: Entity, _ op: ComparisonOperator, _ opToken: Token,
                                    _ right: Entity) throws(FilterError) -> Int32 {
        guard case .operand(var l) = try resolve(left) else {
            throw leftSideError(left, opToken)
        }
        try checkOperator(op, l, left, opToken)
        if op == .contains || op == .matches {
            // A MAC address searched or matched is a byte string (`eth.src contains 00:f0`).
            if l.kind == .ether { l.kind = .bytes }
            if case .field = l.source, l.function == .none, l.slices.isEmpty, l.expert == nil,
               l.field.info.type == .protocolLayer {
                l.searchesPayload = true
                searchesPayload = true
            }
        }

        if op == .matches {
            guard case .string(let pattern) = right.base, right.layers == nil, right.slices.isEmpty else {
                throw error("Matches requires a double quoted string on the right side.", right.start, right.length)
            }
            let regex: Regex
            do {
                regex = try Regex(pattern)
            } catch {
                throw self.error("Regex compilation error: \(error.message).", right.start, right.length)
            }
            program.regexes.append(regex)
            let relation = Relation(left: addOperand(l), test: .matches, quantifier: .any,
                                    right: .regex(program.regexes.count - 1))
            return addRelation(relation)
        }

        let quantifier: Quantifier = (op == .notEqual || op == .allEqual) ? .all : .any
        switch try resolve(right) {
        case .operand(let r):
            // Field against field: both sides must be comparable.
            guard let kind = Compiler.common(l.kind, r.kind) else {
                throw error("\(text(left)) and \(text(right)) are not of compatible types.", right.start, right.length)
            }
            var lo = l, ro = r
            lo.kind = kind
            ro.kind = kind
            let relation = Relation(left: addOperand(lo), test: op, quantifier: quantifier, right: .operand(addOperand(ro)))
            return addRelation(relation)
        case .literal:
            // `contains` looks for bytes; everything else converts to the left side's type.
            let constant = try convert(right, to: l, leftText: text(left))
            // Fast path: a plain unsigned field against a number.
            if l.isPlainField, l.kind == .unsigned,
               case .unsigned(let v) = constant, let test = UnsignedTest(op) {
                return program.add(quantifier == .all ? .unsignedAll(l.field, test, v) : .unsignedAny(l.field, test, v))
            }
            let relation = Relation(left: addOperand(l), test: op, quantifier: quantifier, right: .constant(constant))
            return addRelation(relation)
        }
    }

    mutating func addRelation(_ r: Relation) -> Int32 {
        program.relations.append(r)
        return program.add(.relation(Int32(program.relations.count - 1)))
    }

    /// The kind two operands are compared as, nil when Wireshark calls them incompatible.
    static func common(_ a: ValueKind, _ b: ValueKind) -> ValueKind? {
        if a == b { return a }
        if a.isNumeric && b.isNumeric { return .signed }
        let addressLike: Set<ValueKind> = [.ipv4, .ipv6, .ether]
        if (a == .bytes && addressLike.contains(b)) || (b == .bytes && addressLike.contains(a)) { return .bytes }
        return nil
    }

    /// Refuses operators a type cannot take, with tshark's wording.
    func checkOperator(_ op: ComparisonOperator, _ l: Operand, _ left: Entity, _ opToken: Token) throws(FilterError) {
        let name: String
        switch op {
        case .contains: name = "contains"
        case .matches: name = "matches"
        default: return
        }
        if !l.kind.hasBytes {
            throw error("\(text(left)) (type=\(typeName(l))) cannot participate in \(name) comparison.", left.start, left.length)
        }
        if l.kind == .ipv4 || l.kind == .ipv6 {
            throw error("\(text(left)) (type=\(typeName(l))) cannot participate in \(name) comparison.", left.start, left.length)
        }
    }

    mutating func compileMembership(_ left: Entity, _ items: [SetItem], negated: Bool,
                                    _ opToken: Token) throws(FilterError) -> Int32 {
        guard case .operand(let l) = try resolve(left) else {
            throw leftSideError(left, opToken)
        }
        let first = program.setItems.count
        for item in items {
            let low = try convert(item.low, to: l, leftText: text(left))
            var high: Constant?
            if let h = item.high {
                high = try convert(h, to: l, leftText: text(left))
            }
            program.setItems.append(SetElement(low: low, high: high))
        }
        let relation = Relation(left: addOperand(l), test: .equal, quantifier: .any,
                                right: .set(first, program.setItems.count), negated: negated)
        return addRelation(relation)
    }

    // MARK: Literal conversion

    /// Converts a literal entity to the kind of `target`.
    mutating func convert(_ e: Entity, to target: Operand, leftText: String) throws(FilterError) -> Constant {
        if case .word(let w) = e.base, FieldRegistry.field(named: w) != nil {
            // A field where a value is needed (inside a set).
            throw error("\(leftText) and \(w) are not of compatible types.", e.start, e.length)
        }
        if let t = e.layerToken ?? e.sliceToken { throw error("\"\(t.text)\" was unexpected in this context.", t.start, t.length) }
        let start = e.start, length = e.length
        let literal = text(e)
        let info = target.field.info
        let fieldName = target.function == .none ? info.abbreviation : text(e)

        switch target.kind {
        case .unsigned, .signed:
            let signed = target.kind == .signed
            var bits = target.function == .none && target.slices.isEmpty ? info.type.bitWidth : 32
            if bits == 0 { bits = 64 }
            let names = target.function == .none ? info.valueNames : []
            var valueText: String
            switch e.base {
            case .character(let v):
                return signed ? .signed(Int64(v)) : .unsigned(v)
            case .string(let bytes):
                valueText = String(decoding: bytes, as: UTF8.self)
                if let v = valueNamed(valueText, names) { return signed ? .signed(Int64(bitPattern: v)) : .unsigned(v) }
                if !names.isEmpty {
                    throw error("\"\(valueText)\" cannot be found among the possible values for \(fieldName).", start, length)
                }
                throw error("\(typeName(target)) cannot be converted from a string (\"\(valueText)\").", start, length)
            case .word(let w):
                valueText = w
            case .call, .arithmetic:
                throw error("\(literal) was unexpected in this context.", start, length)
            }
            let maximum: UInt64 = signed ? (UInt64(1) << UInt64(bits - 1)) - 1 : (bits >= 64 ? UInt64.max : (UInt64(1) << UInt64(bits)) - 1)
            switch Literals.integer(valueText) {
            case .value(let v, let negative):
                if signed {
                    if negative && v <= maximum + 1 { return .signed(-Int64(v - 1) - 1) }
                    if !negative && v <= maximum { return .signed(Int64(v)) }
                } else if !negative && v <= maximum {
                    return .unsigned(v)
                } else if negative && v != 0 && names.isEmpty {
                    throw error("\"\(valueText)\" too small for this field, minimum 0.", start, length)
                } else if negative && v == 0 {
                    return .unsigned(0)
                }
                if !names.isEmpty {
                    throw error("\"\(valueText)\" cannot be found among the possible values for \(fieldName).", start, length)
                }
                if negative {
                    throw error("\"\(valueText)\" too small for this field, minimum -\(maximum + 1).", start, length)
                }
                throw error("\"\(valueText)\" too big for this field, maximum \(maximum).", start, length)
            case .overflow(let negative):
                if !names.isEmpty {
                    throw error("\"\(valueText)\" cannot be found among the possible values for \(fieldName).", start, length)
                }
                if negative && !signed { throw error("\"\(valueText)\" too small for this field, minimum 0.", start, length) }
                throw error("\"\(valueText)\" too big for this field, maximum \(maximum).", start, length)
            case .invalid:
                if let v = valueNamed(valueText, names) { return signed ? .signed(Int64(bitPattern: v)) : .unsigned(v) }
                if !names.isEmpty {
                    throw error("\"\(valueText)\" cannot be found among the possible values for \(fieldName).", start, length)
                }
                throw error("\"\(valueText)\" is not a valid number.", start, length)
            }

        case .boolean:
            var valueText: String
            switch e.base {
            case .character(let v): return .boolean(v != 0)
            case .string(let bytes): valueText = String(decoding: bytes, as: UTF8.self)
            case .word(let w): valueText = w
            case .call, .arithmetic: throw error("\(literal) was unexpected in this context.", start, length)
            }
            if case .word = e.base, case .value(let v, _) = Literals.integer(valueText) { return .boolean(v != 0) }
            let lower = valueText.lowercased()
            if lower == "true" { return .boolean(true) }
            if lower == "false" { return .boolean(false) }
            if let (t, f) = info.trueFalse {
                if lower == t.lowercased() { return .boolean(true) }
                if lower == f.lowercased() { return .boolean(false) }
            }
            throw error("\"\(valueText)\" cannot be found among the possible values for \(fieldName).", start, length)

        case .ipv4:
            let valueText = plainText(e)
            switch Literals.ipv4(valueText) {
            case .value(let (a, mask)): return .ipv4(a, mask: mask)
            case .badPrefix(let n):
                throw error("Netmask bits in a CIDR IPv4 address should be <= 32, not \(n)", start, length)
            case .invalid:
                throw error("\"\(valueText)\" is not a valid IPv4 address.", start, length)
            }

        case .ipv6:
            let valueText = plainText(e)
            switch Literals.ipv6(valueText) {
            case .value(let (hi, lo, prefix)): return .ipv6(hi, lo, prefix: prefix)
            case .badPrefix(let n):
                throw error("Prefix in a IPv6 address should be <= 128, not \(n)", start, length)
            case .invalid:
                throw error("\"\(valueText)\" is not a valid IPv6 address.", start, length)
            }

        case .ether:
            let valueText = plainText(e)
            guard case .word = e.base, let bytes = Literals.bytes(valueText) else {
                throw error("\"\(valueText)\" is not a valid Ethernet address.", start, length)
            }
            if bytes.count < 6 {
                throw error("\"\(valueText)\" contains too few bytes to be a valid Ethernet address.", start, length)
            }
            if bytes.count > 6 {
                throw error("\"\(valueText)\" contains too many bytes to be a valid Ethernet address.", start, length)
            }
            return .ether(bytes.reduce(0) { $0 << 8 | UInt64($1) })

        case .bytes:
            switch e.base {
            case .string(let bytes): return program.constantBytes(bytes)
            case .character(let v):
                guard v <= 0xFF else { throw error("\(literal) is too large to be a byte.", start, length) }
                return program.constantBytes([UInt8(v)])
            case .word(let w):
                guard let bytes = Literals.bytes(w) else {
                    throw error("\"\(w)\" is not a valid byte string.", start, length)
                }
                return program.constantBytes(bytes)
            case .call, .arithmetic:
                throw error("\(literal) was unexpected in this context.", start, length)
            }

        case .string:
            switch e.base {
            case .string(let bytes): return program.constantBytes(bytes)
            case .character(let v):
                var bytes: [UInt8] = []
                appendUTF8(UInt32(truncatingIfNeeded: v), to: &bytes)
                return program.constantBytes(bytes)
            case .word(let w): return program.constantBytes(Array(w.utf8))
            case .call, .arithmetic: throw error("\(literal) was unexpected in this context.", start, length)
            }

        case .time:
            let valueText = plainText(e)
            let parsed = info.type == .relativeTime ? Literals.seconds(valueText) : Literals.absoluteTime(valueText)
            guard let nanos = parsed else {
                if info.type == .relativeTime {
                    throw error("\"\(valueText)\" is not a valid time offset.", start, length)
                }
                throw error("\"\(valueText)\" is not a valid absolute time. Example: \"Nov 12, 1999 08:55:44.123\" or \"2011-07-04 12:34:56\"",
                            start, length)
            }
            return .time(nanos)
        }
    }

    /// The text of a word or a quoted string.
    func plainText(_ e: Entity) -> String {
        switch e.base {
        case .word(let w): return w
        case .string(let bytes): return String(decoding: bytes, as: UTF8.self)
        default: return text(e)
        }
    }

    /// The value whose registered name is `name` (case-insensitive), if exactly one has it.
    func valueNamed(_ name: String, _ names: [(UInt64, String)]) -> UInt64? {
        let wanted = name.lowercased()
        var found: UInt64?
        for (v, n) in names where n.lowercased() == wanted {
            if let f = found, f != v { return nil }
            found = v
        }
        return found
    }
}

extension UnsignedTest {
    init?(_ op: ComparisonOperator) {
        switch op {
        case .equal, .allEqual: self = .equal
        case .notEqual, .anyNotEqual: self = .notEqual
        case .less: self = .less
        case .lessOrEqual: self = .lessOrEqual
        case .greater: self = .greater
        case .greaterOrEqual: self = .greaterOrEqual
        case .contains, .matches: return nil
        }
    }
}
