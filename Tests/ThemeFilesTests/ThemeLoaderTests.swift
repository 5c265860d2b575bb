import Foundation
import ScreenModel
import Testing
@testable import ThemeFiles

/// A user theme folder in a temporary directory, removed when the test ends.
final class ThemeFolder {
    let path: String

    init(_ files: [String: String] = [:]) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("themes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let noEnvironment: [String: String] = [:]

@Suite("Built-in themes")
struct BuiltinThemeTests {
    @Test func theFourThemes() {
        #expect(ThemeLoader.builtinNames == ["classroom", "default", "light", "mono"])
    }

    @Test(arguments: ["classroom", "default", "light", "mono"], [256, 16, 8])
    func parsesWithoutWarningsAndStylesEveryRole(name: String, depth: Int) throws {
        let text = try #require(ThemeLoader.builtinText(name))
        let (theme, warnings) = ThemeLoader.parse(text, name: name, file: "themes/\(name).toml", depth: depth)
        #expect(warnings == [])
        let styles = try #require(theme).styles
        #expect(Set(styles.keys) == Set(Role.allCases))
        // Every colour fits the depth.
        for style in styles.values {
            for color in [style.foreground, style.background] {
                if case .indexed(let index) = color { #expect(Int(index) < depth, "\(name) at \(depth): \(index)") }
            }
        }
    }

    @Test func embeddedCopiesEqualTheFiles() throws {
        let folder = repositoryRoot.appendingPathComponent("Themes")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".toml") }.sorted()
        #expect(files.map { String($0.dropLast(5)) } == ThemeLoader.builtinNames, "run Themes/embed.sh")
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(ThemeLoader.builtinText(String(file.dropLast(5))) == text, "\(file) changed: run Themes/embed.sh")
        }
    }

