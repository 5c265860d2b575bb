import Foundation
import Testing
import PacketDecoder
import DisplayFilter
import TestSupport
import Workload

/// (capture, filter) -> the frames tshark 4.0 keeps, from Fixtures/filters.tsv (made once with
/// Fixtures/make_expected.py; CI has no tshark). Every row must keep exactly tshark's frames.
@Suite("filters against tshark")
struct FilterTableTests {
    struct Row: CustomTestStringConvertible, Sendable {
        var capture: String
        var filter: String
        var frames: [Int]
        var testDescription: String { "\(capture): \(filter)" }
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let rows: [Row] = {
        // FILTER_TABLE=path checks another table made by make_expected.py (filters of your own).
        let path = ProcessInfo.processInfo.environment["FILTER_TABLE"].map(URL.init(fileURLWithPath:))
            ?? fixtures.appendingPathComponent("filters.tsv")
        guard let text = try? String(contentsOf: path, encoding: .utf8) else { return [] }
        var rows: [Row] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where !line.hasPrefix("#") {
            let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2 else { continue }
            let frames = parts.count == 3 ? parts[2].split(separator: " ").compactMap { Int($0) } : []
            rows.append(Row(capture: String(parts[0]), filter: String(parts[1]), frames: frames))
        }
        return rows
    }()

    /// Rows that fail only because a field is not decoded yet in this branch: the decoder work
    /// in progress elsewhere (ICMPv6 quotes, Teredo, address anatomy, SLL). Each names what it
    /// waits for; once that lands the row passes and `withKnownIssue` says so: delete the entry.
    static let pendingDecoder: [String: String] = [:]

    /// Every capture the table names, decoded once.
    static let decoded: [String: [PacketTree]] = {
        var out: [String: [PacketTree]] = [:]
        for capture in Set(rows.map(\.capture)) {
            out[capture] = Fixtures.decodeAll(Fixtures.capture(capture)).frames
        }
        return out
    }()

    @Test("the table is there and covers enough")
    func tableLoaded() {
        #expect(FilterTableTests.rows.count >= 80)
        #expect(FilterTableTests.pendingDecoder.count <= 15)
    }

    @Test("frames kept equal tshark's", arguments: rows)
    func row(_ row: Row) throws {
        let frames = try #require(FilterTableTests.decoded[row.capture])
        let check = {
            let filter: DisplayFilter
            do {
                filter = try DisplayFilter(compiling: row.filter)
            } catch {
                Issue.record("\(row.filter) does not compile: \(error)")
                return
            }
            var kept: [Int] = []
            for (index, tree) in frames.enumerated() where filter.matches(tree) { kept.append(index + 1) }
            let missing = row.frames.filter { !kept.contains($0) }
            let extra = kept.filter { !row.frames.contains($0) }
            #expect(missing.isEmpty && extra.isEmpty,
                    "\(row.capture) \(row.filter): tshark keeps \(row.frames.count), we keep \(kept.count); missing \(missing.prefix(12)), extra \(extra.prefix(12))")
        }
        if let waiting = FilterTableTests.pendingDecoder[row.filter] {
            withKnownIssue("waits for the decoder: \(waiting)") { check() }
        } else {
            check()
        }
    }
}

/// `DisplayFilter.selection`: print -Y and the TUI choose packets on a decode that keeps only
/// the fields the filter reads. It must choose exactly what the full decode chooses, for every
/// filter of the table on every shared capture (not only the capture its row names) and on the
/// fuzz corpus.
@Suite("filters on a decode of only their fields")
struct SelectiveDecodeTests {
    /// The tshark table's filters, and some that lean on the layers a selective decode leaves
    /// out (a TCP segment, UDP off Teredo's port, an echo, ARP: `DecodeContext.skipsTerminal`).
    static let filters: [DisplayFilter] = (Array(Set(FilterTableTests.rows.map(\.filter))).sorted() + [
        "ip.proto == 6", "ip.proto == 17 && ipv6", "ipv6.nxt == 58", "frame.protocols contains \"tcp\"",
        "data", "data.len > 8 && ip", "eth.trailer || eth.padding", "arp || ip.proto == 41", "teredo || ip.ttl < 64",
        "icmp.type == 3 && ip.proto == 17", "ipv6.src == fe80::/10 && !icmpv6", "ip.proto == 41 && icmpv6.type == 128",
        // Filters that read the packet's bytes (slices, searches, byte fields).
        "eth.src[0:3] == 52:54:00", "ip[9] == 41", "frame[12:2] == 08:00", "ipv6 contains 20:01", "eth[-2:] == 86:dd",
        "udp.payload contains 00", "data.data[0] == 00", "ip.src[0] == c0", "icmpv6.data[0:2] == 00:00",
    ]).compactMap { try? DisplayFilter(compiling: $0) }

    static func lean(_ tree: PacketTree, _ selection: FieldSelection, into lean: inout PacketTree) {
        tree.bytes.withUnsafeBytes { PacketDecoder.decode($0, metadata: tree.metadata, into: &lean, keeping: selection) }
    }

