// The compiled form of a filter: flat arrays of trivial values, so evaluating a packet walks
// indices and compares integers, and never allocates or builds text.

import PacketDecoder

/// What values a comparison works on, decided once at compile time.
enum ValueKind: Sendable, Equatable {
    case unsigned, signed, boolean, ipv4, ipv6, ether, bytes, string, time

    init(_ type: FieldType) {
        switch type {
        case .uint8, .uint16, .uint24, .uint32, .uint64, .frameNumber: self = .unsigned
        case .int32: self = .signed
        case .boolean: self = .boolean
        case .ipv4: self = .ipv4
        case .ipv6: self = .ipv6
        case .ether: self = .ether
        case .string: self = .string
        case .absoluteTime, .relativeTime: self = .time
        case .bytes, .protocolLayer, .none: self = .bytes
        }
    }

    var isNumeric: Bool { self == .unsigned || self == .signed }
    /// Values that have a byte form, so they can be sliced and searched.
    var hasBytes: Bool {
        switch self {
        case .bytes, .string, .ipv4, .ipv6, .ether: return true
        default: return false
        }
    }
}

/// A literal, converted to the type it is compared with. Byte strings live in the program's
/// byte pool, so a constant stays a plain value.
enum Constant: Sendable, Equatable {
    case unsigned(UInt64)
    case signed(Int64)
    case boolean(Bool)
    case ipv4(UInt32, mask: UInt32)
    case ipv6(UInt64, UInt64, prefix: Int)
    case ether(UInt64)
    case bytes(offset: Int, count: Int)
    case time(Int64)
}

/// A value during evaluation. Byte values point into the packet, the pool or a stack buffer,
/// valid only inside the callback that receives them.
enum Scalar {
    case unsigned(UInt64)
    case signed(Int64)
    case boolean(Bool)
    case ipv4(UInt32, mask: UInt32)
    case ipv6(UInt64, UInt64, prefix: Int)
    case ether(UInt64)
    case bytes(UnsafeBufferPointer<UInt8>)
    /// A character string: ordered as text, where byte strings order by length first.
    case text(UnsafeBufferPointer<UInt8>)
    case time(Int64)
}

/// Where an operand's values come from.
enum OperandSource: Sendable {
    /// Occurrences of `Operand.field`.
    case field
    /// One value (the right side of arithmetic).
    case constant(Constant)
    /// `left op right`, operands by index, every pair of values (Wireshark 4.0).
    case arithmetic(ArithmeticOperator, left: Int32, right: Int32)
}

/// A range of one of the program's side tables (kept as two integers so an operand stays a
/// plain value: reading one costs no reference counting).
struct Span: Sendable, Equatable {
    var start: Int32 = 0
    var end: Int32 = 0
    var isEmpty: Bool { end <= start }
    var range: Range<Int> { Int(start)..<Int(end) }
}

enum FilterFunction: Sendable, Equatable {
    case none, length, count, upper, lower
}

/// Where values come from: occurrences of a field, optionally in given layers, sliced, or
/// passed through a function.
struct Operand: Sendable {
    /// The field read (for arithmetic, the left side's, which names the type).
    var field: Field
    var source = OperandSource.field
    /// `#` ranges (into `Program.layerSpecs`); empty for every layer.
    var layers = Span()
    /// Slice lists applied in order (into `Program.sliceLists`); empty for none.
    var slices = Span()
    var function: FilterFunction = .none
    /// The kind of the values produced (bytes after a slice, unsigned after len()).
    var kind: ValueKind
    /// The kind of the field itself.
    var fieldKind: ValueKind
    /// `contains`/`matches` on a protocol searches the protocol's whole packet, as Wireshark
    /// searches the protocol's tvb (`ipv6 contains 20:01` looks into the ICMPv6 body too).
    var searchesPayload = false
    /// Set for the expert pseudo-fields (`_ws.malformed`...), which come from the tree's
    /// diagnostics rather than its nodes.
    var expert: ExpertField?

    /// Every occurrence's whole value, nothing else: what the fast paths handle.
    var isPlainField: Bool {
        guard case .field = source else { return false }
        return function == .none && layers.isEmpty && slices.isEmpty && expert == nil
    }
}

/// The expert pseudo-fields a filter can name.
enum ExpertField: Sendable {
    case any, message, severity, group, malformed, short

    init?(_ field: Field) {
        switch field {
        case ExpertLayer.expert: self = .any
        case ExpertLayer.message: self = .message
        case ExpertLayer.severity: self = .severity
        case ExpertLayer.group: self = .group
        case ExpertLayer.malformed: self = .malformed
        case ExpertLayer.short: self = .short
        default: return nil
        }
    }
}

