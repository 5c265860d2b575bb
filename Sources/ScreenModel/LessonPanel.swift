import PacketDecoder

/// The walkthrough's lesson panel, beside the tree: the encapsulation diagram on top, then the
/// current step ("step 5 of 23"), its title and its explanation. Each step selects its field,
/// through the same selection the tree and hex panes use, so there is one selection; the hex pane
/// also marks the step's whole byte range (a byte-range step selects the field of its first byte).
public struct LessonState: Equatable, Sendable {
    public struct Step: Equatable, Sendable {
        public var title: String
        public var text: String
        public var range: Range<Int>
        /// The node to select; nil for a byte-range step.
        public var node: Int?
        /// The diagram box to light.
        public var layer: Int?
        public init(title: String, text: String, range: Range<Int>, node: Int?, layer: Int?) {
            self.title = title
            self.text = text
            self.range = range
            self.node = node
            self.layer = layer
        }
    }

    /// A piece of the one-line diagram: text, and the box it names (nil for brackets).
    public struct DiagramPiece: Equatable, Sendable {
        public var text: String
        public var box: Int?
        public init(text: String, box: Int?) { self.text = text; self.box = box }
    }

    public var title: String
    public var frameNumber: Int
    public var steps: [Step]
    public var diagram: [DiagramPiece]
    public var index = 0
    /// The pane sizes before the lesson opened, given back when it closes.
    var savedRows: [Int?] = [nil, nil]
    var savedFocus: Pane = .list

    public init(title: String, frameNumber: Int, steps: [Step], diagram: [DiagramPiece]) {
        self.title = title
        self.frameNumber = frameNumber
        self.steps = steps
        self.diagram = diagram
    }

    public var current: Step? { steps.indices.contains(index) ? steps[index] : nil }
}

extension AppState {
    public static let lessonHints = "n/→ next  p/← back  Home/End first/last  w/Esc close the lesson"

    /// Opens the lesson for the selected packet (or the generic tour), at its first step.
    public mutating func openLesson(_ env: Environment) {
        guard let make = env.lessonFor else {
            message = "Walkthroughs are not available here"
            return
        }
        guard let tree else {
            message = "No packet selected"
            return
        }
        guard var lesson = make(tree) else {
            // Moved on to a packet with no walkthrough: the panel must not describe another packet.
            if self.lesson != nil { closeLesson() }
            message = "No walkthrough for this packet"
            return
        }
        if let open = self.lesson {
            lesson.savedRows = open.savedRows
            lesson.savedFocus = open.savedFocus
        } else {
            lesson.savedRows = [listRows, treeRows]
            lesson.savedFocus = focus
            // Room for the panel: a short list, the tree and the panel, the bytes below.
            let available = height - 5
            listRows = 2
            treeRows = max(2, available - 2 - max(4, min(9, available - 13)))
            focus = .tree
        }
        self.lesson = lesson
        showLessonStep()
    }

    public mutating func closeLesson() {
        guard let lesson else { return }
        listRows = lesson.savedRows[0]
        treeRows = lesson.savedRows[1]
        focus = lesson.savedFocus
        self.lesson = nil
        scrollIntoView()
    }

    /// Moves to step `index` (clamped) and selects what it points at.
    public mutating func goToLessonStep(_ index: Int) {
        guard var lesson, !lesson.steps.isEmpty else { return }
        lesson.index = max(0, min(lesson.steps.count - 1, index))
        self.lesson = lesson
        showLessonStep()
    }

    /// Drives the one selection from the current step: its node, else the field of its first byte.
    mutating func showLessonStep() {
        guard let step = lesson?.current, let tree else { return }
        if let node = step.node, node < tree.nodes.count {
            var p = tree.parent(of: node)
            while let q = p {
                expanded.insert(tree.nodes[q].field)
                p = tree.parent(of: q)
            }
            rebuildTreeLines()
            if let line = treeLines.firstIndex(where: { $0.node == node }) {
                treeCursor = line
            } else if let line = treeLines.lastIndex(where: { $0.node < node }) {
                treeCursor = line  // a hidden field: its nearest visible predecessor
            }
            if !step.range.isEmpty { hexCursor = step.range.lowerBound } else { syncHexToTree() }
            scrollIntoView()
        } else if !step.range.isEmpty {
            selectByte(step.range.lowerBound)
        }
        // Show the end of the range too when it fits.
        if let hex = Layout(self).hex, !step.range.isEmpty {
            let last = (step.range.upperBound - 1) / Self.hexBytesPerRow
            if last >= hexTop + hex.height { hexTop = min(step.range.lowerBound / Self.hexBytesPerRow, last - hex.height + 1) }
        }
    }

