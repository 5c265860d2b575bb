import Foundation
import ScreenModel

/// Finds a theme by name, the user's folder before the built-ins, and resolves it for the
/// terminal's colour depth. It always returns a usable theme; what went wrong comes back as warnings.
public enum ThemeLoader {
    public static let defaultName = "default"
    public static let monoName = "mono"

    /// The themes compiled into the binary (from Themes/*.toml, see Themes/embed.sh).
    public static var builtinNames: [String] { BuiltinThemes.files.map(\.name).sorted() }

    /// The built-in TOML text of `name`.
    public static func builtinText(_ name: String) -> String? {
        BuiltinThemes.files.first { $0.name == name }?.text
    }

    /// `$XDG_CONFIG_HOME/tunnelscope/themes`, else `~/.config/tunnelscope/themes`.
    public static func userDirectory(environment: [String: String]) -> String? {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config + "/tunnelscope/themes" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.config/tunnelscope/themes"
    }

    /// The built-ins and the user's `*.toml` files, sorted.
    public static func availableNames(userDirectory: String?) -> [String] {
        var names = Set(builtinNames)
        if let userDirectory, let files = try? FileManager.default.contentsOfDirectory(atPath: userDirectory) {
            for file in files where file.hasSuffix(".toml") {
                let name = String(file.dropLast(5))
                if isValidName(name) { names.insert(name) }
            }
        }
        return names.sorted()
    }

    /// The theme `name` for a terminal with `colorDepth` colours (256, 16, 8; less than 8: `mono`).
    /// `NO_COLOR` (set and not empty, see no-color.org) selects `mono`, with no colour whatever the file says.
    /// `userDirectory` nil means the default folder from `environment`.
    /// A broken file or an unknown name gives warnings and the built-in `default` theme.
    public static func load(name: String, colorDepth: Int, environment: [String: String],
                            userDirectory: String?) -> (Theme, [ThemeWarning]) {
        let folder = userDirectory ?? self.userDirectory(environment: environment)
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        let depth = colorDepth >= 256 ? 256 : colorDepth >= 16 ? 16 : 8
        let wanted = noColor || colorDepth < 8 ? monoName : name
        var warnings: [ThemeWarning] = []

        var (theme, problems) = load(wanted, depth: depth, folder: folder)
        warnings += problems
        if theme == nil {
            warnings.append(ThemeWarning(file: nil, message: "theme \"\(wanted)\" not used; using the built-in \"\(defaultName)\""))
            // The built-in default, not a user's copy: it is known to work.
            (theme, problems) = parse(builtinText(defaultName) ?? "", name: defaultName, file: builtinLabel(defaultName), depth: depth)
            warnings += problems
        }
        var result = theme ?? Theme.mono
        if noColor || colorDepth < 8 { result = withoutColor(result) }
        return (result, warnings)
    }

    /// Reads and checks a theme text; nil (and the errors) when it cannot be used.
    /// The warnings of a usable theme are notes (roles it leaves out).
    public static func parse(_ text: String, name: String, file: String, depth: Int) -> (Theme?, [ThemeWarning]) {
        let themeFile = ThemeFile(name: name, file: file, text: text)
        if !themeFile.errors.isEmpty { return (nil, themeFile.errors) }
        let key = depth >= 256 ? 256 : depth >= 16 ? 16 : 8
        return (themeFile.themes[key], themeFile.notes)
    }

    /// How warnings name a built-in file.
    public static func builtinLabel(_ name: String) -> String { "themes/\(name).toml" }

    private static func load(_ name: String, depth: Int, folder: String?) -> (Theme?, [ThemeWarning]) {
        guard isValidName(name) else {
            return (nil, [ThemeWarning(file: nil, message: "invalid theme name \"\(name)\" (letters, digits, - and _ only)")])
        }
        if let folder {
            let path = folder + "/" + name + ".toml"
            if FileManager.default.fileExists(atPath: path) {
                guard let data = FileManager.default.contents(atPath: path) else {
                    return (nil, [ThemeWarning(file: path, message: "cannot be read")])
                }
                guard let text = String(data: data, encoding: .utf8) else {
                    return (nil, [ThemeWarning(file: path, message: "is not UTF-8 text")])
                }
                return parse(text, name: name, file: path, depth: depth)
            }
        }
        if let text = builtinText(name) { return parse(text, name: name, file: builtinLabel(name), depth: depth) }
        let available = availableNames(userDirectory: folder).joined(separator: ", ")
        return (nil, [ThemeWarning(file: nil, message: "unknown theme \"\(name)\"; available: \(available)")])
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix("-") && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
    }

    /// NO_COLOR: attributes stay (so selections still show), colours go.
    static func withoutColor(_ theme: Theme) -> Theme {
        var plain = theme
        for (role, style) in theme.styles {
            plain.styles[role] = Theme.Style(bold: style.bold, underline: style.underline, reverse: style.reverse)
        }
        return plain
    }
}
