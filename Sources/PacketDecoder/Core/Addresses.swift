// Address value types: plain integers, so a field tree stays trivially copyable.

/// An IPv4 address in host order (`192.168.122.127` is `0xC0A87A7F`).
public struct IPv4Address: Hashable, Sendable, Comparable {
    public var rawValue: UInt32
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Dotted quad text.
    public var description: String {
        String(unsafeUninitializedCapacity: 15) { write(into: $0, at: 0) }
    }

    /// Writes the dotted quad at `start` (15 bytes at most); the index after it.
    @inline(__always)
    public func write(into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var at = start
        for shift in stride(from: 24, through: 0, by: -8) {
            if shift != 24 { out[at] = 0x2E; at += 1 }
            let b = UInt8(truncatingIfNeeded: rawValue >> UInt32(shift))
            if b >= 100 { out[at] = 0x30 + b / 100; at += 1 }
            if b >= 10 { out[at] = 0x30 + b / 10 % 10; at += 1 }
            out[at] = 0x30 + b % 10; at += 1
        }
        return at
    }

    /// Parses a dotted quad; nil for anything else.
    public init?(parsing text: Substring) {
        var value: UInt32 = 0
        var parts = 0
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.count <= 3, let n = UInt32(part), n <= 255 else { return nil }
            value = value << 8 | n
            parts += 1
        }
        guard parts == 4 else { return nil }
        rawValue = value
    }
    public init?(parsing text: String) { self.init(parsing: Substring(text)) }
}

/// An IPv6 address as two big-endian halves.
public struct IPv6Address: Hashable, Sendable, Comparable {
    public var high: UInt64
    public var low: UInt64
    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }

    public static func < (a: Self, b: Self) -> Bool { (a.high, a.low) < (b.high, b.low) }

    /// The i-th 16-bit group (0...7).
    public func group(_ i: Int) -> UInt16 {
        let half = i < 4 ? high : low
        return UInt16(truncatingIfNeeded: half >> UInt64((3 - (i & 3)) * 16))
    }

    /// The i-th byte (0...15).
    public func byte(_ i: Int) -> UInt8 {
        let half = i < 8 ? high : low
        return UInt8(truncatingIfNeeded: half >> UInt64((7 - (i & 7)) * 8))
    }

    /// RFC 5952 text: lower case, longest run (>1) of zero groups compressed, first on a tie,
    /// and an embedded IPv4 form only for IPv4-mapped/compatible addresses as inet_ntop does.
    public var description: String {
        String(unsafeUninitializedCapacity: 46) { write(into: $0, at: 0) }
    }

    /// Writes the text form at `start` (46 bytes at most); the index after it.
    public func write(into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0..<8 {
            if group(i) == 0 {
                if runStart < 0 { runStart = i }
                let length = i - runStart + 1
                if length > bestLength { bestStart = runStart; bestLength = length }
            } else { runStart = -1 }
        }
        if bestLength < 2 { bestStart = -1 }
        // ::ffff:a.b.c.d and ::a.b.c.d (not :: or ::1), the forms inet_ntop prints.
        let embedsIPv4 = high == 0 && ((low >> 32) == 0xFFFF || ((low >> 32) == 0 && low > 0xFFFF))
        let lastGroup = embedsIPv4 ? 6 : 8
        var at = start
        do {
            var i = 0
            while i < lastGroup {
                if i == bestStart {
                    out[at] = 0x3A; out[at + 1] = 0x3A; at += 2
                    i += bestLength
                    continue
                }
                if at > start && out[at - 1] != 0x3A { out[at] = 0x3A; at += 1 }
                let g = group(i)
                var shift = 12
                while shift > 0 && (g >> UInt16(shift)) == 0 { shift -= 4 }
                while shift >= 0 { out[at] = hexDigitByte(UInt8(truncatingIfNeeded: g >> UInt16(shift)) & 0xF); at += 1; shift -= 4 }
                i += 1
            }
            if embedsIPv4 {
                if at == start || out[at - 1] != 0x3A { out[at] = 0x3A; at += 1 }
                at = IPv4Address(UInt32(truncatingIfNeeded: low)).write(into: out, at: at)
            }
        }
        return at
    }

    /// Parses RFC 4291 text forms (with `::` and a trailing dotted quad).
    public init?(parsing text: Substring) {
        guard text.count >= 2 else { return nil }
        var head: [UInt16] = [], tail: [UInt16] = []
        var sawDoubleColon = false
        let pieces = text.components(separatedByDoubleColon: ())
        guard pieces.count <= 2 else { return nil }
        func groups(_ s: Substring, allowIPv4: Bool) -> [UInt16]? {
            if s.isEmpty { return [] }
            var result: [UInt16] = []
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            for (index, part) in parts.enumerated() {
                if allowIPv4 && index == parts.count - 1 && part.contains(".") {
                    guard let v4 = IPv4Address(parsing: part) else { return nil }
                    result.append(UInt16(v4.rawValue >> 16)); result.append(UInt16(v4.rawValue & 0xFFFF))
                } else {
                    guard !part.isEmpty, part.count <= 4, let g = UInt16(part, radix: 16) else { return nil }
                    result.append(g)
                }
            }
            return result
        }
        if pieces.count == 2 {
            sawDoubleColon = true
            guard let h = groups(pieces[0], allowIPv4: false), let t = groups(pieces[1], allowIPv4: true) else { return nil }
            head = h; tail = t
            guard head.count + tail.count <= 7 else { return nil }
        } else {
            guard let h = groups(pieces[0], allowIPv4: true), h.count == 8 else { return nil }
            head = h
        }
        var all = head
        if sawDoubleColon { all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail }
        guard all.count == 8 else { return nil }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0..<4 { hi = hi << 16 | UInt64(all[i]) }
        for i in 4..<8 { lo = lo << 16 | UInt64(all[i]) }
        high = hi; low = lo
    }
    public init?(parsing text: String) { self.init(parsing: Substring(text)) }
}