    /// Keys while the lesson is open: its own, else the usual ones (moving to another packet
    /// opens that packet's lesson).
    mutating func lessonKey(_ key: Key, _ env: Environment) -> [Effect] {
        defer { lessonFollowsSelection(env) }
        if filterBar != nil { return filterKey(key, env) }
        if gotoText != nil { return gotoKey(key, env) }
        guard let lesson else { return normalKey(key, env) }
        switch key {
        case .right, .character("n"), .character(" "): goToLessonStep(lesson.index + 1)
        case .left, .character("p"), .backspace: goToLessonStep(lesson.index - 1)
        case .home: goToLessonStep(0)
        case .end: goToLessonStep(lesson.steps.count - 1)
        case .escape, .character("w"): closeLesson()
        default:
            return normalKey(key, env)
        }
        return []
    }

    /// A click on the panel goes to the next step; the wheel over it steps back and forth.
    /// False when the event is not the panel's.
    mutating func lessonMouse(x: Int, y: Int, button: MouseButton) -> Bool {
        guard let lesson, let r = lessonRect(Layout(self)), r.contains(x: x, y: y) else { return false }
        switch button {
        case .left, .wheelDown: goToLessonStep(lesson.index + 1)
        case .wheelUp: goToLessonStep(lesson.index - 1)
        }
        return true
    }

    /// After a key, a click or a filter moved to another packet: that packet's lesson (or none),
    /// so the panel never explains a packet that is not the one shown.
    public mutating func lessonFollowsSelection(_ env: Environment) {
        guard let lesson, tree?.metadata.number != lesson.frameNumber else { return }
        if tree == nil { closeLesson() } else { openLesson(env) }
    }

    /// Where the panel goes: right of the tree, from the tree's title bar to its last row.
    func lessonRect(_ layout: Layout) -> Layout.Rect? {
        guard let tree = layout.tree else { return nil }
        let top = layout.treeTitle?.y ?? tree.y
        let x = max(28, width * 3 / 8)
        return Layout.Rect(x: x, y: top, width: width - x, height: tree.y + tree.height - top)
    }

    func drawLesson(_ screen: inout Screen, _ layout: Layout) {
        guard let lesson, let step = lesson.current, lesson.frameNumber == tree?.metadata.number else { return }
        // The step's bytes in the hex pane, around the selected field's own highlight.
        if let hex = layout.hex {
            for offset in step.range {
                let row = offset / Self.hexBytesPerRow - hexTop
                guard row >= 0, row < hex.height else { continue }
                let b = offset % Self.hexBytesPerRow
                for (x, w) in [(HexGeometry.hexColumn(b), 2), (HexGeometry.asciiColumn(b), 1)] {
                    let cell = screen[hex.x + x, hex.y + row]
                    if cell.role != .hexSelected && cell.role != .hexCursor {
                        screen.paint(x: hex.x + x, y: hex.y + row, width: w, role: .lessonHighlight, bold: true)
                    }
                }
            }
        }
        if filterBar == nil && gotoText == nil && message == nil {
            screen.fill(x: 0, y: layout.bottom.y, width: width, role: .normal)
            screen.put(Self.lessonHints, x: 0, y: layout.bottom.y, role: .normal, maxWidth: width)
        }
        guard let r = lessonRect(layout), r.height >= 3 else { return }
        for y in r.y..<r.y + r.height { screen.fill(x: r.x, y: y, width: r.width, role: .lesson) }
        for y in r.y + 1..<r.y + r.height { screen.put("│", x: r.x, y: y, role: .lesson) }
        let x = r.x + 2, w = r.width - 3
        screen.fill(x: r.x, y: r.y, width: r.width, role: .lessonTitle, character: "─")
        screen.put(" Step \(lesson.index + 1) of \(lesson.steps.count) ", x: r.x + 1, y: r.y, role: .lessonTitle, bold: true)
        var y = r.y + 1
        let bottom = r.y + r.height
        // The diagram, wrapped at piece boundaries, the current layer lit.
        var cx = x
        for piece in lesson.diagram {
            if cx > x && cx + piece.text.count > x + w { y += 1; cx = x + 2 }
            guard y < bottom else { break }
            let lit = piece.box != nil && piece.box == step.layer
            cx = screen.put(piece.text, x: cx, y: y, role: lit ? .lessonHighlight : .lesson, maxWidth: x + w - cx, bold: lit)
        }
        y += 1
        var lines = Self.wrap(step.title, width: w).map { ($0, true) } + Self.wrap(step.text, width: w).map { ($0, false) }
        if lines.count > bottom - y, bottom - y > 0 {
            // No room for all of it: say so (zooming the tree pane gives the panel the full height).
            lines = Array(lines.prefix(bottom - y - 1)) + [("… (z: more room)", false)]
        }
        for (line, isTitle) in lines where y < bottom {
            screen.put(line, x: x, y: y, role: isTitle ? .lessonTitle : .lesson, maxWidth: w, bold: isTitle)
            y += 1
        }
    }

    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                var word = Substring(word)
                if !line.isEmpty && line.count + 1 + word.count > width { lines.append(line); line = "" }
                while word.count > width { lines.append(String(word.prefix(width))); word = word.dropFirst(width) }
                line += (line.isEmpty ? "" : " ") + word
            }
            lines.append(line)
        }
        return lines
    }
}