    @Test("the same frames as the full decode", arguments: Fixtures.allCaptures)
    func sameChoice(capture: String) {
        let frames = Fixtures.decodeAll(Fixtures.capture(capture)).frames
        var lean = PacketTree(), bare = PacketTree()
        var disagreements: [String] = []
        for filter in Self.filters {
            guard let selection = filter.selection else { continue }
            for (i, tree) in frames.enumerated() {
                Self.lean(tree, selection, into: &lean)
                if filter.matches(lean) != filter.matches(tree) { disagreements.append("frame \(i + 1): \(filter.text)") }
                // `print -Y`'s way: the bytes stay where they were read (slices, `contains` and
                // byte fields read them there); the tree keeps none.
                let bareChoice = tree.bytes.withUnsafeBytes { bytes in
                    PacketDecoder.decodeLeavingBytes(bytes, metadata: tree.metadata, into: &bare, keeping: selection)
                    return filter.matches(bare, bytes: bytes)
                }
                if bareChoice != filter.matches(tree) { disagreements.append("frame \(i + 1), bytes left: \(filter.text)") }
                #expect(bare.bytes.isEmpty && bare.nodes == lean.nodes)
                // Fewer nodes, never more; the layers are the full decode's, or their start when
                // the filter does not read the list of layers and a terminal one was left out.
                #expect(lean.nodes.count <= tree.nodes.count)
                if selection.needsEveryLayer {
                    #expect(lean.protocolPath == tree.protocolPath, "\(capture) frame \(i + 1)")
                } else {
                    #expect(tree.protocolPath.starts(with: lean.protocolPath), "\(capture) frame \(i + 1)")
                }
            }
        }
        #expect(disagreements.isEmpty, "\(capture): \(disagreements.prefix(10))")
    }

    /// The benchmark's traffic mix, through `print -Y`'s way (bytes left where they lie).
    @Test func sameChoiceOnTheBenchmarkMix() {
        var workload = Workload(seed: 11)
        var bare = PacketTree()
        var disagreements: [String] = []
        for number in 1...2000 {
            let bytes = workload.nextFrame()
            let metadata = FrameMetadata(number: number, seconds: Int64(number), originalLength: bytes.count, linkType: .ethernet)
            let full = PacketTree(decoding: bytes, metadata: metadata)
            for filter in Self.filters {
                guard let selection = filter.selection else { continue }
                let choice = bytes.withUnsafeBytes { raw in
                    PacketDecoder.decodeLeavingBytes(raw, metadata: metadata, into: &bare, keeping: selection)
                    return filter.matches(bare, bytes: raw)
                }
                if choice != filter.matches(full) { disagreements.append("frame \(number): \(filter.text)") }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test func selectionKeepsOnlyWhatTheFilterReads() throws {
        let filter = try DisplayFilter(compiling: "ip.proto == 41")
        let selection = try #require(filter.selection)
        let tree = try #require(Fixtures.decodeAll(Fixtures.capture("article-echo-request.pcap")).frames.first)
        var lean = PacketTree()
        Self.lean(tree, selection, into: &lean)
        // The frame, the layers that can hold an IPv4 header and the one field: the echo (and
        // its `data`) holds none, so it is left out.
        let kept = lean.nodes.map { $0.field.info.abbreviation }
        #expect(kept == ["frame", "eth", "ip", "ip.proto", "ipv6"])
        #expect(filter.matches(lean))
        // A filter that reads the list of layers gets all of them.
        let listing = try #require(try DisplayFilter(compiling: "frame.protocols contains \"icmpv6\" && ip.proto == 41").selection)
        Self.lean(tree, listing, into: &lean)
        #expect(lean.protocolPath == tree.protocolPath)
        #expect(lean.nodes.contains { $0.field == ICMPv6Layer.icmpv6 })
        // Expert information hangs on any node: a filter reading it decodes everything.
        #expect(try DisplayFilter(compiling: "_ws.expert && ip").selection == nil)
    }

    @Test func fuzzCorpusDecodesLeanWithoutTrouble() throws {
        let corpus = Fixtures.repositoryRoot.appendingPathComponent("Fuzz/corpus")
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
        let selections = try ["ip.proto == 41", "ipv6.src == ::1 || tcp.port == 80", "icmpv6.type == 128 && udp",
                              "ip.proto == 6 || ipv6.nxt == 17", "data || arp", "icmp.type == 11 && ip.ttl > 1"]
            .map { try #require(try DisplayFilter(compiling: $0)) }
        var full = PacketTree(), lean = PacketTree()
        for name in files {
            let input = try [UInt8](Data(contentsOf: corpus.appendingPathComponent(name)))
            guard let first = input.first else { continue }
            let frame = Array(input.dropFirst())
            let linkTypes: [LinkType] = [.ethernet, .raw, .linuxSLL, .null]
            let metadata = FrameMetadata(number: 1, originalLength: frame.count, linkType: linkTypes[Int(first) % linkTypes.count])
            PacketDecoder.decode(frame, metadata: metadata, into: &full)
            for filter in selections {
                frame.withUnsafeBytes { PacketDecoder.decode($0, metadata: metadata, into: &lean, keeping: filter.selection) }
                #expect(filter.matches(lean) == filter.matches(full), "\(name): \(filter.text)")
            }
        }
    }
}