    @Test func theReadmeExampleIsAValidTheme() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("Themes/README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "```toml\n"))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        let example = String(readme[start.upperBound..<end.lowerBound])
        for depth in [256, 16, 8] {
            let (theme, notes) = ThemeLoader.parse(example, name: "example", file: "README.md", depth: depth)
            #expect(notes.count == 1, "only the note about roles left out: \(notes)")
            #expect(theme?.style(.filterInvalid) == Theme.Style(foreground: .indexed(depth == 8 ? 7 : 15), background: .indexed(1), bold: true, underline: true))
        }
    }

    @Test func eachDepthReadsItsOwnPalette() {
        func selected(_ depth: Int) -> Theme.Style {
            ThemeLoader.load(name: "default", colorDepth: depth, environment: noEnvironment, userDirectory: "/nonexistent").0.style(.listRowSelected)
        }
        #expect(selected(256) == Theme.Style(foreground: .indexed(16), background: .indexed(38), bold: true))
        #expect(selected(16) == Theme.Style(foreground: .indexed(0), background: .indexed(6), bold: true))
        #expect(selected(8) == Theme.Style(foreground: .indexed(0), background: .indexed(6), bold: true))
        #expect(ThemeLoader.load(name: "default", colorDepth: 256, environment: noEnvironment, userDirectory: "/nonexistent").0.style(.layerTunnel)
            == Theme.Style(foreground: .indexed(209)))
        #expect(ThemeLoader.load(name: "default", colorDepth: 16, environment: noEnvironment, userDirectory: "/nonexistent").0.style(.layerTunnel)
            == Theme.Style(foreground: .indexed(9)))
    }

    @Test func monoFileMatchesTheBuiltInMonoTheme() {
        let (theme, warnings) = ThemeLoader.load(name: "mono", colorDepth: 256, environment: noEnvironment, userDirectory: "/nonexistent")
        #expect(warnings == [])
        #expect(theme == Theme.mono)
    }

    @Test func classroomHasItsOwnBackground() {
        let theme = ThemeLoader.load(name: "classroom", colorDepth: 256, environment: noEnvironment, userDirectory: "/nonexistent").0
        #expect(theme.style(.normal) == Theme.Style(foreground: .indexed(16), background: .indexed(231), bold: true))
    }
}

@Suite("Loading themes")
struct ThemeLoaderTests {
    @Test func noColorSelectsMono() {
        let (theme, warnings) = ThemeLoader.load(name: "classroom", colorDepth: 256, environment: ["NO_COLOR": "1"], userDirectory: "/nonexistent")
        #expect(warnings == [])
        #expect(theme.name == "mono")
        #expect(theme == Theme.mono)
    }

    @Test func anEmptyNoColorDoesNot() {
        // no-color.org: "when present and not an empty string".
        let (theme, _) = ThemeLoader.load(name: "classroom", colorDepth: 256, environment: ["NO_COLOR": ""], userDirectory: "/nonexistent")
        #expect(theme.name == "classroom")
    }

    @Test func noColorStripsColoursFromAUsersMono() throws {
        let coloured = try #require(ThemeLoader.builtinText("default"))
        let folder = try ThemeFolder(["mono.toml": coloured])
        let (theme, warnings) = ThemeLoader.load(name: "default", colorDepth: 256, environment: ["NO_COLOR": "yes"], userDirectory: folder.path)
        #expect(warnings == [])
        #expect(theme.styles.values.allSatisfy { $0.foreground == .terminalDefault && $0.background == .terminalDefault })
        #expect(theme.style(.listRowSelected).bold)
    }

    @Test func aTerminalWithoutColoursGetsMono() {
        let (theme, warnings) = ThemeLoader.load(name: "default", colorDepth: 0, environment: noEnvironment, userDirectory: "/nonexistent")
        #expect(warnings == [])
        #expect(theme == Theme.mono)
    }

    @Test func theUsersFileWinsOverTheBuiltIn() throws {
        let text = try #require(ThemeLoader.builtinText("default")).replacingOccurrences(of: "listRow = [\"text\", \"back\"]", with: "listRow = [\"red\", 17, \"underline\"]")
        let folder = try ThemeFolder(["default.toml": text])
        let (theme, warnings) = ThemeLoader.load(name: "default", colorDepth: 256, environment: noEnvironment, userDirectory: folder.path)
        #expect(warnings == [])
        #expect(theme.style(.listRow) == Theme.Style(foreground: .indexed(1), background: .indexed(17), underline: true))
    }

    @Test func aUsersNewThemeIsFoundAndListed() throws {
        let folder = try ThemeFolder(["ocean.toml": """
            [palette]
            sea = 24
            [roles]
            normal = ["white", "sea"]
            """])
        #expect(ThemeLoader.availableNames(userDirectory: folder.path) == ["classroom", "default", "light", "mono", "ocean"])
        let (theme, warnings) = ThemeLoader.load(name: "ocean", colorDepth: 256, environment: noEnvironment, userDirectory: folder.path)
        #expect(theme.name == "ocean")
        #expect(theme.style(.normal) == Theme.Style(foreground: .indexed(7), background: .indexed(24)))
        // Roles it leaves out look like normal, and it says so.
        #expect(theme.style(.listRowSelected) == theme.style(.normal))
        #expect(warnings.count == 1)
        #expect(warnings.first?.description.hasPrefix("\(folder.path)/ocean.toml:3: roles: no style for paneTitle, ") == true)
        // Its palette is reduced for smaller depths: 24 (0,95,135) is nearest xterm's cyan (0,205,205).
        let (eight, _) = ThemeLoader.load(name: "ocean", colorDepth: 8, environment: noEnvironment, userDirectory: folder.path)
        #expect(eight.style(.normal).background == .indexed(6))
    }

    @Test func theDefaultFolderFollowsXDG() {
        #expect(ThemeLoader.userDirectory(environment: ["HOME": "/home/ada"]) == "/home/ada/.config/tunnelscope/themes")
        #expect(ThemeLoader.userDirectory(environment: ["HOME": "/home/ada", "XDG_CONFIG_HOME": "/cfg"]) == "/cfg/tunnelscope/themes")
        #expect(ThemeLoader.userDirectory(environment: [:]) == nil)
    }

    @Test func anUnknownNameListsTheAvailableOnes() throws {
        let folder = try ThemeFolder(["ocean.toml": "[roles]\nnormal = [\"default\", \"default\"]\n"])
        let (theme, warnings) = ThemeLoader.load(name: "solarized", colorDepth: 256, environment: noEnvironment, userDirectory: folder.path)
        #expect(theme == defaultTheme(256))
        #expect(warnings.map(\.description) == [
            "unknown theme \"solarized\"; available: classroom, default, light, mono, ocean",
            "theme \"solarized\" not used; using the built-in \"default\"",
        ])
    }

    @Test func aNameIsNotAPath() {
        let (theme, warnings) = ThemeLoader.load(name: "../../etc/passwd", colorDepth: 256, environment: noEnvironment, userDirectory: "/nonexistent")
        #expect(theme == defaultTheme(256))
        #expect(warnings.first?.message.hasPrefix("invalid theme name") == true)
    }
}

func defaultTheme(_ depth: Int) -> Theme {
    ThemeLoader.parse(ThemeLoader.builtinText("default")!, name: "default", file: "", depth: depth).0!
}

@Suite("Colours")
struct ColorTests {
    @Test func names() {
        #expect(ColorNames.color(named: "default") == .terminalDefault)
        #expect(ColorNames.color(named: "Red") == .indexed(1))
        #expect(ColorNames.color(named: "brightblue") == .indexed(12))
        #expect(ColorNames.color(named: "grey") == .indexed(8))
        #expect(ColorNames.color(named: "blu") == nil)
    }

    @Test func reduction() {
        #expect(ColorNames.reduce(.indexed(196), toDepth: 256) == .indexed(196))
        #expect(ColorNames.reduce(.indexed(196), toDepth: 16) == .indexed(9))
        #expect(ColorNames.reduce(.indexed(196), toDepth: 8) == .indexed(1))
        #expect(ColorNames.reduce(.indexed(231), toDepth: 16) == .indexed(15))
        #expect(ColorNames.reduce(.indexed(244), toDepth: 16) == .indexed(8))
        #expect(ColorNames.reduce(.indexed(12), toDepth: 8) == .indexed(4))
        #expect(ColorNames.reduce(.indexed(16), toDepth: 8) == .indexed(0))
        #expect(ColorNames.reduce(.terminalDefault, toDepth: 8) == .terminalDefault)
    }
}
