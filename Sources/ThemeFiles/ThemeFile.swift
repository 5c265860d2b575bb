import ScreenModel
import TOMLKit

/// One theme file, read and checked at every colour depth: the theme for each depth, or the
/// problems that keep it from being used, each with its line and key.
struct ThemeFile {
    static let depths = [256, 16, 8]

    /// Problems that make the file unusable (syntax, unknown role or colour, wrong type).
    private(set) var errors: [ThemeWarning] = []
    /// Problems worth telling that still leave a usable theme (roles it does not style).
    private(set) var notes: [ThemeWarning] = []
    /// The theme for 256, 16 and 8 colours; empty when there are errors.
    private(set) var themes: [Int: Theme] = [:]

    private let file: String
    private var lines = KeyLines("")
    /// Palette names whose value was wrong: already reported, so the roles using them are not.
    private var brokenNames: Set<String> = []
    /// Every name any palette section defines (for "did you mean").
    private var paletteNames: Set<String> = []

    /// A colour as a role names it: a palette name (or a colour name), or an index.
    private enum ColorReference {
        case name(String)
        case index(Int)
    }

    private struct RoleSpec {
        var foreground: ColorReference
        var background: ColorReference
        var bold = false, underline = false, reverse = false
    }

    init(name: String, file: String, text: String) {
        self.file = file
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            errors.append(ThemeWarning(file: file, line: error.source.begin.line, message: error.description))
            return
        } catch {
            errors.append(ThemeWarning(file: file, message: "\(error)"))
            return
        }
        lines = KeyLines(text)

        var base: [String: Theme.Color] = [:]
        var sections: [Int: [String: Theme.Color]] = [:]
        var specs: [Role: RoleSpec] = [:]
        for key in table.keys.sorted() {
            let value = table[key]!
            switch key {
            case "description":
                if value.type != .string { fail([key], "expected a string, found \(value.type.name)") }
            case "palette":
                guard let palette = value.table else { fail([key], "expected a table of colours, found \(value.type.name)"); continue }
                (base, sections) = readPalette(palette)
            case "roles":
                guard let roles = value.table else { fail([key], "expected a table of roles, found \(value.type.name)"); continue }
                specs = readRoles(roles)
            default:
                fail([key], "unknown key (a theme has description, [palette] and [roles])")
            }
        }
        if table["roles"] == nil { fail([], "no [roles] table") }

