import Foundation
import Testing
import PacketDecoder
import TestSupport
@testable import Walkthrough

/// Lessons are data: the built-ins equal their files and each runs on a capture it matches;
/// a broken lesson is reported with its file, line and key.
@Suite struct LessonFileTests {
    static let folder = Fixtures.repositoryRoot.appendingPathComponent("Lessons")

    @Test func embeddedCopiesEqualTheFiles() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".toml") }.sorted()
        #expect(files.map { String($0.dropLast(5)) }.sorted() == LessonLibrary.builtinNames, "run Lessons/embed.sh")
        #expect(Set(LessonLibrary.builtinOrder) == Set(LessonLibrary.builtinNames), "every built-in has its place in builtinOrder")
        for file in files {
            let text = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
            #expect(LessonLibrary.builtinText(String(file.dropLast(5))) == text, "\(file) changed: run Lessons/embed.sh")
        }
    }

    @Test(arguments: LessonLibrary.builtinOrder)
    func builtinLessonParses(_ name: String) throws {
        let text = try #require(LessonLibrary.builtinText(name))
        _ = try LessonFile.parse(text: text, file: "\(name).toml", name: name)
    }

    /// Every built-in lesson, on captures where it is the one chosen: every step resolves.
    static let runs: [(String, String, Int)] = [
        ("article", "article-echo-request.pcap", 1),
        ("article", "article-tunnel.pcap", 73),
        ("traceroute", "article-tunnel.pcap", 21),
        ("traceroute", "article-tunnel.pcap", 32),
        ("neighbor-discovery", "article-tunnel.pcap", 11),
        ("neighbor-discovery", "article-tunnel.pcap", 18),
        ("teredo", "teredo.pcap", 9),
        ("teredo", "teredo.pcap", 5),
        ("teredo-to-client", "teredo.pcap", 10),
        ("6in4", "article-tunnel.pcap", 31),
        ("6in4", "isatap.pcap", 3),
        ("6in4", "6to4.pcap", 1),
    ]

    @Test(arguments: runs.indices)
    func builtinLessonRunsOnACaptureItMatches(_ i: Int) {
        let (name, capture, frame) = Self.runs[i]
        let tree = Fixtures.frame(capture, frame)
        let walk = LessonLibrary(lessons: LessonLibrary.builtins()).walkthrough(for: tree)
        #expect(walk.lesson == name, "\(capture) frame \(frame)")
        #expect(walk.missing.isEmpty, "\(walk.missing)")
        let lesson = LessonLibrary.builtins().first { $0.name == name }!
        #expect(walk.steps.count >= lesson.steps.filter { !$0.optional }.count)
        for step in walk.steps {
            #expect(!step.text.contains("{") && !step.text.contains("(no ") && !step.title.contains("(no "), "\(name): \(step.title): \(step.text)")
            #expect(!step.range.isEmpty && step.range.upperBound <= tree.bytes.count, "\(name): \(step.title)")
        }
    }

    @Test func teredoAddressAnatomy() {
        let walk = LessonLibrary(lessons: LessonLibrary.builtins()).walkthrough(for: Fixtures.frame("teredo.pcap", 9))
        let byTitle = Dictionary(walk.steps.map { ($0.title, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byTitle["The Teredo server: 198.51.100.10"]?.range == 54..<58)
        #expect(byTitle["Flags"]?.range == 58..<60)
        #expect(byTitle["The client's public port: 40000"]?.range == 60..<62)
        #expect(byTitle["The client's public IPv4: 203.0.113.45"]?.range == 62..<66)
    }

    @Test func theReadmeExampleIsAValidLesson() throws {
        let readme = try String(contentsOf: Self.folder.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "```toml\n"))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        let lesson = try LessonFile.parse(text: String(readme[start.upperBound..<end.lowerBound]), file: "README.md", name: "readme")
        #expect(lesson.steps.count == 4)
        let walk = Walkthrough.resolve(lesson, Fixtures.frame("article-echo-request.pcap"))
        #expect(walk.steps.map(\.range) == [22..<23, 42..<58, 42..<46, 14..<23])
        #expect(walk.steps[0].text.contains("ff at bytes 22..<23"))
    }

    // MARK: Broken files

    static func error(_ text: String) -> LessonError? {
        do {
            _ = try LessonFile.parse(text: text, file: "mine.toml", name: "mine")
            return nil
        } catch {
            return error
        }
    }

    static let good = """
    title = "Mine"
    match = "ip.proto == 41"

    [[step]]
    field = "ip.ttl"
    title = "TTL"
    text = "It is {ip.ttl}."
    """

    @Test func aGoodFileLoads() throws {
        let lesson = try LessonFile.parse(text: Self.good, file: "mine.toml", name: "mine")
        #expect(lesson.steps == [LessonStep(target: .field("ip.ttl", occurrence: 1, offset: nil, length: nil), title: "TTL", text: "It is {ip.ttl}.", line: 4)])
    }

    @Test func unknownFieldNamesFileLineAndKey() {
        let e = Self.error(Self.good.replacingOccurrences(of: "\"ip.ttl\"", with: "\"ip.ttll\""))
        #expect(e?.description == "mine.toml:5: step[1].field: unknown field \"ip.ttll\"; did you mean ip.ttl?")
    }

    @Test func badFilterNamesItsColumn() {
        let e = Self.error(Self.good.replacingOccurrences(of: "ip.proto == 41", with: "ip.proto == = 41"))
        #expect(e?.line == 2)
        #expect(e?.key == "match")
        #expect(e?.message.hasPrefix("column 13: ") == true, "\(String(describing: e))")
    }

    @Test func syntaxErrorNamesItsLine() {
        let e = Self.error(Self.good + "\n[[step]\n")
        #expect(e?.line == 8, "\(String(describing: e))")
        #expect(e?.file == "mine.toml")
    }

    @Test func unknownKeyAndPlaceholder() {
        let typo = Self.error(Self.good.replacingOccurrences(of: "text =", with: "txt ="))
        #expect(typo?.description.hasPrefix("mine.toml:7: step[1].txt: unknown key; did you mean text?") == true, "\(String(describing: typo))")
        let placeholder = Self.error(Self.good.replacingOccurrences(of: "{ip.ttl}", with: "{ip.tll}"))
        #expect(placeholder?.key == "step[1].text")
        #expect(placeholder?.line == 7)
        #expect(placeholder?.message.hasPrefix("unknown placeholder {ip.tll}") == true)
    }

    @Test func aStepNeedsATarget() {
        let e = Self.error(Self.good.replacingOccurrences(of: "field = \"ip.ttl\"\n", with: ""))
        #expect(e?.description == "mine.toml:4: step[1]: a step needs a field, or offset and length (bytes of the frame)")
    }

    @Test func extraLessonsComeFirst() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lessons-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.good.write(to: dir.appendingPathComponent("mine.toml"), atomically: true, encoding: .utf8)
        try "title = 1".write(to: dir.appendingPathComponent("broken.toml"), atomically: true, encoding: .utf8)
        let library = try LessonLibrary.standard(extra: [], userDirectory: dir.path)
        #expect(library.lessons.first?.name == "mine")
        #expect(library.warnings.count == 1)
        #expect(library.warnings.first?.description.contains("broken.toml:1: title: expected a string") == true, "\(library.warnings)")
        let walk = library.walkthrough(for: Fixtures.frame("article-echo-request.pcap"))
        #expect(walk.lesson == "mine")
        #expect(walk.steps.map(\.text) == ["It is 255."])
    }
}
