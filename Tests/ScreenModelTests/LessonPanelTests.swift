import Foundation
import Testing
import PacketDecoder
@testable import ScreenModel
import TestSupport

/// The lesson panel as a pure model: steps drive the one selection the tree and hex panes share.
@Suite("lesson panel")
struct LessonPanelTests {
    let source = FixtureSource("article-tunnel.pcap")

    /// A two-step lesson for any packet: its IPv4 protocol field, then the bytes 14..<23.
    func env() -> Environment {
        var env = Environment(source: source, checkFilter: fakeCheck)
        env.lessonFor = { tree in
            guard let proto = tree.indices(of: FieldRegistry.field(named: "ip.proto")!).first else { return nil }
            return LessonState(title: "Test lesson", frameNumber: tree.metadata.number, steps: [
                .init(title: "Protocol", text: "The protocol byte.", range: tree.nodes[proto].range, node: proto, layer: 1),
                .init(title: "Some flags", text: "Nine bytes.", range: 14..<23, node: nil, layer: 1),
            ], diagram: [.init(text: "Ethernet 0..<138", box: 0), .init(text: " [ ", box: nil), .init(text: "IPv4 14..<138", box: 1), .init(text: " ]", box: nil)])
        }
        return env
    }

    func stateOnFrame73() -> (AppState, Environment) {
        let env = env()
        var state = AppState(width: 80, height: 24)
        state.refresh(from: env)
        state.goTo(packetNumber: 73, env)
        return (state, env)
    }

    @Test func stepsSelectTheirFieldAndBytes() throws {
        var (state, env) = stateOnFrame73()
        let rowsBefore = (state.listRows, state.treeRows)
        _ = state.reduce(.key(.character("w")), env)
        let tree = try #require(state.tree)
        #expect(state.lesson?.index == 0)
        #expect(state.selectedNode.map { tree.nodes[$0].field.abbreviation } == "ip.proto")
        #expect(state.hexCursor == 23)
        let screen = state.render(env)
        #expect(screen.text.contains("Step 1 of 2"))
        #expect(screen.text.contains("Ethernet 0..<138 [ IPv4 14..<138 ]"))
        #expect(screen.text.contains("The protocol byte."))
        #expect(screen.text.contains(AppState.lessonHints))

        // A byte-range step selects the field of its first byte and marks the whole range.
        _ = state.reduce(.key(.character("n")), env)
        #expect(state.lesson?.index == 1)
        #expect(state.selectedNode.map { tree.nodes[$0].field.abbreviation } == "ip.hdr_len")
        let marked = state.render(env)
        let hex = try #require(Layout(state).hex)
        var lit: [Int] = []
        for offset in 0..<tree.bytes.count {
            let row = offset / 16 - state.hexTop
            guard row >= 0, row < hex.height else { continue }
            let role = marked[hex.x + HexGeometry.hexColumn(offset % 16), hex.y + row].role
            if role == .hexSelected || role == .lessonHighlight { lit.append(offset) }
        }
        #expect(lit == Array(14..<23))

        // The wheel over the panel steps back; a click steps on.
        let panel = try #require(state.lessonRect(Layout(state)))
        _ = state.reduce(.mouse(x: panel.x + 5, y: panel.y + 3, button: .wheelUp), env)
        #expect(state.lesson?.index == 0)
        _ = state.reduce(.mouse(x: panel.x + 5, y: panel.y + 3, button: .left), env)
        #expect(state.lesson?.index == 1)

        // Back, past the ends, and closed: the panes get their sizes back.
        _ = state.reduce(.key(.left), env)
        _ = state.reduce(.key(.character("p")), env)
        #expect(state.lesson?.index == 0)
        _ = state.reduce(.key(.escape), env)
        #expect(state.lesson == nil)
        #expect((state.listRows, state.treeRows) == rowsBefore)
    }

    @Test func anotherPacketGetsItsOwnLesson() {
        var (state, env) = stateOnFrame73()
        _ = state.reduce(.key(.character("w")), env)
        _ = state.reduce(.key(.tab), env)
        _ = state.reduce(.key(.tab), env)  // the list
        _ = state.reduce(.key(.down), env)  // frame 74: not tunnelled, no ip.proto
        #expect(state.tree?.metadata.number == 74)
        #expect(state.lesson == nil)
        // Going to another packet with : opens that packet's lesson, at its first step.
        _ = state.reduce(.key(.character(":")), env)
        _ = state.reduce(.key(.character("7")), env)
        _ = state.reduce(.key(.character("6")), env)
        _ = state.reduce(.key(.enter), env)
        #expect(state.lesson == nil, "74 had none, so the panel closed")
        _ = state.reduce(.key(.character("w")), env)
        #expect(state.lesson?.frameNumber == 76)
        _ = state.reduce(.key(.character("n")), env)
        for c in ":79" { _ = state.reduce(.key(.character(c)), env) }
        _ = state.reduce(.key(.enter), env)
        #expect(state.tree?.metadata.number == 79)
        #expect(state.lesson?.frameNumber == 79)
        #expect(state.lesson?.index == 0)
        _ = state.reduce(.key(.tab), env)
        _ = state.reduce(.key(.tab), env)
        #expect(state.focus == .list)
        _ = state.reduce(.key(.up), env)    // frame 78: not tunnelled
        #expect(state.focus == .list, "moving in the list keeps the focus there")
        #expect(state.tree?.metadata.number == 78)
        #expect(state.lesson == nil)
        #expect(state.message == "No walkthrough for this packet")
    }

    @Test func aFilterThatMovesTheSelectionMovesTheLesson() {
        var (state, env) = stateOnFrame73()
        _ = state.reduce(.key(.character("w")), env)
        _ = state.reduce(.key(.character("n")), env)
        // What the app loop does when a filter's result arrives: frames 76 and 79 only.
        state.setFilterResult([75, 78], scanned: 89, complete: true, env: env)
        state.lessonFollowsSelection(env)
        #expect(state.tree?.metadata.number == 76)
        #expect(state.lesson?.frameNumber == 76)
        #expect(state.lesson?.index == 0)
        state.setFilterResult([], scanned: 89, complete: true, env: env)
        state.lessonFollowsSelection(env)
        #expect(state.lesson == nil)
    }
}
