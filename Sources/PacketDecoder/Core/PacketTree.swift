// The decoded packet: a flat, pre-order array of nodes. Every node knows its bytes.

import Synchronization

/// A field's typed value. Trivial (no references), so building a tree never retains or releases.
public enum FieldValue: Sendable, Equatable {
    case none
    case unsigned(UInt64)
    case signed(Int64)
    case boolean(Bool)
    case ipv4(IPv4Address)
    case ipv6(IPv6Address)
    case ether(MACAddress)
    /// The node's own byte range is the value.
    case bytes
    /// Text kept in the tree's side table (`PacketTree.strings`).
    case string(Int32)
    case time(seconds: Int64, nanoseconds: UInt32)

    /// The integer this value holds, for integer-like values.
    public var integer: UInt64? {
        switch self {
        case .unsigned(let v): return v
        case .boolean(let b): return b ? 1 : 0
        case .signed(let v): return UInt64(bitPattern: v)
        default: return nil
        }
    }
}

/// Node flags, as Wireshark's field flags.
public struct NodeFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Computed by the decoder, not read from the bytes as such (shown in brackets).
    public static let generated = NodeFlags(rawValue: 1)
    /// Filterable but not shown in the tree (`ip.addr`, `ipv6.addr`).
    public static let hidden = NodeFlags(rawValue: 2)
    /// The capture stopped inside this node's bytes.
    public static let truncated = NodeFlags(rawValue: 4)
    /// A protocol layer (`eth`, `ip`, `ipv6`...).
    public static let layer = NodeFlags(rawValue: 8)
}

public struct FieldNode: Sendable, Equatable {
    public var field: Field
    public var flags: NodeFlags
    /// Nesting depth in the tree (layers are 0).
    public var depth: UInt8
    /// Absolute, half-open byte range in the frame.
    public var offset: Int32
    public var length: Int32
    /// Index one past this node's last descendant: children are `index+1 ..< subtreeEnd`.
    public var subtreeEnd: Int32
    public var value: FieldValue

    public var range: Range<Int> { Int(offset)..<Int(offset) + Int(length) }
    public var info: FieldInfo { field.info }
    /// The field's bit mask (0: whole bytes).
    public var mask: UInt64 { FieldRegistry.mask(field) }
}

public enum Severity: Int, Sendable, Comparable, CaseIterable {
    case chat = 1, note, warn, error
    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
    /// The names tshark gives them.
    public var name: String {
        switch self {
        case .chat: return "chat"
        case .note: return "note"
        case .warn: return "warn"
        case .error: return "error"
        }
    }
}

/// Expert information attached to a node: a bad checksum, a length that lies...
public struct Diagnostic: Sendable, Equatable {
    /// The node it is about.
    public var node: Int32
    public var severity: Severity
    public var group: ExpertGroup
    public var message: String
}

/// Wireshark's expert-info groups.
public enum ExpertGroup: String, Sendable, Equatable {
    case checksum, sequence, malformed, protocolViolation = "protocol", undecoded, comment
}

/// Why a packet stops before its end.
public enum Cut: Error, Sendable, Equatable {
    /// The capture stopped inside a layer (snap length): informational.
    case truncated
    /// A length or offset points past what the packet says it holds: an error.
    case malformed
}

/// Where and how the decoding of a frame ended early.
public struct Shortfall: Sendable, Equatable {
    public var cut: Cut
    /// The layer field of the protocol that ran out (`ipv6`).
    public var layer: Field
}

/// Frame metadata handed in by the reader.
public struct FrameMetadata: Sendable, Equatable {
    public var number: Int
    public var seconds: Int64
    public var nanoseconds: UInt32
    public var originalLength: Int
    public var linkType: LinkType
    /// pcapng only.
    public var interfaceID: Int?
    public var direction: UInt32?
    public var section: Int?
    /// pcapng's texts, by their number in `FrameTexts` (0: none): with no reference inside, the
    /// metadata is a plain value, copied without reference counting (it is copied several times
    /// per packet on the way to the decoder).
    private var texts: UInt32 = 0

    public var interfaceName: String? {
        get { texts == 0 ? nil : FrameTexts.texts(texts).interfaceName }
        set { texts = FrameTexts.intern(interfaceName: newValue, comment: comment) }
    }

    public var comment: String? {
        get { texts == 0 ? nil : FrameTexts.texts(texts).comment }
        set { texts = FrameTexts.intern(interfaceName: interfaceName, comment: newValue) }
    }

