import Foundation
import PacketDecoder

/// The lessons in the order they are tried: `--lesson` files, the user's folder
/// (`~/.config/tunnelscope/lessons/*.toml`, by name), then the built-ins. The first whose match
/// filter holds for the packet is used; with none, the generic tour.
public struct LessonLibrary: Sendable {
    public var lessons: [Lesson]
    /// Problems with the user's folder's files: reported, the file skipped.
    public var warnings: [LessonError]

    public init(lessons: [Lesson], warnings: [LessonError] = []) {
        self.lessons = lessons
        self.warnings = warnings
    }

    /// The built-in lessons (`Lessons/*.toml`, embedded), in their order of preference.
    public static let builtinOrder = ["article", "traceroute", "neighbor-discovery", "teredo", "teredo-to-client", "6in4"]

    public static func builtins() -> [Lesson] {
        builtinOrder.compactMap { name in
            guard let text = builtinText(name) else { return nil }
            // The built-ins are checked by a test: a failure here is a programming error.
            return try? LessonFile.parse(text: text, file: "(built-in) \(name).toml", name: name)
        }
    }

    public static func builtinText(_ name: String) -> String? {
        BuiltinLessons.files.first { $0.name == name }?.text
    }

    public static var builtinNames: [String] { BuiltinLessons.files.map(\.name).sorted() }

    /// `$XDG_CONFIG_HOME/tunnelscope/lessons`, else `~/.config/tunnelscope/lessons`.
    public static func userDirectory(environment: [String: String]) -> String? {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config + "/tunnelscope/lessons" }
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        return home + "/.config/tunnelscope/lessons"
    }

    /// Reads one lesson file.
    public static func load(path: String) throws(LessonError) -> Lesson {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read it as UTF-8 text" : "No such file or directory"
            throw LessonError(file: path, message: reason)
        }
        let base = (path as NSString).lastPathComponent
        return try LessonFile.parse(text: text, file: path, name: base.hasSuffix(".toml") ? String(base.dropLast(5)) : base)
    }

    /// `--lesson` files (an error in one is fatal: thrown), then the user's folder (errors become
    /// warnings), then the built-ins.
    public static func standard(extra: [String], userDirectory: String?) throws(LessonError) -> LessonLibrary {
        var lessons: [Lesson] = []
        for path in extra { lessons.append(try load(path: path)) }
        var warnings: [LessonError] = []
        if let userDirectory, let names = try? FileManager.default.contentsOfDirectory(atPath: userDirectory) {
            for name in names.sorted() where name.hasSuffix(".toml") {
                do { lessons.append(try load(path: userDirectory + "/" + name)) } catch { warnings.append(error) }
            }
        }
        lessons += builtins()
        return LessonLibrary(lessons: lessons, warnings: warnings)
    }

    /// The first lesson that matches, else nil.
    public func lesson(for tree: PacketTree) -> Lesson? {
        lessons.first { $0.matches(tree) }
    }

    /// The walkthrough of `tree`: its lesson, else the generic tour.
    public func walkthrough(for tree: PacketTree) -> Walkthrough {
        if let lesson = lesson(for: tree) { return Walkthrough.resolve(lesson, tree) }
        return Walkthrough.genericTour(tree)
    }
}
