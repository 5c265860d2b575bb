import PacketDecoder

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

    /// Hands over the buffered bytes instead of flushing them (a worker's formatted batch),
    /// continuing in `replacement` (an empty array whose capacity is reused).
    public func takeBuffered(replacingWith replacement: [UInt8] = []) -> [UInt8] {
        var taken = replacement
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

