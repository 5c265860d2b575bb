import Foundation
import Testing
import TestSupport

/// The real binary, as a user runs it.
@Suite("tunnelscope print")
struct PrintCommandTests {
    let article = Fixtures.capture("article-echo-request.pcap")
    let tunnel = Fixtures.capture("article-tunnel.pcap")

    @Test func versionAndHelp() throws {
        let version = try Binary.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("tunnelscope "))
        let help = try Binary.run(["print", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("-T <format>"))
    }

    @Test func summaryOfTheArticleFrame() throws {
        let r = try Binary.run(["print", "-r", article])
        #expect(r.status == 0)
        #expect(r.stdout == "    1   0.000000 2001:2::8067 → 2001:3::8067 ICMPv6 138 [6in4 192.168.122.127 → 192.168.122.134] Echo (ping) request id=0x03d9, seq=1, hop limit=63\n")
    }

    @Test func countStopsEarly() throws {
        let r = try Binary.run(["print", "-r", tunnel, "-c", "5"])
        #expect(r.status == 0)
        #expect(r.stdout.split(separator: "\n").count == 5)
    }

    @Test func bpfFilterKeepsProtocol41Only() throws {
        let r = try Binary.run(["print", "-r", tunnel, "-f", "ip proto 41", "-T", "fields", "-e", "frame.number", "-e", "ip.proto"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.hasSuffix("\t41") })
        // tcpdump agrees on how many there are (counted once with `tcpdump -r article-tunnel.pcap 'ip proto 41'`).
        #expect(lines.count == 18)
    }

