import Foundation
import Testing
import Capture
import TestSupport

/// Whether live tests can run: root and network namespaces. Under `CI=true` they must (a test
/// that cannot fails); elsewhere they are skipped with the reason.
enum LiveEnvironment {
    static let ci = Tool.ci

    /// Why live tests cannot run here, or nil.
    static let problem: String? = {
        if let problem = Tool.namespaceProblem("live capture tests") { return problem }
        if !FileManager.default.isExecutableFile(atPath: LiveLab.injector.path) {
            return "ts-inject is not built beside tunnelscope (\(LiveLab.injector.path))"
        }
        return nil
    }()

    /// Skipped unless runnable; under CI a missing capability is a failure, not a skip.
    static let runnable = problem == nil || ci

    static func require() throws {
        if let problem { throw LiveTestFailure(problem + " (CI=true: required)") }
    }
}

struct LiveTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}


/// Two network namespaces joined by a veth pair: `virbr0` (10.99.0.1/24) in `name`, where
/// tunnelscope captures, and `peer0` (10.99.0.2/24) in `name-b`, where ts-inject sends from.
/// IPv6 is off in both, so the kernel sends nothing of its own (no DAD, no MLD) and the
/// capture holds only what the test injects.
final class LiveLab {
    nonisolated(unsafe) private static var counter = 0
    let name: String
    var peer: String { name + "-b" }
    let directory: URL

    static var binary: URL { Binary.url }
    static var injector: URL { Binary.url.deletingLastPathComponent().appendingPathComponent("ts-inject") }

    init() throws {
        Self.counter += 1
        // Suites run in parallel: a random part keeps two labs from ever sharing a name.
        name = "ts-test-\(getpid())-\(Self.counter)-" + UUID().uuidString.prefix(6).lowercased()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Writable by the unprivileged user the privilege tests become.
        chmod(directory.path, 0o1777)
        do {
            try Tool.ip(["netns", "add", name])
            try Tool.ip(["netns", "add", peer])
            try Tool.ip(["link", "add", "virbr0", "netns", name, "type", "veth", "peer", "name", "peer0", "netns", peer])
            for ns in [name, peer] {
                // /proc/sys/net shows the namespace of the process reading it (no procps needed).
                try Tool.ip(["netns", "exec", ns, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 && "
                             + "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6"])
            }
            try Tool.ip(["-n", name, "addr", "add", "10.99.0.1/24", "dev", "virbr0"])
            try Tool.ip(["-n", peer, "addr", "add", "10.99.0.2/24", "dev", "peer0"])
            try Tool.ip(["-n", name, "link", "set", "lo", "up"])
            try Tool.ip(["-n", name, "link", "set", "virbr0", "up"])
            try Tool.ip(["-n", peer, "link", "set", "peer0", "up"])
        } catch {
            destroy()
            throw error
        }
    }

    /// Deletes both namespaces (and so the veth pair) and the scratch folder.
    func destroy() {
        if let ip = Tool.path("ip") {
            _ = try? Tool.run(ip, ["netns", "del", name])
            _ = try? Tool.run(ip, ["netns", "del", peer])
        }
        try? FileManager.default.removeItem(at: directory)
    }