    public init(number: Int, seconds: Int64 = 0, nanoseconds: UInt32 = 0, originalLength: Int,
                linkType: LinkType, interfaceID: Int? = nil, interfaceName: String? = nil,
                direction: UInt32? = nil, comment: String? = nil, section: Int? = nil) {
        self.number = number
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.originalLength = originalLength
        self.linkType = linkType
        self.interfaceID = interfaceID
        self.direction = direction
        self.section = section
        self.texts = interfaceName == nil && comment == nil ? 0 : FrameTexts.intern(interfaceName: interfaceName, comment: comment)
    }

    public static func == (a: FrameMetadata, b: FrameMetadata) -> Bool {
        a.number == b.number && a.seconds == b.seconds && a.nanoseconds == b.nanoseconds
            && a.originalLength == b.originalLength && a.linkType == b.linkType && a.interfaceID == b.interfaceID
            && a.direction == b.direction && a.section == b.section
            && a.interfaceName == b.interfaceName && a.comment == b.comment
    }
}

/// pcapng's interface names and packet comments, each distinct pair kept once for the life of
/// the process and named by a number, so that `FrameMetadata` holds no reference.
enum FrameTexts {
    struct Pair: Hashable {
        var interfaceName: String?
        var comment: String?
    }

    private static let table = Mutex<(pairs: [Pair], numbers: [Pair: UInt32], last: UInt32)>(
        ([Pair(interfaceName: nil, comment: nil)], [:], 0))

    /// The number of a pair (0 for no texts). A pcapng reader names every record's interface:
    /// the pair of the record before is tried first, without hashing.
    static func intern(interfaceName: String?, comment: String?) -> UInt32 {
        if interfaceName == nil && comment == nil { return 0 }
        let pair = Pair(interfaceName: interfaceName, comment: comment)
        return table.withLock { t in
            if t.last != 0 && t.pairs[Int(t.last)] == pair { return t.last }
            if let number = t.numbers[pair] {
                t.last = number
                return number
            }
            let number = UInt32(t.pairs.count)
            t.pairs.append(pair)
            t.numbers[pair] = number
            t.last = number
            return number
        }
    }

    static func texts(_ number: UInt32) -> Pair {
        table.withLock { $0.pairs[Int(number)] }
    }
}

/// A decoded frame. Reuse one value across packets (`PacketDecoder.decode(_:metadata:into:)`)
/// to keep allocation out of the per-packet path.
public struct PacketTree: Sendable {
    public internal(set) var metadata: FrameMetadata
    public internal(set) var bytes: [UInt8]
    /// Every node, in pre-order. They stay in the decoder's scratch memory, which this list
    /// holds: a decode writes them once, with no copy into an array at its end.
    public internal(set) var nodes: NodeList
    public internal(set) var diagnostics: [Diagnostic]
    /// Protocol layers in dissection order, as `frame.protocols` lists them (with tshark's
    /// `ethertype` dispatch step). Kept in the scratch memory; `protocolSteps` reads it
    /// without making an array.
    public var protocolPath: [Field] { Array(protocolSteps) }
    var pathCount: Int32 = 0
    var layerListCount: Int32 = 0

