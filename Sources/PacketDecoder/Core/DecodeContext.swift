// The builder every protocol decoder writes through: bounds-checked reads that throw `Cut`
// (Wireshark's exceptions, with the same two outcomes), and node appends without allocation.

/// Memory a decode writes its nodes and open subtrees into, kept by the tree between packets.
/// An unsafe buffer, not an array: appending a node is a capacity check and a store, with no
/// uniqueness check or retain per node (the array way cost a fifth of a decode).
final class DecodeScratch: @unchecked Sendable {
    // Written only by the decode that found it uniquely referenced (`PacketTree.takeScratch`).
    /// The nodes stay here after the decode: the tree reads them through its `NodeList`.
    var nodes: UnsafeMutablePointer<FieldNode>
    var nodeCapacity: Int
    var open: UnsafeMutablePointer<Int32>
    var openCapacity: Int
    /// `frame.protocols`' steps and the layer nodes' indices, also read from here after the
    /// decode (`PacketTree.protocolSteps`, `layerNodes`); no later decode changes them while
    /// another tree shares this memory.
    var path: UnsafeMutablePointer<Field>
    var pathCapacity: Int
    var layers: UnsafeMutablePointer<Int32>
    var layersCapacity: Int

    init() {
        nodeCapacity = 256
        nodes = .allocate(capacity: nodeCapacity)
        openCapacity = 32
        open = .allocate(capacity: openCapacity)
        pathCapacity = 32
        path = .allocate(capacity: pathCapacity)
        layersCapacity = 32
        layers = .allocate(capacity: layersCapacity)
    }

    deinit {
        nodes.deallocate()
        open.deallocate()
        path.deallocate()
        layers.deallocate()
    }

    enum Buffer { case nodes, open, path, layers }

    /// Doubles one buffer, keeping its first `count` elements. No `inout` of a stored property
    /// here: one made every read of these properties a dynamic exclusivity check (with a
    /// retain), which cost three quarters of a decode.
    func grow(_ buffer: Buffer, keeping count: Int) {
        switch buffer {
        case .nodes: nodes = Self.doubled(nodes, capacity: nodeCapacity, keeping: count); nodeCapacity *= 2
        case .open: open = Self.doubled(open, capacity: openCapacity, keeping: count); openCapacity *= 2
        case .path: path = Self.doubled(path, capacity: pathCapacity, keeping: count); pathCapacity *= 2
        case .layers: layers = Self.doubled(layers, capacity: layersCapacity, keeping: count); layersCapacity *= 2
        }
    }

    /// A buffer of twice `capacity` holding the first `count` elements of `buffer` (freed).
    private static func doubled<T>(_ buffer: UnsafeMutablePointer<T>, capacity: Int,
                                   keeping count: Int) -> UnsafeMutablePointer<T> {
        let bigger = UnsafeMutablePointer<T>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: buffer, count: count)
        buffer.deallocate()
        return bigger
    }
}

