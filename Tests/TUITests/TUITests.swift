import Foundation
import Testing
import TestSupport

/// The real binary in tmux, driven as a person drives it.
@Suite("TUI in tmux", .serialized)
struct TUITests {
    /// `tunnelscope ARGS` in an 80x24 pane, from a shell that prints the termios before and after.
    static func start(_ arguments: [String], width: Int = 80, height: Int = 24) throws -> Tmux {
        let command = ([Binary.url.path] + arguments).map(quoted).joined(separator: " ")
        let script = "stty -g; \(command); echo EXIT=$?; stty -g; exec sleep 3600"
        let tmux = try Tmux(command: "exec env -u NO_COLOR TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_CONFIG_HOME=/nonexistent sh -c \(quoted(script))",
                            width: width, height: height)
        try tmux.wait(for: "the packet list") { $0.contains { $0.hasPrefix("No.   Time") } }
        return tmux
    }

    static func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    static func sameStyle(_ a: StyledCell, _ b: StyledCell) -> Bool {
        a.foreground == b.foreground && a.background == b.background && a.bold == b.bold
            && a.underline == b.underline && a.reverse == b.reverse
    }

    /// The status line (the one with the key hints; a filter error takes its place).
    static func statusLine(_ lines: [String]) -> String {
        lines.last { $0.contains("?:help q:quit") || $0.contains("column ") } ?? ""
    }

    @Test func inspectTheTunnelledPingFieldByField() throws {
        guard Tmux.isAvailable else { print("tmux is not installed: skipped"); return }
        let tmux = try Self.start(["-r", Fixtures.capture("article-tunnel.pcap")])

        // Go to frame 73, the article's ping inside the 6in4 tunnel.
        try tmux.send(":")
        try tmux.sendLiteral("73")
        try tmux.send("Enter")
        try tmux.waitFor("Frame 73: 138 bytes on wire")

        // The tree: unfold IPv4 and walk down to its protocol field.
        try tmux.send("Tab")
        for _ in 0..<2 { try tmux.send("Down") }
        try tmux.wait(for: "IPv4 selected") { Self.statusLine($0).contains("│  ip [14..<34]") }
        try tmux.send("Right")
        try tmux.waitFor("▾ Internet Protocol Version 4, Src: 192.168.122.127, Dst: 192.168.122.134")
        var steps = 0
        while !Self.statusLine(try tmux.lines()).contains("ip.proto [23]") && steps < 20 {
            try tmux.send("Down")
            steps += 1
            usleep(50_000)
        }
        try tmux.wait(for: "ip.proto selected") { Self.statusLine($0).contains("ip.proto [23]") }

        // The hex pane: "29" at offset 0x17 carries the highlight, and no other byte does.
        let styled = StyledCell.parse(try tmux.capture(escapes: true))
        let lines = try tmux.lines()
        let row = try #require(lines.firstIndex { $0.hasPrefix("0010  00 7c 9b 43 40 00 ff 29") })
        let hexColumn = 6 + 7 * 3  // byte 7 of the row
        let selected = styled[row][hexColumn]
        #expect(String(styled[row][hexColumn].character) + String(styled[row][hexColumn + 1].character) == "29")
        let plain = styled[row][hexColumn - 3]  // "ff", the TTL: same layer, not selected
        #expect(!Self.sameStyle(selected, plain), "the selected byte looks like its neighbour: \(selected) / \(plain)")
        var highlighted: [String] = []
        let hexRows = lines.indices.filter { lines[$0].range(of: "^[0-9a-f]{4}  ", options: .regularExpression) != nil }
        for r in hexRows {
            for b in 0..<16 {
                let column = 6 + b * 3 + (b >= 8 ? 1 : 0)
                guard column + 1 < styled[r].count else { continue }
                let cell = styled[r][column]
                if Self.sameStyle(cell, selected) {
                    highlighted.append(String(cell.character) + String(styled[r][column + 1].character))
                }
            }
        }
        #expect(highlighted == ["29"], "highlighted hex cells: \(highlighted)")

        // The display filter: only the tunnelled frames stay.
        try tmux.send("/")
        try tmux.send("C-u")
        try tmux.sendLiteral("ip.proto == 41")
        try tmux.send("Enter")
        try tmux.wait(for: "the filter's result") { Self.statusLine($0).contains("18 shown of 89") }
        let rows = try tmux.lines()[1..<8]
        #expect(rows.allSatisfy { $0.contains("[6in4") }, "\(rows)")

        // An invalid filter shows its error and column while typed; Esc leaves it.
        try tmux.send("/")
        try tmux.send("C-u")
        try tmux.sendLiteral("ip.srcc == 1")
        try tmux.wait(for: "the filter error") { Self.statusLine($0).contains("column 1: \"ip.srcc\" is not a valid protocol or protocol field") }
        try tmux.send("Escape")
        try tmux.wait(for: "the filter bar to close") { !Self.statusLine($0).contains("column 1") }

        // Resize to 100x30 and back: the screen follows at once.
        try tmux.run(["resize-window", "-t", tmux.target, "-x", "100", "-y", "30"])
        try tmux.wait(for: "30 lines") { $0.count >= 30 && $0[0].hasPrefix("No.") && Self.statusLine($0).contains("18 shown of 89") }
        try tmux.run(["resize-window", "-t", tmux.target, "-x", "80", "-y", "24"])
        try tmux.wait(for: "24 lines") { $0.filter { !$0.isEmpty }.count == 24 && $0[0].hasPrefix("No.") && Self.statusLine($0).contains("18 shown") }

        // q restores the terminal: primary screen, cursor, no mouse reporting, same termios.
        try tmux.send("q")
        try tmux.wait(for: "the exit") { $0.contains { $0.hasPrefix("EXIT=") } }
        try tmux.wait(for: "stty after") { $0.filter { $0.contains(":") && !$0.hasPrefix("EXIT") }.count >= 2 }
        let after = try tmux.lines()
        #expect(after.contains("EXIT=0"))
        let modes = after.filter { $0.contains(":") && !$0.hasPrefix("EXIT") }
        #expect(modes.count == 2 && modes[0] == modes[1])
        #expect(try tmux.display("#{alternate_on} #{cursor_flag} #{mouse_any_flag}") == "0 1 0")
    }

    @Test func startsOnTheBundledCaptureWithAFilter() throws {
        guard Tmux.isAvailable else { print("tmux is not installed: skipped"); return }
        let tmux = try Self.start(["-Y", "teredo || ip.proto == 41"])
        try tmux.wait(for: "the filtered bundled capture") { Self.statusLine($0).contains("article-tunnel.pcap") && Self.statusLine($0).contains("18 shown of 89") }
        try tmux.send("?")
        try tmux.waitFor("tunnelscope keys")
        try tmux.send("Escape")
        try tmux.send("q")
        try tmux.wait(for: "the exit") { $0.contains("EXIT=0") }
    }

    @Test func tooSmallTerminalSaysSo() throws {
        guard Tmux.isAvailable else { print("tmux is not installed: skipped"); return }
        let tmux = try Self.start([])
        try tmux.run(["resize-window", "-t", tmux.target, "-x", "60", "-y", "20"])
        try tmux.waitFor("Terminal too small: 60×20")
        try tmux.send("q")
        try tmux.wait(for: "the exit") { $0.contains("EXIT=0") }
    }
}
