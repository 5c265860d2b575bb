import Foundation
import Testing
import PacketDecoder
import ScreenModel
import TestSupport

/// Whole screens as text, compared with reviewed snapshots in Snapshots/. After a deliberate
/// change, `UPDATE_SNAPSHOTS=1 swift test --filter SnapshotTests` rewrites them: review the diff.
@Suite("screen snapshots")
struct SnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    func check(_ screen: Screen, _ name: String) throws {
        let url = Self.directory.appendingPathComponent(name + ".txt")
        let text = screen.text + "\n"
        if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] != nil {
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(name) differs from its snapshot:\n\(text)")
    }

    @Test func frame73WithIPv4UnfoldedAndItsProtocolSelected() throws {
        let source = FixtureSource("article-tunnel.pcap")
        let env = Environment(source: source, checkFilter: fakeCheck)
        var state = AppState(width: 80, height: 24)
        state.refresh(from: env)
        state.goTo(packetNumber: 73, env)
        _ = state.reduce(.key(.tab), env)
        while let n = state.selectedNode, state.tree!.nodes[n].field != IPv4Layer.ip { _ = state.reduce(.key(.down), env) }
        _ = state.reduce(.key(.right), env)
        while let n = state.selectedNode, state.tree!.nodes[n].field != IPv4Layer.proto { _ = state.reduce(.key(.down), env) }
        try check(state.render(env), "frame73-ip-proto-80x24")
    }

    @Test func filteredListAtOneHundredColumns() throws {
        let source = FixtureSource("article-tunnel.pcap")
        let env = Environment(source: source, checkFilter: fakeCheck)
        var state = AppState(width: 100, height: 30)
        state.refresh(from: env)
        state.appliedFilter = "frame.number in {24 25 28 29 73 75}"
        state.setFilterResult([23, 24, 27, 28, 72, 74], scanned: 89, complete: true, env: env)
        try check(state.render(env), "filtered-100x30")
    }

    @Test func helpOverlay() throws {
        let source = FixtureSource("article-tunnel.pcap")
        let env = Environment(source: source, checkFilter: fakeCheck)
        var state = AppState(width: 80, height: 24)
        state.refresh(from: env)
        _ = state.reduce(.key(.character("?")), env)
        try check(state.render(env), "help-80x24")
    }
}
