import Foundation
import Testing
import TestSupport

/// The TUI on a live capture, in tmux, inside the test's namespace: the list fills as frames
/// are injected and the status line's counts follow pcap_stats.
@Suite("live TUI", .serialized,
       .enabled(if: LiveEnvironment.runnable, "the live TUI needs root and network namespaces (ip netns); skipped"))
struct LiveTUITests {
    let article = Fixtures.capture("article-tunnel.pcap")

    static func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    static func start(_ lab: LiveLab, _ arguments: [String]) throws -> Tmux {
        let command = (["ip", "netns", "exec", lab.name, LiveLab.binary.path] + arguments).map(quoted).joined(separator: " ")
        let script = "\(command); echo EXIT=$?; exec sleep 3600"
        let tmux = try Tmux(command: "exec env -u NO_COLOR TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_CONFIG_HOME=/nonexistent "
                            + "TMPDIR=\(quoted(lab.directory.path)) sh -c \(quoted(script))", width: 100, height: 30)
        try tmux.wait(for: "the live TUI") { $0.contains { $0.contains("virbr0 live") } }
        return tmux
    }

    /// (captured, dropped by kernel + interface, packets in the list) from the status line.
    static func counts(_ status: String) -> (Int, Int, Int)? {
        guard let c = status.range(of: " captured, "), let p = status.range(of: " packets") else { return nil }
        let captured = Int(status[..<c.lowerBound].split(separator: " ").last ?? "") ?? -1
        let dropped = status[c.upperBound...].prefix { $0 != " " }.split(separator: "+").compactMap { Int($0) }.reduce(0, +)
        let listed = Int(status[..<p.lowerBound].split(separator: " ").last ?? "") ?? -1
        return (captured, dropped, listed)
    }

    static func status(_ lines: [String]) -> String { lines.last { $0.contains("?:help q:quit") } ?? "" }

    @Test func listFillsAsFramesArriveAndQuittingAsksAboutTheTemporaryFile() throws {
        guard Tmux.isAvailable else { print("tmux is not installed: skipped"); return }
        try withLab { lab in
            let tmux = try Self.start(lab, ["-i", "virbr0"])
            #expect(try lab.inject(file: article) == 89)
            try tmux.wait(for: "89 packets") { Self.status($0).contains("89 captured, 0+0 dropped") && Self.status($0).contains("89 packets") }
            // Following the newest: the last frames are on screen, tunnelled ones marked.
            let lines = try tmux.lines()
            #expect(lines.contains { $0.hasPrefix("89 ") })
            #expect(lines.contains { $0.contains("[6in4]") })
            // A burst: what the kernel drops is counted, not hidden, and the list holds every
            // packet captured: captured + dropped = sent, and the list shows `captured` rows.
            let sent = 89 + (try lab.inject(generate: 2000))
            try tmux.wait(for: "the burst accounted for") { lines in
                guard let (captured, dropped, listed) = Self.counts(Self.status(lines)) else { return false }
                return captured + dropped == sent && listed == captured
            }
            let (captured, _, _) = Self.counts(Self.status(try tmux.lines()))!
            // A display filter applies to packets as they come.
            try tmux.send("/")
            try tmux.sendLiteral("ip.proto == 41")
            try tmux.send("Enter")
            try tmux.wait(for: "the filter") { Self.status($0).contains("18 shown of \(captured)") }
            try lab.inject(file: article)
            try tmux.wait(for: "new matches") { Self.status($0).contains("36 shown of \(captured + 89)") }
            // The capture is only in a temporary file: q asks; n drops it.
            let spools = { (try? FileManager.default.contentsOfDirectory(atPath: lab.directory.path))?.filter { $0.hasPrefix("tunnelscope-") } ?? [] }
            #expect(spools().count == 1)
            try tmux.send("q")
            try tmux.waitFor("Save it before quitting?")
            try tmux.send("n")
            try tmux.wait(for: "the exit") { $0.contains("EXIT=0") }
            #expect(spools().isEmpty)
        }
    }

    @Test func withAFileTheCaptureIsKeptAndQuitAsksNothing() throws {
        guard Tmux.isAvailable else { print("tmux is not installed: skipped"); return }
        try withLab { lab in
            let out = lab.file("kept.pcap")
            let tmux = try Self.start(lab, ["-i", "virbr0", "-f", "ip proto 41", "-w", out])
            try lab.inject(file: article)
            try tmux.wait(for: "18 packets") { Self.status($0).contains("18 captured") && Self.status($0).contains("18 packets") }
            try tmux.send("q")
            try tmux.wait(for: "the exit") { $0.contains("EXIT=0") }
            let kept = try Binary.run(["print", "-r", out, "-T", "fields", "-e", "ip.proto"])
            #expect(kept.stdout == String(repeating: "41\n", count: 18))
        }
    }
}
