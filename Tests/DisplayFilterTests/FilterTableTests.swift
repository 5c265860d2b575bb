import Foundation
import Testing
import PacketDecoder
import DisplayFilter
import TestSupport

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
    static let filters: [DisplayFilter] = Array(Set(FilterTableTests.rows.map(\.filter))).sorted()
        .compactMap { try? DisplayFilter(compiling: $0) }

    static func lean(_ tree: PacketTree, _ selection: FieldSelection, into lean: inout PacketTree) {
        tree.bytes.withUnsafeBytes { PacketDecoder.decode($0, metadata: tree.metadata, into: &lean, keeping: selection) }
    }

    @Test("the same frames as the full decode", arguments: Fixtures.allCaptures)
    func sameChoice(capture: String) {
        let frames = Fixtures.decodeAll(Fixtures.capture(capture)).frames
        var lean = PacketTree()
        var disagreements: [String] = []
        for filter in Self.filters {
            guard let selection = filter.selection else { continue }
            for (i, tree) in frames.enumerated() {
                Self.lean(tree, selection, into: &lean)
                if filter.matches(lean) != filter.matches(tree) { disagreements.append("frame \(i + 1): \(filter.text)") }
                // Fewer nodes, never more, and every layer is still there.
                #expect(lean.nodes.count <= tree.nodes.count)
                #expect(lean.protocolPath == tree.protocolPath, "\(capture) frame \(i + 1)")
            }
        }
        #expect(disagreements.isEmpty, "\(capture): \(disagreements.prefix(10))")
    }

    @Test func selectionKeepsOnlyWhatTheFilterReads() throws {
        let filter = try DisplayFilter(compiling: "ip.proto == 41")
        let selection = try #require(filter.selection)
        let tree = try #require(Fixtures.decodeAll(Fixtures.capture("article-echo-request.pcap")).frames.first)
        var lean = PacketTree()
        Self.lean(tree, selection, into: &lean)
        // The frame, the layers (the echo's payload is a `data` layer) and the one field.
        let kept = lean.nodes.map { $0.field.info.abbreviation }
        #expect(kept == ["frame", "eth", "ip", "ip.proto", "ipv6", "icmpv6", "data"])
        #expect(filter.matches(lean))
        // Expert information hangs on any node: a filter reading it decodes everything.
        #expect(try DisplayFilter(compiling: "_ws.expert && ip").selection == nil)
    }

    @Test func fuzzCorpusDecodesLeanWithoutTrouble() throws {
        let corpus = Fixtures.repositoryRoot.appendingPathComponent("Fuzz/corpus")
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
        let selections = try ["ip.proto == 41", "ipv6.src == ::1 || tcp.port == 80", "icmpv6.type == 128 && udp"]
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
