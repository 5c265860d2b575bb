import Foundation
import Testing
import TestSupport

/// `tunnelscope walkthrough`, the real binary, without a terminal (it prints the handout).
@Suite("tunnelscope walkthrough")
struct WalkthroughCommandTests {
    let article = Fixtures.capture("article-echo-request.pcap")
    static let snapshots = Fixtures.repositoryRoot.appendingPathComponent("Tests/WalkthroughTests/Snapshots")
    /// No user lessons from the machine running the tests.
    let clean = ["XDG_CONFIG_HOME": "/nonexistent"]

    @Test func printsTheReviewedHandout() throws {
        let expected = try String(contentsOf: Self.snapshots.appendingPathComponent("article-echo-request.txt"), encoding: .utf8)
        let printed = try Binary.run(["walkthrough", "-r", article, "--print"], environment: clean)
        #expect(printed.status == 0)
        #expect(printed.stdout == expected)
        // Without a terminal, the same handout without --print.
        let piped = try Binary.run(["walkthrough", "-r", article], environment: clean)
        #expect(piped.stdout == expected)
        let markdown = try Binary.run(["walkthrough", "-r", article, "--print", "--format", "markdown"], environment: clean)
        #expect(markdown.stdout == (try String(contentsOf: Self.snapshots.appendingPathComponent("article-echo-request.md"), encoding: .utf8)))
    }

    @Test func theBundledCaptureStartsAtTheArticlesFrame() throws {
        let r = try Binary.run(["walkthrough", "--print"], environment: clean)
        #expect(r.status == 0)
        #expect(r.stdout.contains("Frame 73 of article-tunnel.pcap: 138 bytes"))
        #expect(r.stdout.contains("Lesson \"article\", 35 steps."))
        let other = try Binary.run(["walkthrough", "-n", "1", "--print"], environment: clean)
        #expect(other.stdout.contains("The generic tour (no lesson matches this packet)"))
    }

    @Test func errors() throws {
        let noFrame = try Binary.run(["walkthrough", "-r", article, "-n", "2"], environment: clean)
        #expect(noFrame.status == 1)
        #expect(noFrame.stderr == "tunnelscope: \(article): there is no frame 2 (the file has 1)\n")
        let badFormat = try Binary.run(["walkthrough", "-r", article, "--format", "pdf"], environment: clean)
        #expect(badFormat.status == 2)
        #expect(badFormat.stderr.contains("--format takes text or markdown"))
        let missing = try Binary.run(["walkthrough", "-r", "/nonexistent.pcap"], environment: clean)
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("tunnelscope: /nonexistent.pcap: "))
    }

    @Test func aTeachersLessonFileComesFirst() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lesson-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("ttl.toml")
        try """
        title = "Why 255?"
        match = "ip.ttl == 255"

        [[step]]
        field = "ip.ttl"
        title = "TTL {ip.ttl}"
        text = "The tunnel sets the outer TTL: {bytes} at {range}."
        """.write(to: good, atomically: true, encoding: .utf8)
        let r = try Binary.run(["walkthrough", "-r", article, "--lesson", good.path], environment: clean)
        #expect(r.status == 0)
        #expect(r.stdout.contains("Step 1 of 1: TTL 255"))
        #expect(r.stdout.contains("The tunnel sets the outer TTL: ff at 22..<23."))

        let bad = dir.appendingPathComponent("bad.toml")
        try "title = \"x\"\nmatch = \"ip.ttl === \"\n".write(to: bad, atomically: true, encoding: .utf8)
        let broken = try Binary.run(["walkthrough", "-r", article, "--lesson", bad.path], environment: clean)
        #expect(broken.status == 1)
        #expect(broken.stderr.hasPrefix("tunnelscope: lesson: \(bad.path):2: match: column "), "\(broken.stderr)")
    }
}
