import ArgumentParser
import Foundation

/// The command tree. The executable only calls `Tunnelscope.main(arguments:)`.
public struct Tunnelscope: ParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "tunnelscope",
        abstract: "A terminal packet inspector for tunnels: 6in4, Teredo and the IPv6 inside them.",
        discussion: """
        With no subcommand, tunnelscope shows a capture: the file given with -r, else the bundled \
        capture of the article's 6in4 lab.
        """,
        version: "tunnelscope \(version)",
        subcommands: [Open.self, Print.self, InterfacesCommand.self, Fields.self, WalkthroughCommand.self, LabCommand.self],
        defaultSubcommand: Open.self
    )

    public init() {}

    /// Parses and runs; exits 0 on success, 1 on a runtime error, 2 on a usage error.
    public static func main(arguments: [String]) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch let code as ExitCode {
            // A status, not an error (`lab status` when the lab is down): already said on stdout.
            Terminal.flushStandardOutput()
            Foundation.exit(code.rawValue)
        } catch let failure as CommandFailure {
            Terminal.flushStandardOutput()
            Terminal.error(failure.message)
            Foundation.exit(failure.status)
        } catch {
            Terminal.flushStandardOutput()
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            // One line: the error, and where help is (ArgumentParser adds a usage block we drop).
            var message = String(fullMessage(for: error).split(separator: "\n").first ?? "")
            if message.hasPrefix("Error: ") { message.removeFirst(7) }
            let command = arguments.first.map { ["print", "fields", "open"].contains($0) ? "tunnelscope \($0)" : "tunnelscope" } ?? "tunnelscope"
            Terminal.error(message + " (see '\(command) --help')")
            // Usage errors exit 2, as tshark's and tcpdump's do.
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// A runtime failure with its exit status: 1 for files, libpcap and interfaces, 2 for usage.
public struct CommandFailure: Error, CustomStringConvertible {
    public var message: String
    public var status: Int32
    public init(_ message: String, status: Int32 = 1) {
        self.message = message
        self.status = status
    }
    public var description: String { message }
}

/// Standard streams.
enum Terminal {
    nonisolated(unsafe) static var standardOutput: FileDescriptorSink?

    static func error(_ message: String) {
        let line = "tunnelscope: " + message.trimmingCharacters(in: .newlines) + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func flushStandardOutput() { standardOutput?.buffer.flush() }
}
