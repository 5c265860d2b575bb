// The field registry: one table of every field the decoder can produce. It is at once the
// display-filter vocabulary, the `-e` list, `tunnelscope fields` and what the hex pane highlights.

/// A field's identity. Each protocol owns a block of numbers (`0xPPNN`), declared beside its
/// decoder as `static let` constants so the hot path compares integers, never strings.
public struct Field: Hashable, Sendable, Comparable {
    public let rawValue: UInt16
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }
    public static func < (a: Field, b: Field) -> Bool { a.rawValue < b.rawValue }

    /// The registry entry for this field.
    public var info: FieldInfo { FieldRegistry.info(self) }
    public var abbreviation: String { info.abbreviation }
}

/// Wireshark's field types, as far as tunnelscope needs them. The width decides how `-T fields`
/// pads hex values, so each field keeps the exact type Wireshark gives it.
public enum FieldType: Sendable, Equatable {
    case protocolLayer
    case none              // a label or subtree without a value of its own
    case boolean
    case uint8, uint16, uint24, uint32, uint64
    case int32
    case ipv4, ipv6, ether
    case bytes
    case string
    case absoluteTime, relativeTime
    case frameNumber

    /// Bits of an unsigned type (0 for others).
    public var bitWidth: Int {
        switch self {
        case .uint8: return 8
        case .uint16: return 16
        case .uint24: return 24
        case .uint32, .int32, .frameNumber: return 32
        case .uint64: return 64
        default: return 0
        }
    }

    public var isInteger: Bool { bitWidth > 0 }

    /// The name `tshark -G fields` prints.
    public var wiresharkName: String {
        switch self {
        case .protocolLayer: return "FT_PROTOCOL"
        case .none: return "FT_NONE"
        case .boolean: return "FT_BOOLEAN"
        case .uint8: return "FT_UINT8"
        case .uint16: return "FT_UINT16"
        case .uint24: return "FT_UINT24"
        case .uint32: return "FT_UINT32"
        case .uint64: return "FT_UINT64"
        case .int32: return "FT_INT32"
        case .ipv4: return "FT_IPv4"
        case .ipv6: return "FT_IPv6"
        case .ether: return "FT_ETHER"
        case .bytes: return "FT_BYTES"
        case .string: return "FT_STRING"
        case .absoluteTime: return "FT_ABSOLUTE_TIME"
        case .relativeTime: return "FT_RELATIVE_TIME"
        case .frameNumber: return "FT_FRAMENUM"
        }
    }
}

/// How an integer is shown.
public enum DisplayBase: Sendable, Equatable {
    case none, dec, hex, decHex, hexDec, oct

    public var wiresharkName: String {
        switch self {
        case .none: return "BASE_NONE"
        case .dec: return "BASE_DEC"
        case .hex: return "BASE_HEX"
        case .decHex: return "BASE_DEC_HEX"
        case .hexDec: return "BASE_HEX_DEC"
        case .oct: return "BASE_OCT"
        }
    }
}

/// One registry entry.
public struct FieldInfo: Sendable {
    public let field: Field
    public let abbreviation: String
    public let name: String
    public let type: FieldType
    public let base: DisplayBase
    /// Bit mask within the field's bytes for sub-byte fields, 0 when the field is whole bytes.
    public let mask: UInt64
    /// Names of values (`ipv6.nxt` 58 is "ICMPv6"), used for display and as filter literals.
    public let valueNames: [(UInt64, String)]
    /// For booleans: the text for set and clear.
    public let trueFalse: (String, String)?
    public let blurb: String
    /// For protocol layers: Wireshark's short name (`IPv6`), used in the Protocol column and in
    /// "[Packet size limited during capture: IPv6 truncated]".
    public let shortName: String?
    /// For text fields computed from an integer (`tcp.flags.str` from the flag bits): the value
    /// stays an integer in the tree and becomes text only when shown.
    public let format: (@Sendable (UInt64) -> String)?

    public init(_ field: Field, _ abbreviation: String, _ name: String, _ type: FieldType,
                base: DisplayBase = .none, mask: UInt64 = 0, values: [(UInt64, String)] = [],
                trueFalse: (String, String)? = nil, blurb: String = "", short: String? = nil,
                format: (@Sendable (UInt64) -> String)? = nil) {
        self.shortName = short
        self.format = format
        self.field = field
        self.abbreviation = abbreviation
        self.name = name
        self.type = type
        self.base = type.isInteger && base == .none ? .dec : base
        self.mask = mask
        self.valueNames = values
        self.trueFalse = trueFalse
        self.blurb = blurb
    }