    @Test func badBPFIsOneLineAndExit1() throws {
        let r = try Binary.run(["print", "-r", tunnel, "-f", "ip proto fortyone"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("tunnelscope: "))
        #expect(r.stderr.contains("bad capture filter"))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func missingFileAndUsageErrors() throws {
        let missing = try Binary.run(["print", "-r", "/nonexistent/x.pcap"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "tunnelscope: /nonexistent/x.pcap: No such file or directory\n")
        let usage = try Binary.run(["print"])
        #expect(usage.status == 2)
        let unknown = try Binary.run(["print", "-r", article, "--frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "tunnelscope: Unknown option '--frobnicate' (see 'tunnelscope print --help')\n")
        let badField = try Binary.run(["print", "-r", article, "-T", "fields", "-e", "ipv6.scr"])
        #expect(badField.status == 2)
        #expect(badField.stderr.contains("unknown field \"ipv6.scr\""))
        #expect(badField.stderr.contains("ipv6.src"))
    }

    @Test func damagedFilesPrintWhatWasReadThenTheError() throws {
        let cut = try Binary.run(["print", "-r", Fixtures.capture("malformed/record-data-cut-short.pcap")])
        #expect(cut.status == 1)
        #expect(cut.stdout.split(separator: "\n").count == 1)
        #expect(cut.stderr.contains("record 2"))
        let huge = try Binary.run(["print", "-r", Fixtures.capture("malformed/caplen-4gb.pcap")])
        #expect(huge.status == 1)
        #expect(huge.stdout.split(separator: "\n").count == 1)
        #expect(huge.stderr.contains("record 2"))
        let header = try Binary.run(["print", "-r", Fixtures.capture("malformed/file-header-cut-short.pcap")])
        #expect(header.status == 1)
        #expect(header.stdout.isEmpty)
        #expect(header.stderr.split(separator: "\n").count == 1)
    }

    @Test func writeKeepsExactlyThePacketsThatPass() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ts-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let w = try Binary.run(["print", "-r", tunnel, "-f", "ip proto 41", "-w", out])
        #expect(w.status == 0)
        #expect(w.stdout.isEmpty)
        let back = try Binary.run(["print", "-r", out, "-T", "fields", "-e", "frame.number", "-e", "ip.proto"])
        #expect(back.stdout.split(separator: "\n").count == 18)
        // Byte for byte: the written frame 1 is the tunnel capture's first protocol-41 frame.
        let original = try Binary.run(["print", "-r", tunnel, "-f", "ip proto 41", "-c", "1", "-x"])
        let copy = try Binary.run(["print", "-r", out, "-c", "1", "-x"])
        #expect(original.stdout.split(separator: "\n").dropFirst() == copy.stdout.split(separator: "\n").dropFirst())
    }

    @Test func terminalEscapesNeverReachTheTerminal() throws {
        for file in ["malformed/terminal-escapes.pcap", "malformed/terminal-escapes.pcapng"] {
            for args in [[], ["-V"], ["-x"], ["-T", "fields", "-e", "frame.comment", "-e", "frame.interface_name", "-e", "data.data"], ["-T", "json"]] {
                let r = try Binary.run(["print", "-r", Fixtures.capture(file)] + args)
                #expect(r.status == 0, "\(file) \(args)")
                let bad = r.stdoutBytes.filter { ($0 < 0x20 && $0 != 0x0A && $0 != 0x09) || $0 == 0x7F }
                #expect(bad.isEmpty, "\(file) \(args): \(bad.count) control bytes reached stdout")
                #expect(!r.stdout.unicodeScalars.contains { $0.value >= 0x80 && $0.value < 0xA0 }, "\(file) \(args): C1 control")
            }
        }
    }

    @Test func jsonIsValidJSON() throws {
        let r = try Binary.run(["print", "-r", tunnel, "-T", "json", "-c", "20"])
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: r.stdoutBytes)
        let packets = try #require(object as? [[String: Any]])
        #expect(packets.count == 20)
    }

    @Test func fieldsListsTheRegistry() throws {
        let r = try Binary.run(["fields"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("ipv6.src\tFT_IPv6\tBASE_NONE\t\tSource Address\n"))
        #expect(r.stdout.contains("ip.proto\tFT_UINT8\tBASE_DEC\t\tProtocol\n"))
    }

    @Test func pcapngWithTwoLinkTypesReads() throws {
        let r = try Binary.run(["print", "-r", Fixtures.capture("two-interfaces.pcapng"), "-T", "fields", "-e", "frame.interface_id", "-e", "frame.interface_name"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 18)
        #expect(lines.contains("1\ttunn"))
        #expect(lines.contains("0\teth0"))
    }

    @Test func defaultOpensTheBundledCapture() throws {
        let r = try Binary.run([])
        #expect(r.status == 0)
        #expect(r.stdout.split(separator: "\n").count == 89)
    }
}

@Suite("tunnelscope print -Y")
struct DisplayFilterCommandTests {
    let tunnel = Fixtures.capture("article-tunnel.pcap")

    @Test func protocol41() throws {
        let r = try Binary.run(["print", "-r", tunnel, "-Y", "ip.proto == 41", "-T", "fields", "-e", "frame.number"])
        #expect(r.status == 0)
        // tshark -Y 'ip.proto == 41' on the same file keeps these 18 frames.
        let frames = r.stdout.split(separator: "\n").compactMap { Int($0) }
        #expect(frames.count == 18)
        #expect(frames.contains(73))
        let inner = try Binary.run(["print", "-r", tunnel, "-Y", "ip && ipv6.src == 2001:2::8067 && icmpv6.type == 128", "-c", "1"])
        // The time stays relative to the capture's first packet, as tshark's.
        #expect(inner.stdout.hasPrefix("   73  88.895767 2001:2::8067 → 2001:3::8067 ICMPv6 138 [6in4"))
    }

    @Test func badFilterPrintsMessageAndCaretAndNothingElse() throws {
        let r = try Binary.run(["print", "-r", tunnel, "-Y", "ip.srcc == 1"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == "tunnelscope: bad display filter: \"ip.srcc\" is not a valid protocol or protocol field. Did you mean ip.src?\n    ip.srcc == 1\n    ^~~~~~~\n")
        let paren = try Binary.run(["print", "-r", tunnel, "-Y", "(ip.proto == 41"])
        #expect(paren.status == 2)
        #expect(paren.stdout.isEmpty)
    }

    @Test func filterAndWrite() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("y-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let w = try Binary.run(["print", "-r", tunnel, "-Y", "teredo || ip.proto == 41", "-w", out])
        #expect(w.status == 0)
        let back = try Binary.run(["print", "-r", out, "-T", "fields", "-e", "ip.proto"])
        #expect(back.stdout.split(separator: "\n").count == 18)
        #expect(back.stdout.split(separator: "\n").allSatisfy { $0 == "41" })
    }
}
