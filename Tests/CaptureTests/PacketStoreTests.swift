import Foundation
import Testing
import PacketDecoder
import Capture
import PacketStore
import TestSupport

@Suite("packet store")
struct PacketStoreTests {
    /// Every record's bytes and metadata through the store equal the sequential reader's.
    @Test(arguments: ["article-tunnel.pcap", "two-interfaces.pcapng", "raw-sit.pcap", "6to4.pcap", "malformed/terminal-escapes.pcapng"])
    func randomAccessEqualsSequentialReading(capture: String) throws {
        try compareStoreWithReader(Fixtures.capture(capture), capture)
    }

    /// A record libpcap cuts to the snapshot length: the store must point at its first bytes,
    /// not count back from where libpcap's stream stands after it.
    @Test func recordCutByLibpcapIsFoundAtItsStart() throws {
        let path = try Fixtures.writeCaptureWithRecordCutByLibpcap(named: "ts-cut-store")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try compareStoreWithReader(path, "cut record")
        let store = try PacketStore(path: path)
        store.buildIndex()
        #expect(Array(store.bytes(1).suffix(4)) == [82, 83, 84, 85])
    }

    /// A "modified" pcap's records have 24-byte headers: the store must point past all of them.
    @Test func modifiedPcapRecordsAreFoundPastTheirLongerHeaders() throws {
        let path = try Fixtures.writeModifiedPcap(named: "ts-modified-store")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try compareStoreWithReader(path, "modified pcap")
        let store = try PacketStore(path: path)
        store.buildIndex()
        let article = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.capture("article-echo-request.pcap"))))
        #expect(store.count == 3)
        #expect(Array(store.bytes(2)) == Array(article[40...]))
    }

    private func compareStoreWithReader(_ path: String, _ capture: String) throws {
        let store = try PacketStore(path: path)
        var progressCalls = 0
        store.buildIndex { _, _, _ in progressCalls += 1 }
        #expect(store.isComplete && store.error == nil)
        #expect(progressCalls >= 1)
        var sequential: [([UInt8], FrameMetadata)] = []
        try CaptureFile(path: path).forEach { sequential.append((Array($0.bytes), $0.metadata)); return true }
        #expect(store.count == sequential.count)
        // Backwards, to prove the access is random.
        for i in stride(from: store.count - 1, through: 0, by: -1) {
            #expect(Array(store.bytes(i)) == sequential[i].0, "\(capture) packet \(i + 1)")
            let m = store.metadata(i)
            #expect(m.seconds == sequential[i].1.seconds && m.nanoseconds == sequential[i].1.nanoseconds)
            #expect(m.linkType == sequential[i].1.linkType && m.originalLength == sequential[i].1.originalLength)
            #expect(m.interfaceName == sequential[i].1.interfaceName)
        }
    }

    @Test func inMemoryStoreDecodes() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.capture("article-tunnel.pcap"))))
        let store = PacketStore(bytes: bytes, name: "article-tunnel.pcap")
        store.buildIndex()
        #expect(store.count == 89)
        var tree = PacketTree()
        store.decode(72, into: &tree)
        #expect(tree.first(IPv4Layer.proto)?.value == .unsigned(41))
        #expect(tree.metadata.number == 73)
    }

    @Test func damagedFileKeepsWhatWasIndexed() throws {
        let store = try PacketStore(path: Fixtures.capture("malformed/record-data-cut-short.pcap"))
        store.buildIndex()
        #expect(store.isComplete)
        #expect(store.count == 1)
        #expect(store.error?.record == 2)
    }

    @Test func entriesAre32Bytes() {
        #expect(MemoryLayout<PacketStore.Entry>.stride == 32)
    }
}
