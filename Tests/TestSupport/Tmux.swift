import Foundation

/// A private tmux server (its own socket, no config) running one program in an 80x24 pane,
/// driven with send-keys and read with capture-pane: what a person at the terminal would see.
public final class Tmux {
    public static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/tmux" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    public static var isAvailable: Bool { executable != nil }

    public let socket = "tunnelscope-test-\(getpid())-\(UUID().uuidString.prefix(8))"
    public let target = "demo"

    /// Starts `command` (a shell command line) in a new detached session.
    public init(command: String, width: Int = 80, height: Int = 24) throws {
        try run(["new-session", "-d", "-s", target, "-x", "\(width)", "-y", "\(height)", command], output: false)
    }

    deinit { _ = try? run(["kill-server"], output: false) }

    public enum Failure: Error, CustomStringConvertible {
        case tmux([String], Int32, String)
        case timedOut(String, String)
        public var description: String {
            switch self {
            case let .tmux(arguments, status, output): return "tmux \(arguments.joined(separator: " ")) exited \(status): \(output)"
            case let .timedOut(what, screen): return "timed out waiting for \(what); the pane shows:\n\(screen)"
            }
        }
    }

    /// Runs a tmux command on this server; what it printed.
    @discardableResult
    public func run(_ arguments: [String], output: Bool = true) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let status = try Tmux.spawn([Tmux.executable!, "-L", socket, "-f", "/dev/null"] + arguments, output: file)
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        guard status == 0 else { throw Failure.tmux(arguments, status, text) }
        return text
    }

    /// posix_spawn and waitpid rather than Foundation's Process: the child must start with no
    /// signal blocked or ignored. Test threads block most signals, a spawned child inherits that,
    /// and the tmux server (and the demo under it) would never see SIGTERM, SIGWINCH or SIGCHLD.
    public static func spawn(_ arguments: [String], output: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var environment = ProcessInfo.processInfo.environment
        environment["TMUX"] = nil
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let error = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard error == 0 else { throw Failure.tmux(arguments, -1, String(cString: strerror(error))) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        // WIFEXITED / WEXITSTATUS
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// The pane's text, wrapped lines joined; with `escapes`, SGR sequences for colours and attributes.
    public func capture(escapes: Bool = false) throws -> String {
        try run(["capture-pane", "-p", "-t", target] + (escapes ? ["-e"] : ["-J"]))
    }

    public func lines() throws -> [String] {
        try capture().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// A tmux format about the pane, e.g. `#{alternate_on}`.
    public func display(_ format: String) throws -> String {
        try run(["display-message", "-p", "-t", target, format]).trimmingCharacters(in: .newlines)
    }

    public func send(_ keys: String...) throws { try run(["send-keys", "-t", target] + keys) }
    public func sendLiteral(_ text: String) throws { try run(["send-keys", "-t", target, "-l", text]) }
    public func sendBytes(_ bytes: [UInt8]) throws { try run(["send-keys", "-t", target, "-H"] + bytes.map { String(format: "%02x", $0) }) }

    /// Polls the pane until `condition` holds (CI machines are slow; the demo answers in milliseconds).
    public func wait(for what: String, timeout: Double = 30, _ condition: ([String]) -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let lines = try self.lines()
            if condition(lines) { return }
            if Date() > deadline { throw Failure.timedOut(what, lines.joined(separator: "\n")) }
            usleep(30_000)
        }
    }

    /// Waits until the last non-empty line is `text`.
    public func waitForLastLine(_ text: String) throws {
        try wait(for: "last line \"\(text)\"") { lines in lines.last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }?.trimmingCharacters(in: .whitespaces) == text }
    }

    public func waitFor(_ text: String) throws {
        try wait(for: "\"\(text)\"") { $0.contains { $0.contains(text) } }
    }
}

/// One character cell as capture-pane -e shows it: the character and the SGR state in force.
public struct StyledCell: Equatable, CustomStringConvertible {
    public var character: Character = " "
    public var foreground: Int?  // nil: default
    public var background: Int?
    public var bold = false, underline = false, reverse = false

    public init(character: Character = " ", foreground: Int? = nil, background: Int? = nil,
                bold: Bool = false, underline: Bool = false, reverse: Bool = false) {
        self.character = character
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.underline = underline
        self.reverse = reverse
    }

    public var description: String {
        "'\(character)' fg \(foreground.map(String.init) ?? "default") bg \(background.map(String.init) ?? "default")"
            + (bold ? " bold" : "") + (underline ? " underline" : "") + (reverse ? " reverse" : "")
    }

    /// capture-pane -e output as rows of cells (the SGR state carries from line to line).
    public static func parse(_ text: String) -> [[StyledCell]] {
        var rows: [[StyledCell]] = []
        var state = StyledCell()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var row: [StyledCell] = []
            var scalars = Array(line.unicodeScalars)[...]
            while let scalar = scalars.popFirst() {
                if scalar == "\u{1b}", scalars.first == "[" {
                    scalars.removeFirst()
                    var parameters = ""
                    while let next = scalars.popFirst(), !("@"..."~").contains(next) { parameters.unicodeScalars.append(next) }
                    apply(parameters, to: &state)
                } else {
                    var cell = state
                    cell.character = Character(scalar)
                    row.append(cell)
                }
            }
            rows.append(row)
        }
        return rows
    }

    private static func apply(_ parameters: String, to state: inout StyledCell) {
        var codes = parameters.split(whereSeparator: { $0 == ";" || $0 == ":" }).map { Int($0) ?? 0 }[...]
        if codes.isEmpty { codes = [0] }
        while let code = codes.popFirst() {
            switch code {
            case 0: state = StyledCell()
            case 1: state.bold = true
            case 22: state.bold = false
            case 4: state.underline = true
            case 24: state.underline = false
            case 7: state.reverse = true
            case 27: state.reverse = false
            case 30...37: state.foreground = code - 30
            case 90...97: state.foreground = code - 90 + 8
            case 39: state.foreground = nil
            case 40...47: state.background = code - 40
            case 100...107: state.background = code - 100 + 8
            case 49: state.background = nil
            case 38, 48:
                if codes.popFirst() == 5, let index = codes.popFirst() {
                    if code == 38 { state.foreground = index } else { state.background = index }
                }
            default: break
            }
        }
    }
}
