import Foundation
import TestSupport
import Testing

/// The `terminal-demo` binary, built beside the test bundle.
enum DemoBinary {
    static let path: String = {
        if let path = ProcessInfo.processInfo.environment["TERMINAL_DEMO_BIN"] { return path }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("terminal-demo")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue { return candidate.path }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/terminal-demo").path
    }()
}

func shellQuoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }

/// The demo in tmux, as a person runs it from a shell: `stty -g` before and after (the terminal
/// modes must come back unchanged), and its exit status.
func startDemo(_ arguments: [String] = [], term: String = "tmux-256color", locale: String = "C.UTF-8",
               pidFile: String? = nil, width: Int = 80, height: Int = 24) throws -> Tmux {
    let demo = ([DemoBinary.path] + arguments + (pidFile.map { ["--pid-file", $0] } ?? [])).map(shellQuoted).joined(separator: " ")
    // trap: the shell itself must outlive a Ctrl-C sent to the demo (they share the process group).
    let script = "trap : INT; stty -g; \(demo); echo EXIT=$?; stty -g; exec sleep 3600"
    let command = "exec env -u NO_COLOR TERM=\(term) LANG=\(locale) LC_ALL=\(locale) SWIFT_BACKTRACE=enable=no "
        + "XDG_CONFIG_HOME=/nonexistent sh -c \(shellQuoted(script))"
    let tmux = try Tmux(command: command, width: width, height: height)
    try tmux.wait(for: "the demo's first frame") { $0.contains { $0.hasPrefix("#0 none") } }
    return tmux
}

/// After the demo exits: the primary screen is back with what the shell printed before, the cursor
/// shows, mouse reports and keypad mode are off, and the termios are what they were.
func expectRestored(_ tmux: Tmux, exitStatus: Set<Int>, sourceLocation: SourceLocation = #_sourceLocation) throws {
    try tmux.wait(for: "the exit status") { $0.contains { $0.hasPrefix("EXIT=") } }
    try tmux.wait(for: "stty's second line") { $0.filter { $0.contains(":") && !$0.hasPrefix("EXIT") }.count >= 2 }
    let lines = try tmux.lines()
    let status = lines.first { $0.hasPrefix("EXIT=") }.flatMap { Int($0.dropFirst(5)) }
    #expect(status.map { exitStatus.contains($0) } == true, "exit status \(String(describing: status))", sourceLocation: sourceLocation)
    let modes = lines.filter { $0.contains(":") && !$0.hasPrefix("EXIT") }
    #expect(modes.count == 2 && modes[0] == modes[1], "termios before and after: \(modes)", sourceLocation: sourceLocation)
    #expect(try tmux.display("#{alternate_on} #{cursor_flag} #{mouse_any_flag} #{keypad_cursor_flag}") == "0 1 0 0",
            "alternate screen, cursor, mouse, keypad", sourceLocation: sourceLocation)
    #expect(!lines.contains { $0.contains("tunnelscope terminal demo") }, "the demo's screen is gone", sourceLocation: sourceLocation)
}

@Suite("CursesTerminal in tmux", .serialized, .enabled(if: Tmux.isAvailable, "tmux is not installed (apt-get install tmux)"))
struct CursesTerminalTests {
    @Test func drawsTextColoursAndAttributes() throws {
        let tmux = try startDemo()
        let lines = try tmux.lines()
        #expect(lines[0].hasPrefix(" tunnelscope terminal demo"))
        #expect(lines[0].hasSuffix("256 colours, theme default "))
        #expect(lines[2].hasPrefix("  1 2001:2::8067    → 2001:3::8067     ICMPv6"))
        #expect(lines[5] == String(repeating: "─", count: 80))
        #expect(lines[6].hasPrefix("0000 │ 45 00 00 88 60 00 00 00 │ E.."))
        #expect(lines[22].hasPrefix("size 80x24"))

        let cells = StyledCell.parse(try tmux.capture(escapes: true))
        // paneTitleFocused: ink on accent, bold; listRowSelected: ink on selection, bold.
        #expect(cells[0][1] == StyledCell(character: "t", foreground: 16, background: 44, bold: true))
        #expect(cells[3][0] == StyledCell(character: " ", foreground: 16, background: 38, bold: true))
        #expect(cells[4][2] == StyledCell(character: "3", foreground: 209))  // listRowTunnel
        #expect(cells[2][2] == StyledCell(character: "1"))  // listRow: the terminal's own colours
        #expect(cells[5][0] == StyledCell(character: "─", foreground: 239))  // border
        #expect(cells[6][7] == StyledCell(character: "4", foreground: 114))  // layerIPv4
        #expect(cells[6][19] == StyledCell(character: "6", foreground: 80))  // layerIPv6
        #expect(cells[7][6] == StyledCell(character: "B", bold: true))  // a bold cell
        #expect(cells[7][18] == StyledCell(character: "R", reverse: true))  // hexCursor: reverse
        #expect(cells[7][5] == StyledCell(character: " "))  // attributes don't leak
        #expect(cells[23][0] == StyledCell(character: "#", foreground: 252, background: 236))  // statusLine
        #expect(try tmux.display("#{alternate_on} #{cursor_flag} #{mouse_any_flag}") == "1 0 1")
    }

