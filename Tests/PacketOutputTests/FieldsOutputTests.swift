import Foundation
import Testing
import PacketDecoder
import PacketOutput
import TestSupport

/// `print -T fields` must print byte for byte what tshark 4.0 printed for the same capture and
/// options (the expectations were generated once by Fixtures/make_tshark_fields.sh).
@Suite("-T fields equals tshark")
struct FieldsOutputTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tshark-fields")
    static let captures = ["article-echo-request.pcap", "article-tunnel.pcap", "teredo.pcap", "6to4.pcap", "isatap.pcap",
                           "vlan.pcap", "sll.pcap", "sll2.pcap", "raw-sit.pcap"]

    static func expectedLines(_ name: String) throws -> [String] {
        let text = try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    static func render(_ capture: String, names: [String], options: [String]) throws -> [String] {
        var opts = FieldsPrinter.Options()
        for o in options { try opts.apply(o) }
        let printer = try FieldsPrinter(names: names, options: opts)
        var lines: [String] = []
        if let header = printer.headerLine { lines.append(header) }
        for tree in Fixtures.decodeAll(Fixtures.capture(capture)).frames { lines.append(printer.line(for: tree)) }
        return lines
    }

    static func compare(_ got: [String], _ want: [String], _ what: String) {
        #expect(got.count == want.count, "\(what): \(got.count) lines, tshark \(want.count)")
        var differences: [String] = []
        for (i, (g, w)) in zip(got, want).enumerated() where g != w {
            differences.append("line \(i + 1):\n  tshark: \(w)\n  ours:   \(g)")
        }
        if !differences.isEmpty {
            Issue.record(Comment(rawValue: "\(what): \(differences.count) lines differ\n" + differences.prefix(8).joined(separator: "\n")))
        }
    }

    @Test("core fields", arguments: captures)
    func coreFields(capture: String) throws {
        let names = try Self.expectedLines("FIELDS")
        let want = try Self.expectedLines("\(capture).tsv")
        Self.compare(try Self.render(capture, names: names, options: ["header=y"]), want, capture)
    }

    @Test("-E options", arguments: [
        ("occurrence-first", ["occurrence=f"], ["ip.version", "ipv6.src", "ipv6.hlim"]),
        ("occurrence-last", ["occurrence=l"], ["ip.version", "ipv6.src", "ipv6.hlim"]),
        ("aggregator-space", ["aggregator=/s", "separator=,"], ["ip.version", "ipv6.addr", "udp.port"]),
        ("quote-double", ["quote=d", "header=y"], ["ip.src", "ipv6.dst", "icmpv6.type"]),
        ("quote-single", ["quote=s", "separator=/s"], ["eth.src", "ipv6.flow"]),
    ])
    func options(variant: String, options: [String], names: [String]) throws {
        let want = try Self.expectedLines("variant-\(variant).tsv")
        Self.compare(try Self.render("article-tunnel.pcap", names: names, options: options), want, variant)
    }

    @Test func unknownFieldIsNamedWithSuggestions() {
        #expect(throws: FieldsError.self) { try FieldsPrinter(names: ["ip.srcc"], options: .init()) }
        do {
            _ = try FieldsPrinter(names: ["ipv6.scr"], options: .init())
        } catch {
            #expect(error.description.contains("unknown field \"ipv6.scr\""))
            #expect(error.description.contains("ipv6.src"))
        }
    }

    @Test func badOptionsAreRejected() {
        var o = FieldsPrinter.Options()
        #expect(throws: FieldsError.self) { try o.apply("occurrence=x") }
        #expect(throws: FieldsError.self) { try o.apply("colour=y") }
        #expect(throws: FieldsError.self) { try o.apply("header") }
    }
}
