import Testing
import PacketDecoder
import ScreenModel
import TestSupport

/// Decoded frames of a shared capture as a PacketSource.
final class FixtureSource: PacketSource {
    let name: String
    let frames: [PacketTree]
    init(_ capture: String) {
        name = capture
        frames = Fixtures.decodeAll(Fixtures.capture(capture)).frames
    }
    var count: Int { frames.count }
    var isComplete: Bool { true }
    var loadedFraction: Double? { 1 }
    func decode(_ index: Int, into tree: inout PacketTree) { tree = frames[index] }
}

/// A filter checker for the model tests: "bad" anywhere is an error at its column.
func fakeCheck(_ text: String) -> FilterCheck {
    if text.isEmpty { return .empty }
    if let r = text.range(of: "bad") {
        return .invalid(message: "\"bad\" is not a valid protocol or protocol field.", column: text.distance(from: text.startIndex, to: r.lowerBound) + 1, length: 3)
    }
    return .valid
}

@Suite("screen model")
struct ScreenModelTests {
    let source = FixtureSource("article-tunnel.pcap")
    var env: Environment { Environment(source: source, checkFilter: fakeCheck) }

    func start(width: Int = 80, height: Int = 24) -> AppState {
        var state = AppState(width: width, height: height)
        state.refresh(from: env)
        return state
    }

    mutating func type(_ state: inout AppState, _ keys: [Key]) -> [Effect] {
        var effects: [Effect] = []
        for k in keys { effects += state.reduce(.key(k), env) }
        return effects
    }

    @Test mutating func selectingIPProtoHighlightsExactlyItsByte() {
        var state = start()
        _ = type(&state, [.character(":"), .character("7"), .character("3"), .enter])
        #expect(state.tree?.metadata.number == 73)
        _ = type(&state, [.tab])  // focus the tree
        // Move to the IPv4 layer line and unfold it.
        while let node = state.selectedNode, state.tree!.nodes[node].field != IPv4Layer.ip { _ = type(&state, [.down]) }
        _ = type(&state, [.right])
        while let node = state.selectedNode, state.tree!.nodes[node].field != IPv4Layer.proto { _ = type(&state, [.down]) }
        let screen = state.render(env)
        // The hex pane: only offset 0x17 (23) carries the selection role.
        var selected: [(Int, Int)] = []
        for y in 0..<screen.height { for x in 0..<screen.width where screen[x, y].role == .hexSelected { selected.append((x, y)) } }
        let hexRow = selected.first.map { screen.line($0.1) } ?? ""
        #expect(hexRow.hasPrefix("0010  "))
        #expect(selected.count == 3)  // "29" and its ASCII cell ")"
        #expect(selected.map(\.0).sorted() == [HexGeometry.hexColumn(7), HexGeometry.hexColumn(7) + 1, HexGeometry.asciiColumn(7)])
        #expect(screen.line(22).contains("ip.proto [23]"))
    }

    @Test mutating func hexCursorSelectsTheInnermostFieldAndTheTreeFollows() {
        var state = start()
        state.goTo(packetNumber: 73, env)
        _ = type(&state, [.tab, .tab])  // bytes pane
        state.selectByte(41)  // inner IPv6 hop limit
        let node = state.selectedNode.map { state.tree!.nodes[$0] }
        #expect(node?.field == IPv6Layer.hopLimit)
        #expect(node?.value == .unsigned(63))
        _ = type(&state, [.left])  // byte 40: next header
        #expect(state.selectedNode.map { state.tree!.nodes[$0].field } == IPv6Layer.nextHeader)
    }

    @Test mutating func expandedLayersSurviveMovingToAnotherPacket() {
        var state = start()
        state.goTo(packetNumber: 73, env)
        _ = type(&state, [.tab])
        while let node = state.selectedNode, state.tree!.nodes[node].field != IPv6Layer.ipv6 { _ = type(&state, [.down]) }
        _ = type(&state, [.right])
        #expect(state.expanded.contains(IPv6Layer.ipv6))
        _ = type(&state, [.tab, .tab])  // back to the list
        _ = type(&state, [.down])
        #expect(state.tree?.metadata.number == 74)
        #expect(state.treeLines.contains { state.tree!.nodes[$0.node].field == IPv6Layer.hopLimit })
    }

