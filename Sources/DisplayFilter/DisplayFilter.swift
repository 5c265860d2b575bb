// Display filters in Wireshark 4.0's syntax: compiled once against the field registry,
// evaluated per packet on the typed field tree. See README-semantics.md for the rules.

import PacketDecoder

/// A compiled display filter.
///
///     let filter = try DisplayFilter(compiling: "ipv6.addr == 2001:2::/64 && ip.proto == 41")
///     for tree in frames where filter.matches(tree) { ... }
public struct DisplayFilter: Sendable {
    /// The text it was compiled from.
    public let text: String
    /// Every field the filter reads: a decoder may skip what is not here.
    public let referencedFields: Set<Field>
    /// What a decode for this filter must keep (`PacketDecoder.decode(_:metadata:into:keeping:)`):
    /// the referenced fields, besides the frame and the layers. nil when the filter reads expert
    /// information, which hangs on nodes of any field, so the packet must be decoded whole.
    public let selection: FieldSelection?
    let program: Program

    public init(compiling text: String) throws(FilterError) {
        var parser = try Parser(text)
        let syntax = try parser.parse()
        var compiler = Compiler(lexer: parser.lexer)
        let root = try compiler.compile(syntax)
        self.text = text
        program = Program(compiler.program, root: root)
        referencedFields = compiler.referenced
        selection = referencedFields.contains { ExpertField($0) != nil } ? nil
            : FieldSelection(referencedFields, everyLayer: compiler.searchesPayload)
    }

    /// Whether `tree` passes the filter. Reads typed values only; allocates nothing except for
    /// multi-range slices (`eth.src[0:2,4]`) and `upper()`/`lower()`.
    public func matches(_ tree: PacketTree) -> Bool {
        tree.bytes.withUnsafeBytes { matches(tree, bytes: $0) }
    }

    /// Whether the packet in `bytes`, decoded into `tree` by `PacketDecoder.decodeLeavingBytes`
    /// (which leaves them there), passes the filter.
    public func matches(_ tree: PacketTree, bytes raw: UnsafeRawBufferPointer) -> Bool {
        // The arrays are taken out first: closures that captured `tree` itself made a copy of
        // the whole tree (a retain and release of each of its arrays) on every call.
        let nodes = tree.nodes, strings = tree.strings
        let bytes = raw.assumingMemoryBound(to: UInt8.self)
        let diagnostics = tree.diagnostics
        let truncated = tree.shortfall?.cut == .truncated
        // The path lives in the tree's scratch memory, which `tree` (borrowed for this call)
        // keeps alive.
        let path = tree.protocolSteps
        return nodes.withUnsafeBufferPointer { nodes in
            strings.withUnsafeBufferPointer { strings in
                program.pool.withUnsafeBufferPointer { pool in
                    diagnostics.withUnsafeBufferPointer { diagnostics in
                        let view = PacketView(nodes: nodes, bytes: bytes, strings: strings, pool: pool,
                                              diagnostics: diagnostics, protocolPath: path, truncated: truncated)
                        return program.evaluate(program.root, view)
                    }
                }
            }
        }
    }
}

extension DisplayFilter: CustomStringConvertible {
    public var description: String { text }
}
