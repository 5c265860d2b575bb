import Foundation
import Testing
import PacketDecoder
import Capture
import TestSupport

@Suite("capture files")
struct CaptureFileTests {
    static func records(_ path: String, filter: String? = nil) throws -> [FrameMetadata] {
        let file = try CaptureFile(path: path)
        if let filter { try file.setFilter(filter) }
        var result: [FrameMetadata] = []
        try file.forEach { result.append($0.metadata); return true }
        return result
    }

    @Test func microsecondPcap() throws {
        let r = try Self.records(Fixtures.capture("article-echo-request.pcap"))
        #expect(r.count == 1)
        #expect(r[0].seconds == 1_593_708_003)
        #expect(r[0].nanoseconds == 972_631_000)
        #expect(r[0].originalLength == 138)
        #expect(r[0].linkType == .ethernet)
    }

    @Test func nanosecondAndBigEndianPcap() throws {
        let raw = try CaptureFile(path: Fixtures.capture("raw-sit.pcap"))
        // libpcap reports a LINKTYPE_RAW (101) file as DLT_RAW (12).
        #expect(raw.linkType == .rawDLT)
        #expect(raw.precision == .nanoseconds)
        let big = try Self.records(Fixtures.capture("6to4.pcap"))
        #expect(big.count == 14)
        #expect(big[0].seconds == 1_593_789_000 && big[0].nanoseconds == 400_000_000)
    }

    @Test func pcapngKeepsInterfacesDirectionsAndComments() throws {
        let r = try Self.records(Fixtures.capture("two-interfaces.pcapng"))
        #expect(r.count == 18)
        #expect(Set(r.compactMap(\.interfaceName)) == ["eth0", "tunn"])
        #expect(r.contains { $0.linkType == .raw && $0.interfaceID == 1 })
        #expect(r.contains { $0.linkType == .ethernet && $0.interfaceID == 0 })
        #expect(r.allSatisfy { $0.direction != nil && $0.section == 1 })
        let escapes = try Self.records(Fixtures.capture("malformed/terminal-escapes.pcapng"))
        #expect(escapes.first?.comment == "\u{1b}]0;window title\u{07}\u{1b}[2J")
    }

    @Test func captureFilterOnMixedLinkTypes() throws {
        let all = try Self.records(Fixtures.capture("two-interfaces.pcapng"))
        // Each interface's records are tested with a program compiled for its own link type.
        let tunnelled = try Self.records(Fixtures.capture("two-interfaces.pcapng"), filter: "ip proto 41")
        #expect(!tunnelled.isEmpty && tunnelled.count < all.count)
        #expect(tunnelled.allSatisfy { $0.linkType == .ethernet })
        let v6 = try Self.records(Fixtures.capture("two-interfaces.pcapng"), filter: "ip6")
        #expect(v6.contains { $0.linkType == .raw })
        #expect(v6.contains { $0.linkType == .ethernet })
    }

    @Test func inMemoryCaptureReadsLikeTheFile() throws {
        let path = Fixtures.capture("article-tunnel.pcap")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let memory = try CaptureFile(bytes: bytes, name: "article-tunnel.pcap")
        var count = 0
        try memory.forEach { _ in count += 1; return true }
        #expect(count == 89)
    }

    @Test func writerRoundTripsBytesAndTimes() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("w-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let source = try CaptureFile(path: Fixtures.capture("raw-sit.pcap"))
        let writer = try PcapWriter(path: out, linkType: source.linkType, precision: .nanoseconds)
        var originals: [([UInt8], FrameMetadata)] = []
        try source.forEach { record in
            try? writer.write(record.bytes, metadata: record.metadata)
            originals.append((Array(record.bytes), record.metadata))
            return true
        }
        writer.close()
        var copies: [([UInt8], FrameMetadata)] = []
        try CaptureFile(path: out).forEach { copies.append((Array($0.bytes), $0.metadata)); return true }
        #expect(copies.count == originals.count)
        for (a, b) in zip(originals, copies) {
            #expect(a.0 == b.0)
            #expect(a.1.seconds == b.1.seconds && a.1.nanoseconds == b.1.nanoseconds && a.1.originalLength == b.1.originalLength)
        }
    }

    @Test func unknownFileIsAClearError() throws {
        #expect(throws: CaptureError.self) { try CaptureFile(path: Fixtures.capture("README.md")) }
        do { _ = try CaptureFile(path: "/nonexistent") } catch {
            #expect(error.description == "/nonexistent: No such file or directory")
        }
    }
}

/// Every malformed capture reads as far as tshark read it, then fails cleanly or ends.
@Suite("pcap writer")
struct PcapWriterTests {
    /// With `bufferSize`, nothing reaches the file until a flush while the records fit the
    /// buffer, so a reader of a growing file (the live spool) never meets half a record. glibc
    /// once kept its own 4 KiB buffer instead (setvbuf without memory ignores the size) and
    /// wrote whenever that filled.
    @Test func bufferedWriterWritesWholeRecordsOnlyAtFlush() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("w-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PcapWriter(path: path, linkType: .ethernet, bufferSize: 1 << 20)
        try writer.flush()
        let frame = [UInt8](repeating: 0xAB, count: 1000)
        for number in 1...100 {
            try frame.withUnsafeBytes {
                try writer.write($0, metadata: FrameMetadata(number: number, originalLength: frame.count, linkType: .ethernet))
            }
        }
        func size() throws -> Int { (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1 }
        #expect(try size() == 24)
        try writer.flush()
        #expect(try size() == 24 + 100 * (16 + 1000))
        writer.close()
    }
}

@Suite("malformed capture files")
struct MalformedFileTests {
    static let files = Fixtures.allCaptures.filter { $0.hasPrefix("malformed/") }

    @Test("reads as tshark did", arguments: files)
    func readsAsTsharkDid(file: String) throws {
        let expected = try #require(Expectations(capture: file))
        let (frames, error) = Fixtures.decodeAll(Fixtures.capture(file))
        #expect(frames.count == expected.packets.count, "\(file): read \(frames.count), tshark \(expected.packets.count)")
        if expected.exitStatus == 0 {
            #expect(error == nil, "\(file): \(String(describing: error))")
        } else {
            let e = try #require(error, "\(file): tshark failed (\(expected.errors)), we read it all")
            // A record-level failure names the record after the last good one.
            if e.kind == .badRecord { #expect(e.record == frames.count + 1) }
            #expect(!e.description.contains("\n"))
        }
    }
}
