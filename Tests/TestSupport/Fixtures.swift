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

    /// Writes a classic pcap whose frame 2 (214 bytes in the file) is longer than the file's
    /// snapshot length (100): libpcap hands over its first 100 bytes and reads past the rest, so
    /// the record's bytes do not end where libpcap's stream stands after it. Returns the path.
    public static func writeCaptureWithRecordCutByLibpcap(named name: String) throws -> String {
        var file = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { file.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { file.append(contentsOf: $0) } }
        u32(0xA1B2_C3D4); u16(2); u16(4); u32(0); u32(0); u32(100); u32(1)
        let ethernet: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]
        let payloads = [[UInt8](repeating: 0, count: 60), (0..<200).map { UInt8($0) }, [UInt8](repeating: 7, count: 60)]
        for (i, payload) in payloads.enumerated() {
            let bytes = ethernet + payload
            u32(UInt32(i + 1)); u32(0); u32(UInt32(bytes.count)); u32(UInt32(bytes.count))
            file.append(contentsOf: bytes)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid()).pcap").path
        try file.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Writes the article's frame three times (seconds 1, 2, 3) as Alexey Kuznetsov's "modified"
    /// pcap (magic 0xa1b2cd34), whose record headers are 24 bytes: the usual 16, then an
    /// interface index, a protocol and a packet type. Returns the path.
    public static func writeModifiedPcap(named name: String) throws -> String {
        let article = [UInt8](try Data(contentsOf: URL(fileURLWithPath: capture("article-echo-request.pcap"))))
        let frame = article[40...]
        var file = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { file.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { file.append(contentsOf: $0) } }
        u32(0xA1B2_CD34); u16(2); u16(4); u32(0); u32(0); u32(65535); u32(1)
        for second in 1...3 {
            u32(UInt32(second)); u32(0); u32(UInt32(frame.count)); u32(UInt32(frame.count))
            u32(2); u16(0x0800); file.append(0); file.append(0)
            file.append(contentsOf: frame)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid()).pcap").path
        try file.write(to: URL(fileURLWithPath: path))
        return path
    }

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