/// The state of one frame's decoding. Protocol decoders take it `inout`.
public struct DecodeContext: ~Copyable {
    let bytes: UnsafeRawBufferPointer
    // The tree holds the scratch for the whole decode; no reference counting here.
    private unowned(unsafe) let scratch: DecodeScratch
    private var nodeCount = 0
    private var openCount = 0
    /// With a selection (`FieldSelection`): the fields to keep; nil keeps everything.
    private let keepBits: UnsafePointer<UInt64>?
    private let keepProtocols: UnsafePointer<UInt64>?
    /// A selection that leaves out terminal layers nobody reads (`skipsTerminal`).
    private let skipsUnreadTerminals: Bool
    /// `FieldRegistry.masks`, fetched once per decode.
    private let masks: UnsafeBufferPointer<UInt64>
    /// The index `add` gave the last node, or `DecodeContext.skipped` when it was not kept.
    public private(set) var lastAdded = 0
    /// The destination port of the innermost UDP or TCP header so far.
    public var transportDestinationPort: UInt16?
    var diagnostics: [Diagnostic]
    private var pathCount = 0
    private var layerListCount = 0
    var strings: [String]
    /// How many bytes the frame had on the wire (can exceed `bytes.count`).
    public let originalLength: Int
    /// Layers entered so far; bounds nesting (tunnels in tunnels, quotes in quotes).
    public var layerCount = 0
    /// Depth of tunnel/quote nesting, for protocols that must not recurse forever.
    public var encapsulationDepth = 0
    /// The frame's link type and time (the rest of its metadata is only the frame layer's,
    /// which gets it as an argument: a copy here cost a retain and release per decode).
    public let linkType: LinkType
    public let frameSeconds: Int64
    public let frameNanoseconds: UInt32
    /// The first cut met (set by `PacketDecoder.markCut`).
    public internal(set) var shortfall: Shortfall?
    /// The protocol the first truncation was charged to: tshark's `_ws.short` (a frame can be
    /// malformed in one layer and cut in a later one, so this may differ from `shortfall`).
    public internal(set) var truncatedLayer: Field?
    /// The protocol the next cut is charged to when no layer of its own is open (tshark's
    /// `pinfo->current_proto`, e.g. `Ethertype` while it adds a trailer); consumed by `markCut`.
    public var cutProtocol: Field?
    /// ICMP layers entered so far. Non-zero while decoding the packet an ICMP error quotes
    /// (tshark's `pinfo->flags.in_error_pkt`): lengths that run past the quote are expected
    /// there, not errors.
    var icmpLayers = 0
    @inline(__always)
    public var inErrorPacket: Bool { icmpLayers > 0 }
    /// Set while decoding the payload of a first fragment (tshark's `pinfo->fragmented`): the
    /// rest of the datagram is elsewhere, so lengths and checksums cannot be checked.
    public var fragmented = false

    static let maximumLayers = 400
    static let maximumEncapsulation = 8

    /// What `add` returns for a node a selection leaves out; every method taking a node index
    /// ignores it.
    public static let skipped = -1

    init(bytes: UnsafeRawBufferPointer, tree: inout PacketTree, metadata: FrameMetadata, keeping selection: FieldSelection.Keep? = nil) {
        self.bytes = bytes
        keepBits = selection?.bits
        keepProtocols = selection?.protocols
        skipsUnreadTerminals = selection.map { !$0.needsEveryLayer } ?? false
        masks = FieldRegistry.masks
        scratch = tree.takeScratch()
        diagnostics = []
        strings = []
        swap(&diagnostics, &tree.diagnostics)
        swap(&strings, &tree.strings)
        // Most packets have no diagnostics or strings: no call at all for those.
        if !diagnostics.isEmpty { diagnostics.removeAll(keepingCapacity: true) }
        if !strings.isEmpty { strings.removeAll(keepingCapacity: true) }
        self.originalLength = max(metadata.originalLength, bytes.count)
        linkType = metadata.linkType
        frameSeconds = metadata.seconds
        frameNanoseconds = metadata.nanoseconds
    }

    consuming func finish(into tree: inout PacketTree) {
        // The nodes stay where they were written: the tree's list holds this scratch memory.
        tree.nodes.base = UnsafePointer(scratch.nodes)
        tree.nodes.count = nodeCount
        swap(&diagnostics, &tree.diagnostics)
        swap(&strings, &tree.strings)
        tree.pathCount = Int32(truncatingIfNeeded: pathCount)
        tree.layerListCount = Int32(truncatingIfNeeded: layerListCount)
    }

    /// The nodes so far, readable and writable in place.
    var nodes: UnsafeMutableBufferPointer<FieldNode> {
        UnsafeMutableBufferPointer(start: scratch.nodes, count: nodeCount)
    }

    /// Open subtrees, innermost last.
    private var openNodes: UnsafeMutableBufferPointer<Int32> {
        UnsafeMutableBufferPointer(start: scratch.open, count: openCount)
    }

    /// Bytes actually captured.
    @inline(__always)
    public var capturedLength: Int { bytes.count }

    // MARK: Reading

