import PacketDecoder
import PacketOutput

extension AppState {
    /// Draws the whole screen. Decodes only the rows on screen (and the selected packet, which
    /// the state holds already).
    public func render(_ env: Environment) -> Screen {
        var screen = Screen(width: width, height: height)
        let layout = Layout(self)
        if layout.tooSmall {
            let text = "Terminal too small: \(width)×\(height); tunnelscope needs at least \(Layout.minimumWidth)×\(Layout.minimumHeight)."
            screen.put(text, x: 0, y: 0, role: .warning, maxWidth: width)
            if height > 1 { screen.put("Enlarge the window, or press q to quit.", x: 0, y: 1, role: .normal, maxWidth: width) }
            return screen
        }
        if let header = layout.listHeader, let list = layout.list {
            drawList(&screen, header: header, list: list, env)
        }
        if let title = layout.treeTitle { drawTreeTitle(&screen, title) }
        if let tree = layout.tree { drawTree(&screen, tree) }
        if let title = layout.hexTitle { drawHexTitle(&screen, title) }
        if let hex = layout.hex { drawHex(&screen, hex) }
        drawStatus(&screen, layout.status)
        drawBottom(&screen, layout.bottom)
        if lesson != nil { drawLesson(&screen, layout) }
        if showHelp { drawHelp(&screen) }
        return screen
    }

    // MARK: Packet list

    /// Column widths for a given screen width: No., Time, Source, Destination, Protocol, Length, Info.
    static func columns(width: Int) -> [Int] {
        let fixed = [6, 11, 0, 0, 9, 7]
        let addressWidth = max(15, min(39, (width - 33) / 3))
        var c = fixed
        c[2] = addressWidth
        c[3] = addressWidth
        return c
    }

    func drawList(_ screen: inout Screen, header: Layout.Rect, list: Layout.Rect, _ env: Environment) {
        let c = Self.columns(width: width)
        let titles = ["No.", timeMode.title, "Source", "Destination", "Protocol", "Length", "Info"]
        screen.fill(x: 0, y: header.y, width: width, role: focus == .list ? .paneTitleFocused : .listHeader)
        var x = 0
        for (i, title) in titles.enumerated() {
            screen.put(title, x: x, y: header.y, role: focus == .list ? .paneTitleFocused : .listHeader,
                       maxWidth: i < c.count ? c[i] - 1 : width - x)
            x += i < c.count ? c[i] : 0
        }
        var tree = PacketTree()
        var previousTime: (Int64, UInt32)?
        if timeMode == .delta, listTop > 0, let prev = packetIndex(atRow: listTop - 1) {
            env.source.decode(prev, into: &tree)
            previousTime = (tree.metadata.seconds, tree.metadata.nanoseconds)
        }
        for r in 0..<list.height {
            let row = listTop + r
            guard let index = packetIndex(atRow: row) else { break }
            let y = list.y + r
            env.source.decode(index, into: &tree)
            let m = tree.metadata
            let summary = tree.summary
            let selected = row == selectedRow
            var role: Role = .listRow
            if !summary.tunnels.isEmpty { role = .listRowTunnel }
            if tree.worstSeverity == .error || tree.shortfall?.cut == .malformed { role = .listRowWarning }
            if selected { role = focus == .list ? .listRowSelected : .listRowSelectedUnfocused }
            screen.fill(x: 0, y: y, width: width, role: role)
            let time: String
            switch timeMode {
            case .relative: time = TimeFormat.difference(from: firstTime ?? (m.seconds, m.nanoseconds), to: (m.seconds, m.nanoseconds))
            case .absolute: time = String(TimeText.iso(seconds: m.seconds, nanoseconds: m.nanoseconds).dropFirst(11))
            case .delta: time = TimeFormat.difference(from: previousTime ?? (m.seconds, m.nanoseconds), to: (m.seconds, m.nanoseconds))
            }
            previousTime = (m.seconds, m.nanoseconds)
            var info = summary.info
            if let tunnel = summary.tunnels.last, width - c.reduce(0, +) < 60 {
                // Narrow screens: the tunnel's kind only; its outer addresses are in the tree.
                let full = "[\(tunnel.kind.name) \(tunnel.outerSource) → \(tunnel.outerDestination)]"
                if info.hasPrefix(full) { info = "[\(tunnel.kind.name)]" + info.dropFirst(full.count) }
            }
            let cells = [String(m.number), time, summary.source, summary.destination, summary.protocolName,
                         String(m.originalLength), info]
            var cx = 0
            for (i, text) in cells.enumerated() {
                let w = i < c.count ? c[i] - 1 : width - cx
                screen.put(text, x: cx, y: y, role: role, maxWidth: w, bold: selected)
                cx += i < c.count ? c[i] : 0
            }
        }
        if rowCount == 0 {
            let text: String
            if view != nil && packetCount > 0 {
                text = filterComplete ? "No packets match the filter." : "Filtering…"
            } else {
                text = sourceComplete ? "The capture holds no packets." : "Waiting for packets…"
            }
            screen.put(text, x: 1, y: list.y, role: .message)
        }
    }

