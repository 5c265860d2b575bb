import Foundation
import Testing
import PacketDecoder
import TestSupport
@testable import Walkthrough

/// The printed handout of the article's frame, against reviewed snapshot files
/// (`UPDATE_SNAPSHOTS=1` rewrites them; review the diff before committing).
@Suite struct HandoutTests {
    static let folder = Fixtures.repositoryRoot.appendingPathComponent("Tests/WalkthroughTests/Snapshots")

    static func check(_ text: String, _ name: String) throws {
        let url = folder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(name) differs: run with UPDATE_SNAPSHOTS=1 and review the diff")
    }

    static func handout(_ format: Handout.Format) -> String {
        let tree = Fixtures.frame("article-echo-request.pcap")
        let walk = LessonLibrary(lessons: LessonLibrary.builtins()).walkthrough(for: tree)
        return Handout.render(walk, tree: tree, source: "article-echo-request.pcap", format: format)
    }

    @Test func textHandoutMatchesTheSnapshot() throws {
        try Self.check(Self.handout(.text), "article-echo-request.txt")
    }

    @Test func markdownHandoutMatchesTheSnapshot() throws {
        try Self.check(Self.handout(.markdown), "article-echo-request.md")
    }

    @Test func everyStepMarksItsBytesUnderTheDump() {
        let text = Self.handout(.text)
        // Step 5, the protocol byte 0x29 at offset 23: row 0x0010, byte 7.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let heading = lines.firstIndex { $0.hasPrefix("Step 5 of 35:") }!
        let row = lines[(heading + 1)...].firstIndex { $0.hasPrefix("0010  ") }!
        let marks = lines[row + 1]
        let column = 6 + 7 * 3
        #expect(Array(marks)[column..<column + 2] == ["^", "^"])
        #expect(marks.filter { $0 == "^" }.count == 3, "only 29 (hex and ASCII) is marked: \(marks)")
    }

    @Test func genericHandoutForAPacketWithoutALesson() {
        let tree = Fixtures.frame("article-tunnel.pcap", 1)
        let walk = LessonLibrary(lessons: LessonLibrary.builtins()).walkthrough(for: tree)
        #expect(walk.lesson == "generic")
        let text = Handout.render(walk, tree: tree, source: "article-tunnel.pcap", format: .text)
        #expect(text.contains("The generic tour (no lesson matches this packet)"))
        #expect(text.contains("Step 1 of \(walk.steps.count): Frame"))
    }
}
