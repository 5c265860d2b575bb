import ScreenModel

/// Which cells to send to the terminal: the runs of cells that differ from the last frame.
public enum FrameDiff {
    /// `count` cells from column `x` of row `y`.
    public struct Run: Equatable, Sendable {
        public var y: Int
        public var x: Int
        public var count: Int
        public init(y: Int, x: Int, count: Int) {
            self.y = y
            self.x = x
            self.count = count
        }
    }

    /// Runs of changed cells, row by row; every row in full when there is no previous frame or its size differs.
    public static func runs(from old: Screen?, to new: Screen) -> [Run] {
        guard let old, old.width == new.width, old.height == new.height else {
            return new.width == 0 ? [] : (0..<new.height).map { Run(y: $0, x: 0, count: new.width) }
        }
        var runs: [Run] = []
        let oldCells = old.cells, newCells = new.cells
        for y in 0..<new.height {
            let row = y * new.width
            var x = 0
            while x < new.width {
                guard oldCells[row + x] != newCells[row + x] else { x += 1; continue }
                let start = x
                while x < new.width, oldCells[row + x] != newCells[row + x] { x += 1 }
                runs.append(Run(y: y, x: start, count: x - start))
            }
        }
        return runs
    }
}