    // MARK: Tree

    func drawTreeTitle(_ screen: inout Screen, _ r: Layout.Rect) {
        let role: Role = focus == .tree ? .paneTitleFocused : .paneTitle
        screen.fill(x: 0, y: r.y, width: width, role: role, character: "─")
        var title = " Packet details "
        if let tree { title = " Frame \(tree.metadata.number): \(tree.metadata.originalLength) bytes on wire, \(tree.bytes.count) captured " }
        screen.put(title, x: 2, y: r.y, role: role, bold: focus == .tree)
    }

    func drawTree(_ screen: inout Screen, _ r: Layout.Rect) {
        guard let tree else { return }
        for i in 0..<r.height {
            let lineIndex = treeTop + i
            guard lineIndex < treeLines.count else { break }
            let line = treeLines[lineIndex]
            let node = tree.nodes[line.node]
            let y = r.y + i
            var role: Role = node.flags.contains(.layer) || line.depth == 0 ? .treeLayer : .treeNode
            if node.flags.contains(.generated) { role = .treeGenerated }
            if !tree.diagnostics(of: line.node).isEmpty { role = .treeExpert }
            let selected = lineIndex == treeCursor
            if selected { role = focus == .tree ? .treeSelected : .treeSelectedUnfocused }
            if selected { screen.fill(x: 0, y: y, width: width, role: role) }
            let marker = line.hasChildren ? (line.expanded ? "▾ " : "▸ ") : "  "
            var text = String(repeating: "  ", count: line.depth) + marker + tree.label(line.node)
            for d in tree.diagnostics(of: line.node) where d.severity >= .warn { text += "  [\(d.message)]" }
            if node.flags.contains(.truncated) { text += "  [Packet size limited during capture]" }
            screen.put(text, x: 0, y: y, role: role, maxWidth: width)
        }
    }

    // MARK: Hex

    func drawHexTitle(_ screen: inout Screen, _ r: Layout.Rect) {
        let role: Role = focus == .hex ? .paneTitleFocused : .paneTitle
        screen.fill(x: 0, y: r.y, width: width, role: role, character: "─")
        var title = " Bytes "
        if let tree, !tree.bytes.isEmpty {
            title += "(offset 0x" + hexString(UInt64(hexCursor), width: 4) + " = \(hexCursor)) "
        }
        screen.put(title, x: 2, y: r.y, role: role, bold: focus == .hex)
    }

    /// The role of each byte: the innermost layer covering it.
    static func layerRoles(_ tree: PacketTree) -> [Role] {
        var roles = [Role](repeating: .layerLink, count: tree.bytes.count)
        for node in tree.nodes where node.flags.contains(.layer) || (node.depth == 0 && node.field != FrameLayer.frame) {
            let role = layerRole(node.field)
            let range = node.range.clamped(to: 0..<roles.count)
            for i in range { roles[i] = role }
        }
        return roles
    }

    static func layerRole(_ field: Field) -> Role {
        let name = field.info.protocolAbbreviation
        switch name {
        case "ip": return .layerIPv4
        case "ipv6": return .layerIPv6
        case "icmp", "icmpv6": return .layerICMP
        case "udp", "tcp": return .layerTransport
        case "teredo": return .layerTunnel
        case "data": return .layerPayload
        default: return .layerLink
        }
    }

