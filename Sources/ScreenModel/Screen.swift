// What the TUI shows, as data: a grid of cells, each with a semantic role that a Theme turns into
// colours. The curses backend draws it; tests read it as text.

/// The meaning of a cell; a `Theme` maps each role to colours and attributes.
public enum Role: String, CaseIterable, Sendable, Hashable {
    case normal
    case paneTitle, paneTitleFocused, border
    case listHeader, listRow, listRowTunnel, listRowSelected, listRowSelectedUnfocused, listRowWarning
    case treeNode, treeLayer, treeGenerated, treeSelected, treeSelectedUnfocused, treeExpert
    case hexOffset, hexByte, hexAscii, hexSelected, hexCursor
    /// Each layer's bytes carry its colour, so the nesting is visible at a glance.
    case layerLink, layerIPv4, layerIPv6, layerICMP, layerTransport, layerTunnel, layerPayload
    case statusLine, statusKey, statusWarning
    case filterBar, filterValid, filterInvalid, filterError
    case help, helpKey
    case lesson, lessonTitle, lessonHighlight
    case message, warning
}

/// One character cell.
public struct Cell: Equatable, Sendable {
    public var character: Character
    public var role: Role
    public var bold: Bool
    public var underline: Bool

    public init(_ character: Character = " ", _ role: Role = .normal, bold: Bool = false, underline: Bool = false) {
        self.character = character
        self.role = role
        self.bold = bold
        self.underline = underline
    }
}

/// A full frame. Row-major; `width * height` cells.
public struct Screen: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// Where the terminal cursor should stand (the filter bar's caret), if visible.
    public var cursor: (x: Int, y: Int)? {
        get { cursorX < 0 ? nil : (cursorX, cursorY) }
        set { cursorX = newValue?.x ?? -1; cursorY = newValue?.y ?? -1 }
    }
    private var cursorX = -1, cursorY = -1

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0, y >= 0, x < width, y < height { cells[y * width + x] = newValue } }
    }

    /// Writes `text` at (x, y), clipped to `maxWidth` (and the screen); returns the column after it.
    /// Text is sanitized: nothing from a packet reaches the terminal as a control character.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role, maxWidth: Int? = nil, bold: Bool = false) -> Int {
        guard y >= 0, y < height else { return x }
        let limit = min(width, maxWidth.map { x + $0 } ?? width)
        var column = x
        for scalar in text.unicodeScalars {
            guard column < limit else { break }
            let safe: Character = scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0) ? "." : Character(scalar)
            if column >= 0 { cells[y * width + column] = Cell(safe, role, bold: bold) }
            column += 1
        }
        return column
    }

    /// Fills a row span with one role (the background of a selected row).
    public mutating func fill(x: Int, y: Int, width w: Int, role: Role, character: Character = " ") {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + w) { cells[y * width + column] = Cell(character, role) }
    }

    /// Sets the role of existing cells without changing their characters.
    public mutating func paint(x: Int, y: Int, width w: Int, role: Role, bold: Bool = false) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + w) {
            cells[y * width + column].role = role
            if bold { cells[y * width + column].bold = true }
        }
    }

    /// The characters, one line per row, trailing spaces kept (for snapshots).
    public var text: String {
        var lines: [String] = []
        for y in 0..<height {
            var line = ""
            for x in 0..<width { line.append(cells[y * width + x].character) }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Row `y` as text.
    public func line(_ y: Int) -> String {
        var line = ""
        for x in 0..<width { line.append(cells[y * width + x].character) }
        return line
    }

    public static func == (a: Screen, b: Screen) -> Bool {
        a.width == b.width && a.height == b.height && a.cells == b.cells && a.cursorX == b.cursorX && a.cursorY == b.cursorY
    }
}

/// A key or mouse event, terminal-independent.
public enum Key: Equatable, Sendable, Hashable {
    case character(Character)
    case control(Character)     // Ctrl-A ... as .control("a")
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case function(Int)
}

public enum MouseButton: Sendable, Equatable { case left, wheelUp, wheelDown }

public enum InputEvent: Equatable, Sendable {
    case key(Key)
    case mouse(x: Int, y: Int, button: MouseButton)
    case resize(width: Int, height: Int)
}

/// Colours and attributes for each role. Loaded from TOML by the ThemeFiles module.
public struct Theme: Equatable, Sendable {
    /// A colour: terminal default, one of the 8/16 basic colours, or a 256-colour index.
    public enum Color: Equatable, Sendable, Hashable {
        case terminalDefault
        case indexed(UInt8)
    }

    public struct Style: Equatable, Sendable, Hashable {
        public var foreground: Color
        public var background: Color
        public var bold: Bool
        public var underline: Bool
        public var reverse: Bool
        public init(foreground: Color = .terminalDefault, background: Color = .terminalDefault,
                    bold: Bool = false, underline: Bool = false, reverse: Bool = false) {
            self.foreground = foreground
            self.background = background
            self.bold = bold
            self.underline = underline
            self.reverse = reverse
        }
    }

    public var name: String
    public var styles: [Role: Style]

    public init(name: String, styles: [Role: Style]) {
        self.name = name
        self.styles = styles
    }

    public func style(_ role: Role) -> Style { styles[role] ?? styles[.normal] ?? Style() }

    /// Attributes only: what `mono` (and NO_COLOR) uses; every role stays distinguishable.
    public static let mono: Theme = {
        var s: [Role: Style] = [:]
        for role in Role.allCases { s[role] = Style() }
        for role: Role in [.listRowSelected, .treeSelected, .hexSelected, .filterBar, .statusLine, .hexCursor] {
            s[role] = Style(reverse: true)
        }
        for role: Role in [.paneTitleFocused, .listHeader, .treeLayer, .helpKey, .lessonTitle, .statusKey, .filterError] {
            s[role] = Style(bold: true)
        }
        for role: Role in [.listRowSelectedUnfocused, .treeSelectedUnfocused, .listRowTunnel, .lessonHighlight] {
            s[role] = Style(underline: true)
        }
        s[.filterInvalid] = Style(bold: true, underline: true)
        return Theme(name: "mono", styles: s)
    }()
}
