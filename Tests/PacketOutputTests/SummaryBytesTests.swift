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
        var samples = ["plain", "a\u{1B}[31mred", "tab\there\r\n", "c1\u{85}\u{9F}end", "é→\u{7F}", "\u{A0}\u{C2}ok"]
        // Long lines are scanned eight bytes at a time: one bad character at every position of
        // three words, and lines with none (high bytes, spaces, 0x20 and 0x7E edges).
        for bad in ["\u{0}", "\u{1F}", "\u{7F}", "\u{85}", "\u{1B}"] {
            for position in 0..<24 {
                samples.append(String(repeating: "a", count: position) + bad + String(repeating: "b", count: 24 - position))
            }
        }
        samples += [String(repeating: " ~é→", count: 12), String(repeating: "\u{A0}\u{FF}", count: 9)]
        for text in samples {
            let bytes = ByteWriter.collect { bytes in
                TextBytes.append("x", to: &bytes)
                TextBytes.append(text, to: &bytes)
                TextBytes.sanitizeTail(from: 1, of: &bytes)
            }
            #expect(String(decoding: bytes, as: UTF8.self) == "x" + TerminalText.sanitized(text), "\(text.debugDescription)")
        }
    }

    @Test func paddingAndNumbersMatchTheStringForms() {
        let bytes = ByteWriter.collect { bytes in
            TextBytes.appendDecimal(0, width: 5, to: &bytes); TextBytes.appendDecimal(123456, width: 5, to: &bytes)
            TextBytes.appendDecimal(UInt64.max, to: &bytes)
            TextBytes.append("ab", width: 4, alignRight: true, to: &bytes); TextBytes.append("cd", width: 4, to: &bytes)
            TextBytes.append("é", width: 3, to: &bytes)
            TimeFormat.appendDifference(from: (10, 500_000_000), to: (9, 0), width: 10, to: &bytes)
            TimeFormat.appendDifference(from: (0, 0), to: (12_345, 6_000), width: 10, to: &bytes)
        }
        #expect(String(decoding: bytes, as: UTF8.self) == "    0123456\(UInt64.max)  abcd  é  " + " -1.500000" + "12345.000006")
        #expect(TimeFormat.difference(from: (10, 500_000_000), to: (9, 0)) == "-1.500000")
    }

    @Test func addressBytesEqualDescriptions() {
        let v6: [IPv6Address] = [IPv6Address(high: 0, low: 0), IPv6Address(high: 0, low: 1), IPv6Address(high: 0, low: 0xFFFF_C0A8_7A7F),
                                 IPv6Address(high: 0, low: 0x0A00_0001), IPv6Address(high: 0x2001_0002_0000_0000, low: 0x8067),
                                 IPv6Address(high: 0xFE80_0000_0000_0000, low: 0x5054_00FF_FEF0_85C7),
                                 IPv6Address(high: 0x2001_0DB8_0000_0001, low: 0x0000_0000_0001_0000),
                                 IPv6Address(high: .max, low: .max), IPv6Address(high: 0x0001_0000_0000_0000, low: 0x0001)]
        let expected = ["::", "::1", "::ffff:192.168.122.127", "::10.0.0.1", "2001:2::8067", "fe80::5054:ff:fef0:85c7",
                        "2001:db8:0:1::1:0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "1::1"]
        #expect(v6.map(\.description) == expected)
        #expect([IPv4Address(0), IPv4Address(0xC0A8_7A7F), IPv4Address(0xFFFF_FFFF), IPv4Address(0x0A00_6401)].map(\.description)
                == ["0.0.0.0", "192.168.122.127", "255.255.255.255", "10.0.100.1"])
        #expect(MACAddress(0x5254_00F0_85C7).description == "52:54:00:f0:85:c7")
    }

    /// A line longer than the writer's stack buffer (512 bytes) moves to the heap intact.
    @Test func longLinesGrowPastTheStackBuffer() {
        let pieces = (0..<300).map { "piece \($0);" }
        let bytes = ByteWriter.collect { bytes in
            for piece in pieces { TextBytes.append(piece, to: &bytes); TextBytes.appendDecimal(7, to: &bytes) }
            TextBytes.appendSpaces(3, to: &bytes)
            bytes.removeLast(1)
        }
        #expect(String(decoding: bytes, as: UTF8.self) == pieces.map { $0 + "7" }.joined() + "  ")
    }
}
