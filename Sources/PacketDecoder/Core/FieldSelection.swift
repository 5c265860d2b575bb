// Decoding for a display filter: only the nodes it can look at. A filter on `ip.proto` needs
// every layer node (for structure, `frame.protocols`, layer ranges and slices) and the
// `ip.proto` nodes; the other fields of a packet are read as far as the decoder needs them to
// find the next layer, but not stored, and checksums nobody asks about are not computed.

/// The fields a decode keeps, besides the frame and every protocol layer.
public final class FieldSelection: Sendable {
    // One bit per field id; immutable after init, so sharing between threads is safe.
    nonisolated(unsafe) let bits: UnsafeMutablePointer<UInt64>
    /// One bit per protocol (a field id's high byte): whether any of its fields is selected.
    nonisolated(unsafe) let protocols: UnsafeMutablePointer<UInt64>
    static let words = 65536 / 64

    public init(_ fields: some Sequence<Field>) {
        bits = .allocate(capacity: Self.words)
        bits.initialize(repeating: 0, count: Self.words)
        protocols = .allocate(capacity: 4)
        protocols.initialize(repeating: 0, count: 4)
        for field in fields {
            bits[Int(field.rawValue >> 6)] |= 1 << UInt64(field.rawValue & 63)
            protocols[Int(field.rawValue >> 14)] |= 1 << UInt64((field.rawValue >> 8) & 63)
        }
    }

    deinit {
        bits.deallocate()
        protocols.deallocate()
    }

    public func contains(_ field: Field) -> Bool {
        bits[Int(field.rawValue >> 6)] & (1 << UInt64(field.rawValue & 63)) != 0
    }
}
