// Literal text -> typed constants: numbers (decimal, 0x hex, 0 octal, 0b binary), value names,
// booleans, IPv4/IPv6 addresses with CIDR prefixes, MAC addresses, byte strings, times.

import PacketDecoder

enum IntegerParse {
    case value(UInt64, negative: Bool)
    case overflow(negative: Bool)
    case invalid
}

enum Literals {
    /// C-style integer text: `41`, `0x29`, `051`, `0b101001`, with an optional sign.
    static func integer(_ text: String) -> IntegerParse {
        var s = Substring(text)
        var negative = false
        if s.hasPrefix("-") { negative = true; s = s.dropFirst() } else if s.hasPrefix("+") { s = s.dropFirst() }
        guard !s.isEmpty else { return .invalid }
        var radix = 10
        if s.hasPrefix("0x") || s.hasPrefix("0X") { radix = 16; s = s.dropFirst(2) }
        else if s.hasPrefix("0b") || s.hasPrefix("0B") { radix = 2; s = s.dropFirst(2) }
        else if s.count > 1 && s.hasPrefix("0") { radix = 8; s = s.dropFirst() }
        guard !s.isEmpty else { return .invalid }
        var value: UInt64 = 0
        var overflow = false
        for c in s.utf8 {
            let d: Int
            switch c {
            case 48...57: d = Int(c - 48)
            case 97...102: d = Int(c - 87)
            case 65...70: d = Int(c - 55)
            default: return .invalid
            }
            guard d < radix else { return .invalid }
            let (m, o1) = value.multipliedReportingOverflow(by: UInt64(radix))
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { overflow = true }
            value = a
        }
        return overflow ? .overflow(negative: negative) : .value(value, negative: negative)
    }

