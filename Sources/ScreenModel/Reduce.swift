import PacketDecoder

/// What `reduce` may consult: the packets and the filter compiler (for live validation).
public struct Environment {
    public var source: PacketSource
    public var checkFilter: (String) -> FilterCheck
    /// The walkthrough of a packet for the lesson panel (`w`); nil: no walkthroughs.
    public var lessonFor: ((PacketTree) -> LessonState?)?

    public init(source: PacketSource, checkFilter: @escaping (String) -> FilterCheck) {
        self.source = source
        self.checkFilter = checkFilter
    }
}

extension AppState {
    /// Bytes per hex row.
    static let hexBytesPerRow = 16

    // MARK: Source updates

    /// Takes in what the source has now (more packets indexed or captured).
    public mutating func refresh(from env: Environment) {
        let before = packetCount
        // Paused: capture goes on, the list keeps what it had.
        if paused && live != nil { return }
        packetCount = env.source.count
        sourceComplete = env.source.isComplete
        sourceName = env.source.name
        loadedFraction = env.source.loadedFraction
        if before == 0 && packetCount > 0 {
            var first = PacketTree()
            env.source.decode(0, into: &first)
            firstTime = (first.metadata.seconds, first.metadata.nanoseconds)
            selectRow(0, env)
        }
        if follow && view == nil && packetCount > before { selectRow(packetCount - 1, env) }
        if let number = pendingGoTo, number <= packetCount || sourceComplete {
            pendingGoTo = nil
            message = nil
            goTo(packetNumber: number, env)
        }
    }

    /// Installs the rows a filter matched so far (`complete` once it has seen every packet).
    public mutating func setFilterResult(_ rows: [Int32]?, scanned: Int, complete: Bool, env: Environment) {
        let previous = packetIndex(atRow: selectedRow)
        view = rows
        filterScanned = scanned
        filterComplete = complete
        // Keep the selected packet if it is still shown, else the nearest row.
        var row = 0
        if let previous {
            if let rows {
                row = Self.lowerBound(rows, Int32(previous))
                if row >= rows.count { row = max(0, rows.count - 1) }
            } else {
                row = previous
            }
        }
        selectRow(row, env, force: true)
    }

    /// Adds rows a running filter has just matched (the list fills as matches arrive). The
    /// selection stays on its packet; with nothing shown yet, the first match is selected.
    public mutating func appendFilterRows(_ rows: [Int32], scanned: Int, complete: Bool, env: Environment) {
        let wasEmpty = view?.isEmpty ?? true
        if view == nil { view = [] }
        view!.append(contentsOf: rows)
        filterScanned = scanned
        filterComplete = complete
        if wasEmpty && !view!.isEmpty { selectRow(0, env, force: true) }
        if view!.isEmpty { tree = nil; treeLines = [] }
    }

