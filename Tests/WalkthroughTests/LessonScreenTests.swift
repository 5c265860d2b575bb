import Foundation
import Testing
import PacketDecoder
import ScreenModel
import TestSupport
@testable import Walkthrough

/// The article's lesson in the TUI's screen model at 80x24, step 5 (the protocol byte), against a
/// reviewed snapshot (`UPDATE_SNAPSHOTS=1` rewrites it).
@Suite struct LessonScreenTests {
    final class OneFrame: PacketSource {
        let tree: PacketTree
        init(_ tree: PacketTree) { self.tree = tree }
        var name: String { "article-echo-request.pcap" }
        var count: Int { 1 }
        var isComplete: Bool { true }
        var loadedFraction: Double? { 1 }
        func decode(_ index: Int, into tree: inout PacketTree) { tree = self.tree }
    }

    @Test func step5OfTheArticleLesson() throws {
        let tree = Fixtures.frame("article-echo-request.pcap")
        var env = Environment(source: OneFrame(tree), checkFilter: { _ in .valid })
        let library = LessonLibrary(lessons: LessonLibrary.builtins())
        env.lessonFor = { tree in
            let walk = library.walkthrough(for: tree)
            return LessonState(title: walk.title, frameNumber: walk.frameNumber,
                               steps: walk.steps.map { .init(title: $0.title, text: $0.text, range: $0.range, node: $0.node, layer: $0.layer) },
                               diagram: walk.diagram.linePieces.map { .init(text: $0.0, box: $0.1) })
        }
        var state = AppState(width: 80, height: 24)
        state.refresh(from: env)
        _ = state.reduce(.key(.character("w")), env)
        for _ in 0..<4 { _ = state.reduce(.key(.character("n")), env) }
        let screen = state.render(env)
        #expect(screen.line(3).contains("Step 5 of 35"))
        let text = screen.text + "\n"
        let url = HandoutTests.folder.appendingPathComponent("tui-article-step5-80x24.txt")
        if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" { try text.write(to: url, atomically: true, encoding: .utf8) }
        #expect(text == (try String(contentsOf: url, encoding: .utf8)))
    }
}
