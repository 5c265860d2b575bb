// Text written straight as UTF-8 bytes: the summary line and the Info column of a million
// packets are built without a String per number, address or line.

/// Bytes written through a pointer into memory the caller provides (a line's buffer on the
/// stack), growing onto the heap if a line is longer: appending to an array costs a uniqueness
/// and capacity check, and a generic copy, per piece, which was most of a summary line's cost.
/// Use `ByteWriter.collect` or `withLine`, which free what was grown.
public struct ByteWriter {
    // Inlinable across modules (the summary printer writes through it a few dozen times a line).
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var count_ = 0
    @usableFromInline var capacity: Int
    @usableFromInline var grown = false

    public var count: Int { count_ }

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        base = buffer.baseAddress!
        capacity = buffer.count
    }

    /// Calls `body` with a writer over a stack buffer; `finish` gets the bytes written.
    public static func withLine<R>(_ body: (inout ByteWriter) -> Void,
                                   finish: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 512) { buffer in
            var writer = ByteWriter(buffer)
            body(&writer)
            defer { writer.free() }
            return finish(writer.bytes)
        }
    }

    /// The bytes `body` writes, as an array.
    public static func collect(_ body: (inout ByteWriter) -> Void) -> [UInt8] {
        withLine(body) { Array($0) }
    }

    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count_) }

    mutating func free() {
        if grown { base.deallocate() }
    }

    @usableFromInline @inline(never)
    mutating func grow(toHold needed: Int) {
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: max(needed, capacity * 2))
        bigger.initialize(from: base, count: count_)
        if grown { base.deallocate() }
        base = bigger
        capacity = max(needed, capacity * 2)
        grown = true
    }

    @inlinable @inline(__always)
    public mutating func append(_ byte: UInt8) {
        if count_ == capacity { grow(toHold: count_ + 1) }
        base[count_] = byte
        count_ += 1
    }

    @inlinable @inline(__always)
    public mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if count_ + bytes.count > capacity { grow(toHold: count_ + bytes.count) }
        // Short pieces (most are) by a loop, not a call to memcpy.
        if bytes.count <= 16 {
            for i in 0..<bytes.count { base[count_ + i] = source.load(fromByteOffset: i, as: UInt8.self) }
        } else {
            (base + count_).update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        }
        count_ += bytes.count
    }

    @inlinable @inline(__always)
    public mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        append(contentsOf: UnsafeRawBufferPointer(bytes))
    }

    /// `count` copies of `byte`.
    @inlinable @inline(__always)
    public mutating func append(repeating byte: UInt8, count n: Int) {
        guard n > 0 else { return }
        if count_ + n > capacity { grow(toHold: count_ + n) }
        (base + count_).update(repeating: byte, count: n)
        count_ += n
    }

    public mutating func removeLast(_ n: Int) {
        count_ -= min(n, count_)
    }

    @inlinable
    public subscript(i: Int) -> UInt8 {
        get { base[i] }
        set { base[i] = newValue }
    }
}

public enum TextBytes {
    /// `value` in decimal, right-aligned in `width` columns.
    @inline(__always)
    public static func appendDecimal(_ value: UInt64, width: Int = 0, to bytes: inout ByteWriter) {
        var digits = 1
        var n = value
        while n >= 10 { digits += 1; n /= 10 }
        if width > digits { appendSpaces(width - digits, to: &bytes) }
        bytes.append(repeating: 0x30, count: digits)
        var i = bytes.count - 1
        n = value
        repeat { bytes[i] = 0x30 &+ UInt8(truncatingIfNeeded: n % 10); n /= 10; i -= 1 } while n != 0
    }

    /// `value` in lower-case hex, zero-padded to `width` digits (no "0x").
    public static func appendHex(_ value: UInt64, width: Int, to bytes: inout ByteWriter) {
        var digits = 1
        while digits < 16 && value >> (4 * UInt64(digits)) != 0 { digits += 1 }
        if width > digits { bytes.append(repeating: 0x30, count: width - digits) }
        var shift = 4 * (digits - 1)
        while shift >= 0 {
            let nibble = UInt8((value >> UInt64(shift)) & 0xF)
            bytes.append(nibble < 10 ? 0x30 + nibble : 0x57 + nibble)
            shift -= 4
        }
    }

    /// `count` spaces.
    @inline(__always)
    public static func appendSpaces(_ count: Int, to bytes: inout ByteWriter) {
        bytes.append(repeating: 0x20, count: count)
    }

    /// A literal (no String made).
    @inline(__always)
    public static func append(_ text: StaticString, to bytes: inout ByteWriter) {
        text.withUTF8Buffer { bytes.append(contentsOf: UnsafeRawBufferPointer($0)) }
    }

    /// `text`, padded with spaces to `width` characters on the left (right-aligned) or the right.
    // Disfavoured: a string literal must pick the StaticString overload (no String made).
    @_disfavoredOverload
    public static func append(_ text: String, width: Int = 0, alignRight: Bool = false, to bytes: inout ByteWriter) {
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
    public static func sanitizeTail(from start: Int, of bytes: inout ByteWriter) {
        guard mayHoldControls(UnsafeRawBufferPointer(bytes.bytes), from: start) else { return }
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

    /// Whether `raw` from `start` holds a byte below 0x20, 0x7F or 0xC2 (the lead byte of a C1
    /// control): eight bytes at a time, each such byte setting its high bit (the usual SWAR
    /// zero-byte tests).
    private static func mayHoldControls(_ raw: UnsafeRawBufferPointer, from start: Int) -> Bool {
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
}