    func drawHex(_ screen: inout Screen, _ r: Layout.Rect) {
        guard let tree else { return }
        let bytes = tree.bytes
        let roles = Self.layerRoles(tree)
        let selection = selectedNode.map { tree.nodes[$0].range } ?? 0..<0
        for i in 0..<r.height {
            let row = hexTop + i
            let start = row * Self.hexBytesPerRow
            guard start < bytes.count else { break }
            let y = r.y + i
            screen.put(hexString(UInt64(start), width: 4), x: 0, y: y, role: .hexOffset)
            for b in 0..<Self.hexBytesPerRow {
                let offset = start + b
                guard offset < bytes.count else { break }
                var role = roles[offset]
                let selected = selection.contains(offset)
                if selected { role = .hexSelected }
                if offset == hexCursor && focus == .hex { role = .hexCursor }
                screen.put(hexString(UInt64(bytes[offset]), width: 2), x: HexGeometry.hexColumn(b), y: y, role: role, bold: selected)
                screen.put(String(TerminalText.asciiCell(bytes[offset])), x: HexGeometry.asciiColumn(b), y: y, role: role, bold: selected)
            }
        }
    }

    // MARK: Status and bottom lines

    func drawStatus(_ screen: inout Screen, _ r: Layout.Rect) {
        screen.fill(x: 0, y: r.y, width: width, role: .statusLine)
        // The file's base name: the status line has no room for a path.
        var parts: [String] = [String(sourceName.split(separator: "/").last ?? Substring(sourceName))]
        if let live {
            // Live: the interface, what pcap_stats says, and where the packets are kept.
            parts = ["\(live.interface) \(live.ended == nil ? (paused ? "paused" : "live") : "stopped")",
                     "\(live.captured) captured, \(live.droppedByKernel)+\(live.droppedByInterface) dropped"]
        }
        var counts = view == nil ? "\(packetCount) packets" : "\(rowCount) shown of \(packetCount)"
        if !sourceComplete && live == nil {
            counts += loadedFraction.map { " (loading \(Int($0 * 100))%)" } ?? " (loading…)"
        }
        parts.append(counts)
        if !appliedFilter.isEmpty {
            var f = "filter: \(appliedFilter)"
            if !filterComplete && packetCount > 0 { f += " \(filterScanned * 100 / max(1, packetCount))%" }
            parts.append(f)
        }
        if let tree, let node = selectedNode {
            let n = tree.nodes[node]
            var field = n.field.abbreviation
            if n.length > 0 {
                field += n.length == 1 ? " [\(n.offset)]" : " [\(n.offset)..<\(n.offset + n.length)]"
            }
            if n.mask != 0 { field += " mask 0x" + hexString(n.mask, width: max(2, Int(n.length) * 2)) }
            parts.append(field)
        }
        if follow { parts.append("following") }
        if let live { parts.append("→ " + String(live.spoolPath.split(separator: "/").last ?? "")) }
        let text = parts.joined(separator: "  │  ")
        screen.put(text, x: 1, y: r.y, role: .statusLine, maxWidth: width - 12)
        let hint = "?:help q:quit"
        screen.put(hint, x: width - hint.count - 1, y: r.y, role: .statusKey)
    }

