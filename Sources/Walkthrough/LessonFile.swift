import DisplayFilter
import PacketDecoder
import TOMLKit

/// Reads a lesson from TOML:
///
/// ```toml
/// title = "A 6in4 packet"
/// match = "ip.proto == 41"
/// [[step]]
/// field = "ip.proto"          # or field = "ipv6.src#2", or offset = 14 + length = 9
/// title = "Protocol 41"
/// text = "The IPv4 protocol is {ip.proto}: IPv6 inside."
/// ```
///
/// Every problem is reported with the file, the line and the key; a bad filter also with its column.
public enum LessonFile {
    static let topKeys = ["title", "match", "step"]
    static let stepKeys = ["field", "offset", "length", "title", "text", "optional"]

    public static func parse(text: String, file: String, name: String) throws(LessonError) -> Lesson {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw LessonError(file: file, line: error.source.begin.line, message: error.description)
        } catch {
            throw LessonError(file: file, message: "\(error)")
        }
        let lines = StepLines(text)
        func fail(_ key: String?, step: Int? = nil, _ message: String) -> LessonError {
            let line = step.flatMap { lines.line(step: $0, key: key) } ?? key.flatMap { lines.top[$0] }
            let path = step.map { "step[\($0 + 1)]" + (key.map { "." + $0 } ?? "") } ?? key
            return LessonError(file: file, line: line, key: path, message: message)
        }
        for key in table.keys.sorted() where !topKeys.contains(key) {
            throw fail(key, "unknown key (a lesson has title, match and [[step]] tables)")
        }
        guard let title = table["title"]?.string else {
            throw fail(table["title"] == nil ? nil : "title", table["title"] == nil ? "no title" : "expected a string")
        }
        guard let matchText = table["match"]?.string else {
            throw fail(table["match"] == nil ? nil : "match", table["match"] == nil ? "no match (a display filter)" : "expected a string (a display filter)")
        }
        let match: DisplayFilter
        do {
            match = try DisplayFilter(compiling: matchText)
        } catch {
            throw fail("match", "column \(error.column): \(error.message)")
        }
        guard let stepArray = table["step"]?.array else {
            throw fail(table["step"] == nil ? nil : "step", "no [[step]] tables")
        }
        var steps: [LessonStep] = []
        for (index, element) in stepArray.enumerated() {
            guard let step = element.table else { throw fail(nil, step: index, "expected a [[step]] table") }
            for key in step.keys.sorted() where !stepKeys.contains(key) {
                let hint = nearest(key, in: stepKeys).map { "; did you mean \($0)?" } ?? ""
                throw fail(key, step: index, "unknown key\(hint) (a step has field, offset, length, title, text, optional)")
            }
            func string(_ key: String) throws(LessonError) -> String? {
                guard let value = step[key] else { return nil }
                guard let s = value.string else { throw fail(key, step: index, "expected a string") }
                return s
            }
            func integer(_ key: String) throws(LessonError) -> Int? {
                guard let value = step[key] else { return nil }
                guard let i = value.int, i >= 0, i < 65536 else { throw fail(key, step: index, "expected a byte count, 0 to 65535") }
                return i
            }
            guard let stepTitle = try string("title") else { throw fail(nil, step: index, "no title") }
            guard let stepText = try string("text") else { throw fail(nil, step: index, "no text") }
            let offset = try integer("offset"), length = try integer("length")
            var optional = false
            if let value = step["optional"] {
                guard let b = value.bool else { throw fail("optional", step: index, "expected true or false") }
                optional = b
            }
            let target: LessonStep.Target
            if let fieldText = try string("field") {
                let (abbreviation, occurrence) = splitOccurrence(fieldText)
                guard let occurrence, occurrence >= 1 else {
                    throw fail("field", step: index, "bad occurrence in \"\(fieldText)\" (write field#N, N from 1)")
                }
                guard FieldRegistry.field(named: abbreviation) != nil else {
                    throw fail("field", step: index, unknownField(abbreviation))
                }
                if (offset == nil) != (length == nil) { throw fail(offset == nil ? "length" : "offset", step: index, "offset and length go together") }
                target = .field(abbreviation, occurrence: occurrence, offset: offset, length: length)
            } else {
                guard let offset, let length else {
                    throw fail(nil, step: index, "a step needs a field, or offset and length (bytes of the frame)")
                }
                guard length > 0 else { throw fail("length", step: index, "a byte range needs at least one byte") }
                target = .bytes(offset..<offset + length)
            }
            if let problem = Placeholders.check(stepText) { throw fail("text", step: index, problem) }
            if let problem = Placeholders.check(stepTitle) { throw fail("title", step: index, problem) }
            steps.append(LessonStep(target: target, title: stepTitle, text: stepText, optional: optional, line: lines.steps[safe: index]))
        }
        if steps.isEmpty { throw fail("step", "no steps") }
        return Lesson(name: name, file: file, title: title, match: match, steps: steps)
    }

    /// `ipv6.src#2` -> ("ipv6.src", 2); no `#` is occurrence 1; a bad number is nil.
    static func splitOccurrence(_ text: String) -> (String, Int?) {
        guard let hash = text.firstIndex(of: "#") else { return (text, 1) }
        return (String(text[..<hash]), Int(text[text.index(after: hash)...]))
    }

    static func unknownField(_ name: String) -> String {
        let suggestions = FieldRegistry.suggestions(for: name)
        return "unknown field \"\(name)\"" + (suggestions.isEmpty ? "" : "; did you mean \(suggestions.joined(separator: ", "))?")
    }

    static func nearest(_ word: String, in names: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var row = Array(0...b.count)
            for (i, ca) in a.enumerated() {
                var previous = row[0]
                row[0] = i + 1
                for (j, cb) in b.enumerated() {
                    let current = row[j + 1]
                    row[j + 1] = min(row[j + 1] + 1, row[j] + 1, previous + (ca == cb ? 0 : 1))
                    previous = current
                }
            }
            return row[b.count]
        }
        let scored = names.map { ($0, distance(Array(word.lowercased()), Array($0))) }.min { $0.1 < $1.1 }
        guard let (name, score) = scored, score <= 2 else { return nil }
        return name
    }
}

/// Lines of the top-level keys and of each `[[step]]` table and its keys: TOMLKit reports lines
/// for syntax errors only.
struct StepLines {
    var top: [String: Int] = [:]
    var steps: [Int] = []
    var stepKeys: [[String: Int]] = []

    init(_ text: String) {
        var inMultiline = false
        var inStep = false
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: " \t\r")
            let delimiters = line.components(separatedBy: "\"\"\"").count - 1 + line.components(separatedBy: "'''").count - 1
            let key = line.hasPrefix("#") || line.hasPrefix("[") ? nil : line.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: " \t\"") }
            if !inMultiline, let key, line.contains("=") {
                if inStep { stepKeys[stepKeys.count - 1][key] = stepKeys[stepKeys.count - 1][key] ?? number + 1 } else { top[key] = top[key] ?? number + 1 }
            }
            if delimiters % 2 == 1 { inMultiline.toggle() }
            if inMultiline { continue }
            if line.hasPrefix("[[") && line.contains("step") {
                inStep = true
                steps.append(number + 1)
                stepKeys.append([:])
            } else if line.hasPrefix("[") {
                inStep = false
            }
        }
    }

    func line(step: Int, key: String?) -> Int? {
        guard step < steps.count else { return nil }
        if let key, let line = stepKeys[step][key] { return line }
        return steps[step]
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
