import ScreenModel

/// Curses colour pairs, allocated on first use per (foreground, background).
struct ColorPairs {
    /// Colours as curses numbers: -1 is the terminal's default.
    struct Key: Hashable {
        var foreground: Int16
        var background: Int16
    }

    /// Pairs 1..<limit can be defined; 0 is the terminal's defaults.
    let limit: Int
    private(set) var pairs: [Key: Int16] = [:]
    private var next: Int16 = 1

    init(limit: Int) { self.limit = max(1, min(limit, Int(Int16.max))) }

    /// The pair for `key`, defining it with `define(pair, fg, bg)` the first time; 0 once all are used.
    mutating func pair(for key: Key, define: (Int16, Int16, Int16) -> Void) -> Int16 {
        if key.foreground == -1, key.background == -1 { return 0 }
        if let pair = pairs[key] { return pair }
        guard Int(next) < limit else { return 0 }
        let pair = next
        next += 1
        define(pair, key.foreground, key.background)
        pairs[key] = pair
        return pair
    }

    /// A theme colour as a curses colour number for a terminal with `colors` colours.
    /// Themes are resolved for the right depth by ThemeFiles; this only keeps a stray index in range.
    static func number(_ color: Theme.Color, colors: Int, defaultColors: Bool, isForeground: Bool) -> Int16 {
        switch color {
        case .terminalDefault:
            return defaultColors ? -1 : (isForeground ? 7 : 0)
        case .indexed(let index):
            if Int(index) < colors { return Int16(index) }
            if index < 16, colors >= 8 { return Int16(index & 7) }  // bright -> basic
            return defaultColors ? -1 : (isForeground ? 7 : 0)
        }
    }
}