    @Test func eightColourTerminal() throws {
        let tmux = try startDemo(term: "screen")
        #expect(try tmux.lines()[0].hasSuffix("8 colours, theme default "))
        let cells = StyledCell.parse(try tmux.capture(escapes: true))
        #expect(cells[3][0] == StyledCell(character: " ", foreground: 0, background: 6, bold: true))  // black on cyan
        #expect(cells[4][2] == StyledCell(character: "3", foreground: 1))  // tunnel: red
    }

    @Test func noColourTerminalAndASCIILocale() throws {
        let tmux = try startDemo(term: "vt100", locale: "C")
        let lines = try tmux.lines()
        #expect(lines[0].hasSuffix("0 colours, theme mono "))
        #expect(lines[2].hasPrefix("  1 2001:2::8067    > 2001:3::8067     ICMPv6"))
        #expect(lines[5] == String(repeating: "-", count: 80))
        let cells = StyledCell.parse(try tmux.capture(escapes: true))
        #expect(cells[3][0] == StyledCell(character: " ", reverse: true))  // mono: the selection is reversed
    }

    @Test func keysMouseAndResizeArriveAsEvents() throws {
        let tmux = try startDemo()
        let keys: [(String, String)] = [
            ("Up", "key up"), ("Down", "key down"), ("Left", "key left"), ("Right", "key right"),
            ("Enter", "key enter"), ("Escape", "key escape"), ("Tab", "key tab"), ("BTab", "key backTab"),
            ("PPage", "key pageUp"), ("NPage", "key pageDown"), ("Home", "key home"), ("End", "key end"),
            ("BSpace", "key backspace"), ("DC", "key delete"), ("F1", "key F1"), ("F12", "key F12"),
            ("C-a", "key ctrl-a"), ("x", "key 'x'"),
        ]
        var count = 0
        for (key, event) in keys {
            try tmux.send(key)
            count += 1
            try tmux.waitForLastLine("#\(count) \(event)")
        }
        try tmux.sendLiteral("é")
        count += 1
        try tmux.waitForLastLine("#\(count) key 'é'")

        // xterm mouse reports (what tmux passes on from a real mouse): button, column + 33, row + 33.
        for (button, event) in [(0x20, "mouse left 10,5"), (0x60, "mouse wheelUp 10,5"), (0x61, "mouse wheelDown 10,5")] {
            try tmux.sendBytes([0x1B, 0x5B, 0x4D, UInt8(button), 33 + 10, 33 + 5])
            count += 1
            try tmux.waitForLastLine("#\(count) \(event)")
        }

        try tmux.run(["resize-window", "-t", tmux.target, "-x", "100", "-y", "30"])
        count += 1
        try tmux.waitForLastLine("#\(count) resize 100x30")
        let lines = try tmux.lines()
        #expect(lines.count >= 30 && lines[28].hasPrefix("size 100x30"))
        #expect(lines[5] == String(repeating: "─", count: 100))
    }

    @Test func cursorShowsWhereTheScreenPutsIt() throws {
        let tmux = try startDemo()
        #expect(try tmux.display("#{cursor_flag}") == "0")
        try tmux.send("c")
        try tmux.waitForLastLine("#1 key 'c'")
        #expect(try tmux.display("#{cursor_flag} #{cursor_x} #{cursor_y}") == "1 5 22")
    }