    func file(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Starts `tunnelscope ARGS` inside the capture namespace (optionally through `wrapper`, e.g.
    /// setpriv) and waits for its "listening on" line unless told not to.
    func tunnelscope(_ arguments: [String], wrapper: [String] = [], environment: [String: String] = [:],
                     binary: URL = LiveLab.binary, waitForListening: Bool = true) throws -> RunningCapture {
        let capture = try RunningCapture(ns: name, command: wrapper + [binary.path] + arguments,
                                         environment: environment, directory: directory)
        if waitForListening { try capture.waitForListening() }
        return capture
    }

    /// Injects from `peer0`: the frames of `file`, then `generate` generated frames. Returns how many were sent.
    @discardableResult
    func inject(file: String? = nil, generate: Int = 0) throws -> Int {
        guard let ip = Tool.path("ip") else { throw LiveTestFailure("no ip command") }
        var arguments = ["netns", "exec", peer, Self.injector.path, "peer0"]
        if let file { arguments.append(file) }
        if generate > 0 { arguments += ["--generate", String(generate)] }
        let r = try Tool.run(ip, arguments)
        guard r.status == 0, let line = r.output.split(separator: "\n").last(where: { $0.hasPrefix("sent ") }),
              let sent = Int(line.dropFirst(5)) else {
            throw LiveTestFailure("ts-inject failed: \(r.output)")
        }
        return sent
    }

    /// Frames the sending veth dropped itself (they never reach the capture point).
    func peerTransmitDrops() throws -> Int {
        guard let ip = Tool.path("ip") else { return 0 }
        let r = try Tool.run(ip, ["-s", "-n", peer, "link", "show", "peer0"])
        let lines = r.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        // "TX:  bytes packets errors dropped ..." then the numbers.
        guard let header = lines.firstIndex(where: { $0.first == "TX:" }), header + 1 < lines.count,
              lines[header + 1].count > 3, let dropped = Int(lines[header + 1][3]) else { return 0 }
        return dropped
    }
}

/// tunnelscope running in a namespace, its output in files.
final class RunningCapture {
    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL
    private let out: FileHandle
    private let err: FileHandle

    init(ns: String, command: [String], environment: [String: String], directory: URL) throws {
        guard let ip = Tool.path("ip") else { throw LiveTestFailure("no ip command") }
        let id = UUID().uuidString
        stdoutURL = directory.appendingPathComponent("stdout-\(id)")
        stderrURL = directory.appendingPathComponent("stderr-\(id)")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        out = try FileHandle(forWritingTo: stdoutURL)
        err = try FileHandle(forWritingTo: stderrURL)
        // `ip netns exec` execs the command: the process id is tunnelscope's own.
        process.executableURL = URL(fileURLWithPath: ip)
        process.arguments = ["netns", "exec", ns] + command
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    func waitForListening(timeout: TimeInterval = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !stderr.contains("listening on") {
            if !process.isRunning { throw LiveTestFailure("tunnelscope ended before listening: \(stderr)") }
            if Date() > deadline { throw LiveTestFailure("tunnelscope did not start listening: \(stderr)") }
            usleep(20_000)
        }
    }

    /// Sends SIGINT (Ctrl-C) and waits for the exit status.
    func interrupt(timeout: TimeInterval = 30) throws -> Int32 {
        kill(pid, SIGINT)
        return try wait(timeout: timeout)
    }

    func wait(timeout: TimeInterval = 30) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                kill(pid, SIGKILL)
                throw LiveTestFailure("tunnelscope did not end in \(timeout) s: \(stderr)")
            }
            usleep(10_000)
        }
        try? out.close()
        try? err.close()
        return process.terminationStatus
    }

    /// The final counts line: `N packets captured, N received by filter, N dropped by kernel, N dropped by interface`.
    func statistics() throws -> LiveCapture.Statistics {
        for line in stderr.split(separator: "\n").reversed() where line.contains("packets captured") || line.contains("packet captured") {
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            if numbers.count == 4 {
                return LiveCapture.Statistics(captured: numbers[0], received: numbers[1],
                                              droppedByKernel: numbers[2], droppedByInterface: numbers[3])
            }
        }
        throw LiveTestFailure("no statistics line in: \(stderr)")
    }
}

/// The frames of a capture file, bytes and original lengths.
func frames(of path: String, filter: String? = nil) throws -> [(bytes: [UInt8], length: Int)] {
    let file = try CaptureFile(path: path)
    if let filter { try file.setFilter(filter) }
    var result: [(bytes: [UInt8], length: Int)] = []
    try file.forEach { record in
        result.append((Array(record.bytes), record.metadata.originalLength))
        return true
    }
    return result
}

/// A frame of ts-inject's burst, as it generates them.
func generatedFrame(_ sequence: Int, size: Int = 60) -> [UInt8] {
    var frame = (0..<size).map { UInt8(truncatingIfNeeded: $0) }
    frame.replaceSubrange(0..<14, with: [0x02, 0, 0, 0x99, 0, 0x02, 0x02, 0, 0, 0x99, 0, 0x01, 0x88, 0xb5])
    let s = UInt32(truncatingIfNeeded: sequence)
    frame.replaceSubrange(14..<18, with: [UInt8(s >> 24), UInt8((s >> 16) & 0xff), UInt8((s >> 8) & 0xff), UInt8(s & 0xff)])
    return frame
}

/// Runs `body` with a fresh lab, deleted afterwards whatever happens.
func withLab(_ body: (LiveLab) throws -> Void) throws {
    try LiveEnvironment.require()
    let lab = try LiveLab()
    defer { lab.destroy() }
    try body(lab)
}
