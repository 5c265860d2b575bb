import Foundation
import Testing
import PacketDecoder
import TestSupport
@testable import Walkthrough

/// The built-in first lesson on the article's frame: every step points at the bytes the article
/// (and the wire) say, in the article's order, then the "some flags" fields, then the corrections.
@Suite struct ArticleLessonTests {
    /// (field or nil for a byte range, bytes, the article's quoted bytes where it quotes them).
    static let expected: [(String?, Range<Int>, String?)] = [
        // The article's own groups and labels.
        ("eth.dst", 0..<6, "52 54 00 2b 01 cc"),
        ("eth.src", 6..<12, "52 54 00 f0 85 c7"),
        ("eth.type", 12..<14, "08 00"),
        (nil, 14..<23, "45 00 00 7c 9b 43 40 00 ff"),
        ("ip.proto", 23..<24, "29"),
        ("ip.checksum", 24..<26, "69 be"),
        ("ip.dst", 30..<34, "c0 a8 7a 86"),
        ("ip.src", 26..<30, "c0 a8 7a 7f"),
        (nil, 34..<40, "60 00 07 e7 00 40"),
        ("ipv6.nxt", 40..<41, "3a"),
        ("ipv6.hlim", 41..<42, "3f"),
        ("ipv6.src", 42..<58, "20 01 00 02 00 00 00 00 00 00 00 00 00 00 80 67"),
        ("ipv6.dst", 58..<74, "20 01 00 03 00 00 00 00 00 00 00 00 00 00 80 67"),
        ("icmpv6.type", 74..<75, "80"),
        (nil, 75..<82, "00 cf be 03 d9 00 01"),
        ("data.data", 82..<138, "e3 0d fe 5e 00 00 00 00 bc d6 0e 00 00 00 00 00 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37"),
        // What the article called "some flags", field by field.
        ("ip.version", 14..<15, nil),
        ("ip.hdr_len", 14..<15, nil),
        ("ip.dsfield", 15..<16, nil),
        ("ip.len", 16..<18, nil),
        ("ip.id", 18..<20, nil),
        ("ip.flags.df", 20..<21, nil),
        ("ip.ttl", 22..<23, nil),
        ("ipv6.tclass", 34..<38, nil),
        ("ipv6.flow", 35..<38, nil),
        ("ipv6.plen", 38..<40, nil),
        ("icmpv6.code", 75..<76, nil),
        ("icmpv6.checksum", 76..<78, nil),
        ("icmpv6.echo.identifier", 78..<80, nil),
        ("icmpv6.echo.sequence_number", 80..<82, nil),
        (nil, 82..<98, "e3 0d fe 5e 00 00 00 00 bc d6 0e 00 00 00 00 00"),
        // Where the article differs from the wire.
        (nil, 26..<34, "c0 a8 7a 7f c0 a8 7a 86"),
        ("ip.proto", 23..<24, nil),
        (nil, 42..<46, nil),
        ("ipv6.hlim", 41..<42, nil),
    ]

    /// What a step's text must say (step number, 1-based).
    static let sayings: [Int: [String]] = [
        5: ["IPv6 (41)"],
        6: ["Good"],
        11: ["63"],
        20: ["124"],
        22: ["Set"],
        23: ["255", "ttl 255"],
        25: ["0x0007e7"],
        26: ["64"],
        28: ["0xcfbe", "pseudo-header", "Good"],
        29: ["0x03d9"],
        30: ["1"],
        31: ["2020-07-02 16:40:03.972476 UTC", "155 µs"],
        32: ["byte 26", "byte 30"],
        33: ["6in4", "41", "RFC 4213", "Teredo", "3544", "RFC 4380"],
        34: ["2001:2::/48", "2001:3::/32", "2001:0::/32"],
        35: ["63", "once"],
    ]

    static let walk: Walkthrough = {
        let tree = Fixtures.frame("article-echo-request.pcap")
        let library = LessonLibrary(lessons: LessonLibrary.builtins())
        return library.walkthrough(for: tree)
    }()

    @Test func theArticleLessonIsChosen() {
        #expect(Self.walk.lesson == "article")
        #expect(Self.walk.steps.count == Self.expected.count)
        #expect(Self.walk.missing.isEmpty)
    }

    @Test(arguments: expected.indices)
    func stepPointsAtItsBytes(_ i: Int) throws {
        let step = try #require(Self.walk.steps[safe: i])
        let (field, range, article) = Self.expected[i]
        #expect(step.range == range, "step \(i + 1) \(step.title)")
        #expect(step.field == field, "step \(i + 1) \(step.title)")
        let tree = Fixtures.frame("article-echo-request.pcap")
        if let article {
            #expect(HexText.spaced(Array(tree.bytes[step.range])) == article, "step \(i + 1): the article's bytes")
        }
        if let node = step.node { #expect(tree.nodes[node].range == range) }
        for saying in Self.sayings[i + 1] ?? [] {
            #expect(step.text.contains(saying), "step \(i + 1) should say \(saying): \(step.text)")
        }
        #expect(!step.text.contains("{") && !step.text.contains("(no "), "an unfilled placeholder: \(step.text)")
    }

    @Test func frame73OfTheLabCaptureGetsTheSameLesson() {
        let tree = Fixtures.frame("article-tunnel.pcap", 73)
        let walk = LessonLibrary(lessons: LessonLibrary.builtins()).walkthrough(for: tree)
        #expect(walk.lesson == "article")
        #expect(walk.steps.map(\.range) == Self.walk.steps.map(\.range))
        // The other pings of the lab are not the article's.
        for other in [72, 74, 79] {
            #expect(LessonLibrary(lessons: LessonLibrary.builtins()).walkthrough(for: Fixtures.frame("article-tunnel.pcap", other)).lesson != "article")
        }
    }

    @Test func theDiagramNestsTheLayers() {
        let boxes = Self.walk.diagram.boxes.map { "\($0.name) \($0.range)" }
        #expect(boxes == ["Ethernet 0..<138", "IPv4 14..<138", "IPv6 34..<138", "ICMPv6 74..<138"], "\(boxes)")
        #expect(Self.walk.diagram.line == "Ethernet 0..<138 [ IPv4 14..<138 [ IPv6 34..<138 [ ICMPv6 74..<138 ] ] ]")
        // Each step lights the innermost layer of its first byte.
        #expect(Self.walk.steps[0].layer == 0)
        #expect(Self.walk.steps[4].layer == 1)
        #expect(Self.walk.steps[9].layer == 2)
        #expect(Self.walk.steps[13].layer == 3)
    }
}