/// The right-hand side of a relation.
enum RightSide: Sendable {
    case constant(Constant)
    case operand(Int)
    case regex(Int)
    /// A range of `Program.setItems`.
    case set(Int, Int)
}

struct SetElement: Sendable {
    var low: Constant
    var high: Constant?
}

/// How a relation combines the values on each side (Wireshark 4.0).
enum Quantifier: Sendable {
    /// Some pair satisfies the test.
    case any
    /// Every pair satisfies the test, and there is at least one pair.
    case all
}

struct Relation: Sendable {
    var left: Int
    var test: ComparisonOperator
    var quantifier: Quantifier
    var right: RightSide
    /// `not in`.
    var negated: Bool = false
}

/// One node of the boolean structure. Children are indices into `Program.nodes`.
enum ProgramNode: Sendable {
    case and(Int32, Int32)
    case or(Int32, Int32)
    case xor(Int32, Int32)
    case not(Int32)
    /// The field occurs (fast path).
    case present(Field)
    /// An occurrence of an unsigned field compares with a constant (fast path, any quantifier).
    case unsignedAny(Field, UnsignedTest, UInt64)
    /// Every occurrence compares (`!=`, `===`), at least one occurring (fast path).
    case unsignedAll(Field, UnsignedTest, UInt64)
    /// Operand values exist (with layers or slices).
    case exists(Int32)
    /// Some value of an arithmetic operand is not zero (`tcp.flags & 0x02`).
    case nonZero(Int32)
    case relation(Int32)
    case constant(Bool)
}

enum UnsignedTest: UInt8, Sendable {
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual

    @inline(__always) func holds(_ a: UInt64, _ b: UInt64) -> Bool {
        switch self {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less: return a < b
        case .lessOrEqual: return a <= b
        case .greater: return a > b
        case .greaterOrEqual: return a >= b
        }
    }
}

/// The program while the compiler builds it.
struct ProgramBuilder {
    var nodes: [ProgramNode] = []
    var operands: [Operand] = []
    var relations: [Relation] = []
    var setItems: [SetElement] = []
    var regexes: [Regex] = []
    /// Bytes of byte-string and string constants.
    var pool: [UInt8] = []
    var layerSpecs: [RangeSpec] = []
    /// Each bracket of a slice: a span of `sliceSpecs`.
    var sliceLists: [Span] = []
    var sliceSpecs: [RangeSpec] = []

    mutating func layers(_ specs: [RangeSpec]) -> Span {
        let start = Int32(layerSpecs.count)
        layerSpecs.append(contentsOf: specs)
        return Span(start: start, end: Int32(layerSpecs.count))
    }

    mutating func slices(_ lists: [[RangeSpec]]) -> Span {
        let start = Int32(sliceLists.count)
        for list in lists {
            let first = Int32(sliceSpecs.count)
            sliceSpecs.append(contentsOf: list)
            sliceLists.append(Span(start: first, end: Int32(sliceSpecs.count)))
        }
        return Span(start: start, end: Int32(sliceLists.count))
    }

    mutating func add(_ node: ProgramNode) -> Int32 {
        nodes.append(node)
        return Int32(nodes.count - 1)
    }

    mutating func constantBytes(_ bytes: [UInt8]) -> Constant {
        let offset = pool.count
        pool.append(contentsOf: bytes)
        return .bytes(offset: offset, count: bytes.count)
    }
}

/// The finished program: immutable and shared, so evaluating never copies (or retains) its
/// arrays one by one.
final class Program: Sendable {
    let nodes: [ProgramNode]
    let root: Int32
    let operands: [Operand]
    let relations: [Relation]
    let setItems: [SetElement]
    let regexes: [Regex]
    /// The constants' bytes, held for the program's life in raw memory: an evaluation reads them
    /// without taking an array out of the program (a retain per packet, of an object every
    /// filtering thread shares).
    nonisolated(unsafe) let poolBytes: UnsafeMutableBufferPointer<UInt8>
    let layerSpecs: [RangeSpec]
    let sliceLists: [Span]
    let sliceSpecs: [RangeSpec]

    init(_ b: ProgramBuilder, root: Int32) {
        layerSpecs = b.layerSpecs
        sliceLists = b.sliceLists
        sliceSpecs = b.sliceSpecs
        nodes = b.nodes
        self.root = root
        operands = b.operands
        relations = b.relations
        setItems = b.setItems
        regexes = b.regexes
        poolBytes = .allocate(capacity: max(1, b.pool.count))
        _ = poolBytes.initialize(from: b.pool)
    }

    deinit { poolBytes.deallocate() }
}
