// What the fuzzer (Fuzz/DecoderFuzzer.swift) and the corpus replay test do with one input.

public enum FuzzHarness {
    static let linkTypes: [LinkType] = [.ethernet, .raw, .rawDLT, .linuxSLL, .linuxSLL2, .null, .loop, .ipv4, .ipv6]

    /// Byte 0 picks the link type (and, with its high bit, an original length longer than the
    /// capture); the rest is the frame. Decodes it, builds every text, checks the tree's shape.
    /// Returns false if the tree is inconsistent (a bug); traps are bugs too.
    @discardableResult
    public static func exercise(_ input: [UInt8]) -> Bool {
        guard let first = input.first else { return true }
        let linkType = linkTypes[Int(first) % linkTypes.count]
        let frame = Array(input.dropFirst())
        let original = first & 0x80 != 0 ? frame.count + Int(first & 0x7F) : frame.count
        let tree = PacketTree(decoding: frame, metadata: FrameMetadata(number: 1, originalLength: original, linkType: linkType))
        for i in tree.nodes.indices {
            let node = tree.nodes[i]
            guard Int(node.subtreeEnd) > i, Int(node.subtreeEnd) <= tree.nodes.count, node.offset >= 0, node.length >= 0 else {
                return false
            }
            _ = tree.label(i)
            _ = tree.fieldText(i)
        }
        _ = tree.summary
        for f in [ExpertLayer.message, ExpertLayer.short, ExpertLayer.malformed] { _ = tree.fieldTexts(f) }
        return true
    }
}