    static func lowerBound(_ rows: [Int32], _ value: Int32) -> Int {
        var lo = 0, hi = rows.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if rows[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    // MARK: Events

    /// Applies one input event; returns what the app loop must do.
    public mutating func reduce(_ event: InputEvent, _ env: Environment) -> [Effect] {
        switch event {
        case .resize(let w, let h):
            width = w
            height = h
            scrollIntoView()
            return [.redraw]
        case .mouse(let x, let y, let button):
            if lesson != nil && !showHelp && lessonMouse(x: x, y: y, button: button) { return [] }
            defer { lessonFollowsSelection(env) }
            return mouse(x: x, y: y, button: button, env)
        case .key(.control("c")):
            // Raw mode turns Ctrl-C into a key: it quits from anywhere.
            quitRequested = true
            return [.quit]
        case .key(let key):
            message = nil
            pendingGoTo = nil
            if showHelp {
                showHelp = false
                return key == .character("q") ? [] : []
            }
            if prompt != nil { return promptKey(key) }
            if lesson != nil { return lessonKey(key, env) }
            if filterBar != nil { return filterKey(key, env) }
            if gotoText != nil { return gotoKey(key, env) }
            return normalKey(key, env)
        }
    }

    mutating func normalKey(_ key: Key, _ env: Environment) -> [Effect] {
        switch key {
        case .character("q"):
            if let live, live.temporary, !live.saved, packetCount > 0 {
                prompt = .confirmQuit
                return []
            }
            quitRequested = true
            return [.quit]
        case .character("p") where live != nil:
            paused.toggle()
            message = paused ? "Paused: capture goes on, the list waits (p resumes)" : nil
            if !paused { refresh(from: env) }
        case .character("s"), .character("S"):
            let onlyShown = key == .character("S")
            if onlyShown && view == nil { message = "No display filter: S saves what is shown, s saves everything" }
            prompt = .save(text: Self.defaultSaveName(live: live), onlyShown: onlyShown)
        case .character("?"), .function(1):
            showHelp = true
        case .character("/"):
            let text = appliedFilter
            filterBar = FilterBar(text: text, caret: text.count, check: env.checkFilter(text), historyIndex: nil)
        case .character(":"):
            gotoText = ""
        case .tab:
            focus = Pane(rawValue: (focus.rawValue + 1) % 3)!
            if zoomed != nil { zoomed = focus }
        case .backTab:
            focus = Pane(rawValue: (focus.rawValue + 2) % 3)!
            if zoomed != nil { zoomed = focus }
        case .character("z"):
            zoomed = zoomed == nil ? focus : nil
            scrollIntoView()
        case .character("t"):
            let all = TimeMode.allCases
            timeMode = all[(all.firstIndex(of: timeMode)! + 1) % all.count]
        case .character("w"):
            openLesson(env)
        case .character("f"):
            follow.toggle()
            message = follow ? "Following new packets" : "Not following new packets"
            if follow && view == nil && packetCount > 0 { selectRow(packetCount - 1, env) }
        case .character("+"), .character("="):
            resizePane(by: 1)
        case .character("-"):
            resizePane(by: -1)
        case .control("l"):
            return [.redraw]
        default:
            switch focus {
            case .list: listKey(key, env)
            case .tree: treeKey(key)
            case .hex: hexKey(key)
            }
        }
        return []
    }

    mutating func resizePane(by delta: Int) {
        let layout = Layout(self)
        guard let list = layout.list, let tree = layout.tree else { return }
        switch focus {
        case .list: listRows = list.height + delta
        case .tree: treeRows = tree.height + delta; listRows = list.height
        case .hex: treeRows = tree.height - delta; listRows = list.height
        }
        scrollIntoView()
    }

    // MARK: List

    mutating func listKey(_ key: Key, _ env: Environment) {
        let page = max(1, (Layout(self).list?.height ?? 10) - 1)
        switch key {
        case .up, .character("k"): selectRow(selectedRow - 1, env); follow = false
        case .down, .character("j"): selectRow(selectedRow + 1, env)
        case .pageUp, .control("b"): selectRow(selectedRow - page, env); follow = false
        case .pageDown, .control("f"), .character(" "): selectRow(selectedRow + page, env)
        case .home, .character("g"): selectRow(0, env); follow = false
        case .end, .character("G"): selectRow(rowCount - 1, env)
        case .enter, .right, .character("l"): focus = .tree
        default: break
        }
    }

    /// Selects list row `row` (clamped) and decodes its packet.
    public mutating func selectRow(_ row: Int, _ env: Environment, force: Bool = false) {
        guard rowCount > 0 else {
            tree = nil
            treeLines = []
            selectedRow = 0
            return
        }
        let clamped = max(0, min(rowCount - 1, row))
        let changed = clamped != selectedRow || tree == nil || force
        selectedRow = clamped
        if changed, let index = packetIndex(atRow: clamped) {
            let keepField = selectedNode.flatMap { tree?.nodes[$0].field }
            var decoded = tree ?? PacketTree()
            env.source.decode(index, into: &decoded)
            tree = decoded
            rebuildTreeLines()
            // Keep the cursor on the same field where the new packet has it.
            treeCursor = 0
            if let keepField, let line = treeLines.firstIndex(where: { decoded.nodes[$0.node].field == keepField }) {
                treeCursor = line
            }
            syncHexToTree()
        }
        scrollIntoView()
    }

    // MARK: Tree

    mutating func treeKey(_ key: Key) {
        let page = max(1, (Layout(self).tree?.height ?? 10) - 1)
        switch key {
        case .up, .character("k"): moveTreeCursor(to: treeCursor - 1)
        case .down, .character("j"): moveTreeCursor(to: treeCursor + 1)
        case .pageUp: moveTreeCursor(to: treeCursor - page)
        case .pageDown: moveTreeCursor(to: treeCursor + page)
        case .home, .character("g"): moveTreeCursor(to: 0)
        case .end, .character("G"): moveTreeCursor(to: treeLines.count - 1)
        case .right, .character("l"): setExpanded(true)
        case .left, .character("h"):
            if let line = currentLine, line.hasChildren && line.expanded { setExpanded(false) } else { moveToParent() }
        case .enter, .character(" "):
            if let line = currentLine, line.hasChildren { setExpanded(!line.expanded) }
        case .character("e"): expandAll(true)
        case .character("c"): expandAll(false)
        case .character("x"): expandLayer()
        default: break
        }
    }

    var currentLine: TreeLine? { treeCursor < treeLines.count ? treeLines[treeCursor] : nil }

    mutating func moveTreeCursor(to line: Int) {
        guard !treeLines.isEmpty else { return }
        treeCursor = max(0, min(treeLines.count - 1, line))
        syncHexToTree()
        scrollIntoView()
    }

    mutating func setExpanded(_ open: Bool) {
        guard let tree, let line = currentLine, line.hasChildren else { return }
        let field = tree.nodes[line.node].field
        if open { expanded.insert(field) } else { expanded.remove(field) }
        let node = line.node
        rebuildTreeLines()
        treeCursor = treeLines.firstIndex { $0.node == node } ?? 0
        scrollIntoView()
    }

    mutating func moveToParent() {
        guard let tree, let line = currentLine, let parent = tree.parent(of: line.node) else { return }
        if let index = treeLines.firstIndex(where: { $0.node == parent }) { moveTreeCursor(to: index) }
    }

    /// Expands (or collapses) every subtree of the packet.
    mutating func expandAll(_ open: Bool) {
        guard let tree else { return }
        let node = selectedNode
        for i in tree.nodes.indices where Int(tree.nodes[i].subtreeEnd) > i + 1 {
            if open { expanded.insert(tree.nodes[i].field) } else { expanded.remove(tree.nodes[i].field) }
        }
        rebuildTreeLines()
        treeCursor = node.flatMap { n in treeLines.firstIndex { $0.node == n } } ?? 0
        if !open { treeCursor = min(treeCursor, treeLines.count - 1) }
        scrollIntoView()
    }

    /// Expands every subtree of the layer under the cursor.
    mutating func expandLayer() {
        guard let tree, let node = selectedNode else { return }
        let layer = tree.layer(of: node)
        for i in layer..<Int(tree.nodes[layer].subtreeEnd) where Int(tree.nodes[i].subtreeEnd) > i + 1 {
            expanded.insert(tree.nodes[i].field)
        }
        rebuildTreeLines()
        treeCursor = treeLines.firstIndex { $0.node == node } ?? 0
        scrollIntoView()
    }

    /// Recomputes the visible tree lines from the tree and the expanded set.
    public mutating func rebuildTreeLines() {
        treeLines = []
        guard let tree else { return }
        var i = 0
        let nodes = tree.nodes
        while i < nodes.count {
            let n = nodes[i]
            if n.flags.contains(.hidden) {
                i = Int(n.subtreeEnd)
                continue
            }
            let hasChildren = Self.hasVisibleChildren(tree, i)
            let open = hasChildren && expanded.contains(n.field)
            treeLines.append(TreeLine(node: i, depth: Int(n.depth), hasChildren: hasChildren, expanded: open))
            i = open ? i + 1 : Int(n.subtreeEnd)
        }
    }

    static func hasVisibleChildren(_ tree: PacketTree, _ index: Int) -> Bool {
        var c = index + 1
        let end = Int(tree.nodes[index].subtreeEnd)
        while c < end {
            if !tree.nodes[c].flags.contains(.hidden) { return true }
            c = Int(tree.nodes[c].subtreeEnd)
        }
        return false
    }

    /// Puts the hex cursor on the first byte of the selected field.
    mutating func syncHexToTree() {
        guard let tree, let node = selectedNode else { return }
        let n = tree.nodes[node]
        if n.length > 0 && Int(n.offset) < tree.bytes.count { hexCursor = Int(n.offset) }
    }

    // MARK: Hex

    mutating func hexKey(_ key: Key) {
        guard let tree, !tree.bytes.isEmpty else { return }
        let row = Self.hexBytesPerRow
        var target = hexCursor
        switch key {
        case .left, .character("h"): target -= 1
        case .right, .character("l"): target += 1
        case .up, .character("k"): target -= row
        case .down, .character("j"): target += row
        case .home, .character("g"): target = 0
        case .end, .character("G"): target = tree.bytes.count - 1
        case .pageUp: target -= row * max(1, (Layout(self).hex?.height ?? 4) - 1)
        case .pageDown: target += row * max(1, (Layout(self).hex?.height ?? 4) - 1)
        default: return
        }
        selectByte(max(0, min(tree.bytes.count - 1, target)))
    }

    /// Moves the hex cursor to `offset` and selects the innermost field covering it; the tree
    /// expands what it must to show that field.
    public mutating func selectByte(_ offset: Int) {
        guard let tree else { return }
        hexCursor = offset
        let covering = tree.nodes(covering: offset)
        if let innermost = covering.last {
            // Open every ancestor so the field has a line.
            var p = tree.parent(of: innermost)
            while let q = p {
                expanded.insert(tree.nodes[q].field)
                p = tree.parent(of: q)
            }
            rebuildTreeLines()
            if let line = treeLines.firstIndex(where: { $0.node == innermost }) { treeCursor = line }
        }
        scrollIntoView()
    }

    // MARK: Filter bar and goto

    mutating func filterKey(_ key: Key, _ env: Environment) -> [Effect] {
        guard var bar = filterBar else { return [] }
        var text = Array(bar.text)
        var edited = false
        switch key {
        case .escape:
            filterBar = nil
            return []
        case .enter:
            if case .invalid(let message, let column, _) = bar.check {
                self.message = "Invalid filter (column \(column)): \(message)"
                return []
            }
            filterBar = nil
            let applied = bar.text.trimmingSpaces
            if !applied.isEmpty && filterHistory.last != applied { filterHistory.append(applied) }
            appliedFilter = applied
            return [.applyFilter(applied)]
        case .backspace:
            if bar.caret > 0 { text.remove(at: bar.caret - 1); bar.caret -= 1; edited = true }
        case .delete, .control("d"):
            if bar.caret < text.count { text.remove(at: bar.caret); edited = true }
        case .left: bar.caret = max(0, bar.caret - 1)
        case .right: bar.caret = min(text.count, bar.caret + 1)
        case .home, .control("a"): bar.caret = 0
        case .end, .control("e"): bar.caret = text.count
        case .control("u"): text.removeAll(); bar.caret = 0; edited = true
        case .up, .down:
            guard !filterHistory.isEmpty else { break }
            var index = bar.historyIndex ?? filterHistory.count
            index += key == .up ? -1 : 1
            index = max(0, min(filterHistory.count, index))
            bar.historyIndex = index
            text = index < filterHistory.count ? Array(filterHistory[index]) : []
            bar.caret = text.count
            edited = true
        case .character(let c):
            text.insert(c, at: bar.caret)
            bar.caret += 1
            edited = true
        default:
            break
        }
        bar.text = String(text)
        if edited { bar.check = env.checkFilter(bar.text) }
        filterBar = bar
        return []
    }

    static func defaultSaveName(live: LiveState?) -> String {
        "tunnelscope-\(live?.interface ?? "capture").pcap"
    }

    /// Keys while a question is asked on the bottom line.
    mutating func promptKey(_ key: Key) -> [Effect] {
        guard let current = prompt else { return [] }
        switch current {
        case .confirmQuit:
            switch key {
            case .character("y"), .character("s"):
                prompt = .save(text: Self.defaultSaveName(live: live), onlyShown: false)
                quitAfterSave = true
            case .character("n"), .character("q"):
                prompt = nil
                quitRequested = true
                return [.quit]
            default:
                prompt = nil
            }
        case .save(var text, let onlyShown):
            switch key {
            case .escape:
                prompt = nil
                quitAfterSave = false
            case .enter:
                prompt = nil
                guard !text.isEmpty else { return [] }
                var effects: [Effect] = [.save(path: text, onlyShown: onlyShown)]
                if quitAfterSave { quitRequested = true; effects.append(.quit) }
                return effects
            case .backspace:
                text = String(text.dropLast())
                prompt = .save(text: text, onlyShown: onlyShown)
            case .control("u"):
                prompt = .save(text: "", onlyShown: onlyShown)
            case .character(let c):
                prompt = .save(text: text + String(c), onlyShown: onlyShown)
            default:
                break
            }
        }
        return []
    }

    mutating func gotoKey(_ key: Key, _ env: Environment) -> [Effect] {
        guard let text = gotoText else { return [] }
        switch key {
        case .escape: gotoText = nil
        case .backspace: gotoText = String(text.dropLast())
        case .character(let c) where c.isASCII && c.isNumber: gotoText = text + String(c)
        case .enter:
            gotoText = nil
            guard let number = Int(text), number >= 1 else { message = "Not a packet number: \(text)"; break }
            goTo(packetNumber: number, env)
        default: break
        }
        return []
    }

    /// Selects packet `index` (0-based) if it is shown, else the next shown one.
    public mutating func selectPacket(_ index: Int, _ env: Environment) {
        if let view {
            guard !view.isEmpty else { return }
            selectRow(min(Self.lowerBound(view, Int32(index)), view.count - 1), env)
        } else {
            selectRow(index, env)
        }
    }

    /// Selects the row of packet `number` (1-based), or the nearest shown one.
    public mutating func goTo(packetNumber number: Int, _ env: Environment) {
        guard number <= packetCount else {
            if sourceComplete {
                message = "No packet \(number): there are \(packetCount)"
            } else {
                // Still reading: jump when it is there (`refresh`).
                pendingGoTo = number
                message = "Packet \(number) is not read yet: going there when it is (any key cancels)"
            }
            return
        }
        if let view {
            let row = Self.lowerBound(view, Int32(number - 1))
            if row >= view.count || view[row] != Int32(number - 1) {
                message = "Packet \(number) is hidden by the filter; showing the next one"
            }
            selectRow(min(row, view.count - 1), env)
        } else {
            selectRow(number - 1, env)
        }
        follow = false
    }

    // MARK: Mouse

    mutating func mouse(x: Int, y: Int, button: MouseButton, _ env: Environment) -> [Effect] {
        let layout = Layout(self)
        if showHelp { showHelp = false; return [] }
        switch button {
        case .wheelUp, .wheelDown:
            let step = button == .wheelUp ? -3 : 3
            if let r = layout.list, r.contains(x: x, y: y) { selectRow(selectedRow + step, env) }
            else if let r = layout.tree, r.contains(x: x, y: y) { moveTreeCursor(to: treeCursor + step) }
            else if let r = layout.hex, r.contains(x: x, y: y) {
                hexTop = max(0, hexTop + step)
            }
        case .left:
            if let r = layout.list, r.contains(x: x, y: y) {
                focus = .list
                selectRow(listTop + (y - r.y), env)
            } else if let r = layout.tree, r.contains(x: x, y: y) {
                focus = .tree
                let line = treeTop + (y - r.y)
                if line < treeLines.count {
                    if line == treeCursor, treeLines[line].hasChildren { setExpanded(!treeLines[line].expanded) }
                    else { moveTreeCursor(to: line) }
                }
            } else if let r = layout.hex, r.contains(x: x, y: y) {
                focus = .hex
                if let offset = HexGeometry.byte(atColumn: x - r.x, row: hexTop + (y - r.y)),
                   let tree, offset < tree.bytes.count {
                    selectByte(offset)
                }
            }
        }
        return []
    }

    // MARK: Scrolling

    /// Keeps the cursors of every pane on screen.
    public mutating func scrollIntoView() {
        let layout = Layout(self)
        if let list = layout.list {
            if selectedRow < listTop { listTop = selectedRow }
            if selectedRow >= listTop + list.height { listTop = selectedRow - list.height + 1 }
            listTop = max(0, min(listTop, max(0, rowCount - list.height)))
        }
        if let t = layout.tree {
            if treeCursor < treeTop { treeTop = treeCursor }
            if treeCursor >= treeTop + t.height { treeTop = treeCursor - t.height + 1 }
            treeTop = max(0, min(treeTop, max(0, treeLines.count - t.height)))
        }
        if let h = layout.hex {
            let row = hexCursor / Self.hexBytesPerRow
            if row < hexTop { hexTop = row }
            if row >= hexTop + h.height { hexTop = row - h.height + 1 }
        }
    }
}

/// Columns of the hex pane: "0000  xx xx xx xx xx xx xx xx  xx xx ... xx  ascii".
public enum HexGeometry {
    /// The column of byte `i` (0...15) within a hex row.
    public static func hexColumn(_ i: Int) -> Int { 6 + i * 3 + (i >= 8 ? 1 : 0) }
    public static func asciiColumn(_ i: Int) -> Int { 6 + 16 * 3 + 2 + i + (i >= 8 ? 1 : 0) }

    /// The byte offset at a column of a hex row, from either the hex or the ASCII part.
    public static func byte(atColumn column: Int, row: Int) -> Int? {
        for i in 0..<16 {
            let h = hexColumn(i)
            if column >= h && column < h + 2 { return row * 16 + i }
            if column == asciiColumn(i) { return row * 16 + i }
        }
        return nil
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
