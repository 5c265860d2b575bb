// Turning values into text: tshark's `-T fields` form (for scripts and the expected files) and
// the tree's "Label: value" lines. Only called for what is shown, never on the filter path.

extension PacketTree {
    /// The value as `tshark -T fields` prints it: decimal or `0x`-padded hex by the registry's base,
    /// booleans 1/0, addresses in their usual text, byte strings as plain hex.
    /// Appends `fieldText(index)` as UTF-8 to `out`; its length in characters. Addresses are
    /// written as bytes without making a String (print's summary columns).
    /// With `cache`, an address met recently is copied from it instead of formatted again (a
    /// capture's rows repeat the same few addresses).
    public func appendFieldText(_ index: Int, to out: inout ByteWriter, cache: AddressTextCache? = nil) -> Int {
        // Not `if let cache`: binding the reference copied it (a retain and release per address).
        if cache != nil, let text = addressText(index, cache: cache.unsafelyUnwrapped) {
            out.append(contentsOf: text)
            return text.count
        }
        let node = nodes[index]
        if !FieldRegistry.hasFormat(node.field) {
            // An address is formatted in a buffer on the stack, then appended in one go.
            let written = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 46) { buffer -> Int? in
                guard let end = node.value.writeAddress(into: buffer) else { return nil }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<end]))
                return end
            }
            if let written { return written }
        }
        var text = fieldText(index)
        text.withUTF8 { out.append(contentsOf: $0) }
        return text.count
    }

    /// The text of node `index` when it is a plain address (no custom format), from `cache`;
    /// valid until the cache's next use.
    public func addressText(_ index: Int, cache: AddressTextCache) -> UnsafeBufferPointer<UInt8>? {
        let node = nodes[index]
        switch node.value {
        case .ipv4, .ipv6, .ether:
            return FieldRegistry.hasFormat(node.field) ? nil : cache.text(node.value)
        default:
            return nil
        }
    }

    public func fieldText(_ index: Int) -> String {
        let node = nodes[index]
        if node.field == FrameLayer.protocols { return protocolsText }
        let info = node.field.info
        if let format = info.format, let v = node.value.integer { return format(v) }
        switch node.value {
        case .none:
            if info.type == .protocolLayer || info.type == .none { return info.abbreviation }
            return ""
        case .unsigned(let v):
            switch info.base {
            case .hex, .hexDec:
                return "0x" + hexString(v, width: max(2, info.type.bitWidth / 4))
            case .oct:
                return "0" + String(v, radix: 8)
            default:
                return String(v)
            }
        case .signed(let v): return String(v)
        case .boolean(let b): return b ? "1" : "0"
        case .ipv4(let a): return a.description
        case .ipv6(let a): return a.description
        case .ether(let m): return m.description
        case .bytes:
            var out = ""
            for b in bytes(of: index) { hexByte(b, into: &out) }
            return out
        case .string(let i): return strings[Int(i)]
        case .time(let s, let ns):
            // tshark prints an out-of-range fraction (a broken file's 1,000,000 µs) as it is.
            let digits = String(ns)
            return "\(s)." + String(repeating: "0", count: max(0, 9 - digits.count)) + digits
        }
    }

    /// The value as the tree shows it after the label: names for known values with the number in
    /// brackets (`ICMPv6 (58)`), hex with its decimal for hex-decimal fields.
    public func valueText(_ index: Int) -> String {
        let node = nodes[index]
        let info = node.field.info
        if node.field == FrameLayer.protocols { return protocolsText }
        if let format = info.format, let v = node.value.integer { return format(v) }
        switch node.value {
        case .unsigned(let v):
            let number: String
            switch info.base {
            case .hex: number = "0x" + hexString(v, width: max(2, info.type.bitWidth / 4))
            case .hexDec: number = "0x" + hexString(v, width: max(2, info.type.bitWidth / 4)) + " (\(v))"
            case .decHex: number = "\(v) (0x" + hexString(v, width: max(2, info.type.bitWidth / 4)) + ")"
            default: number = String(v)
            }
            if let name = info.valueName(v) { return "\(name) (\(number))" }
            return number
        case .boolean(let b):
            if let (t, f) = info.trueFalse { return b ? t : f }
            return b ? "True" : "False"
        case .bytes:
            let slice = bytes(of: index)
            var out = ""
            for b in slice.prefix(32) { hexByte(b, into: &out) }
            if slice.count > 32 { out += "…" }
            return out
        case .time(let s, let ns):
            if node.field == FrameLayer.time { return TimeText.utc(seconds: s, nanoseconds: ns) }
            return fieldText(index) + " seconds"
        default:
            return fieldText(index)
        }
    }

    /// The bit picture Wireshark puts before a masked field (`.1.. .... `), empty for whole bytes.
    public func bitPattern(_ index: Int) -> String {
        let node = nodes[index]
        let info = node.field.info
        let mask = info.mask
        guard mask != 0 else { return "" }
        let width = max(8, min(64, Int(node.length) * 8))
        let raw: UInt64
        let slice = bytes(of: index)
        if slice.count * 8 >= width {
            raw = slice.prefix(width / 8).reduce(0) { $0 << 8 | UInt64($1) }
        } else {
            raw = 0
        }
        var out = ""
        for bit in stride(from: width - 1, through: 0, by: -1) {
            let m = UInt64(1) << UInt64(bit)
            if mask & m != 0 { out.append(raw & m != 0 ? "1" : "0") } else { out.append(".") }
            if bit % 4 == 0 && bit != 0 { out.append(" ") }
        }
        return out + " = "
    }

    /// One tree line: `Label: value`, bit pattern first for masked fields, brackets for generated.
    public func label(_ index: Int) -> String {
        let node = nodes[index]
        let info = node.field.info
        if node.flags.contains(.layer) || node.field == FrameLayer.frame { return LayerHeadline.text(self, index) }
        var text: String
        switch info.type {
        case .none where node.value == .none, .protocolLayer:
            text = info.name
        default:
            text = bitPattern(index) + info.name + ": " + valueText(index)
        }
        if node.flags.contains(.generated) { text = "[" + text + "]" }
        return text
    }

    /// `_ws.expert.message` etc. for `-T fields`: the derived expert pseudo-fields, in order.
    public func expertFieldTexts(_ field: Field) -> [String] {
        switch field {
        case ExpertLayer.message:
            return diagnostics.filter { $0.severity >= .warn }.map(\.message)
        case ExpertLayer.severity:
            return diagnostics.filter { $0.severity >= .warn }.map(\.severity.name)
        case ExpertLayer.malformed:
            // Every malformed-group expert item brings a hidden `_ws.malformed`; an exception is
            // shown first as "[Malformed Packet: <protocol>]", as tshark's show_exception does.
            var out: [String] = []
            for d in diagnostics where d.group == .malformed {
                if d.message == PacketDecoder.exceptionMessage {
                    let node = Int(d.node) < nodes.count ? nodes[Int(d.node)].field : FrameLayer.frame
                    out.append("[Malformed Packet: \(LayerHeadline.shortName(node))]")
                }
                out.append("_ws.malformed")
            }
            return out
        case ExpertLayer.short:
            if let layer = truncatedLayer {
                return ["[Packet size limited during capture: \(LayerHeadline.shortName(layer)) truncated]"]
            }
            return []
        default:
            return []
        }
    }

    /// Every text of `field` in this packet, in wire order (the `-T fields` occurrences).
    public func fieldTexts(_ field: Field) -> [String] {
        if field.rawValue & 0xFF00 == ExpertLayer.expert.rawValue & 0xFF00 { return expertFieldTexts(field) }
        var out: [String] = []
        for i in nodes.indices where nodes[i].field == field { out.append(fieldText(i)) }
        return out
    }
}

