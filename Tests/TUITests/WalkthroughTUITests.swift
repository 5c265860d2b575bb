import Foundation
import Testing
import TestSupport

/// `tunnelscope walkthrough` in tmux: the lesson panel opens on the article's frame and each step
/// highlights its bytes in the hex pane.
@Suite("Walkthrough in tmux", .serialized)
struct WalkthroughTUITests {
    /// The hex cells of the screen: offset -> (style, text).
    static func hexCells(_ tmux: Tmux) throws -> [Int: StyledCell] {
        let styled = StyledCell.parse(try tmux.capture(escapes: true))
        let lines = try tmux.lines()
        var cells: [Int: StyledCell] = [:]
        for r in lines.indices where lines[r].range(of: "^[0-9a-f]{4}  ", options: .regularExpression) != nil {
            guard let base = Int(lines[r].prefix(4), radix: 16), r < styled.count else { continue }
            for b in 0..<16 {
                let column = 6 + b * 3 + (b >= 8 ? 1 : 0)
                guard column + 1 < styled[r].count, styled[r][column].character != " " else { continue }
                cells[base + b] = styled[r][column]
            }
        }
        return cells
    }

    @Test func theFirstFiveStepsHighlightTheirBytes() throws {
        guard Tmux.isAvailable else { print("tmux is not installed: skipped"); return }
        let tmux = try TUITests.start(["walkthrough", "-r", Fixtures.capture("article-echo-request.pcap")])
        try tmux.waitFor("Step 1 of 35")
        try tmux.waitFor("MAC address of Router B (destination)")
        #expect(try tmux.lines().contains { $0.contains("Ethernet 0..<138 [ IPv4 14..<138 [") })

        let expected: [Range<Int>] = [0..<6, 6..<12, 12..<14, 14..<23, 23..<24]
        var screens: [[Int: StyledCell]] = []
        for (i, _) in expected.enumerated() {
            if i > 0 {
                try tmux.send("n")
                try tmux.waitFor("Step \(i + 1) of 35")
                usleep(100_000)
            }
            screens.append(try Self.hexCells(tmux))
        }
        // The selected field's style (step 1: all of eth.dst) and the lesson's mark (step 4: the
        // bytes after the first of the article's "some flags").
        let selected = try #require(screens[0][0])
        let marked = try #require(screens[3][15])
        #expect(!TUITests.sameStyle(selected, marked))
        for (i, range) in expected.enumerated() {
            let lit = screens[i].filter { TUITests.sameStyle($0.value, selected) || TUITests.sameStyle($0.value, marked) }.keys.sorted()
            #expect(lit == Array(range), "step \(i + 1): highlighted bytes \(lit), expected \(range)")
            #expect(screens[i].count >= 90, "the hex pane shows the packet")
        }
        // Back with p, then the lesson closes with w and the usual hints return.
        try tmux.send("p")
        try tmux.waitFor("Step 4 of 35")
        try tmux.send("Left")
        try tmux.waitFor("Step 3 of 35")
        try tmux.send("w")
        try tmux.wait(for: "the lesson to close") { !$0.contains { $0.contains("Step 3 of 35") } }
        try tmux.send("q")
        try tmux.wait(for: "the exit") { $0.contains("EXIT=0") }
    }

    @Test func wOpensTheLessonOfTheSelectedPacket() throws {
        guard Tmux.isAvailable else { print("tmux is not installed: skipped"); return }
        let tmux = try TUITests.start(["-r", Fixtures.capture("article-tunnel.pcap")])
        try tmux.send(":")
        try tmux.sendLiteral("21")
        try tmux.send("Enter")
        try tmux.waitFor("Frame 21: 142 bytes on wire")
        try tmux.send("w")
        try tmux.waitFor("Step 1 of 5")
        try tmux.waitFor("Time exceeded")
        // Another packet: its own walkthrough (the generic tour for an ARP request).
        try tmux.send("Escape")
        try tmux.send(":")
        try tmux.sendLiteral("29")
        try tmux.send("Enter")
        try tmux.send("w")
        try tmux.waitFor("Step 1 of ")
        try tmux.waitFor("Frame 29")
        try tmux.send("q")
        try tmux.wait(for: "the exit") { $0.contains("EXIT=0") }
    }
}