        for depth in ThemeFile.depths {
            let palette = ThemeFile.palette(base: base, sections: sections, depth: depth)
            var styles: [Role: Theme.Style] = [:]
            for (role, spec) in specs {
                let path = ["roles", role.rawValue]
                guard let fg = resolve(spec.foreground, palette, sections, depth, path),
                      let bg = resolve(spec.background, palette, sections, depth, path) else { continue }
                styles[role] = Theme.Style(foreground: fg, background: bg, bold: spec.bold, underline: spec.underline, reverse: spec.reverse)
            }
            themes[depth] = Theme(name: name, styles: styles)
        }
        let missing = Role.allCases.filter { specs[$0] == nil }
        if !missing.isEmpty, errors.isEmpty {
            notes.append(ThemeWarning(file: file, line: lines.line(of: ["roles"]), key: "roles",
                                      message: "no style for \(missing.map(\.rawValue).joined(separator: ", ")) (they look like normal)"))
        }
        if !errors.isEmpty { themes = [:] }
        errors.sort { ($0.line ?? 0) < ($1.line ?? 0) }
    }

    private mutating func fail(_ path: [String], _ message: String) {
        let warning = ThemeWarning(file: file, line: lines.line(of: path), key: path.isEmpty ? nil : path.joined(separator: "."), message: message)
        if !errors.contains(warning) { errors.append(warning) }
    }

    // MARK: Palette

    private mutating func readPalette(_ table: TOMLTable) -> ([String: Theme.Color], [Int: [String: Theme.Color]]) {
        var base: [String: Theme.Color] = [:]
        var sections: [Int: [String: Theme.Color]] = [:]
        for key in table.keys.sorted() {
            let value = table[key]!
            if let section = value.table {
                guard let depth = Int(key), ThemeFile.depths.contains(depth) else {
                    fail(["palette", key], "unknown section (the depth sections are [palette.256], [palette.16] and [palette.8])")
                    continue
                }
                var colors: [String: Theme.Color] = [:]
                paletteNames.formUnion(section.keys)
                for name in section.keys.sorted() {
                    if let color = readColor(section[name]!, path: ["palette", key, name], depth: depth) {
                        colors[name] = color
                    } else {
                        brokenNames.insert(name)
                    }
                }
                sections[depth] = colors
            } else {
                paletteNames.insert(key)
                if let color = readColor(value, path: ["palette", key], depth: nil) { base[key] = color } else { brokenNames.insert(key) }
            }
        }
        return (base, sections)
    }

    /// A palette value: an index 0-255, a colour name or "default"; within [palette.N] it must be one of N colours.
    private mutating func readColor(_ value: TOMLValueConvertible, path: [String], depth: Int?) -> Theme.Color? {
        let color: Theme.Color
        if let index = value.int {
            guard (0...255).contains(index) else { fail(path, "colour index \(index) is out of range 0-255"); return nil }
            color = .indexed(UInt8(index))
        } else if let name = value.string {
            guard let named = ColorNames.color(named: name) else {
                fail(path, ThemeFile.unknownColor(name, candidates: []))
                return nil
            }
            color = named
        } else {
            fail(path, "expected a colour (a name or 0-255), found \(value.type.name)")
            return nil
        }
        if let depth, case .indexed(let index) = color, Int(index) >= depth {
            fail(path, "colour \(ThemeFile.describe(index)) is not one of the \(depth) colours of [palette.\(depth)]")
            return nil
        }
        return color
    }

    /// `unknown colour "blu"; did you mean blue?`, the candidates being the palette's names.
    static func unknownColor(_ name: String, candidates: [String]) -> String {
        if let near = nearest(name, in: candidates.sorted() + ColorNames.basic + ["default"]) {
            return "unknown colour \"\(name)\"; did you mean \(near)?"
        }
        return candidates.isEmpty
            ? "unknown colour \"\(name)\" (a colour is 0-255, default, or a name such as red or brightblue)"
            : "unknown colour \"\(name)\" (not in the palette, nor a colour name)"
    }

    private static func describe(_ index: UInt8) -> String {
        index < 16 ? "\"\(ColorNames.basic[Int(index)])\" (\(index))" : "\(index)"
    }

    /// The names a role can use at `depth`: [palette] entries, then the depth's own section, each
    /// reduced to what the depth can show. A depth without a section borrows the nearest one.
    static func palette(base: [String: Theme.Color], sections: [Int: [String: Theme.Color]], depth: Int) -> [String: Theme.Color] {
        var palette = base.mapValues { ColorNames.reduce($0, toDepth: depth) }
        if let used = section(for: depth, in: sections) {
            for (name, color) in sections[used]! { palette[name] = ColorNames.reduce(color, toDepth: depth) }
        }
        return palette
    }

    /// Which [palette.N] section serves `depth`: its own, else the nearest smaller, else a larger one.
    static func section(for depth: Int, in sections: [Int: [String: Theme.Color]]) -> Int? {
        let order: [Int] = depth == 256 ? [256, 16, 8] : depth == 16 ? [16, 8, 256] : [8, 16, 256]
        return order.first { sections[$0] != nil }
    }

    // MARK: Roles

    private mutating func readRoles(_ table: TOMLTable) -> [Role: RoleSpec] {
        var specs: [Role: RoleSpec] = [:]
        for key in table.keys.sorted() {
            let path = ["roles", key]
            guard let role = Role(rawValue: key) else {
                let hint = ThemeFile.nearest(key, in: Role.allCases.map(\.rawValue)).map { "; did you mean \($0)?" } ?? ""
                fail(path, "unknown role\(hint)")
                continue
            }
            let value = table[key]!
            guard let array = value.array, array.count >= 2 else {
                fail(path, "expected [foreground, background, attributes...], found \(value.array.map { "\($0.count) element(s)" } ?? value.type.name)")
                continue
            }
            guard let fg = readReference(array[0], path: path), let bg = readReference(array[1], path: path) else { continue }
            var spec = RoleSpec(foreground: fg, background: bg)
            for element in array.dropFirst(2) {
                switch element.string {
                case "bold": spec.bold = true
                case "underline": spec.underline = true
                case "reverse": spec.reverse = true
                case let other?: fail(path, "unknown attribute \"\(other)\" (bold, underline, reverse)")
                case nil: fail(path, "expected an attribute name (bold, underline, reverse), found \(element.type.name)")
                }
            }
            specs[role] = spec
        }
        return specs
    }

    private mutating func readReference(_ value: TOMLValueConvertible, path: [String]) -> ColorReference? {
        if let name = value.string { return .name(name) }
        if let index = value.int { return .index(index) }
        fail(path, "expected a colour name or 0-255, found \(value.type.name)")
        return nil
    }

    private mutating func resolve(_ reference: ColorReference, _ palette: [String: Theme.Color],
                                  _ sections: [Int: [String: Theme.Color]], _ depth: Int, _ path: [String]) -> Theme.Color? {
        switch reference {
        case .index(let index):
            guard (0...255).contains(index) else { fail(path, "colour index \(index) is out of range 0-255"); return nil }
            return ColorNames.reduce(.indexed(UInt8(index)), toDepth: depth)
        case .name(let name):
            if let color = palette[name] ?? ColorNames.color(named: name).map({ ColorNames.reduce($0, toDepth: depth) }) { return color }
            if brokenNames.contains(name) { return nil }
            if sections.values.contains(where: { $0[name] != nil }), let used = ThemeFile.section(for: depth, in: sections) {
                fail(path, "colour \"\(name)\" is missing from [palette.\(used)]")
            } else {
                fail(path, ThemeFile.unknownColor(name, candidates: Array(paletteNames)))
            }
            return nil
        }
    }

    /// The closest name by edit distance, if it is close enough to be a typo.
    static func nearest(_ word: String, in names: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var row = Array(0...b.count)
            for i in 1...max(1, a.count) where !a.isEmpty {
                var previous = row[0]
                row[0] = i
                for j in 1...max(1, b.count) where !b.isEmpty {
                    let old = row[j]
                    row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                    previous = old
                }
            }
            return row[b.count]
        }
        let lower = Array(word.lowercased())
        let scored = names.map { ($0, distance(lower, Array($0.lowercased()))) }.min { $0.1 < $1.1 }
        guard let (name, score) = scored, score <= max(2, word.count / 3) else { return nil }
        return name
    }
}

extension TOMLType {
    /// As a person would say it in a message.
    var name: String {
        switch self {
        case .table: return "a table"
        case .array: return "an array"
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "a boolean"
        case .date: return "a date"
        case .time: return "a time"
        case .dateTime: return "a date-time"
        }
    }
}
