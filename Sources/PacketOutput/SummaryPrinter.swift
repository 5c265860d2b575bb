import PacketDecoder

/// tshark's default one line per packet: No., Time (seconds since the first packet), Source,
/// Destination, Protocol, Length, Info.
public struct SummaryPrinter {
    private var firstTime: (Int64, UInt32)?

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
        let micros = nanos / 1000
        let fraction = String(micros)
        return (negative ? "-" : "") + "\(seconds)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

}