extension Substring {
    /// Splits at the first "::" (an address has at most one); a second "::" yields three pieces.
    fileprivate func components(separatedByDoubleColon: Void) -> [Substring] {
        var result: [Substring] = []
        var start = startIndex
        var i = startIndex
        while i < endIndex {
            let next = index(after: i)
            if self[i] == ":" && next < endIndex && self[next] == ":" {
                result.append(self[start..<i])
                start = index(after: next)
                i = start
                continue
            }
            i = next
        }
        result.append(self[start..<endIndex])
        return result
    }
}

/// A 48-bit MAC address.
public struct MACAddress: Hashable, Sendable, Comparable {
    public var rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue & 0xFFFF_FFFF_FFFF }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Lower-case, colon-separated, as tshark prints it.
    public var description: String {
        String(unsafeUninitializedCapacity: 17) { write(into: $0, at: 0) }
    }

    /// Writes aa:bb:cc:dd:ee:ff at `start` (17 bytes); the index after it.
    public func write(into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var at = start
        for i in 0..<6 {
            if i > 0 { out[at] = 0x3A; at += 1 }
            let b = UInt8(truncatingIfNeeded: rawValue >> UInt64((5 - i) * 8))
            out[at] = hexDigitByte(b >> 4); out[at + 1] = hexDigitByte(b & 0xF); at += 2
        }
        return at
    }

    /// Parses `aa:bb:cc:dd:ee:ff`, `aa-bb-...` or `aabb.ccdd.eeff`.
    public init?(parsing text: Substring) {
        let digits = text.filter { $0 != ":" && $0 != "-" && $0 != "." }
        guard digits.count == 12, let v = UInt64(digits, radix: 16) else { return nil }
        let separators = text.filter { $0 == ":" || $0 == "-" || $0 == "." }.count
        guard separators == 5 || separators == 2 || separators == 0 else { return nil }
        rawValue = v
    }
}

let hexDigits: [Character] = Array("0123456789abcdef")

/// A nibble as a lower-case hex digit's ASCII byte.
@inline(__always) func hexDigitByte(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }

@inline(__always) func hexByte(_ b: UInt8, into out: inout String) {
    out.append(hexDigits[Int(b >> 4)])
    out.append(hexDigits[Int(b & 0xF)])
}

/// Lower-case hex of `value` padded to `width` digits.
public func hexString(_ value: UInt64, width: Int) -> String {
    let digits = String(value, radix: 16)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
