// Text written straight as UTF-8 bytes: the summary line and the Info column of a million
// packets are built without a String per number, address or line.

public enum TextBytes {
    /// `value` in decimal, right-aligned in `width` columns.
    @inline(__always)
    public static func appendDecimal(_ value: UInt64, width: Int = 0, to bytes: inout [UInt8]) {
        // Digits into a stack buffer from the right, then one append: an append per digit costs
        // a uniqueness and capacity check each.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes: 20 digits fit
        let count = withUnsafeMutableBytes(of: &digits) { buffer -> Int in
            var i = 24
            var n = value
            repeat { i -= 1; buffer[i] = 0x30 &+ UInt8(truncatingIfNeeded: n % 10); n /= 10 } while n != 0
            return 24 - i
        }
        if width > count { appendSpaces(width - count, to: &bytes) }
        withUnsafeBytes(of: &digits) { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[(24 - count)...])) }
    }

    /// `value` in lower-case hex, zero-padded to `width` digits (no "0x").
    public static func appendHex(_ value: UInt64, width: Int, to bytes: inout [UInt8]) {
        var digits = 1
        while digits < 16 && value >> (4 * UInt64(digits)) != 0 { digits += 1 }
        if width > digits { bytes.append(contentsOf: repeatElement(0x30, count: width - digits)) }
        var buffer: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &buffer) { out in
            var shift = 4 * (digits - 1)
            var i = 0
            while shift >= 0 {
                let nibble = UInt8((value >> UInt64(shift)) & 0xF)
                out[i] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
                shift -= 4
                i += 1
            }
        }
        withUnsafeBytes(of: &buffer) { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[..<digits])) }
    }

    /// `count` spaces.
    @inline(__always)
    public static func appendSpaces(_ count: Int, to bytes: inout [UInt8]) {
        if count > 0 { bytes.append(contentsOf: repeatElement(0x20, count: count)) }
    }

    /// A literal (no String made).
    @inline(__always)
    public static func append(_ text: StaticString, to bytes: inout [UInt8]) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `text`, padded with spaces to `width` characters on the left (right-aligned) or the right.
    public static func append(_ text: String, width: Int = 0, alignRight: Bool = false, to bytes: inout [UInt8]) {
        var t = text
        if width == 0 { return t.withUTF8 { bytes.append(contentsOf: $0) } }
        var count = 0
        var plain = true
        for b in text.utf8 { count += 1; if b < 0x20 || b >= 0x7F { plain = false } }
        // Column widths count characters, as String.count does; addresses are plain ASCII.
        if !plain { count = text.count }
        let padding = width - count
        if alignRight { appendSpaces(padding, to: &bytes) }
        t.withUTF8 { bytes.append(contentsOf: $0) }
        if !alignRight { appendSpaces(padding, to: &bytes) }
    }

    /// Replaces C0 and C1 control characters appended since `start` with ".", as
    /// `TerminalText.sanitized` does (a C1 character is the UTF-8 pair C2 80...C2 9F).
    public static func sanitizeTail(from start: Int, of bytes: inout [UInt8]) {
        let needs = bytes.withUnsafeBytes { raw in
            // Eight bytes at a time: a byte below 0x20, or equal to 0x7F or 0xC2 (the lead byte
            // of a C1 control), sets its high bit in `hit` (the usual SWAR zero-byte tests).
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            func hasZero(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
            var i = start
            while i + 8 <= raw.count {
                let x = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let below = (x &- ones &* 0x20) & ~x & highs
                if below != 0 || hasZero(x ^ (ones &* 0x7F)) || hasZero(x ^ (ones &* 0xC2)) { return true }
                i += 8
            }
            while i < raw.count {
                let c = raw[i]
                if c < 0x20 || c == 0x7F || c == 0xC2 { return true }
                i += 1
            }
            return false
        }
        guard needs else { return }
        var read = start, write = start
        let end = bytes.count
        while read < end {
            let b = bytes[read]
            if b < 0x20 || b == 0x7F {
                bytes[write] = 0x2E
                read += 1
            } else if b == 0xC2, read + 1 < end, bytes[read + 1] >= 0x80, bytes[read + 1] < 0xA0 {
                bytes[write] = 0x2E
                read += 2
            } else {
                bytes[write] = b
                read += 1
            }
            write += 1
        }
        bytes.removeLast(end - write)
    }
}
