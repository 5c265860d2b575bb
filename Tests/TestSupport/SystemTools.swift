import Foundation

/// Runs system tools (ip, tmux...) for the tests that build network namespaces.
public enum Tool {
    public static func path(_ name: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return dirs.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `ip ARGS`, failing with its output.
    public static func ip(_ arguments: [String]) throws {
        guard let ip = path("ip") else { throw ToolFailure("no ip command") }
        let r = try run(ip, arguments)
        if r.status != 0 { throw ToolFailure("ip \(arguments.joined(separator: " ")): \(r.output)") }
    }

    /// The names `ip netns list` shows.
    public static func namespaces() -> [String] {
        guard let ip = path("ip"), let r = try? run(ip, ["netns", "list"]) else { return [] }
        return r.output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// Why namespace tests cannot run here (not root, no ip, no netns), or nil. `what` names the
    /// tests in the message.
    public static func namespaceProblem(_ what: String) -> String? {
        if getuid() != 0 { return "\(what) need root (they create network namespaces)" }
        guard let ip = path("ip") else { return "\(what) need iproute2's ip" }
        let probe = "ts-probe-\(getpid())-" + UUID().uuidString.prefix(6).lowercased()
        guard (try? run(ip, ["netns", "add", probe]))?.status == 0 else {
            return "\(what) need network namespaces (ip netns add failed)"
        }
        _ = try? run(ip, ["netns", "del", probe])
        return nil
    }

    /// True under CI, where a test that cannot get root or namespaces must fail, not skip.
    public static let ci = ProcessInfo.processInfo.environment["CI"] == "true"
}

public struct ToolFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
