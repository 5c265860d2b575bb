import Foundation
import Testing
import TestSupport

/// `print -r` runs on every core (ParallelPrinting); its output must be exactly that of one pass,
/// in every format, with -c stopping mid-batch, -Y, -w and damaged files. Tiny batches
/// (TUNNELSCOPE_PRINT_BATCH) make the shared captures cross many batch boundaries.
@Suite("print on several cores")
struct ParallelPrintTests {
    static let onePass = ["TUNNELSCOPE_PRINT_WORKERS": "1"]
    static let parallel = ["TUNNELSCOPE_PRINT_WORKERS": "3", "TUNNELSCOPE_PRINT_BATCH": "3"]

    // Each format once, a display filter with JSON's commas, and -c stopping mid-batch: five
    // variants keep the 70 captures x 2 runs light beside the other suites running in parallel.
    static let variants: [[String]] = [
        [],
        ["-V", "-x"],
        ["-T", "fields", "-e", "frame.number", "-e", "ip.src", "-e", "ipv6.src", "-e", "icmpv6.type"],
        ["-Y", "ipv6 || arp", "-T", "json"],
        ["-Y", "ipv6", "-c", "4"],
    ]

    @Test(arguments: Fixtures.allCaptures)
    func sameOutputAsOnePass(capture: String) throws {
        let path = Fixtures.capture(capture)
        for variant in Self.variants {
            let arguments = ["print", "-r", path] + variant
            let one = try Binary.run(arguments, environment: Self.onePass)
            let many = try Binary.run(arguments, environment: Self.parallel)
            #expect(many.stdout == one.stdout, "\(capture) \(variant)")
            #expect(many.stderr == one.stderr, "\(capture) \(variant)")
            #expect(many.status == one.status, "\(capture) \(variant)")
        }
    }

    @Test func jsonStaysOneValidArray() throws {
        let r = try Binary.run(["print", "-r", Fixtures.capture("article-tunnel.pcap"), "-T", "json"], environment: Self.parallel)
        #expect(r.status == 0)
        let value = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [Any]
        #expect((value?.count ?? 0) > 10)
    }

    @Test func extractionWritesTheSameRecords() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ts-parallel-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = Fixtures.capture("article-tunnel.pcap")
        var files: [Data] = []
        for (name, environment) in [("one", Self.onePass), ("many", Self.parallel)] {
            let out = directory.appendingPathComponent("\(name).pcap").path
            let r = try Binary.run(["print", "-r", input, "-Y", "ip.proto == 41", "-c", "11", "-w", out], environment: environment)
            #expect(r.status == 0)
            files.append(try Data(contentsOf: URL(fileURLWithPath: out)))
        }
        #expect(files[0] == files[1])
        // 11 records of the 18 protocol-41 frames: the file header (24) plus 11 record headers and bytes.
        let check = try Binary.run(["print", "-r", directory.appendingPathComponent("many.pcap").path, "-T", "fields", "-e", "ip.proto"])
        #expect(check.stdout.split(separator: "\n").count == 11)
        #expect(check.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("41") })
    }

    /// Workers read a classic pcap's records from the mapped file; a record longer than the
    /// file's snapshot length is cut by libpcap (which reads and drops the rest), so its bytes do
    /// not end where libpcap's stream stands, and they must be copied instead. Frame 2 here has
    /// 214 bytes in the file and 100 captured.
    @Test func recordCutByLibpcapIsNotReadFromTheMapping() throws {
        let path = try Fixtures.writeCaptureWithRecordCutByLibpcap(named: "ts-cut-print")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let one = try Binary.run(["print", "-r", path, "-x"], environment: Self.onePass)
        let many = try Binary.run(["print", "-r", path, "-x"], environment: Self.parallel)
        #expect(one.status == 0)
        #expect(many.stdout == one.stdout)
        // The captured bytes are the record's first 100: 0x00...0x55 after the Ethernet header.
        #expect(many.stdout.contains("0060  52 53 54 55 "))
        #expect(many.stdout.contains("214 IPv6"))
    }

    /// Alexey Kuznetsov's "modified" pcap has 24-byte record headers: workers reading records
    /// from the mapping must start past them (they once decoded the header's last 8 bytes as
    /// the frame's first).
    @Test func modifiedPcapIsReadPastItsLongerRecordHeaders() throws {
        let path = try Fixtures.writeModifiedPcap(named: "ts-modified-print")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let one = try Binary.run(["print", "-r", path, "-x"], environment: Self.onePass)
        let many = try Binary.run(["print", "-r", path, "-x"], environment: Self.parallel)
        #expect(one.status == 0 && many.status == 0)
        #expect(many.stdout == one.stdout)
        #expect(many.stdout.components(separatedBy: "[6in4 192.168.122.127 → 192.168.122.134] Echo (ping) request").count == 4)
    }
}
