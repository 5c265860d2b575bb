import Foundation

/// Runs the real `tunnelscope` binary (built beside the test bundle) and collects its output.
public enum Binary {
    public static let url: URL = {
        if let path = ProcessInfo.processInfo.environment["TUNNELSCOPE_BIN"] { return URL(fileURLWithPath: path) }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        // swift-testing runs the .xctest bundle's binary; the products sit beside the bundle.
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("tunnelscope")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
            dir.deleteLastPathComponent()
        }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/tunnelscope")
    }()

    public struct Result {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var stdoutBytes: Data
    }

    /// Runs with `arguments`, an optional working directory and extra environment; waits at most `timeout` seconds.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 60) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        // Files, not pipes: a large output cannot block the child, and no reader threads are needed.
        let dir = FileManager.default.temporaryDirectory
        let outURL = dir.appendingPathComponent("ts-out-\(UUID().uuidString)")
        let errURL = dir.appendingPathComponent("ts-err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                throw RunError.timedOut(arguments)
            }
            usleep(2000)
        }
        try out.close()
        try err.close()
        let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self), stdoutBytes: outData)
    }

    public enum RunError: Error { case timedOut([String]) }
}
