import PacketDecoder

/// tshark's default one line per packet: No., Time (seconds since the first packet), Source,
/// Destination, Protocol, Length, Info.
public struct SummaryPrinter {
    private var firstTime: (Int64, UInt32)?
    /// The text of the addresses written lately (rows repeat them).
    private let addresses = AddressTextCache()

    public init() {}

    /// The reference for the Time column: the capture's first packet, even when a filter hides it.
    public mutating func noteReference(_ metadata: FrameMetadata) {
        if firstTime == nil { firstTime = (metadata.seconds, metadata.nanoseconds) }
    }

    /// The line for `tree` (no newline).
    public mutating func line(for tree: PacketTree) -> String {
        let m = tree.metadata
        if firstTime == nil { firstTime = (m.seconds, m.nanoseconds) }
        let relative = TimeFormat.difference(from: firstTime!, to: (m.seconds, m.nanoseconds))
        let s = tree.summary
        // tshark's widths: number 5, time 10, source right-aligned 12, destination left-aligned 12.
        var line = pad(String(m.number), 5) + " " + pad(relative, 10) + " "
        line += pad(s.source, 12) + " → " + padRight(s.destination, 12) + " "
        line += s.protocolName + " " + String(m.originalLength) + " " + s.info
        return TerminalText.sanitized(line)
    }

    /// The same line as `line(for:)`, newline included, written straight into `out`'s bytes:
    /// no String for the line, the number, the time, the addresses or the padding.
    public mutating func write(_ tree: PacketTree, to out: OutputBuffer) {
        let m = tree.metadata
        if firstTime == nil { firstTime = (m.seconds, m.nanoseconds) }
        let reference = firstTime!
        let s = tree.summaryLayout
        // The cache through a guaranteed reference: captured by the closures below, the object
        // was retained and released several times a line.
        Unmanaged.passUnretained(addresses)._withUnsafeGuaranteedRef { addresses in
            // The line is written into a buffer on the stack, then copied into the output once.
            ByteWriter.withLine({ bytes in
                let start = bytes.count
                TextBytes.appendDecimal(UInt64(m.number), width: 5, to: &bytes)
                bytes.append(0x20)
                TimeFormat.appendDifference(from: reference, to: (m.seconds, m.nanoseconds), width: 10, to: &bytes)
                bytes.append(0x20)
                // Source right-aligned in 12: an address's text is known before it is written; any
                // other value is written, then moved right if it is short.
                // Addresses written from the cache are known to be plain text; anything else is
                // sanitized with Info.
                var plainAddresses = true
                if let source = s.sourceNode, let text = tree.addressText(source, cache: addresses) {
                    TextBytes.appendSpaces(12 - text.count, to: &bytes)
                    bytes.append(contentsOf: text)
                } else {
                    writeRightAligned(s.sourceNode, tree, &bytes)
                    plainAddresses = false
                }
                TextBytes.append(" → ", to: &bytes)
                if let destination = s.destinationNode, let text = tree.addressText(destination, cache: addresses) {
                    bytes.append(contentsOf: text)
                    TextBytes.appendSpaces(12 - text.count, to: &bytes)
                } else {
                    let count = s.destinationNode.map { tree.appendFieldText($0, to: &bytes) } ?? 0
                    TextBytes.appendSpaces(12 - count, to: &bytes)
                    plainAddresses = false
                }
                bytes.append(0x20)
                TextBytes.append(s.protocolName, to: &bytes)
                bytes.append(0x20)
                TextBytes.appendDecimal(UInt64(m.originalLength), to: &bytes)
                bytes.append(0x20)
                // Only Info (or an address not from the cache) can carry text from the packet: the
                // rest is numbers, names and addresses written here.
                let info = plainAddresses ? bytes.count : start
                tree.appendInfo(s, to: &bytes, cache: addresses)
                TextBytes.sanitizeTail(from: info, of: &bytes)
            }, finish: { line in out.appendLine { $0.append(contentsOf: line) } })
        }
    }

    /// `node`'s text right-aligned in 12 columns: written, then moved right if it is short.
    private func writeRightAligned(_ node: Int?, _ tree: PacketTree, _ bytes: inout ByteWriter) {
        let sourceStart = bytes.count
        let sourceCount = node.map { tree.appendFieldText($0, to: &bytes) } ?? 0
        if sourceCount < 12 {
            let shift = 12 - sourceCount
            let length = bytes.count - sourceStart
            TextBytes.appendSpaces(shift, to: &bytes)
            var i = sourceStart + length - 1
            while i >= sourceStart { bytes[i + shift] = bytes[i]; i -= 1 }
            for j in sourceStart..<(sourceStart + shift) { bytes[j] = 0x20 }
        }
    }

    private func padRight(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}

/// Time columns.
public enum TimeFormat {
    /// `b - a` in seconds with six decimals ("0.000155"), negative allowed.
    public static func difference(from a: (Int64, UInt32), to b: (Int64, UInt32)) -> String {
        let (negative, seconds, micros) = split(from: a, to: b)
        let fraction = String(micros)
        return (negative ? "-" : "") + "\(seconds)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    /// `b - a` as a sign, whole seconds and microseconds (both of the magnitude).
    private static func split(from a: (Int64, UInt32), to b: (Int64, UInt32)) -> (negative: Bool, seconds: Int64, micros: Int64) {
        var seconds = b.0 - a.0
        var nanos = Int64(b.1) - Int64(a.1)
        if nanos < 0 { nanos += 1_000_000_000; seconds -= 1 }
        let negative = seconds < 0
        if negative {
            // Represent as -(|value|).
            let total = -(seconds * 1_000_000_000 + nanos)
            seconds = total / 1_000_000_000
            nanos = total % 1_000_000_000
        }
        return (negative, seconds, nanos / 1000)
    }

    /// `difference(from:to:)` right-aligned in `width` columns, appended as bytes.
    static func appendDifference(from a: (Int64, UInt32), to b: (Int64, UInt32), width: Int, to bytes: inout ByteWriter) {
        let (negative, seconds, micros) = split(from: a, to: b)
        guard seconds >= 0, micros >= 0, micros < 1_000_000 else {
            // Out of range (a broken file's fraction): the String path.
            return TextBytes.append(difference(from: a, to: b), width: width, alignRight: true, to: &bytes)
        }
        var secondDigits = 0
        var n = seconds
        repeat { secondDigits += 1; n /= 10 } while n != 0
        TextBytes.appendSpaces(width - ((negative ? 1 : 0) + secondDigits + 7), to: &bytes)
        if negative { bytes.append(0x2D) }
        TextBytes.appendDecimal(UInt64(seconds), to: &bytes)
        bytes.append(0x2E)
        var divisor: Int64 = 100_000
        while divisor > 0 { bytes.append(0x30 + UInt8(micros / divisor % 10)); divisor /= 10 }
    }
}