    func drawBottom(_ screen: inout Screen, _ r: Layout.Rect) {
        if let bar = filterBar {
            let role: Role
            switch bar.check {
            case .empty: role = .filterBar
            case .valid: role = .filterValid
            case .invalid: role = .filterInvalid
            }
            screen.fill(x: 0, y: r.y, width: width, role: role)
            let prompt = "Filter: "
            // Scroll the text so the caret stays visible.
            let room = width - prompt.count - 1
            let start = max(0, bar.caret - room + 1)
            let visible = String(Array(bar.text).dropFirst(start).prefix(room))
            screen.put(prompt, x: 0, y: r.y, role: role, bold: true)
            screen.put(visible, x: prompt.count, y: r.y, role: role)
            if case .invalid(_, let column, let length) = bar.check {
                // Underline the offending token.
                let from = prompt.count + column - 1 - start
                for x in max(prompt.count, from)..<min(width, from + max(1, length)) {
                    var cell = screen[x, r.y]
                    cell.underline = true
                    cell.role = .filterError
                    screen[x, r.y] = cell
                }
            }
            screen.cursor = (prompt.count + bar.caret - start, r.y)
            // The error message goes on the status line, where there is room.
            if case .invalid(let message, let column, _) = bar.check {
                screen.fill(x: 0, y: r.y - 1, width: width, role: .filterError)
                screen.put("column \(column): \(message)", x: 1, y: r.y - 1, role: .filterError, maxWidth: width - 2)
            }
            return
        }
        if let prompt {
            screen.fill(x: 0, y: r.y, width: width, role: .filterBar)
            switch prompt {
            case .confirmQuit:
                screen.put("The capture is only in a temporary file. Save it before quitting? (y)es, (n)o, any key cancels",
                           x: 0, y: r.y, role: .warning, maxWidth: width)
            case .save(let text, let onlyShown):
                let label = onlyShown ? "Save the shown packets to: " : "Save the capture to: "
                screen.put(label + text, x: 0, y: r.y, role: .filterBar, maxWidth: width)
                screen.cursor = (min(width - 1, label.count + text.count), r.y)
            }
            return
        }
        if let text = gotoText {
            screen.put("Go to packet: " + text, x: 0, y: r.y, role: .filterBar)
            screen.cursor = (14 + text.count, r.y)
            return
        }
        if let message {
            screen.put(message, x: 0, y: r.y, role: .message, maxWidth: width)
            return
        }
        let hints = "/ filter  : go to  Tab pane  ←→ fold  z zoom  t time  +/- size  f follow"
        screen.put(hints, x: 0, y: r.y, role: .normal, maxWidth: width)
    }

    // MARK: Help

    public static let helpLines: [(String, String)] = [
        ("↑↓ j k PgUp PgDn", "move in the focused pane; Home End g G: first, last"),
        ("Tab Shift-Tab", "next / previous pane (list, tree, bytes)"),
        ("Enter", "list: go to the tree; tree: fold or unfold"),
        ("→ l / ← h", "tree: unfold / fold (or go to the parent)"),
        ("e / c / x", "tree: unfold all / fold all / unfold the layer"),
        ("← → ↑ ↓", "bytes: move; the tree follows the field"),
        ("/", "filter: Enter applies, Esc cancels, ↑↓ history"),
        (":", "go to a packet number"),
        ("t", "time: relative, absolute (UTC), delta"),
        ("z / + -", "zoom the focused pane / grow, shrink it"),
        ("f / p", "follow new packets / live: pause the list"),
        ("s / S", "save the capture / only the shown packets"),
        ("w", "walkthrough: the lesson panel; n p ← → steps, Esc closes"),
        ("mouse", "click a row, a field or a byte; wheel scrolls"),
        ("Ctrl-L", "redraw"),
        ("? F1", "this help (any key closes it)"),
        ("q Ctrl-C", "quit (Ctrl-Z suspends)"),
    ]

    func drawHelp(_ screen: inout Screen) {
        let boxWidth = min(width - 4, 72)
        let boxHeight = min(height - 2, Self.helpLines.count + 4)
        let x0 = (width - boxWidth) / 2, y0 = (height - boxHeight) / 2
        for y in y0..<y0 + boxHeight { screen.fill(x: x0, y: y, width: boxWidth, role: .help) }
        screen.put(" tunnelscope keys ", x: x0 + 2, y: y0, role: .helpKey, bold: true)
        for (i, (keys, what)) in Self.helpLines.enumerated() where y0 + 2 + i < y0 + boxHeight - 1 {
            screen.put(keys, x: x0 + 2, y: y0 + 2 + i, role: .helpKey, maxWidth: 16, bold: true)
            screen.put(what, x: x0 + 19, y: y0 + 2 + i, role: .help, maxWidth: boxWidth - 21)
        }
    }
}