/// The text of recently written addresses (IPv4, IPv6, MAC), for the summary lines of a capture,
/// which repeat the same few: 64 slots picked by a hash of the address, each holding its last
/// address and text. One per printer (it is not shared between threads).
public final class AddressTextCache {
    private static let slots = 64
    private static let width = 48   // the longest IPv6 text is 45 bytes
    // Raw memory, not arrays: a class's array property changed in place costs a run-time
    // exclusivity check per use.
    private let kinds: UnsafeMutablePointer<UInt8>       // 0 empty, 1 IPv4, 2 IPv6, 3 MAC
    private let keys: UnsafeMutablePointer<UInt64>       // two words per slot
    private let lengths: UnsafeMutablePointer<UInt8>
    private let texts: UnsafeMutablePointer<UInt8>

    public init() {
        kinds = .allocate(capacity: Self.slots)
        kinds.initialize(repeating: 0, count: Self.slots)
        keys = .allocate(capacity: 2 * Self.slots)
        keys.initialize(repeating: 0, count: 2 * Self.slots)
        lengths = .allocate(capacity: Self.slots)
        lengths.initialize(repeating: 0, count: Self.slots)
        texts = .allocate(capacity: Self.slots * Self.width)
    }

    deinit {
        kinds.deallocate()
        keys.deallocate()
        lengths.deallocate()
        texts.deallocate()
    }

    /// The text of an address value, valid until the next call; nil for other values.
    func text(_ value: FieldValue) -> UnsafeBufferPointer<UInt8>? {
        let kind: UInt8, high: UInt64, low: UInt64
        switch value {
        case .ipv4(let a): (kind, high, low) = (1, 0, UInt64(a.rawValue))
        case .ipv6(let a): (kind, high, low) = (2, a.high, a.low)
        case .ether(let m): (kind, high, low) = (3, 0, m.rawValue)
        default: return nil
        }
        let slot = Int(truncatingIfNeeded: ((high &* 0x9E37_79B9_7F4A_7C15) ^ (low &* 0xC2B2_AE3D_27D4_EB4F)) >> 58)
        let text = texts + slot * Self.width
        if kinds[slot] != kind || keys[2 * slot] != high || keys[2 * slot + 1] != low {
            let end = value.writeAddress(into: UnsafeMutableBufferPointer(start: text, count: Self.width)) ?? 0
            kinds[slot] = kind
            keys[2 * slot] = high
            keys[2 * slot + 1] = low
            lengths[slot] = UInt8(end)
        }
        return UnsafeBufferPointer(start: text, count: Int(lengths[slot]))
    }
}

extension FieldValue {
    /// Writes an address value's text at the start of `buffer` (46 bytes hold any); its length,
    /// or nil for a value that is not an address.
    func writeAddress(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        switch self {
        case .ipv4(let a): return a.write(into: buffer, at: 0)
        case .ipv6(let a): return a.write(into: buffer, at: 0)
        case .ether(let m): return m.write(into: buffer, at: 0)
        default: return nil
        }
    }
}
