/// A problem with a theme, pointing at the file, line and key when they are known:
/// `themes/default.toml:12: roles.listRow: unknown colour "blu"`.
public struct ThemeWarning: Equatable, Sendable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    public var key: String?
    public var message: String

    public init(file: String?, line: Int? = nil, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var text = ""
        if let file { text += file + (line.map { ":\($0)" } ?? "") + ": " }
        if let key { text += key + ": " }
        return text + message
    }
}
