import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs system tools (iproute2's `ip`, `sh`) and reports their output.
enum Shell {
    static func path(_ name: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return dirs.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func ipPath() throws -> String {
        guard let ip = path("ip") else { throw LabError("the lab needs iproute2's ip command (apt-get install iproute2)") }
        return ip
    }

    /// Runs and returns (status, stdout+stderr).
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw LabError("\(executable): \(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `ip ARGS`, failing with its message.
    @discardableResult
    static func ip(_ arguments: [String]) throws -> String {
        let r = try run(try ipPath(), arguments)
        if r.status != 0 {
            let message = r.output.split(separator: "\n").first.map(String.init) ?? "exit \(r.status)"
            throw LabError("ip \(arguments.joined(separator: " ")): \(message)")
        }
        return r.output
    }

    /// `ip ARGS`, whatever happens (clean-up).
    static func ipQuiet(_ arguments: [String]) -> (status: Int32, output: String) {
        guard let ip = path("ip"), let r = try? run(ip, arguments) else { return (-1, "") }
        return r
    }

    /// A shell command inside a namespace (e.g. writing /proc/sys, which shows the namespace of its reader).
    static func inNamespace(_ ns: String, sh command: String) throws {
        try ip(["netns", "exec", ns, "sh", "-c", command])
    }

    /// Network namespaces that exist (`ip netns list`).
    static func namespaces() -> Set<String> {
        let out = ipQuiet(["netns", "list"]).output
        return Set(out.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
    }

    /// Process ids inside a namespace.
    static func pids(in ns: String) -> [pid_t] {
        ipQuiet(["netns", "pids", ns]).output.split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
    }

    /// This executable, for starting it again inside a namespace.
    static func executable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 { return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return CommandLine.arguments[0]
    }

    /// Replaces this process with `arguments` (PATH searched); returns only on failure.
    static func exec(_ arguments: [String]) -> Int32 {
        var cArgs = arguments.map { strdup($0) }
        cArgs.append(nil)
        execvp(arguments[0], &cArgs)
        return errno
    }

    /// The command line of a process, NUL-separated arguments joined with spaces.
    static func commandLine(_ pid: pid_t) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    /// Whether a process exists and is not a zombie.
    static func alive(_ pid: pid_t) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let state = stat[stat.index(close, offsetBy: 2)]
            return state != "Z" && state != "X"
        }
        return true
    }

    static func write(_ text: String, to path: String) throws {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw LabError("\(path): \(error.localizedDescription)")
        }
    }
}
