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
    /// Whether every layer must be decoded: the filter reads `frame.protocols`, the list of all
    /// of them, or searches a protocol's bytes, which run to the end of the last layer after it
    /// (`everyLayer`). Otherwise a layer that can hold no other protocol (a TCP segment, an echo) and
    /// none of whose fields is kept is left out (`DecodeContext.skipsTerminal`).
    public let needsEveryLayer: Bool

    public init(_ fields: some Sequence<Field>, everyLayer: Bool = false) {
        bits = .allocate(capacity: Self.words)
        bits.initialize(repeating: 0, count: Self.words)
        protocols = .allocate(capacity: 4)
        protocols.initialize(repeating: 0, count: 4)
        var everyLayer = everyLayer
        for field in fields {
            bits[Int(field.rawValue >> 6)] |= 1 << UInt64(field.rawValue & 63)
            protocols[Int(field.rawValue >> 14)] |= 1 << UInt64((field.rawValue >> 8) & 63)
            if field == FrameLayer.protocols { everyLayer = true }
        }
        needsEveryLayer = everyLayer
    }

    deinit {
        bits.deallocate()
        protocols.deallocate()
    }

    /// What a summary line (and the packet list's row) reads: every field but those whose only
    /// use is the tree and filters: checksum verdicts (their sums are then not computed), the
    /// IPv6 address anatomy, the Ethernet address bits, the frame's fields and the header fields
    /// of the carrier protocols that no row shows (`summaryOmits`). `print` decodes the packets
    /// it summarises with this; tests hold every capture's summary, the fuzz corpus's and the
    /// benchmark mix's to the full decode's.
    public static let summary = FieldSelection(FieldRegistry.all.map(\.field).filter { field in
        let name = field.info.abbreviation
        return !(name.hasSuffix("checksum.status") || name.hasSuffix("checksum_calculated") || name == "eth.fcs.status"
                 || AddressAnatomy.fieldNumbers.contains(field.rawValue)
                 || [EthernetLayer.sourceLG, EthernetLayer.sourceIG, EthernetLayer.destinationLG, EthernetLayer.destinationIG,
                     EthernetLayer.addressLG, EthernetLayer.addressIG].contains(field)
                 || summaryOmits.contains(name)
                 // The frame's fields: a row reads the record's metadata itself.
                 || (name.hasPrefix("frame.") && field != FrameLayer.frame))
    })

    /// Header fields of Ethernet, IPv4, IPv6, TCP, UDP and ICMPv6 that neither a row's columns
    /// nor any protocol's Info text reads. Those read addresses, ports, IPv4's protocol, ID and
    /// fragment offset, IPv4's TTL and IPv6's hop limit (echo rows), IPv6's next header and
    /// payload length (a Teredo bubble), TCP's flags, numbers and options, UDP's length and
    /// ICMPv6's type, code and message fields. Most packets are made of these protocols, and a
    /// third of their nodes are these fields.
    static let summaryOmits: Set<String> = [
        "eth.addr",
        "ip.version", "ip.hdr_len", "ip.dsfield", "ip.dsfield.dscp", "ip.dsfield.ecn", "ip.len", "ip.flags",
        "ip.flags.rb", "ip.flags.df", "ip.flags.mf", "ip.checksum", "ip.addr",
        "ipv6.version", "ipv6.tclass", "ipv6.tclass.dscp", "ipv6.tclass.ecn", "ipv6.flow", "ipv6.addr",
        "tcp.port", "tcp.seq_raw", "tcp.ack_raw", "tcp.nxtseq", "tcp.hdr_len", "tcp.flags.res", "tcp.flags.ns",
        "tcp.flags.cwr", "tcp.flags.ecn", "tcp.flags.urg", "tcp.flags.ack", "tcp.flags.push", "tcp.flags.reset",
        "tcp.flags.syn", "tcp.flags.fin", "tcp.flags.str", "tcp.window_size", "tcp.checksum", "tcp.payload",
        "udp.port", "udp.checksum", "udp.payload",
        "icmpv6.checksum",
    ]

    /// The selection as plain pointers, for a decode: valid while this object lives. Handing
    /// the object itself to every decode cost a retain and a release of it per packet, and
    /// threads sharing a selection made those contend.
    public struct Keep: @unchecked Sendable {
        let bits: UnsafePointer<UInt64>
        let protocols: UnsafePointer<UInt64>
        let needsEveryLayer: Bool
    }

    public var keep: Keep { Keep(bits: UnsafePointer(bits), protocols: UnsafePointer(protocols), needsEveryLayer: needsEveryLayer) }

    public func contains(_ field: Field) -> Bool {
        bits[Int(field.rawValue >> 6)] & (1 << UInt64(field.rawValue & 63)) != 0
    }
}
