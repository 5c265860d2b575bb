import DisplayFilter
import PacketDecoder

/// A lesson as written: which packets it is for (a display filter) and the steps to walk.
/// Loaded from TOML by `LessonFile`; resolved against one packet by `Walkthrough.resolve`.
public struct Lesson: Sendable {
    /// The file's base name (`article`), or "generic" for the generic tour.
    public var name: String
    /// Where it came from, for messages (`Lessons/article.toml`, `(built-in) article.toml`).
    public var file: String
    public var title: String
    public var match: DisplayFilter
    public var steps: [LessonStep]

    public init(name: String, file: String, title: String, match: DisplayFilter, steps: [LessonStep]) {
        self.name = name
        self.file = file
        self.title = title
        self.match = match
        self.steps = steps
    }

    public func matches(_ tree: PacketTree) -> Bool { match.matches(tree) }
}

/// One step as written: what it points at, a title, and text with `{placeholders}`.
public struct LessonStep: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        /// A field by abbreviation and 1-based occurrence in wire order (`ipv6.src#2`); with
        /// `offset`/`length`, a byte range relative to the field's first byte.
        case field(String, occurrence: Int, offset: Int?, length: Int?)
        /// Absolute bytes of the frame, half-open.
        case bytes(Range<Int>)
    }

    public var target: Target
    public var title: String
    public var text: String
    /// Skipped quietly when the packet lacks the field (a lesson that fits several packet kinds).
    public var optional: Bool
    /// The line of the step's `[[step]]` header in its file.
    public var line: Int?

    public init(target: Target, title: String, text: String, optional: Bool = false, line: Int? = nil) {
        self.target = target
        self.title = title
        self.text = text
        self.optional = optional
        self.line = line
    }
}

/// A problem in a lesson file, pointing at its file, line and key:
/// `article.toml:41: step[3].field: unknown field "ip.ttll"; did you mean ip.ttl?`
public struct LessonError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String

    public init(file: String, line: Int? = nil, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var text = file + (line.map { ":\($0)" } ?? "") + ": "
        if let key { text += key + ": " }
        return text + message
    }
}