    @Test mutating func filterBarValidatesAsYouTypeAndAppliesOnEnter() {
        var state = start()
        _ = type(&state, [.character("/")])
        for c in "ip.bad" { _ = type(&state, [.character(c)]) }
        guard case .invalid(_, let column, _)? = state.filterBar?.check else { Issue.record("not invalid"); return }
        #expect(column == 4)
        var screen = state.render(env)
        #expect(screen.line(23).hasPrefix("Filter: ip.bad"))
        #expect(screen[8 + 3, 23].role == .filterError)
        #expect(screen.line(22).contains("column 4:"))
        // Enter on an invalid filter applies nothing.
        #expect(type(&state, [.enter]).isEmpty)
        _ = type(&state, [.control("u")])
        for c in "ip.proto == 41" { _ = type(&state, [.character(c)]) }
        #expect(state.filterBar?.check == .valid)
        screen = state.render(env)
        #expect(screen[0, 23].role == .filterValid)
        #expect(type(&state, [.enter]) == [.applyFilter("ip.proto == 41")])
        #expect(state.filterHistory == ["ip.proto == 41"])
        // History recall.
        _ = type(&state, [.character("/"), .control("u"), .up])
        #expect(state.filterBar?.text == "ip.proto == 41")
        _ = type(&state, [.escape])
        #expect(state.filterBar == nil)
    }

    @Test mutating func filterResultKeepsTheSelectionWhereItCan() {
        var state = start()
        state.goTo(packetNumber: 73, env)
        state.setFilterResult([71, 72, 73], scanned: 89, complete: true, env: env)
        #expect(state.tree?.metadata.number == 73)
        #expect(state.render(env).line(22).contains("3 shown of 89"))
    }

    @Test mutating func tunnelRowsStandOutAndTimeCycles() {
        var state = start()
        state.goTo(packetNumber: 76, env)
        let screen = state.render(env)
        var sawTunnelRow = false
        for y in 1..<9 where screen[0, y].role == .listRowTunnel { sawTunnelRow = true }
        #expect(sawTunnelRow)
        _ = type(&state, [.character("t")])
        #expect(state.render(env).line(0).contains("Time (UTC)"))
    }

    @Test mutating func resizeAndTooSmall() {
        var state = start()
        _ = state.reduce(.resize(width: 100, height: 30), env)
        #expect(state.render(env).width == 100)
        _ = state.reduce(.resize(width: 60, height: 20), env)
        #expect(state.render(env).line(0).hasPrefix("Terminal too small: 60×20"))
        _ = state.reduce(.resize(width: 80, height: 24), env)
        #expect(state.render(env).line(0).hasPrefix("No."))
    }

    @Test mutating func zoomHelpAndQuit() {
        var state = start()
        _ = type(&state, [.tab, .character("z")])
        #expect(state.zoomed == .tree)
        #expect(state.render(env).line(0).contains("Frame 1"))
        _ = type(&state, [.character("z"), .character("?")])
        #expect(state.render(env).text.contains("tunnelscope keys"))
        _ = type(&state, [.character("x")])
        #expect(!state.showHelp)
        #expect(type(&state, [.character("q")]) == [.quit])
    }

    @Test mutating func mouseSelectsRowsFieldsAndBytes() {
        var state = start()
        _ = state.reduce(.mouse(x: 10, y: 3, button: .left), env)
        #expect(state.tree?.metadata.number == 3)
        let layout = Layout(state)
        let hex = layout.hex!
        _ = state.reduce(.mouse(x: HexGeometry.hexColumn(12), y: hex.y, button: .left), env)  // byte 12: eth.type
        #expect(state.selectedNode.map { state.tree!.nodes[$0].field } == EthernetLayer.type)
        _ = state.reduce(.mouse(x: 5, y: 3, button: .wheelDown), env)
        #expect(state.selectedRow == 5)
    }

