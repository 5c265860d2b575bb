import Foundation
import PacketDecoder
import Capture

/// Where the shared captures are: `$TUNNELSCOPE_CAPTURES`, else `../shared/captures` beside the repository.
public enum Fixtures {
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    public static let captures: URL = {
        if let path = ProcessInfo.processInfo.environment["TUNNELSCOPE_CAPTURES"] {
            return URL(fileURLWithPath: path)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/captures")
    }()

    public static func capture(_ name: String) -> String { captures.appendingPathComponent(name).path }

    /// Every capture file below `captures` (relative paths), sorted.
    public static let allCaptures: [String] = {
        let base = captures.path
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        var result: [String] = []
        for case let path as String in walker where path.hasSuffix(".pcap") || path.hasSuffix(".pcapng") {
            result.append(path)
        }
        return result.sorted()
    }()

    /// A decoded frame of a capture file, with its bytes.
    public struct Frame {
        public var tree: PacketTree
    }

    /// Reads and decodes every record of `path` (stopping quietly at a damaged record).
    public static func decodeAll(_ path: String) -> (frames: [PacketTree], error: CaptureError?) {
        var frames: [PacketTree] = []
        do {
            let file = try CaptureFile(path: path)
            try file.forEach { record in
                var tree = PacketTree()
                PacketDecoder.decode(record.bytes, metadata: record.metadata, into: &tree)
                frames.append(tree)
                return true
            }
            return (frames, nil)
        } catch {
            return (frames, error)
        }
    }

    /// Frame `number` (1-based) of a capture.
    public static func frame(_ name: String, _ number: Int = 1) -> PacketTree {
        let all = decodeAll(capture(name)).frames
        precondition(number >= 1 && number <= all.count, "\(name) has no frame \(number)")
        return all[number - 1]
    }
}

/// One capture's tshark expectations (`NAME.expected.json`).
public struct Expectations {
    public let file: String
    public let exitStatus: Int
    public let errors: [String]
    public let packets: [[String: [String]]]
    public let fields: [String]

    public init?(capture relativePath: String) {
        let url = Fixtures.captures.appendingPathComponent(relativePath + ".expected.json")
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        file = relativePath
        exitStatus = object["exit_status"] as? Int ?? 0
        errors = object["errors"] as? [String] ?? []
        fields = (object["core_fields"] as? [String] ?? []) + (object["extra_fields"] as? [String] ?? [])
        var packets: [[String: [String]]] = []
        for case let packet as [String: Any] in object["packets"] as? [Any] ?? [] {
            var normalized: [String: [String]] = [:]
            for (key, value) in packet {
                if let s = value as? String { normalized[key] = [s] }
                else if let list = value as? [String] { normalized[key] = list }
            }
            packets.append(normalized)
        }
        self.packets = packets
    }
}
