import Testing
import PacketDecoder
import PacketOutput
import TestSupport

@Suite("printers")
struct PrinterTests {
    let article = Fixtures.frame("article-echo-request.pcap")

    @Test func summaryLineIsTunnelAware() {
        var printer = SummaryPrinter()
        let line = printer.line(for: article)
        #expect(line == "    1   0.000000 2001:2::8067 → 2001:3::8067 ICMPv6 138 [6in4 192.168.122.127 → 192.168.122.134] Echo (ping) request id=0x03d9, seq=1, hop limit=63")
    }

    @Test func hexDumpMatchesTsharkLayout() {
        let lines = HexDump.lines(article.bytes)
        #expect(lines.count == 9)
        #expect(lines[0] == "0000  52 54 00 2b 01 cc 52 54 00 f0 85 c7 08 00 45 00   RT.+..RT......E.")
        #expect(lines[8] == "0080  2e 2f 30 31 32 33 34 35 36 37                     ./01234567")
    }

    @Test func hexDumpNeverEmitsControlBytes() {
        let lines = HexDump.lines((0...255).map { UInt8($0) })
        for line in lines {
            #expect(!line.unicodeScalars.contains { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) })
        }
    }

    @Test func treeHasTsharkHeadlinesAndOffsets() {
        let lines = TreePrinter(showOffsets: true).lines(for: article)
        #expect(lines.contains("Internet Protocol Version 6, Src: 2001:2::8067, Dst: 2001:3::8067  [34..<74]"))
        #expect(lines.contains("    Protocol: IPv6 (41)  [23..<24]"))
        #expect(lines.contains("        .1.. .... = Don't fragment: Set  [20..<21 mask 0x40]"))
        #expect(lines.first == "Frame 1: 138 bytes on wire (1104 bits), 138 bytes captured (1104 bits)  [0..<138]")
    }

    @Test func badChecksumIsExpertInfoUnderTheField() {
        var bytes = article.bytes
        bytes[25] ^= 0xFF  // IPv4 header checksum low byte
        let tree = PacketTree(decoding: bytes, metadata: article.metadata)
        let lines = TreePrinter().lines(for: tree)
        let index = lines.firstIndex { $0.contains("Header Checksum:") }
        #expect(index != nil)
        if let index {
            #expect(lines[index + 1].contains("[Expert Info (Error/Checksum): Bad checksum [should be 0x69be]]"))
        }
    }

    @Test func jsonEscapesControlCharactersAndCarriesBytes() {
        let json = JSONPrinter().object(for: article)
        #expect(json.hasPrefix("{\"frame\":{\"number\":1,\"time\":\"2020-07-02 16:40:03.972631Z\""))
        #expect(json.contains("{\"field\":\"ip.proto\",\"label\":\"Protocol\",\"value\":41,\"display\":\"Protocol: IPv6 (41)\",\"offset\":23,\"length\":1}"))
        #expect(json.contains("\"tunnels\":[{\"kind\":\"6in4\",\"outerSource\":\"192.168.122.127\",\"outerDestination\":\"192.168.122.134\"}]"))
        #expect(quote("a\u{1b}[2J\u{9b}b\"") == "\"a\\u001b[2J\\u009bb\\\"\"")
    }
}