    /// Hex digit value.
    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }

    /// A byte string: `aa:bb:cc`, `aa-bb-cc`, `aabb.ccdd`, `aabbcc`, a single byte `c` or `0xc7`.
    static func bytes(_ text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        guard !u.isEmpty else { return nil }
        // One byte written as a C hex number.
        if u.count >= 3, u.count <= 4, u[0] == 48, u[1] | 0x20 == 120 {
            var v: UInt8 = 0
            for c in u[2...] { guard let d = hex(c) else { return nil }; v = v << 4 | d }
            return [v]
        }
        let separators: [UInt8] = [58, 45, 46]  // : - .
        let used = separators.filter { u.contains($0) }
        guard used.count <= 1 else { return nil }
        var groups: [ArraySlice<UInt8>]
        if let sep = used.first {
            groups = u.split(separator: sep, omittingEmptySubsequences: false)
        } else {
            groups = [u[...]]
        }
        var out: [UInt8] = []
        let single = groups.count == 1
        for g in groups {
            guard !g.isEmpty else { return nil }
            // A group of one digit is one byte (`c`, `1:2:3`).
            if g.count == 1 {
                guard let d = hex(g.first!) else { return nil }
                out.append(d)
                continue
            }
            // Separated groups are two digits (`.` also allows Cisco's four); one run of
            // digits any even number.
            guard g.count % 2 == 0 else { return nil }
            if !single && used.first != 46 && g.count != 2 { return nil }
            var i = g.startIndex
            while i < g.endIndex {
                guard let hi = hex(g[i]), let lo = hex(g[i + 1]) else { return nil }
                out.append(hi << 4 | lo)
                i += 2
            }
        }
        return out
    }

    /// `a.b.c.d` or `a.b.c.d/n`.
    enum AddressParse<T> {
        case value(T)
        case invalid
        case badPrefix(Int)
    }

    static func ipv4(_ text: String) -> AddressParse<(UInt32, UInt32)> {
        var address = Substring(text)
        var bits = 32
        if let slash = text.firstIndex(of: "/") {
            address = text[..<slash]
            guard let n = Int(text[text.index(after: slash)...]), n >= 0 else { return .invalid }
            guard n <= 32 else { return .badPrefix(n) }
            bits = n
        }
        guard let a = IPv4Address(parsing: address) else { return .invalid }
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << UInt32(32 - bits)
        return .value((a.rawValue, mask))
    }

    static func ipv6(_ text: String) -> AddressParse<(UInt64, UInt64, Int)> {
        var address = Substring(text)
        var bits = 128
        if let slash = text.firstIndex(of: "/") {
            address = text[..<slash]
            guard let n = Int(text[text.index(after: slash)...]), n >= 0 else { return .invalid }
            guard n <= 128 else { return .badPrefix(n) }
            bits = n
        }
        guard let a = IPv6Address(parsing: address) else { return .invalid }
        return .value((a.high, a.low, bits))
    }

    // MARK: Times

    /// Seconds (with an optional fraction) as nanoseconds: `1593708003.972631`.
    static func seconds(_ text: String) -> Int64? {
        var s = Substring(text)
        var negative = false
        if s.hasPrefix("-") { negative = true; s = s.dropFirst() }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = Int64(parts[0].isEmpty ? "0" : parts[0]), !(parts[0].isEmpty && parts.count == 1) else { return nil }
        var nanos: Int64 = 0
        if parts.count == 2 {
            let f = parts[1]
            guard f.count <= 9, f.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            nanos = Int64(f.isEmpty ? "0" : f)! * pow10(9 - f.count)
        }
        let (m, o) = whole.multipliedReportingOverflow(by: 1_000_000_000)
        guard !o else { return nil }
        let total = m + nanos
        return negative ? -total : total
    }

    static func pow10(_ n: Int) -> Int64 {
        var v: Int64 = 1
        for _ in 0..<n { v *= 10 }
        return v
    }

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// An absolute time, UTC: `2020-07-02 16:40:03.972631`, `2020-07-02T16:40:03Z`,
    /// `Jul  2, 2020 16:40:03.972631`, or epoch seconds.
    static func absoluteTime(_ text: String) -> Int64? {
        if let n = seconds(text) { return n }
        var t = text.trimmingSpaces
        for suffix in [" UTC", "Z", " GMT"] where t.hasSuffix(suffix) { t = String(t.dropLast(suffix.count)) }
        var year = 0, month = 0, day = 0
        var clock: Substring
        if let first = t.first, first.isNumber {
            // ISO 8601.
            let sep = t.firstIndex { $0 == " " || $0 == "T" }
            let date = sep.map { t[..<$0] } ?? t[...]
            clock = sep.map { t[t.index(after: $0)...] } ?? ""
            let ymd = date.split(separator: "-")
            guard ymd.count == 3, let y = Int(ymd[0]), let m = Int(ymd[1]), let d = Int(ymd[2]) else { return nil }
            year = y; month = m; day = d
        } else {
            // `Jul  2, 2020 16:40:03`.
            let words = t.split(separator: " ")
            guard words.count >= 3, let m = months.firstIndex(of: words[0].prefix(3).lowercased()),
                  let d = Int(words[1].hasSuffix(",") ? words[1].dropLast() : words[1]), let y = Int(words[2]) else { return nil }
            year = y; month = m + 1; day = d
            clock = words.count > 3 ? words[3] : ""
        }
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds: Int64 = 0, nanos: Int64 = 0
        if !clock.isEmpty {
            let hms = clock.split(separator: ":", omittingEmptySubsequences: false)
            guard hms.count >= 2, hms.count <= 3, let h = Int64(hms[0]), let mi = Int64(hms[1]),
                  h < 24, mi < 60 else { return nil }
            seconds = h * 3600 + mi * 60
            if hms.count == 3 {
                guard let s = Literals.seconds(String(hms[2])), s >= 0, s < 61_000_000_000 else { return nil }
                seconds += s / 1_000_000_000
                nanos = s % 1_000_000_000
            }
        }
        let days = daysFromCivil(year, month, day)
        return (days * 86_400 + seconds) * 1_000_000_000 + nanos
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int64(era * 146_097 + doe - 719_468)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
