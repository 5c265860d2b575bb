import Foundation
import Testing
import Capture
import Lab
import PacketDecoder
import TestSupport

/// Whether the lab can be built here: root and network namespaces. Under `CI=true` it must (a
/// test that cannot fails); elsewhere the tests are skipped with the reason.
enum LabEnvironment {
    static let ci = Tool.ci

    static let problem: String? = Tool.namespaceProblem("lab tests")

    static let runnable = problem == nil || ci

    static func require() throws {
        if let problem { throw LabTestFailure(problem + " (CI=true: required)") }
    }
}

struct LabTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A lab with a name of its own (parallel runs do not collide), always taken down.
final class TestLab {
    nonisolated(unsafe) private static var counter = 0
    let prefix: String
    let directory: URL

    init() throws {
        Self.counter += 1
        // Suites run in parallel: the counter alone could repeat, a random part cannot collide in practice.
        prefix = "tsl-\(getpid())-\(Self.counter)-" + UUID().uuidString.prefix(6).lowercased()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(prefix)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func run(_ arguments: [String], timeout: TimeInterval = 120) throws -> Binary.Result {
        try Binary.run(["lab"] + arguments, environment: [Lab.prefixVariable: prefix], timeout: timeout)
    }

    /// `lab down`, then anything still there by force (a failed test must not leave namespaces).
    func destroy() {
        _ = try? run(["down"])
        if let ip = Tool.path("ip") {
            for ns in Tool.namespaces() where ns == prefix || ns.hasPrefix(prefix + "-") {
                _ = try? Tool.run(ip, ["netns", "del", ns])
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    var leftovers: [String] { Tool.namespaces().filter { $0 == prefix || $0.hasPrefix(prefix + "-") } }

    /// Processes whose command line names this lab (endpoints started for it).
    var leftoverProcesses: [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> String? in
            guard Int32(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            let cmd = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return cmd.contains("lab endpoint") && cmd.contains("/run/tunnelscope-lab/\(prefix)/") ? cmd : nil
        }
    }
}

/// `tunnelscope print -i virbr0 -w FILE` inside the lab's bridge namespace.
final class LabCapture {
    let process = Process()
    let errURL: URL

    init(lab: TestLab, file: String) throws {
        guard let ip = Tool.path("ip") else { throw LabTestFailure("no ip") }
        errURL = lab.directory.appendingPathComponent("capture.err")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: ip)
        process.arguments = ["netns", "exec", lab.prefix, Binary.url.path, "print", "-i", "virbr0", "-w", file]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !stderr.contains("listening on") {
            if !process.isRunning || Date() > deadline { throw LabTestFailure("capture did not start: \(stderr)") }
            usleep(20_000)
        }
    }

    var stderr: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

    func stop() -> Int32 {
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); return -1 }
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// One decoded frame with its fields as `-T fields` prints them, every occurrence.
struct DecodedFrame {
    let tree: PacketTree
    func values(_ name: String) -> [String] {
        guard let field = FieldRegistry.field(named: name) else { return [] }
        return tree.fieldTexts(field)
    }
    func value(_ name: String) -> String? { values(name).first }
}

func decodedFrames(_ path: String) throws -> [DecodedFrame] {
    let file = try CaptureFile(path: path)
    var result: [DecodedFrame] = []
    try file.forEach { record in
        result.append(DecodedFrame(tree: PacketTree(decoding: Array(record.bytes), metadata: record.metadata)))
        return true
    }
    return result
}

@Suite("the article's lab", .serialized,
       .enabled(if: LabEnvironment.runnable, "the lab needs root and network namespaces (ip netns); skipped"))
struct LabTests {
    func withLab(_ body: (TestLab) throws -> Void) throws {
        try LabEnvironment.require()
        let lab = try TestLab()
        defer { lab.destroy() }
        try body(lab)
    }

    /// The host's own links, name and MAC: the lab must not add, move or change any.
    static func hostLinks() -> [String] {
        guard let ip = Tool.path("ip"), let r = try? Tool.run(ip, ["-br", "link", "show"]) else { return [] }
        return r.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(1).joined() }
    }

    @Test func upPingCaptureTracerouteDown() throws {
        try withLab { lab in
            let hostBefore = Self.hostLinks()
            let up = try lab.run(["up"])
            #expect(up.status == 0, "\(up.stderr)")
            #expect(up.stdout.contains("is up"))
            // Twice is harmless.
            let again = try lab.run(["up"])
            #expect(again.status == 0)
            #expect(again.stdout.contains("already up"))

            let status = try lab.run(["status"])
            #expect(status.status == 0)
            #expect(status.stdout.contains("lab '\(lab.prefix)': up"))
            #expect(status.stdout.contains("tunnel: "))
            #expect(status.stdout.contains("52:54:00:f0:85:c7") && status.stdout.contains("192.168.122.127/24")
                    && status.stdout.contains("2001:2::1/64"))
            #expect(status.stdout.contains("192.168.122.87/24") && status.stdout.contains("192.168.122.255, the broadcast address"))
            #expect(status.stdout.contains("default dev tunn"))
            #expect(status.stdout.contains("default via 2001:2::1"))

            // The article's ping, captured on virbr0.
            let file = lab.directory.appendingPathComponent("ping.pcap").path
            let capture = try LabCapture(lab: lab, file: file)
            let ping = try lab.run(["ping"])
            #expect(ping.status == 0, "\(ping.stdout) \(ping.stderr)")
            #expect(ping.stdout.contains("1 packets transmitted, 1 received"))
            usleep(200_000)
            #expect(capture.stop() == 0)

            let requests = try decodedFrames(file).filter {
                $0.values("icmpv6.type") == ["128"] && $0.values("ipv6.src") == ["2001:2::8067"] && $0.values("ipv6.dst") == ["2001:3::8067"]
            }
            #expect(requests.count == 3, "the echo request on the LAN, in the tunnel and on the far LAN")
            guard requests.count == 3 else { return }
            let (first, tunnelled, last) = (requests[0], requests[1], requests[2])
            // PC A -> Router A, native.
            #expect(first.value("eth.src") == Node.pcA.mac && first.value("eth.dst") == Node.routerA.mac)
            #expect(first.values("ip.proto").isEmpty && first.value("ipv6.hlim") == "64")
            // Router A -> Router B inside IPv4 protocol 41, as the article shows it.
            #expect(tunnelled.value("eth.src") == "52:54:00:f0:85:c7")
            #expect(tunnelled.value("eth.dst") == "52:54:00:2b:01:cc")
            #expect(tunnelled.value("eth.type") == "0x0800")
            #expect(tunnelled.value("ip.version") == "4" && tunnelled.value("ip.hdr_len") == "20")
            #expect(tunnelled.value("ip.dsfield") == "0x00")
            #expect(tunnelled.value("ip.src") == "192.168.122.127" && tunnelled.value("ip.dst") == "192.168.122.134")
            #expect(tunnelled.value("ip.proto") == "41")
            #expect(tunnelled.value("ip.ttl") == "255")
            #expect(tunnelled.value("ip.flags.df") == "1")
            #expect(tunnelled.value("ip.len") == "124")
            #expect(tunnelled.value("ip.id") != nil && tunnelled.value("ip.id") != "0x0000", "the kernel gives the id")
            #expect(tunnelled.value("ip.flags.mf") == "0" && tunnelled.value("ip.frag_offset") == "0")
            #expect(tunnelled.value("ip.checksum.status") == "1")
            #expect(tunnelled.value("ipv6.hlim") == "63")
            #expect(tunnelled.value("ipv6.plen") == "64")
            #expect(tunnelled.value("icmpv6.type") == "128")
            #expect(tunnelled.value("icmpv6.checksum.status") == "1")
            #expect(tunnelled.tree.tunnels.map(\.kind) == [.sixInFour])
            // Router B -> PC B, native again.
            #expect(last.value("eth.src") == Node.routerB.mac && last.value("eth.dst") == Node.pcB.mac)
            #expect(last.values("ip.proto").isEmpty && last.value("ipv6.hlim") == "62")
            print("tunnelled echo request: id \(tunnelled.value("ip.id") ?? "?"), checksum \(tunnelled.value("ip.checksum") ?? "?")")

            // The article's three hops.
            let trace = try lab.run(["traceroute"])
            #expect(trace.status == 0, "\(trace.stdout) \(trace.stderr)")
            let hops = trace.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true) }
            #expect(hops.map { $0.count > 1 ? String($0[1]) : "" } == ["2001:2::1", "2001:3::1", "2001:3::8067"], "\(trace.stdout)")

            let status2 = try lab.run(["status"])
            #expect(status2.stdout.contains("encapsulated") || status2.stdout.contains("sit:"))

            // Nothing of the lab in the host's namespace (other engineers' links may come and go: only ours count).
            let appeared = Set(Self.hostLinks()).subtracting(hostBefore)
            let ours: Set<String> = ["virbr0", "tunn", "eth0", "vnet0", "vnet1", "vnet2", "vnet3", "sit0"]
            #expect(appeared.intersection(ours).isEmpty, "links appeared in the host: \(appeared)")
            let hostMACs = (try? Tool.run(Tool.path("ip") ?? "/usr/sbin/ip", ["-br", "link", "show"]).output) ?? ""
            #expect(!Node.allCases.contains { hostMACs.contains($0.mac) }, "a lab MAC in the host: \(hostMACs)")

            let down = try lab.run(["down"])
            #expect(down.status == 0)
            #expect(lab.leftovers.isEmpty, "namespaces left: \(lab.leftovers)")
            #expect(lab.leftoverProcesses.isEmpty, "processes left: \(lab.leftoverProcesses)")
            #expect(!FileManager.default.fileExists(atPath: "/run/tunnelscope-lab/\(lab.prefix)"))
            let statusDown = try lab.run(["status"])
            #expect(statusDown.status == 3 && statusDown.stdout.contains("is down"))
            let downAgain = try lab.run(["down"])
            #expect(downAgain.status == 0 && downAgain.stdout.contains("was not up"))
        }
    }

    @Test func execCaptureAndRerunAfterDown() throws {
        try withLab { lab in
            #expect(try lab.run(["up"]).status == 0)
            let exec = try lab.run(["exec", "pc-b", "--", "ip", "-br", "addr", "show", "dev", "eth0"])
            #expect(exec.status == 0)
            #expect(exec.stdout.contains("192.168.122.87/24") && exec.stdout.contains("2001:3::8067/64"))
            let bridge = try lab.run(["exec", "bridge", "--", "ip", "-br", "link", "show", "master", "virbr0"])
            #expect(bridge.stdout.split(separator: "\n").count == 4, "\(bridge.stdout)")
            let unknown = try lab.run(["exec", "pc-c", "--", "true"])
            #expect(unknown.status == 2 && unknown.stderr.contains("pc-c: no such node"))

            // lab capture passes print's options through: one protocol-41 frame, then it ends.
            let file = lab.directory.appendingPathComponent("capture.pcap").path
            let capture = Process()
            capture.executableURL = Binary.url
            capture.arguments = ["lab", "capture", "-f", "ip proto 41", "-c", "1", "-w", file]
            capture.environment = ProcessInfo.processInfo.environment.merging([Lab.prefixVariable: lab.prefix]) { $1 }
            let err = lab.directory.appendingPathComponent("capture.err")
            FileManager.default.createFile(atPath: err.path, contents: nil)
            capture.standardError = try FileHandle(forWritingTo: err)
            capture.standardOutput = FileHandle.nullDevice
            try capture.run()
            var text = ""
            for _ in 0..<1500 where !text.contains("listening on") {
                usleep(20_000)
                text = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            }
            // Without a terminal, lab capture is `print -i virbr0` inside the lab.
            #expect(text.contains("listening on virbr0"))
            #expect(try lab.run(["ping"]).status == 0)
            for _ in 0..<1000 where capture.isRunning { usleep(20_000) }
            #expect(!capture.isRunning)
            if capture.isRunning { kill(capture.processIdentifier, SIGKILL) }
            let frames = try decodedFrames(file)
            #expect(frames.count == 1 && frames.first?.value("ip.proto") == "41")

            // Down, then up again from nothing.
            #expect(try lab.run(["down"]).status == 0)
            #expect(lab.leftovers.isEmpty)
            #expect(try lab.run(["up"]).status == 0)
            #expect(try lab.run(["ping"]).status == 0)
        }
    }

    /// An endpoint that dies shows in `lab status`; `lab up` then rebuilds the lab.
    @Test func labCaptureIsTheLiveTUI() throws {
        guard Tmux.isAvailable else { print("tmux is not installed: skipped"); return }
        try withLab { lab in
            #expect(try lab.run(["up"]).status == 0)
            let quote = { (w: String) in "'" + w.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            let script = "\(quote(Binary.url.path)) lab capture -w \(quote(lab.directory.appendingPathComponent("tui.pcap").path)); echo EXIT=$?; exec sleep 3600"
            let tmux = try Tmux(command: "exec env \(Lab.prefixVariable)=\(lab.prefix) TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 "
                                + "XDG_CONFIG_HOME=/nonexistent sh -c \(quote(script))", width: 120, height: 30)
            try tmux.wait(for: "the live TUI on the lab's virbr0") { $0.contains { $0.contains("virbr0 live") } }
            #expect(try lab.run(["ping"]).status == 0)
            // The article's ping, tunnelled between the routers, is in the list.
            try tmux.send("/")
            try tmux.sendLiteral("ip.proto == 41 && icmpv6.type == 128")
            try tmux.send("Enter")
            try tmux.wait(for: "the tunnelled echo request") { lines in
                lines.contains { $0.contains("2001:2::8067") && $0.contains("2001:3::8067") && $0.contains("[6in4] Echo (ping) request") }
            }
            try tmux.send("q")
            try tmux.wait(for: "the exit") { $0.contains("EXIT=0") }
        }
    }

    @Test func deadEndpointIsReportedAndUpRepairs() throws {
        try withLab { lab in
            #expect(try lab.run(["up", "--tunnel", "endpoint"]).status == 0)
            #expect(try lab.run(["ping"]).status == 0)
            let healthy = try lab.run(["status"]).stdout
            #expect(healthy.contains("tunnelscope's 6in4 endpoint"))
            let counters = healthy.split(separator: "\n").filter { $0.contains("endpoint: pid") }
            #expect(counters.count == 2, "\(healthy)")
            #expect(counters.allSatisfy { $0.contains(" alive, ") && !$0.contains(" 0 encapsulated") && !$0.contains(" 0 decapsulated") }, "\(counters)")
            let pidText = try String(contentsOfFile: "/run/tunnelscope-lab/\(lab.prefix)/endpoint-router-b.pid", encoding: .utf8)
            let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
            kill(pid, SIGKILL)
            usleep(200_000)
            let brokenRun = try lab.run(["status"])
            let broken = brokenRun.stdout
            #expect(brokenRun.status == 3)
            #expect(broken.contains("not healthy") && broken.contains("endpoint: NOT RUNNING"), "\(broken)")
            #expect(try lab.run(["ping"]).status == 1)
            let repaired = try lab.run(["up"])
            #expect(repaired.status == 0 && repaired.stdout.contains("is up"))
            #expect(try lab.run(["ping"]).status == 0)
        }
    }

    /// The outer TOS is sit's: 0 (no `tos inherit`) plus the inner ECN bits; DSCP stays inside.
    @Test func outerTOSCarriesOnlyTheECNBits() throws {
        try withLab { lab in
            #expect(try lab.run(["up"]).status == 0)
            let file = lab.directory.appendingPathComponent("tos.pcap").path
            let capture = try LabCapture(lab: lab, file: file)
            #expect(try lab.run(["ping", "-Q", "1"]).status == 0)      // ECT(1)
            #expect(try lab.run(["ping", "-Q", "184"]).status == 0)    // DSCP EF (46 << 2), not ECN-capable
            usleep(200_000)
            #expect(capture.stop() == 0)
            let tunnelled = try decodedFrames(file).filter { $0.value("ip.proto") == "41" && $0.value("icmpv6.type") == "128" }
            #expect(tunnelled.map { $0.value("ip.dsfield") } == ["0x01", "0x00"])
            #expect(tunnelled.map { $0.value("ipv6.tclass") } == ["0x00000001", "0x000000b8"])
        }
    }

    /// A failure halfway removes what was made. Forcing sit on a kernel without it fails at the
    /// tunnel, after the namespaces and the bridge exist; where the kernel has sit, it just works.
    @Test func failureHalfwayLeavesNothing() throws {
        try withLab { lab in
            let up = try lab.run(["up", "--tunnel", "sit"])
            if up.status == 0 {
                #expect(try lab.run(["status"]).stdout.contains("kernel sit"))
                #expect(try lab.run(["ping"]).status == 0)
            } else {
                #expect(up.status == 1)
                #expect(up.stderr.split(separator: "\n").count == 1 && up.stderr.contains("mode sit"), "\(up.stderr)")
                #expect(lab.leftovers.isEmpty, "left: \(lab.leftovers)")
                #expect(!FileManager.default.fileExists(atPath: "/run/tunnelscope-lab/\(lab.prefix)"))
            }
        }
    }

    /// Not root: one line, exit 1 (run as nobody through setpriv).
    @Test func notRootIsOneLineAndExit1() throws {
        try LabEnvironment.require()
        guard let setpriv = Tool.path("setpriv") else { throw LabTestFailure("setpriv (util-linux) is needed") }
        for command in [["status"], ["up"], ["down"], ["ping"]] {
            let r = try Tool.run(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", Binary.url.path, "lab"] + command)
            #expect(r.status == 1, "\(command)")
            #expect(r.output == "tunnelscope: the lab needs root (it creates network namespaces): run it with sudo\n", "\(command): \(r.output)")
        }
    }
}

/// Commands that need the lab, when it is not up: one line, exit 1.
@Suite("the lab when it is down", .enabled(if: LabEnvironment.runnable, "the lab needs root; skipped"))
struct LabDownTests {
    @Test func commandsSayTheLabIsNotUp() throws {
        try LabEnvironment.require()
        let lab = try TestLab()
        defer { lab.destroy() }
        for command in [["ping"], ["traceroute"], ["capture"], ["exec", "pc-a", "--", "true"]] {
            let r = try lab.run(command)
            #expect(r.status == 1, "\(command)")
            #expect(r.stderr.hasSuffix("is not up (no namespace \(lab.prefix)\(command[0] == "capture" ? "" : "-pc-a")): sudo tunnelscope lab up\n")
                    && r.stderr.split(separator: "\n").count == 1, "\(command): \(r.stderr)")
        }
        let status = try lab.run(["status"])
        #expect(status.status == 3 && status.stdout.contains("is down"))
        let down = try lab.run(["down"])
        #expect(down.status == 0 && down.stdout.contains("was not up"))
    }
}
