import PacketDecoder

/// Where packets come from: a memory-mapped file, a live spool, a test double.
public protocol PacketSource: AnyObject {
    /// File name for the status line.
    var name: String { get }
    /// Packets available so far (indexing or capture may still be adding).
    var count: Int { get }
    /// True once no more packets will come.
    var isComplete: Bool { get }
    /// How much of the source is indexed, 0...1 (a file being opened); nil when unknown (live).
    var loadedFraction: Double? { get }
    /// Decodes packet `index` (0-based) into `tree`.
    func decode(_ index: Int, into tree: inout PacketTree)
}

/// What a display filter's text is worth as the user types it.
public enum FilterCheck: Equatable, Sendable {
    case empty
    case valid
    /// The message and the 1-based column (and length) of the offending token.
    case invalid(message: String, column: Int, length: Int)
}

public enum Pane: Int, CaseIterable, Sendable { case list, tree, hex }

public enum TimeMode: CaseIterable, Sendable {
    case relative, absolute, delta
    var title: String {
        switch self {
        case .relative: return "Time"
        case .absolute: return "Time (UTC)"
        case .delta: return "Delta"
        }
    }
}

/// The filter bar while it is open.
public struct FilterBar: Equatable, Sendable {
    public var text: String
    /// Caret position in characters.
    public var caret: Int
    public var check: FilterCheck
    /// Position in the history while recalling with up/down (nil: editing new text).
    public var historyIndex: Int?
}

/// A line of the tree pane: a node shown because all its ancestors are expanded.
public struct TreeLine: Equatable, Sendable {
    public var node: Int
    public var depth: Int
    public var hasChildren: Bool
    public var expanded: Bool
}

/// Everything the TUI shows, in one value. `reduce` changes it; `render` draws it.
public struct AppState: Sendable {
    public var width: Int
    public var height: Int

    // The packet list.
    /// Row positions are indices into `view` when a filter is applied, else packet indices.
    public var view: [Int32]?
    /// How many packets the current filter has looked at (progress), and whether it is done.
    public var filterScanned = 0
    public var filterComplete = true
    public var selectedRow = 0
    public var listTop = 0
    public var follow = false

    // Panes.
    public var focus: Pane = .list
    public var zoomed: Pane?
    /// Rows given to the list and the tree (the hex pane takes the rest).
    public var listRows: Int?
    public var treeRows: Int?
    public var timeMode: TimeMode = .relative

    // The selected packet.
    public var tree: PacketTree?
    public var treeLines: [TreeLine] = []
    public var treeCursor = 0
    public var treeTop = 0
    /// Expanded subtrees, by field: moving to another packet keeps them, as Wireshark does.
    public var expanded: Set<Field> = []
    public var hexCursor = 0
    public var hexTop = 0

    // Bars and overlays.
    public var filterBar: FilterBar?
    public var filterHistory: [String] = []
    public var appliedFilter = ""
    public var gotoText: String?
    /// A go-to packet number not read yet (the file still indexing, the capture still running):
    /// the selection jumps there when it arrives; any key cancels it.
    public var pendingGoTo: Int?
    public var showHelp = false
    /// The walkthrough's lesson panel, when open (LessonPanel.swift).
    public var lesson: LessonState?
    public var message: String?
    public var quitRequested = false
    /// A live capture's counts and spool, nil for a file.
    public var live: LiveState?
    /// Live: the list stops taking new packets while capture goes on.
    public var paused = false
    public var prompt: Prompt?
    /// Quit once the save the quit prompt asked for is done.
    public var quitAfterSave = false

    // What the source said last.
    public var packetCount = 0
    public var sourceComplete = false
    public var loadedFraction: Double?
    public var sourceName = ""
    /// Reference time for the relative column (the first packet's), seconds and nanoseconds.
    public var firstTime: (Int64, UInt32)?

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Rows in the list (filtered or not).
    public var rowCount: Int { view?.count ?? packetCount }

    /// The packet index (0-based) at list row `row`.
    public func packetIndex(atRow row: Int) -> Int? {
        guard row >= 0, row < rowCount else { return nil }
        if let view { return Int(view[row]) }
        return row
    }

    /// The selected node of the tree (the line under the tree cursor).
    public var selectedNode: Int? {
        guard treeCursor >= 0, treeCursor < treeLines.count else { return nil }
        return treeLines[treeCursor].node
    }
}

/// Side effects `reduce` asks the app loop to perform.
public enum Effect: Equatable, Sendable {
    case quit
    /// Start applying this display filter over every packet (empty: clear it).
    case applyFilter(String)
    /// Redraw everything (Ctrl-L).
    case redraw
    /// Save the capture (every packet, or only those shown) to a file.
    case save(path: String, onlyShown: Bool)
}
