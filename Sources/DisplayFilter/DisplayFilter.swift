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
        matcher.matches(tree, bytes: raw)
    }

    /// The compiled program without reference counting, for a loop over many packets: valid
    /// while this filter lives. Calling `matches` on the filter itself (a struct of references)
    /// copied it, a retain and release of each of them per packet, and threads sharing one
    /// filter contended on those counts.
    public var matcher: Matcher { Matcher(program: Unmanaged.passUnretained(program)) }

    public struct Matcher: @unchecked Sendable {
        // Unmanaged, used through `_withUnsafeGuaranteedRef`: an `unowned(unsafe)` reference was
        // still retained around each call made through it.
        let program: Unmanaged<Program>

        /// `DisplayFilter.matches(_:bytes:)`.
        public func matches(_ tree: PacketTree, bytes raw: UnsafeRawBufferPointer) -> Bool {
            program._withUnsafeGuaranteedRef { matches(tree, raw, $0) }
        }

        private func matches(_ tree: PacketTree, _ raw: UnsafeRawBufferPointer, _ program: Program) -> Bool {
            // Views, not copies: `tree` (borrowed for this call) keeps the nodes and the path
            // alive in its scratch memory; most packets have no strings or diagnostics, and then
            // neither array is touched (taking one out is a retain and release).
            let nodes = tree.nodes.unsafeBuffer, path = tree.protocolSteps
            let bytes = raw.assumingMemoryBound(to: UInt8.self), pool = UnsafeBufferPointer(program.poolBytes)
            let truncated = tree.shortfall?.cut == .truncated
            if tree.strings.isEmpty && tree.diagnostics.isEmpty {
                let none = UnsafeBufferPointer<String>(start: nil, count: 0)
                return program.evaluate(program.root, PacketView(
                    nodes: nodes, bytes: bytes, strings: none, pool: pool, diagnostics: UnsafeBufferPointer(start: nil, count: 0),
                    protocolPath: path, truncated: truncated))
            }
            let strings = tree.strings, diagnostics = tree.diagnostics
            return strings.withUnsafeBufferPointer { strings in
                diagnostics.withUnsafeBufferPointer { diagnostics in
                    program.evaluate(program.root, PacketView(nodes: nodes, bytes: bytes, strings: strings, pool: pool,
                                                              diagnostics: diagnostics, protocolPath: path, truncated: truncated))
                }
            }
        }
    }
}

extension DisplayFilter: CustomStringConvertible {
    public var description: String { text }
}