    /// `protocolPath` without an array: valid while this tree lives (it holds the memory) and
    /// is not decoded into again. A filter reads it on every evaluation.
    public var protocolSteps: UnsafeBufferPointer<Field> {
        guard let scratch = nodes.storage else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: scratch.path, count: Int(pathCount))
    }

    /// The indices of the protocol layer nodes, in order: the packet list's row and the tunnel
    /// marks walk these few instead of every node. Read while the tree lives (it holds the memory).
    public var layerNodes: UnsafeBufferPointer<Int32> {
        guard let scratch = nodes.storage else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: scratch.layers, count: Int(layerListCount))
    }
    public internal(set) var strings: [String]
    /// Set when the frame could not be decoded to its end.
    public internal(set) var shortfall: Shortfall?
    /// The protocol the first truncation was charged to (tshark's `_ws.short`), even when an
    /// earlier cut made the frame malformed.
    public internal(set) var truncatedLayer: Field?

    /// The scratch memory for a decode into this tree (`DecodeScratch`, held by `nodes`): its
    /// own when nothing else holds it (a copy of the tree, a node list taken out), else new,
    /// so what others hold never changes.
    mutating func takeScratch() -> DecodeScratch {
        if !isKnownUniquelyReferenced(&nodes.storage) { nodes.storage = DecodeScratch() }
        return nodes.storage.unsafelyUnwrapped
    }

    public init() {
        metadata = FrameMetadata(number: 0, originalLength: 0, linkType: .ethernet)
        bytes = []
        nodes = NodeList()
        diagnostics = []
        strings = []
        shortfall = nil
        truncatedLayer = nil
    }

    /// Decodes `bytes` into a new tree.
    public init(decoding bytes: [UInt8], metadata: FrameMetadata) {
        self.init()
        PacketDecoder.decode(bytes, metadata: metadata, into: &self)
    }

    // MARK: Queries

    /// Indices of every node of `field`, in wire order (tunnels and ICMPv6 quotes give several).
    public func indices(of field: Field) -> [Int] {
        var result: [Int] = []
        for i in nodes.indices where nodes[i].field == field { result.append(i) }
        return result
    }

    /// The first node of `field`.
    public func first(_ field: Field) -> FieldNode? {
        for node in nodes where node.field == field { return node }
        return nil
    }

    public func contains(_ field: Field) -> Bool {
        for node in nodes where node.field == field { return true }
        return false
    }

    /// Direct children of node `index`.
    public func children(of index: Int) -> [Int] {
        var result: [Int] = []
        var i = index + 1
        let end = Int(nodes[index].subtreeEnd)
        while i < end {
            result.append(i)
            i = Int(nodes[i].subtreeEnd)
        }
        return result
    }

    /// Indices of the top-level nodes (the frame and each layer).
    public var roots: [Int] {
        var result: [Int] = []
        var i = 0
        while i < nodes.count {
            result.append(i)
            i = Int(nodes[i].subtreeEnd)
        }
        return result
    }

    /// The parent of node `index`, nil for a root.
    public func parent(of index: Int) -> Int? {
        let depth = nodes[index].depth
        guard depth > 0 else { return nil }
        var i = index - 1
        while i >= 0 {
            if nodes[i].depth < depth { return i }
            i -= 1
        }
        return nil
    }

    /// Nodes whose bytes include `offset`, outermost first: the last one is the innermost field,
    /// which is what the hex pane selects. Hidden nodes are left out.
    public func nodes(covering offset: Int) -> [Int] {
        var result: [Int] = []
        for i in nodes.indices {
            let n = nodes[i]
            if n.length > 0, n.range.contains(offset), !n.flags.contains(.hidden), n.field != FrameLayer.frame {
                result.append(i)
            }
        }
        return result
    }

    /// The layer node enclosing node `index` (itself if it is a layer).
    public func layer(of index: Int) -> Int {
        var i = index
        while i > 0 && !nodes[i].flags.contains(.layer) { i -= 1 }
        return i
    }

    /// Diagnostics attached to node `index`.
    public func diagnostics(of index: Int) -> [Diagnostic] {
        diagnostics.filter { $0.node == Int32(index) }
    }

    /// The bytes of node `index` (clamped to what was captured).
    public func bytes(of index: Int) -> ArraySlice<UInt8> {
        let r = nodes[index].range.clamped(to: 0..<bytes.count)
        return bytes[r]
    }

    /// `frame.protocols` text.
    public var protocolsText: String { Self.protocolsText(protocolPath) }

    /// `frame.protocols` text of a layer path (also what filters on it compare).
    public static func protocolsText<Path: Sequence<Field>>(_ path: Path) -> String {
        var out = ""
        for field in path {
            if !out.isEmpty { out += ":" }
            out += field.info.abbreviation
        }
        return out
    }

    /// The worst severity among the diagnostics.
    public var worstSeverity: Severity? { diagnostics.map(\.severity).max() }
}

/// A decoded tree's nodes, read where the decoder wrote them (its scratch memory, which this
/// list keeps alive). A value like an array: a later decode into the tree it came from writes
/// other memory while this list is held elsewhere (`PacketTree.takeScratch`).
public struct NodeList: RandomAccessCollection, Equatable, Sendable {
    /// Holds the memory. Never written by a decode while anything else holds it.
    var storage: DecodeScratch?
    /// Where the nodes are, as the decode that wrote them left them (a later decode into the
    /// same tree may move them, and then sets this anew). A plain pointer, so that other
    /// modules' inner loops read a node inline (through the class, every read was a call).
    @usableFromInline nonisolated(unsafe) var base: UnsafePointer<FieldNode>?
    public internal(set) var count: Int

    init() {
        storage = nil
        base = nil
        count = 0
    }

    public typealias Indices = Range<Int>
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    @inlinable @inline(__always)
    public subscript(position: Int) -> FieldNode {
        precondition(position >= 0 && position < count, "node index out of range")
        return base.unsafelyUnwrapped[position]
    }

    /// The nodes as a buffer, valid while the tree (or this list) they came from lives and is not
    /// decoded into again.
    @inlinable
    public var unsafeBuffer: UnsafeBufferPointer<FieldNode> { UnsafeBufferPointer(start: base, count: count) }

    public static func == (a: NodeList, b: NodeList) -> Bool {
        a.unsafeBuffer.elementsEqual(b.unsafeBuffer)
    }
}
