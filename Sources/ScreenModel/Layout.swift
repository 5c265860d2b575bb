/// Where each pane sits for a state's size, zoom and split.
public struct Layout: Equatable, Sendable {
    public struct Rect: Equatable, Sendable {
        public var x, y, width, height: Int
        public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < x + width && py >= y && py < y + height }
    }

    public static let minimumWidth = 80
    public static let minimumHeight = 24

    /// Column header of the list (nil when another pane is zoomed).
    public var listHeader: Rect?
    public var list: Rect?
    public var treeTitle: Rect?
    public var tree: Rect?
    public var hexTitle: Rect?
    public var hex: Rect?
    public var status: Rect
    public var bottom: Rect
    public var tooSmall: Bool

    public init(_ state: AppState) {
        let w = state.width, h = state.height
        status = Rect(x: 0, y: h - 2, width: w, height: 1)
        bottom = Rect(x: 0, y: h - 1, width: w, height: 1)
        tooSmall = w < Self.minimumWidth || h < Self.minimumHeight
        if tooSmall { return }
        // Rows for the three panes, after the list header, two title bars, status and bottom lines.
        let available = h - 5
        if let zoomed = state.zoomed {
            let rows = available + 2
            switch zoomed {
            case .list:
                listHeader = Rect(x: 0, y: 0, width: w, height: 1)
                list = Rect(x: 0, y: 1, width: w, height: rows)
            case .tree:
                treeTitle = Rect(x: 0, y: 0, width: w, height: 1)
                tree = Rect(x: 0, y: 1, width: w, height: rows)
            case .hex:
                hexTitle = Rect(x: 0, y: 0, width: w, height: 1)
                hex = Rect(x: 0, y: 1, width: w, height: rows)
            }
            return
        }
        let listRows = max(2, min(available - 4, state.listRows ?? available * 2 / 5))
        let treeRows = max(2, min(available - listRows - 2, state.treeRows ?? (available - listRows) / 2))
        let hexRows = max(2, available - listRows - treeRows)
        listHeader = Rect(x: 0, y: 0, width: w, height: 1)
        list = Rect(x: 0, y: 1, width: w, height: listRows)
        treeTitle = Rect(x: 0, y: 1 + listRows, width: w, height: 1)
        tree = Rect(x: 0, y: 2 + listRows, width: w, height: treeRows)
        hexTitle = Rect(x: 0, y: 2 + listRows + treeRows, width: w, height: 1)
        hex = Rect(x: 0, y: 3 + listRows + treeRows, width: w, height: hexRows)
    }

    public func rect(of pane: Pane) -> Rect? {
        switch pane {
        case .list: return list
        case .tree: return tree
        case .hex: return hex
        }
    }
}
