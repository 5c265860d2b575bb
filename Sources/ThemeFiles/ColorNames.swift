import ScreenModel

/// Colour names, and the nearest colour a smaller palette has.
public enum ColorNames {
    /// The 16 standard colour names, by index; "default" is the terminal's own colour.
    public static let basic: [String] = [
        "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
        "brightblack", "brightred", "brightgreen", "brightyellow", "brightblue", "brightmagenta", "brightcyan", "brightwhite",
    ]

    /// A colour name (case-insensitive; "grey"/"gray" is brightblack), or nil.
    public static func color(named name: String) -> Theme.Color? {
        let lower = name.lowercased()
        if lower == "default" { return .terminalDefault }
        if lower == "grey" || lower == "gray" { return .indexed(8) }
        return basic.firstIndex(of: lower).map { .indexed(UInt8($0)) }
    }

    /// The colour a terminal with `depth` colours (8, 16 or 256) shows for `color`: itself if it
    /// fits, else the nearest of the first `depth` colours by xterm's RGB values.
    public static func reduce(_ color: Theme.Color, toDepth depth: Int) -> Theme.Color {
        guard case .indexed(let index) = color, Int(index) >= depth else { return color }
        let target = rgb(index)
        var best = 0, bestDistance = Int.max
        for candidate in 0..<min(depth, 16) {
            let c = rgb(UInt8(candidate))
            let distance = (c.r - target.r) * (c.r - target.r) + (c.g - target.g) * (c.g - target.g) + (c.b - target.b) * (c.b - target.b)
            if distance < bestDistance { best = candidate; bestDistance = distance }
        }
        return .indexed(UInt8(best))
    }

    /// xterm's default RGB for a colour index.
    static func rgb(_ index: UInt8) -> (r: Int, g: Int, b: Int) {
        let standard: [(Int, Int, Int)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
            (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
        ]
        let i = Int(index)
        if i < 16 { return standard[i] }
        if i >= 232 { let v = 8 + (i - 232) * 10; return (v, v, v) }
        let levels = [0, 95, 135, 175, 215, 255]
        let n = i - 16
        return (levels[n / 36], levels[(n / 6) % 6], levels[n % 6])
    }
}
