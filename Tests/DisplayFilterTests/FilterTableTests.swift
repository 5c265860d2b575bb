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
