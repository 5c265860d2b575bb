import Foundation
import ScreenModel
import Testing
@testable import ThemeFiles

/// A broken theme is reported (file:line: key: problem) and the built-in default is used instead.
@Suite("Broken theme files")
struct BrokenThemeTests {
    /// The user's `name.toml` holding `text`, loaded at 256 colours.
    func load(_ text: String, name: String = "mine") throws -> (theme: Theme, warnings: [String], file: String) {
        let folder = try ThemeFolder(["\(name).toml": text])
        let (theme, warnings) = ThemeLoader.load(name: name, colorDepth: 256, environment: noEnvironment, userDirectory: folder.path)
        return (theme, warnings.map(\.description), folder.path + "/\(name).toml")
    }

    /// The built-in default with one line replaced.
    func defaultWith(_ old: String, _ new: String) throws -> String {
        let text = try #require(ThemeLoader.builtinText("default"))
        #expect(text.contains(old))
        return text.replacingOccurrences(of: old, with: new)
    }

    func lineNumber(of needle: String, in text: String) -> Int {
        (text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(needle) } ?? -1) + 1
    }

    @Test func unknownColour() throws {
        let text = try defaultWith("listRow = [\"text\", \"back\"]", "listRow = [\"blu\", \"back\"]")
        let r = try load(text, name: "default")
        let line = lineNumber(of: "listRow = [\"blu\"", in: text)
        #expect(r.warnings.first == "\(r.file):\(line): roles.listRow: unknown colour \"blu\"; did you mean blue?")
        #expect(r.warnings.last == "theme \"default\" not used; using the built-in \"default\"")
        #expect(r.theme == defaultTheme(256))
    }

    @Test func syntaxError() throws {
        let r = try load("[roles]\nnormal = [\"default\", \"default\"\nlistRow = 3\n")
        #expect(r.warnings.count == 2)
        #expect(r.warnings.first?.hasPrefix("\(r.file):3: ") == true, "\(r.warnings)")
        #expect(r.theme == defaultTheme(256))
    }

    @Test func unknownRoleSuggestsTheNearest() throws {
        let r = try load("[roles]\nnormal = [\"default\", \"default\"]\nlistRo = [\"red\", \"default\"]\n")
        #expect(r.warnings.first == "\(r.file):3: roles.listRo: unknown role; did you mean listRow?")
        #expect(r.theme == defaultTheme(256))
    }

    @Test func wrongTypes() throws {
        let r = try load("""
            description = 3
            [roles]
            normal = "red"
            listRow = ["red"]
            listHeader = [true, "red"]
            treeNode = ["red", "blue", "blink"]
            """)
        #expect(r.warnings == [
            "\(r.file):1: description: expected a string, found an integer",
            "\(r.file):3: roles.normal: expected [foreground, background, attributes...], found a string",
            "\(r.file):4: roles.listRow: expected [foreground, background, attributes...], found 1 element(s)",
            "\(r.file):5: roles.listHeader: expected a colour name or 0-255, found a boolean",
            "\(r.file):6: roles.treeNode: unknown attribute \"blink\" (bold, underline, reverse)",
            "theme \"mine\" not used; using the built-in \"default\"",
        ])
    }

    @Test func paletteProblems() throws {
        let r = try load("""
            [palette]
            sky = 300
            [palette.8]
            accent = "brightred"
            [palette.88]
            x = 1
            [palette.256]
            accent = "purple"
            [roles]
            normal = ["accent", "default"]
            listRow = ["nothing", "default"]
            listHeader = ["acent", "default"]
            """)
        #expect(r.warnings == [
            "\(r.file):2: palette.sky: colour index 300 is out of range 0-255",
            "\(r.file):4: palette.8.accent: colour \"brightred\" (9) is not one of the 8 colours of [palette.8]",
            "\(r.file):5: palette.88: unknown section (the depth sections are [palette.256], [palette.16] and [palette.8])",
            "\(r.file):8: palette.256.accent: unknown colour \"purple\" (a colour is 0-255, default, or a name such as red or brightblue)",
            "\(r.file):11: roles.listRow: unknown colour \"nothing\" (not in the palette, nor a colour name)",
            "\(r.file):12: roles.listHeader: unknown colour \"acent\"; did you mean accent?",
            "theme \"mine\" not used; using the built-in \"default\"",
        ])
    }

    @Test func aColourMissingFromOneDepthIsCaughtOnAnyTerminal() throws {
        // The 8-colour palette lacks "accent": a 256-colour user is told too, not only 8-colour ones.
        let r = try load("""
            [palette.256]
            accent = 39
            [palette.8]
            other = "cyan"
            [roles]
            normal = ["accent", "default"]
            """)
        #expect(r.warnings.first == "\(r.file):6: roles.normal: colour \"accent\" is missing from [palette.8]")
        #expect(r.theme == defaultTheme(256))
    }

    @Test func unknownTopLevelKeyAndMissingRoles() throws {
        let r = try load("[colours]\nred = 1\n")
        #expect(r.warnings == [
            "\(r.file): no [roles] table",
            "\(r.file):1: colours: unknown key (a theme has description, [palette] and [roles])",
            "theme \"mine\" not used; using the built-in \"default\"",
        ])
    }

    @Test func keyLines() {
        let lines = KeyLines("""
            # a comment with roles = x
            top = 1
            [palette."256"]
            a = "x # not a comment"
            [roles]
            text = '''
            fake = 1
            '''
            "quoted.key" = 2
            dotted.key = 3
            """)
        #expect(lines.line(of: ["top"]) == 2)
        #expect(lines.line(of: ["palette", "256", "a"]) == 4)
        #expect(lines.line(of: ["roles", "fake"]) == 5)  // inside a string: falls back to the table
        #expect(lines.line(of: ["roles", "quoted.key"]) == 9)
        #expect(lines.line(of: ["roles", "dotted", "key"]) == 10)
        #expect(lines.line(of: ["nothing"]) == nil)
    }
}
