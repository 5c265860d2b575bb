// The entry point: bytes + metadata -> PacketTree. Never traps, never throws.

public enum PacketDecoder {
    /// Decodes one frame into `tree`, reusing its storage.
    public static func decode(_ bytes: [UInt8], metadata: FrameMetadata, into tree: inout PacketTree) {
        tree.bytes.removeAll(keepingCapacity: true)
        tree.bytes.append(contentsOf: bytes)
        decodeStoredBytes(metadata: metadata, into: &tree)
    }

    /// Decodes a frame held in a raw buffer (a mapped file, a libpcap record) into `tree`.
    /// With `selection`, only the frame, the layers and the selected fields become nodes: enough
    /// for a display filter that references only those fields (`DisplayFilter.selection`).
    public static func decode(_ buffer: UnsafeRawBufferPointer, metadata: FrameMetadata, into tree: inout PacketTree,
                              keeping selection: FieldSelection? = nil) {
        store(buffer, in: &tree.bytes)
        decodeStoredBytes(metadata: metadata, into: &tree, keeping: selection?.keep)
    }

    /// As `decode(_:metadata:into:keeping:)`, with the selection as plain pointers (its `keep`),
    /// which the caller keeps alive: no reference counting per packet.
    public static func decode(_ buffer: UnsafeRawBufferPointer, metadata: FrameMetadata, into tree: inout PacketTree,
                              keeping selection: FieldSelection.Keep?) {
        store(buffer, in: &tree.bytes)
        decodeStoredBytes(metadata: metadata, into: &tree, keeping: selection)
    }

    /// Decodes for a display filter and nothing else: as `decode(_:metadata:into:keeping:)`, but
    /// the bytes stay in `buffer` and the tree keeps none (`tree.bytes` is empty), so the tree is
    /// only good for `DisplayFilter.matches(_:bytes:)` with the same buffer. Copying every
    /// packet's bytes into the tree was a tenth of a filter's work on a big capture.
    public static func decodeLeavingBytes(_ buffer: UnsafeRawBufferPointer, metadata: FrameMetadata,
                                          into tree: inout PacketTree, keeping selection: FieldSelection?) {
        decodeLeavingBytes(buffer, metadata: metadata, into: &tree, keeping: selection?.keep)
    }

    /// `decodeLeavingBytes` with the selection as plain pointers (its `keep`, kept alive by the caller).
    public static func decodeLeavingBytes(_ buffer: UnsafeRawBufferPointer, metadata: FrameMetadata,
                                          into tree: inout PacketTree, keeping selection: FieldSelection.Keep?) {
        if !tree.bytes.isEmpty { tree.bytes.removeAll(keepingCapacity: true) }
        decode(raw: buffer, metadata: metadata, into: &tree, keeping: selection)
    }

    /// Overwrites `bytes` with `buffer` in place, growing or shrinking it by the difference only
    /// (emptying and refilling an array cost two generic calls per packet).
    @inline(__always)
    private static func store(_ buffer: UnsafeRawBufferPointer, in bytes: inout [UInt8]) {
        let count = buffer.count
        if bytes.count > count { bytes.removeLast(bytes.count - count) }
        let reused = bytes.count
        if reused > 0, let source = buffer.baseAddress {
            bytes.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: source, byteCount: reused) }
        }
        if reused < count { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[reused...])) }
    }

    private static func decodeStoredBytes(metadata: FrameMetadata, into tree: inout PacketTree,
                                          keeping selection: FieldSelection.Keep? = nil) {
        var stored: [UInt8] = []
        swap(&stored, &tree.bytes)
        stored.withUnsafeBytes { raw in
            decode(raw: raw, metadata: metadata, into: &tree, keeping: selection)
        }
        swap(&stored, &tree.bytes)
    }

    /// Decodes the frame in `raw` into `tree` (whose bytes are not touched).
    private static func decode(raw: UnsafeRawBufferPointer, metadata: FrameMetadata, into tree: inout PacketTree,
                               keeping selection: FieldSelection.Keep?) {
        tree.metadata = metadata
        tree.shortfall = nil
        tree.truncatedLayer = nil
        var ctx = DecodeContext(bytes: raw, tree: &tree, metadata: metadata, keeping: selection)
        let frameIndex = FrameLayer.open(&ctx, metadata)
        decodeLink(&ctx)
        ctx.close(downTo: 0)
        FrameLayer.finish(&ctx, frameIndex: frameIndex, originalLength: metadata.originalLength)
        tree.shortfall = ctx.shortfall
        tree.truncatedLayer = ctx.truncatedLayer
        ctx.finish(into: &tree)
    }

    /// Dispatches on the link type and turns a cut into a mark on the innermost layer.
    private static func decodeLink(_ ctx: inout DecodeContext) {
        let limit = ctx.originalLength
        do {
            try LinkLayer.decode(&ctx, linkType: ctx.linkType, at: 0, limit: limit)
        } catch {
            markCut(&ctx, error)
        }
    }

    /// The expert message of a cut past what the enclosing layers claim.
    public static let exceptionMessage = "Malformed Packet (Exception occurred)"

    /// Records a cut as Wireshark does: "packet size limited during capture" (truncated) or
    /// "Malformed Packet" (malformed), on the innermost open layer.
    @discardableResult
    static func markCut(_ ctx: inout DecodeContext, _ cut: Cut) -> Shortfall {
        let layerIndex = ctx.currentLayerIndex ?? 0
        let layer = ctx.cutProtocol ?? ctx.nodes[layerIndex].field
        ctx.cutProtocol = nil
        if cut == .truncated {
            ctx.insertFlags(layerIndex, .truncated)
        } else {
            ctx.diagnose(layerIndex, .error, .malformed, exceptionMessage)
        }
        let shortfall = Shortfall(cut: cut, layer: layer)
        if ctx.shortfall == nil { ctx.shortfall = shortfall }
        if cut == .truncated && ctx.truncatedLayer == nil { ctx.truncatedLayer = layer }
        return shortfall
    }

    /// Decodes a nested part (an ICMPv6 error's quote, a tunnel's payload) and keeps a cut inside
    /// it from ending the outer decoding, as Wireshark's TRY blocks do. Returns the cut, if any.
    public static func decodeNested(_ ctx: inout DecodeContext,
                                    _ body: (inout DecodeContext) throws(Cut) -> Void) -> Cut? {
        let depth = ctx.openDepth
        do {
            try body(&ctx)
            return nil
        } catch {
            markCut(&ctx, error)
            ctx.close(downTo: depth)
            return error
        }
    }
}