    /// The name of `value`, if the registry has one.
    public func valueName(_ value: UInt64) -> String? {
        for (v, name) in valueNames where v == value { return name }
        return nil
    }

    /// The protocol an abbreviation belongs to (`ipv6` for `ipv6.src`).
    public var protocolAbbreviation: Substring {
        abbreviation.split(separator: ".", maxSplits: 1).first ?? Substring(abbreviation)
    }

    /// Shift that brings a masked value down to bit 0.
    public var maskShift: Int { mask == 0 ? 0 : mask.trailingZeroBitCount }
}

/// Every protocol contributes its table here; `FieldRegistry.all` is their union.
public enum FieldRegistry {
    /// Each protocol's table, in the order `tunnelscope fields` lists them.
    static let tables: [[FieldInfo]] = [
        FrameLayer.fields,
        EthernetLayer.fields,
        LinuxCookedLayer.fields,
        ARPLayer.fields,
        IPv4Layer.fields,
        IPv6Layer.fields,
        IPv6ExtensionLayer.fields,
        AddressAnatomy.fields,
        LinkLayer.fields,
        ICMPv4Layer.fields,
        ICMPv6Layer.fields,
        UDPLayer.fields,
        TCPLayer.fields,
        TeredoLayer.fields,
        DataLayer.fields,
        ExpertLayer.fields,
    ]

    public static let all: [FieldInfo] = tables.flatMap { $0 }

    /// Dense lookup by raw value.
    static let byRawValue: [FieldInfo?] = {
        let top = Int(all.map(\.field.rawValue).max() ?? 0)
        var table = [FieldInfo?](repeating: nil, count: top + 1)
        for info in all {
            precondition(table[Int(info.field.rawValue)] == nil,
                         "field number \(info.field.rawValue) registered twice (\(info.abbreviation))")
            table[Int(info.field.rawValue)] = info
        }
        return table
    }()

    static let byAbbreviation: [String: Field] = {
        var map: [String: Field] = [:]
        for info in all {
            precondition(map[info.abbreviation] == nil, "abbreviation \(info.abbreviation) registered twice")
            map[info.abbreviation] = info.field
        }
        return map
    }()

    public static func info(_ field: Field) -> FieldInfo {
        guard let info = lookup(field) else { preconditionFailure("unregistered field \(field.rawValue)") }
        return info
    }

    /// Masks by raw value: the decoder's hot path needs only this, not the whole entry. Kept in
    /// memory that lives as long as the process, so a decode takes the pointer once
    /// (`DecodeContext.mask`) instead of going through the lazy global on every field.
    nonisolated(unsafe) static let masks: UnsafeBufferPointer<UInt64> = {
        let table = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: byRawValue.count)
        for (i, info) in byRawValue.enumerated() { table[i] = info?.mask ?? 0 }
        return UnsafeBufferPointer(table)
    }()

    /// Fields whose text a function computes (`FieldInfo.format`), by raw value.
    static let formatted: [Bool] = byRawValue.map { $0?.format != nil }

    /// Whether the field's text is computed (without copying its whole `FieldInfo`).
    static func hasFormat(_ field: Field) -> Bool {
        let i = Int(field.rawValue)
        return i < formatted.count ? formatted[i] : false
    }

    /// The field's bit mask (0: whole bytes).
    public static func mask(_ field: Field) -> UInt64 {
        let i = Int(field.rawValue)
        return i < masks.count ? masks[i] : 0
    }

    public static func lookup(_ field: Field) -> FieldInfo? {
        let i = Int(field.rawValue)
        return i < byRawValue.count ? byRawValue[i] : nil
    }

    /// The field with this Wireshark abbreviation.
    public static func field(named abbreviation: String) -> Field? { byAbbreviation[abbreviation] }

    /// Registered names close to `name` (edit distance), best first: for "did you mean".
    public static func suggestions(for name: String, limit: Int = 3) -> [String] {
        let target = Array(name.lowercased().utf8)
        var scored: [(Int, String)] = []
        for info in all {
            let candidate = Array(info.abbreviation.utf8)
            let d = editDistance(target, candidate)
            let threshold = max(2, target.count / 3)
            if d <= threshold || (target.count >= 3 && info.abbreviation.hasPrefix(name)) {
                scored.append((d, info.abbreviation))
            }
        }
        scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return scored.prefix(limit).map(\.1)
    }
}

func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
