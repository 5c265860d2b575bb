import Foundation

/// Where each key of a TOML text is defined, by line: TOMLKit reports lines for syntax errors
/// only, and a warning about a value should point at its line too.
struct KeyLines {
    private var lines: [String: Int] = [:]

    init(_ text: String) {
        var table: [String] = []
        var inMultilineString = false
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = KeyLines.uncommented(String(raw)).trimmingSpaces
            // Key-like lines inside a multi-line string are not keys.
            let delimiters = line.components(separatedBy: "\"\"\"").count + line.components(separatedBy: "'''").count - 2
            if delimiters % 2 == 1 { inMultilineString.toggle(); continue }
            if inMultilineString || line.isEmpty { continue }
            if line.hasPrefix("[") {
                let inner = line.drop { $0 == "[" }.prefix { $0 != "]" }
                table = KeyLines.path(String(inner))
                record(table, number + 1)
            } else if let equals = KeyLines.topLevelEquals(line) {
                record(table + KeyLines.path(String(line[..<equals])), number + 1)
            }
        }
    }

    private mutating func record(_ path: [String], _ line: Int) {
        let key = path.joined(separator: ".")
        if lines[key] == nil { lines[key] = line }
    }

    /// The line of `path`, else of the nearest enclosing table that has one.
    func line(of path: [String]) -> Int? {
        var path = path
        while !path.isEmpty {
            if let line = lines[path.joined(separator: ".")] { return line }
            path.removeLast()
        }
        return nil
    }

    /// `a."b.c" . d` -> ["a", "b.c", "d"].
    static func path(_ text: String) -> [String] {
        var parts: [String] = [], current = "", quote: Character?
        for c in text {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "." {
                parts.append(current.trimmingSpaces)
                current = ""
            } else {
                current.append(c)
            }
        }
        parts.append(current.trimmingSpaces)
        return parts
    }

    /// The text before a `#` that is not inside a string.
    static func uncommented(_ line: String) -> String {
        var quote: Character?, result = ""
        for c in line {
            if let q = quote { if c == q { quote = nil } } else if c == "\"" || c == "'" { quote = c } else if c == "#" { break }
            result.append(c)
        }
        return result
    }

    /// The `=` of `key = value`, outside quotes.
    static func topLevelEquals(_ line: String) -> String.Index? {
        var quote: Character?
        var index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            if let q = quote { if c == q { quote = nil } } else if c == "\"" || c == "'" { quote = c } else if c == "=" { return index }
            index = line.index(after: index)
        }
        return nil
    }
}

extension String {
    var trimmingSpaces: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
