import Testing
@testable import PacketOutput
import PacketDecoder
import TestSupport

/// `SummaryPrinter.write(_:to:)` (bytes straight into the output buffer, print's fast path) must
/// give exactly `line(for:)` plus a newline: checked on every frame of every shared capture.
@Suite("summary bytes")
struct SummaryBytesTests {
    @Test func bytesEqualTheStringLineOnEveryCapture() {
        for name in Fixtures.allCaptures {
            let frames = Fixtures.decodeAll(Fixtures.capture(name)).frames
            var strings = SummaryPrinter(), bytes = SummaryPrinter()
            let sink = StringSink()
            let out = OutputBuffer(sink: sink.append)
            var expected = ""
            for tree in frames {
                expected += strings.line(for: tree) + "\n"
                bytes.write(tree, to: out)
            }
            out.flush()
            #expect(sink.text == expected, "\(name)")
        }
    }

    @Test func sanitizingBytesMatchesTerminalText() {
        let samples = ["plain", "a\u{1B}[31mred", "tab\there\r\n", "c1\u{85}\u{9F}end", "é→\u{7F}", "\u{A0}\u{C2}ok"]
        for text in samples {
            let sink = StringSink()
            let out = OutputBuffer(sink: sink.append)
            out.append("x")
            let start = out.bytes.count
            out.append(text)
            out.sanitizeTail(from: start)
            out.flush()
            #expect(sink.text == "x" + TerminalText.sanitized(text), "\(text.debugDescription)")
        }
    }

    @Test func paddingAndNumbersMatchTheStringForms() {
        let sink = StringSink()
        let out = OutputBuffer(sink: sink.append)
        out.appendDecimal(0, width: 5); out.appendDecimal(123456, width: 5); out.appendDecimal(UInt64.max)
        out.append("ab", width: 4, alignRight: true); out.append("cd", width: 4); out.append("é", width: 3)
        TimeFormat.appendDifference(from: (10, 500_000_000), to: (9, 0), width: 10, into: out)
        TimeFormat.appendDifference(from: (0, 0), to: (12_345, 6_000), width: 10, into: out)
        out.flush()
        #expect(sink.text == "    0123456\(UInt64.max)  abcd  é  " + " -1.500000" + "12345.000006")
        #expect(TimeFormat.difference(from: (10, 500_000_000), to: (9, 0)) == "-1.500000")
    }
}
