// Bytes out, buffered: printers append text and the sink (a file descriptor, a test's array)
// receives large chunks. Keeps `print` of a million packets from making a million writes.

public final class OutputBuffer {
    public typealias Sink = (UnsafeRawBufferPointer) -> Void
    private var bytes: [UInt8] = []
    private let sink: Sink
    private let threshold: Int

    public init(threshold: Int = 1 << 16, sink: @escaping Sink) {
        self.sink = sink
        self.threshold = threshold
        bytes.reserveCapacity(min(threshold, 1 << 20) + 4096)
    }

    public func write(_ text: String) {
        var t = text
        t.withUTF8 { bytes.append(contentsOf: $0) }
        if bytes.count >= threshold { flush() }
    }

    public func write(_ raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: raw)
        if bytes.count >= threshold { flush() }
    }

    public func write(_ byte: UInt8) {
        bytes.append(byte)
    }

    public func writeLine(_ text: String) {
        write(text)
        bytes.append(0x0A)
        if bytes.count >= threshold { flush() }
    }

    /// Appends one line built byte by byte in `body` (one exclusive access to the buffer per
    /// line, not one per byte), then the newline.
    @inline(__always)
    func appendLine(_ body: (inout [UInt8]) -> Void) {
        body(&bytes)
        bytes.append(0x0A)
        if bytes.count >= threshold { flush() }
    }

    /// Bytes written and not yet flushed.
    public var bufferedCount: Int { bytes.count }

    /// Hands over the buffered bytes instead of flushing them (a worker's formatted batch).
    public func takeBuffered() -> [UInt8] {
        var taken: [UInt8] = []
        taken.reserveCapacity(bytes.capacity)
        swap(&taken, &bytes)
        return taken
    }

    public func flush() {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { sink($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}

/// Collects output in memory (tests, the TUI's handouts).
public final class StringSink: @unchecked Sendable {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public func append(_ raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }
}

/// Text as bytes, for printers that build a line without Strings (`SummaryPrinter.write`).
enum LineBytes {
    /// `value` in decimal, right-aligned in `width` columns.
    static func appendDecimal(_ value: UInt64, width: Int = 0, to bytes: inout [UInt8]) {
        var count = 0
        var n = value
        repeat { count += 1; n /= 10 } while n != 0
        for _ in 0..<max(0, width - count) { bytes.append(0x20) }
        let end = bytes.count + count
        for _ in 0..<count { bytes.append(0x30) }
        var i = end - 1
        n = value
        repeat { bytes[i] = 0x30 + UInt8(n % 10); n /= 10; i -= 1 } while n != 0
    }

    /// `count` spaces.
    static func appendSpaces(_ count: Int, to bytes: inout [UInt8]) {
        for _ in 0..<max(0, count) { bytes.append(0x20) }
    }

    /// `text`, padded with spaces to `width` characters on the left (right-aligned) or the right.
    static func append(_ text: String, width: Int = 0, alignRight: Bool = false, to bytes: inout [UInt8]) {
        if width == 0 { return bytes.append(contentsOf: text.utf8) }
        var count = 0
        var plain = true
        for b in text.utf8 { count += 1; if b < 0x20 || b >= 0x7F { plain = false } }
        // Column widths count characters, as String.count does; addresses are plain ASCII.
        if !plain { count = text.count }
        let padding = width - count
        if alignRight { appendSpaces(padding, to: &bytes) }
        var t = text
        t.withUTF8 { bytes.append(contentsOf: $0) }
        if !alignRight { appendSpaces(padding, to: &bytes) }
    }

    /// Replaces C0 and C1 control characters appended since `start` with ".", as
    /// `TerminalText.sanitized` does (a C1 character is the UTF-8 pair C2 80...C2 9F).
    static func sanitizeTail(from start: Int, of bytes: inout [UInt8]) {
        var needs = false
        for i in start..<bytes.count where bytes[i] < 0x20 || bytes[i] == 0x7F || bytes[i] == 0xC2 { needs = true; break }
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