    @Test mutating func snapshotOfTheFirstScreen() {
        var state = start()
        state.goTo(packetNumber: 73, env)
        let text = state.render(env).text
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 24)
        #expect(lines[0].hasPrefix("No.   Time       Source         Destination    Protocol Length Info"))
        #expect(lines.contains { $0.hasPrefix("73    ") && $0.contains("2001:2::8067") && $0.contains("[6in4] Echo") }, "\n\(text)")
        #expect(lines.contains { $0.contains("Frame 73: 138 bytes on wire, 138 captured") })
        #expect(lines.contains { $0.hasPrefix("0000  52 54 00 2b 01 cc 52 54  00 f0 85 c7 08 00 45 00  RT.+..RT ......E.") })
    }
}

/// No packets at all, or none yet.
final class EmptySource: PacketSource {
    let name = "empty.pcap"
    var count: Int { 0 }
    var isComplete: Bool
    var loadedFraction: Double? { isComplete ? 1 : 0 }
    init(complete: Bool) { isComplete = complete }
    func decode(_ index: Int, into tree: inout PacketTree) {}
}

@Suite("screen model without packets")
struct EmptyScreenTests {
    @Test func emptyCaptureAndWaitingAndNoMatch() {
        for (complete, text) in [(true, "The capture holds no packets."), (false, "Waiting for packets…")] {
            let env = Environment(source: EmptySource(complete: complete), checkFilter: fakeCheck)
            var state = AppState(width: 80, height: 24)
            state.refresh(from: env)
            #expect(state.render(env).line(1).contains(text))
            _ = state.reduce(.key(.down), env)  // no trap with nothing to select
            #expect(state.tree == nil)
        }
        let source = FixtureSource("article-echo-request.pcap")
        let env = Environment(source: source, checkFilter: fakeCheck)
        var state = AppState(width: 80, height: 24)
        state.refresh(from: env)
        state.setFilterResult([], scanned: 1, complete: true, env: env)
        #expect(state.render(env).line(1).contains("No packets match the filter."))
    }
}

/// A file still being indexed: its packets arrive a few at a time.
final class GrowingSource: PacketSource {
    let name = "article-tunnel.pcap"
    let frames = Fixtures.decodeAll(Fixtures.capture("article-tunnel.pcap")).frames
    var available = 10
    var count: Int { min(available, frames.count) }
    var isComplete: Bool { available >= frames.count }
    var loadedFraction: Double? { Double(count) / Double(frames.count) }
    func decode(_ index: Int, into tree: inout PacketTree) { tree = frames[index] }
}

@Suite("go-to while loading")
struct PendingGoToTests {
    @Test func goToAPacketNotReadYetJumpsWhenItArrives() {
        let source = GrowingSource()
        let env = Environment(source: source, checkFilter: fakeCheck)
        var state = AppState(width: 80, height: 24)
        state.refresh(from: env)
        for key: Key in [.character(":"), .character("7"), .character("3"), .enter] { _ = state.reduce(.key(key), env) }
        #expect(state.pendingGoTo == 73)
        #expect(state.message?.contains("not read yet") == true)
        #expect(state.selectedRow == 0)
        source.available = 50
        state.refresh(from: env)
        #expect(state.pendingGoTo == 73)   // still not there
        source.available = 200
        state.refresh(from: env)
        #expect(state.pendingGoTo == nil)
        #expect(state.selectedRow == 72)
        #expect(state.render(env).text.contains("Frame 73: 138 bytes on wire"))
    }

    @Test func aKeyCancelsAndACompleteFileSaysThereIsNone() {
        let source = GrowingSource()
        let env = Environment(source: source, checkFilter: fakeCheck)
        var state = AppState(width: 80, height: 24)
        state.refresh(from: env)
        for key: Key in [.character(":"), .character("7"), .character("3"), .enter] { _ = state.reduce(.key(key), env) }
        _ = state.reduce(.key(.down), env)
        #expect(state.pendingGoTo == nil)
        source.available = 200
        state.refresh(from: env)
        #expect(state.selectedRow == 1)     // the down key, not the cancelled jump
        for key: Key in [.character(":"), .character("9"), .character("9"), .character("9"), .enter] { _ = state.reduce(.key(key), env) }
        #expect(state.pendingGoTo == nil)
        #expect(state.message?.hasPrefix("No packet 999: there are") == true)
    }
}