    @Test func suspendGivesTheShellItsScreenAndResumeTakesItBack() throws {
        let tmux = try startDemo()
        try tmux.send("s")
        try tmux.waitFor("suspended; press Enter to go back")
        #expect(try tmux.display("#{alternate_on} #{cursor_flag} #{mouse_any_flag}") == "0 1 0")
        try tmux.sendLiteral("typed")  // echoed: the shell's modes
        try tmux.waitFor("typed")
        try tmux.send("Enter")
        try tmux.waitForLastLine("#1 key 's'")
        #expect(try tmux.lines()[0].hasPrefix(" tunnelscope terminal demo"))
        #expect(try tmux.display("#{alternate_on} #{cursor_flag} #{mouse_any_flag}") == "1 0 1")
        try tmux.send("q")
        try expectRestored(tmux, exitStatus: [0])
    }

    @Test func quitRestoresTheTerminal() throws {
        let tmux = try startDemo()
        try tmux.send("q")
        try expectRestored(tmux, exitStatus: [0])
    }

    @Test func ctrlCInRawModeIsAKey() throws {
        let tmux = try startDemo()
        try tmux.send("C-c")  // the demo quits on it, as the app would
        try expectRestored(tmux, exitStatus: [0])
    }

    @Test func ctrlCInCbreakModeIsSIGINT() throws {
        let tmux = try startDemo(["--cbreak"])
        try tmux.send("C-c")
        try expectRestored(tmux, exitStatus: [128 + Int(SIGINT)])
    }

    @Test func sigtermRestoresTheTerminal() throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString).pid").path
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let tmux = try startDemo(pidFile: pidFile)
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(pid, SIGTERM)
        try expectRestored(tmux, exitStatus: [128 + Int(SIGTERM)])
    }

    @Test func aCrashRestoresTheTerminal() throws {
        let tmux = try startDemo()
        try tmux.send("!")  // fatalError: SIGILL on x86_64, SIGTRAP on arm64
        try expectRestored(tmux, exitStatus: [128 + Int(SIGILL), 128 + Int(SIGTRAP)])
    }

    @Test func ctrlZSuspendsToTheShellAndFgResumes() throws {
        // An interactive shell with job control, as a user has.
        let tmux = try Tmux(command: "exec env -u NO_COLOR TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 "
            + "XDG_CONFIG_HOME=/nonexistent PS1='$ ' bash --norc --noprofile -i")
        try tmux.waitFor("$")
        try tmux.sendLiteral("stty -g; \(shellQuoted(DemoBinary.path)); echo EXIT=$?")
        try tmux.send("Enter")
        try tmux.wait(for: "the demo") { $0.contains { $0.hasPrefix("#0 none") } }
        try tmux.send("Down")
        try tmux.waitForLastLine("#1 key down")

        try tmux.send("C-z")
        try tmux.waitFor("Stopped")
        #expect(try tmux.display("#{alternate_on} #{cursor_flag} #{mouse_any_flag} #{keypad_cursor_flag}") == "0 1 0 0")
        try tmux.sendLiteral("stty -g")
        try tmux.send("Enter")
        try tmux.wait(for: "stty while stopped") { $0.filter { $0.contains(":") && !$0.contains("stty") }.count >= 2 }
        let modes = try tmux.lines().filter { $0.contains(":") && !$0.contains("stty") }
        #expect(modes[0] == modes[1], "the shell's modes while the demo is stopped")

        try tmux.sendLiteral("fg")
        try tmux.send("Enter")
        try tmux.wait(for: "the demo again") { $0.contains { $0.hasPrefix(" tunnelscope terminal demo") } }
        // The app hears a resize after a stop, so it renders again for the size the terminal has now.
        try tmux.wait(for: "a resize after fg") { $0.contains { $0.hasPrefix("#3 resize 80x24") } }
        #expect(try tmux.display("#{alternate_on} #{cursor_flag} #{mouse_any_flag}") == "1 0 1")
        try tmux.send("Up")
        try tmux.waitForLastLine("#4 key up")
        try tmux.send("q")
        try tmux.wait(for: "the shell again") { !$0.contains { $0.contains("tunnelscope terminal demo") } }
        // (bash ran the rest of the command line when the job stopped; fg's status is the demo's.)
        try tmux.sendLiteral("echo STATUS=$?")
        try tmux.send("Enter")
        try tmux.waitFor("STATUS=0")
        #expect(try tmux.display("#{alternate_on} #{cursor_flag} #{mouse_any_flag} #{keypad_cursor_flag}") == "0 1 0 0")
    }
}