    /// Checks that `[offset, offset+count)` lies inside both the captured bytes and `limit`, the
    /// end the enclosing layers report; throws `.malformed` past `limit`, `.truncated` past the capture.
    @inline(__always)
    public func check(_ offset: Int, _ count: Int, limit: Int) throws(Cut) {
        let end = offset &+ count
        if offset < 0 || count < 0 || end > limit { throw .malformed }
        if end > bytes.count { throw .truncated }
    }

    /// True when the bytes are there (no throw): for optional parts.
    @inline(__always)
    public func has(_ offset: Int, _ count: Int, limit: Int) -> Bool {
        let end = offset &+ count
        return offset >= 0 && count >= 0 && end <= limit && end <= bytes.count
    }

    @inline(__always)
    public func u8(_ offset: Int, limit: Int) throws(Cut) -> UInt8 {
        try check(offset, 1, limit: limit)
        return bytes[offset]
    }

    @inline(__always)
    public func u16(_ offset: Int, limit: Int) throws(Cut) -> UInt16 {
        try check(offset, 2, limit: limit)
        return UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    public func u24(_ offset: Int, limit: Int) throws(Cut) -> UInt32 {
        try check(offset, 3, limit: limit)
        return UInt32(bytes[offset]) << 16 | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2])
    }

    @inline(__always)
    public func u32(_ offset: Int, limit: Int) throws(Cut) -> UInt32 {
        try check(offset, 4, limit: limit)
        return UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    public func u64(_ offset: Int, limit: Int) throws(Cut) -> UInt64 {
        try check(offset, 8, limit: limit)
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    public func u16LE(_ offset: Int, limit: Int) throws(Cut) -> UInt16 {
        try check(offset, 2, limit: limit)
        return UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    public func u32LE(_ offset: Int, limit: Int) throws(Cut) -> UInt32 {
        try check(offset, 4, limit: limit)
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    public func ipv4(_ offset: Int, limit: Int) throws(Cut) -> IPv4Address {
        IPv4Address(try u32(offset, limit: limit))
    }

    @inline(__always)
    public func ipv6(_ offset: Int, limit: Int) throws(Cut) -> IPv6Address {
        try check(offset, 16, limit: limit)
        return IPv6Address(high: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
                           low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)))
    }

    @inline(__always)
    public func mac(_ offset: Int, limit: Int) throws(Cut) -> MACAddress {
        try check(offset, 6, limit: limit)
        let hi = UInt64(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
        let lo = UInt64(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 2, as: UInt32.self)))
        return MACAddress(hi << 32 | lo)
    }

    /// Unchecked byte access for code that has already checked its range.
    @inline(__always)
    public subscript(offset: Int) -> UInt8 { bytes[offset] }

    // MARK: Building the tree

    /// Appends a leaf node and returns its index.
    @discardableResult @inline(__always)
    public mutating func add(_ field: Field, _ offset: Int, _ length: Int, _ value: FieldValue,
                             _ flags: NodeFlags = []) -> Int {
        // 0x0100 is `frame` (a literal: a static let here costs a lazy-init check per node).
        if let keepBits, !flags.contains(.layer), field.rawValue != 0x0100,
           keepBits[Int(field.rawValue >> 6)] & (1 << UInt64(field.rawValue & 63)) == 0 {
            lastAdded = Self.skipped
            return Self.skipped
        }
        let index = nodeCount
        if index == scratch.nodeCapacity { scratch.grow(.nodes, keeping: index) }
        (scratch.nodes + index).initialize(to: FieldNode(
            field: field, flags: flags, depth: UInt8(truncatingIfNeeded: openCount),
            offset: Int32(truncatingIfNeeded: offset), length: Int32(truncatingIfNeeded: length),
            subtreeEnd: Int32(truncatingIfNeeded: index + 1), value: value))
        nodeCount = index + 1
        lastAdded = index
        return index
    }

    /// The registry's bit mask of `field` (0: whole bytes).
    @inline(__always)
    public func mask(_ field: Field) -> UInt64 {
        let i = Int(field.rawValue)
        return i < masks.count ? masks[i] : 0
    }

    /// Whether this decode keeps `field` (always, without a selection): decoders skip work,
    /// like verifying a checksum, whose only result is a node nobody keeps.
    @inline(__always)
    public func keeps(_ field: Field) -> Bool {
        guard let keepBits else { return true }
        return keepBits[Int(field.rawValue >> 6)] & (1 << UInt64(field.rawValue & 63)) != 0
    }

    /// Whether this decode keeps any field of `layer`'s protocol (the fields sharing its id's
    /// high byte): parts of a decoder that only add such fields are skipped when not.
    @inline(__always)
    public func keepsAny(of layer: Field) -> Bool {
        guard let keepProtocols else { return true }
        return keepProtocols[Int(layer.rawValue >> 14)] & (1 << UInt64((layer.rawValue >> 8) & 63)) != 0
    }


    /// Whether any field numbered in `range` is kept (a run of generated fields whose only work
    /// is their own nodes, such as the IPv6 address anatomy).
    @inline(__always)
    public func keepsAnyField(in range: ClosedRange<UInt16>) -> Bool {
        guard let keepBits else { return true }
        return Self.anyBit(keepBits, in: range)
    }

    private static func anyBit(_ keepBits: UnsafePointer<UInt64>, in range: ClosedRange<UInt16>) -> Bool {
        for word in Int(range.lowerBound >> 6)...Int(range.upperBound >> 6) {
            let first = max(Int(range.lowerBound), word << 6) & 63
            let last = min(Int(range.upperBound), (word << 6) | 63) & 63
            let mask = (last == 63 ? ~UInt64(0) : (UInt64(1) << UInt64(last + 1)) &- 1) & ~((UInt64(1) << UInt64(first)) &- 1)
            if keepBits[word] & mask != 0 { return true }
        }
        return false
    }

    /// Whether a selective decode leaves out `layer`, a protocol whose payload holds no other
    /// protocol but `data` (the caller knows: TCP, UDP off Teredo's port, an informational ICMP
    /// message, ARP): no field of it or of `data` is kept, and the filter does not read the list
    /// of layers. Nothing after such a layer is a layer, so the filter sees the same tree but
    /// for nodes it never reads. A full decode skips nothing.
    @inline(__always)
    public func skipsTerminal(_ layer: Field) -> Bool {
        skipsUnreadTerminals && !keepsAny(of: layer) && !keepsAny(of: DataLayer.data)
    }

    /// Reads and appends an unsigned field of `length` bytes (1, 2, 3, 4 or 8), applying the
    /// registry's mask. Returns the (masked, shifted) value.
    @discardableResult
    public mutating func addUInt(_ field: Field, _ offset: Int, _ length: Int, limit: Int,
                                 _ flags: NodeFlags = []) throws(Cut) -> UInt64 {
        var raw: UInt64
        switch length {
        case 1: raw = UInt64(try u8(offset, limit: limit))
        case 2: raw = UInt64(try u16(offset, limit: limit))
        case 3: raw = UInt64(try u24(offset, limit: limit))
        case 4: raw = UInt64(try u32(offset, limit: limit))
        default: raw = try u64(offset, limit: limit)
        }
        let mask = self.mask(field)
        if mask != 0 { raw = (raw & mask) >> UInt64(mask.trailingZeroBitCount) }
        add(field, offset, length, .unsigned(raw), flags)
        return raw
    }

    /// Reads and appends a boolean bit field (the registry's mask picks the bit).
    @discardableResult
    public mutating func addFlag(_ field: Field, _ offset: Int, _ length: Int, limit: Int) throws(Cut) -> Bool {
        var raw: UInt64
        switch length {
        case 1: raw = UInt64(try u8(offset, limit: limit))
        case 2: raw = UInt64(try u16(offset, limit: limit))
        case 3: raw = UInt64(try u24(offset, limit: limit))
        default: raw = UInt64(try u32(offset, limit: limit))
        }
        let set = raw & mask(field) != 0
        add(field, offset, length, .boolean(set))
        return set
    }

    @discardableResult
    public mutating func addIPv4(_ field: Field, _ offset: Int, limit: Int, _ flags: NodeFlags = []) throws(Cut) -> IPv4Address {
        let a = try ipv4(offset, limit: limit)
        add(field, offset, 4, .ipv4(a), flags)
        return a
    }

    @discardableResult
    public mutating func addIPv6(_ field: Field, _ offset: Int, limit: Int, _ flags: NodeFlags = []) throws(Cut) -> IPv6Address {
        let a = try ipv6(offset, limit: limit)
        add(field, offset, 16, .ipv6(a), flags)
        return a
    }

    @discardableResult
    public mutating func addMAC(_ field: Field, _ offset: Int, limit: Int, _ flags: NodeFlags = []) throws(Cut) -> MACAddress {
        let a = try mac(offset, limit: limit)
        add(field, offset, 6, .ether(a), flags)
        return a
    }

    /// Appends a byte-string field after checking its bytes are there.
    @discardableResult
    public mutating func addBytes(_ field: Field, _ offset: Int, _ length: Int, limit: Int,
                                  _ flags: NodeFlags = []) throws(Cut) -> Int {
        try check(offset, length, limit: limit)
        return add(field, offset, length, .bytes, flags)
    }

    /// Stores text in the side table and returns a value that refers to it.
    public mutating func string(_ text: String) -> FieldValue {
        strings.append(text)
        return .string(Int32(strings.count - 1))
    }

    /// Opens a subtree (a layer, an option, a flags word): later nodes are its children until `close`.
    @discardableResult
    public mutating func open(_ field: Field, _ offset: Int, _ length: Int, _ value: FieldValue = .none,
                              _ flags: NodeFlags = []) -> Int {
        let index = add(field, offset, length, value, flags)
        if openCount == scratch.openCapacity { scratch.grow(.open, keeping: openCount) }
        scratch.open[openCount] = Int32(truncatingIfNeeded: index)
        openCount += 1
        return index
    }

    /// Opens a protocol layer and records it in `frame.protocols`.
    @discardableResult
    public mutating func openLayer(_ field: Field, _ offset: Int, _ length: Int) -> Int {
        layerCount += 1
        if field == ICMPv4Layer.icmp || field == ICMPv6Layer.icmpv6 { icmpLayers += 1 }
        appendProtocolStep(field)
        let index = open(field, offset, length, .none, .layer)
        if layerListCount == scratch.layersCapacity { scratch.grow(.layers, keeping: layerListCount) }
        scratch.layers[layerListCount] = Int32(truncatingIfNeeded: index)
        layerListCount += 1
        return index
    }

    /// Records tshark's `ethertype` dispatch step in `frame.protocols`.
    public mutating func noteEtherTypeDispatch() { appendProtocolStep(EthernetLayer.ethertypeStep) }

    /// `frame.protocols` so far.
    var protocolPath: UnsafeBufferPointer<Field> { UnsafeBufferPointer(start: scratch.path, count: pathCount) }

    @inline(__always)
    mutating func appendProtocolStep(_ field: Field) {
        if pathCount == scratch.pathCapacity { scratch.grow(.path, keeping: pathCount) }
        scratch.path[pathCount] = field
        pathCount += 1
    }

    mutating func removeLastProtocolStep() {
        if pathCount > 0 { pathCount -= 1 }
    }

    /// Closes the innermost open subtree.
    @inline(__always)
    public mutating func close() {
        guard openCount > 0 else { return }
        openCount -= 1
        let index = Int(scratch.open[openCount])
        if index >= 0 { scratch.nodes[index].subtreeEnd = Int32(truncatingIfNeeded: nodeCount) }
    }

    /// Closes subtrees until `depth` remain open (unwinding after a cut).
    public mutating func close(downTo depth: Int) {
        while openCount > depth { close() }
    }

    /// How many subtrees are open (to unwind to after a cut).
    @inline(__always)
    public var openDepth: Int { openCount }

    /// Appends a leaf as the last child of the closed node `parent`, after later layers have been
    /// added (Wireshark puts padding and trailers in the link layer's subtree once the payload
    /// has said where it ends). Later nodes and their diagnostics move one place down.
    @discardableResult
    public mutating func insertLeaf(under parent: Int, _ field: Field, _ offset: Int, _ length: Int,
                                    _ value: FieldValue, _ flags: NodeFlags = []) -> Int {
        guard parent >= 0 else { return add(field, offset, length, value, flags) }
        if !keeps(field) && !flags.contains(.layer) { lastAdded = Self.skipped; return Self.skipped }
        let position = Int(nodes[parent].subtreeEnd)
        guard position < nodeCount, !openNodes.contains(where: { Int($0) >= position }) else {
            return add(field, offset, length, value, flags)
        }
        for i in 0..<position where Int(nodes[i].subtreeEnd) >= position && i <= parent {
            nodes[i].subtreeEnd += 1   // the parent and the subtrees enclosing it grow
        }
        for i in position..<nodeCount { nodes[i].subtreeEnd += 1 }
        for i in diagnostics.indices where Int(diagnostics[i].node) >= position { diagnostics[i].node += 1 }
        for i in 0..<layerListCount where Int(scratch.layers[i]) >= position { scratch.layers[i] += 1 }
        if nodeCount == scratch.nodeCapacity { scratch.grow(.nodes, keeping: nodeCount) }
        (scratch.nodes + position + 1).moveInitialize(from: scratch.nodes + position, count: nodeCount - position)
        (scratch.nodes + position).initialize(to: FieldNode(
            field: field, flags: flags, depth: scratch.nodes[parent].depth &+ 1,
            offset: Int32(truncatingIfNeeded: offset), length: Int32(truncatingIfNeeded: length),
            subtreeEnd: Int32(truncatingIfNeeded: position + 1), value: value))
        nodeCount += 1
        lastAdded = position
        return position
    }

    /// Sets the byte length of node `index` once it is known.
    public mutating func setLength(_ index: Int, _ length: Int) {
        guard index >= 0 else { return }
        nodes[index].length = Int32(truncatingIfNeeded: length)
    }

    public mutating func setValue(_ index: Int, _ value: FieldValue) {
        guard index >= 0 else { return }
        nodes[index].value = value
    }

    public mutating func insertFlags(_ index: Int, _ flags: NodeFlags) {
        guard index >= 0 else { return }
        nodes[index].flags.formUnion(flags)
    }


    /// Attaches expert information to node `index`.
    /// The message is built only for a kept node: a selective decode skips most, and the text
    /// (often interpolated) would cost more than the rest of the layer.
    public mutating func diagnose(_ index: Int, _ severity: Severity, _ group: ExpertGroup,
                                  _ message: @autoclosure () -> String) {
        guard index >= 0 else { return }
        diagnostics.append(Diagnostic(node: Int32(index), severity: severity, group: group, message: message()))
    }


    /// The innermost open layer (for naming a cut).
    public var currentLayer: Field? {
        for i in openNodes.reversed() where i >= 0 && nodes[Int(i)].flags.contains(.layer) { return nodes[Int(i)].field }
        return nil
    }

    /// The index of the innermost open layer.
    public var currentLayerIndex: Int? {
        for i in openNodes.reversed() where i >= 0 && nodes[Int(i)].flags.contains(.layer) { return Int(i) }
        return nil
    }

    // MARK: Checksums

    /// The one's-complement sum of `bytes[range]` (an odd byte is padded), not yet folded.
    public func onesComplementSum(_ range: Range<Int>, initial: UInt32 = 0) -> UInt32 {
        var sum = UInt64(initial)
        var i = range.lowerBound
        let end = range.upperBound
        while i + 8 <= end {
            let w = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            sum &+= (w >> 48) + ((w >> 32) & 0xFFFF) + ((w >> 16) & 0xFFFF) + (w & 0xFFFF)
            i += 8
        }
        while i + 1 < end {
            sum &+= UInt64(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt16.self)))
            i += 2
        }
        if i < end { sum &+= UInt64(bytes[i]) << 8 }
        while sum > 0xFFFF_FFFF { sum = (sum & 0xFFFF_FFFF) + (sum >> 32) }
        return UInt32(sum)
    }
}

/// Folds a 32-bit one's-complement sum into 16 bits.
public func foldChecksum(_ sum: UInt32) -> UInt16 {
    var s = sum
    while s > 0xFFFF { s = (s & 0xFFFF) + (s >> 16) }
    return UInt16(s)
}
