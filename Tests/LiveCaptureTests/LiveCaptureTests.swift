import Foundation
import Synchronization
import Testing
import Capture
import TestSupport

/// `tunnelscope print -i` on a veth pair in network namespaces, fed by ts-inject from the other
/// end. Serialized: the burst measures drops, and namespaces are cheap but not free.
@Suite("live capture", .serialized,
       .enabled(if: LiveEnvironment.runnable, "live capture needs root and network namespaces (ip netns); skipped"))
struct LiveCaptureTests {
    let article = Fixtures.capture("article-tunnel.pcap")

    @Test func everyFrameOfTheArticleCaptureByteForByte() throws {
        try withLab { lab in
            let out = lab.file("article.pcap")
            let capture = try lab.tunnelscope(["print", "-i", "virbr0", "-w", out])
            let sent = try lab.inject(file: article)
            #expect(try capture.interrupt() == 0)
            let expected = try frames(of: article)
            let got = try frames(of: out)
            #expect(sent == expected.count)
            #expect(got.count == expected.count)
            for (i, (g, e)) in zip(got, expected).enumerated() {
                #expect(g.bytes == e.bytes, "frame \(i + 1) differs")
                #expect(g.length == e.length, "frame \(i + 1): original length")
            }
            let stats = try capture.statistics()
            #expect(stats.captured == sent)
            #expect(stats.captured + stats.droppedByKernel == sent)
            #expect(capture.stderr.contains("listening on virbr0, link-type EN10MB, snapshot length 262144 bytes"))
            #expect(capture.stdout.isEmpty)
        }
    }

    @Test func burstOf100000Frames() throws {
        try withLab { lab in
            let out = lab.file("burst.pcap")
            let capture = try lab.tunnelscope(["print", "-i", "virbr0", "-w", out])
            usleep(100_000)  // the capture thread's first batch costs more (start-up): measure the steady state
            let sent = try lab.inject(generate: 100_000)
            #expect(sent == 100_000)
            #expect(try capture.interrupt() == 0)
            let stats = try capture.statistics()
            // Frames the sending veth dropped never reached the capture point (none so far, measured).
            let lostBeforeCapture = try lab.peerTransmitDrops()
            print("burst of \(sent): \(stats); lost in the veth: \(lostBeforeCapture)")
            #expect(stats.captured + stats.droppedByKernel + lostBeforeCapture == sent)
            #expect(stats.received == stats.captured + stats.droppedByKernel)
            #expect(stats.captured > 0)
            // The file holds exactly what was captured, each frame as generated, in order.
            let got = try frames(of: out)
            #expect(got.count == stats.captured)
            var previous = -1
            var mismatches = 0
            for frame in got {
                let b = frame.bytes
                guard b.count == 60 else { mismatches += 1; continue }
                let sequence = Int(b[14]) << 24 | Int(b[15]) << 16 | Int(b[16]) << 8 | Int(b[17])
                if sequence <= previous || b != generatedFrame(sequence) { mismatches += 1 }
                previous = sequence
            }
            #expect(mismatches == 0)
        }
    }

    @Test func captureFilterKeepsExactlyTheProtocol41Frames() throws {
        try withLab { lab in
            let out = lab.file("p41.pcap")
            let capture = try lab.tunnelscope(["print", "-i", "virbr0", "-f", "ip proto 41", "-w", out])
            try lab.inject(file: article)
            #expect(try capture.interrupt() == 0)
            let expected = try frames(of: article, filter: "ip proto 41")
            #expect(expected.count == 18)
            let got = try frames(of: out)
            #expect(got.map(\.bytes) == expected.map(\.bytes))
            let stats = try capture.statistics()
            #expect(stats.captured == 18)
            #expect(stats.received == 18)
        }
    }

    @Test func displayFilterChoosesWhatIsPrintedAndTheFileKeepsEverything() throws {
        try withLab { lab in
            let out = lab.file("all.pcap")
            let capture = try lab.tunnelscope(["print", "-i", "virbr0", "-Y", "ip.proto == 41 && icmpv6.type == 128",
                                               "-w", out, "-P", "-T", "fields", "-e", "ipv6.src", "-e", "ip.ttl"])
            try lab.inject(file: article)
            #expect(try capture.interrupt() == 0)
            // The three echo requests crossing the tunnel, as the article shows the first.
            #expect(capture.stdout == String(repeating: "2001:2::8067\t255\n", count: 3))
            // Nothing lost: the capture file holds every frame, not only those printed.
            let written = try frames(of: out).map(\.bytes), sent = try frames(of: article).map(\.bytes)
            #expect(written == sent)
        }
    }

    @Test func countStopsAfterNPackets() throws {
        try withLab { lab in
            let out = lab.file("count.pcap")
            let capture = try lab.tunnelscope(["print", "-i", "virbr0", "-c", "5", "-w", out, "-P"])
            try lab.inject(file: article)
            #expect(try capture.wait() == 0)
            #expect(capture.stdout.split(separator: "\n").count == 5)
            #expect(try frames(of: out).map(\.bytes) == Array(try frames(of: article).prefix(5)).map(\.bytes))
            #expect(try capture.statistics().captured == 5)
        }
    }

    @Test func snapLengthCutsFramesAndKeepsTheirLength() throws {
        try withLab { lab in
            let out = lab.file("snap.pcap")
            let capture = try lab.tunnelscope(["print", "-i", "virbr0", "-s", "64", "-w", out])
            #expect(capture.stderr.contains("snapshot length 64 bytes"))
            try lab.inject(file: article)
            #expect(try capture.interrupt() == 0)
            let expected = try frames(of: article)
            let got = try frames(of: out)
            #expect(got.count == expected.count)
            #expect(got.map(\.bytes) == expected.map { Array($0.bytes.prefix(64)) })
            #expect(got.map(\.length) == expected.map(\.length))
        }
    }

    @Test func durationStopsTheCapture() throws {
        try withLab { lab in
            let started = Date()
            let capture = try lab.tunnelscope(["print", "-i", "virbr0", "--duration", "1"])
            #expect(try capture.wait(timeout: 20) == 0)
            let elapsed = Date().timeIntervalSince(started)
            #expect(elapsed >= 1.0)
            #expect(elapsed < 15)
            #expect(try capture.statistics().captured == 0)
        }
    }

    @Test func dropsToTheSudoUserBeforeDecoding() throws {
        try withLab { lab in
            let out = lab.file("dropped.pcap")
            let capture = try lab.tunnelscope(["print", "-i", "virbr0", "-w", out],
                                              environment: ["SUDO_UID": "65534", "SUDO_GID": "65534"])
            let status = try String(contentsOfFile: "/proc/\(capture.pid)/status", encoding: .utf8)
            let lines = status.split(separator: "\n")
            let ids = { (key: String) -> [String] in
                lines.first { $0.hasPrefix(key + ":") }?.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().map(String.init) ?? []
            }
            #expect(ids("Uid") == ["65534", "65534", "65534", "65534"])
            #expect(ids("Gid") == ["65534", "65534", "65534", "65534"])
            #expect(ids("CapEff") == ["0000000000000000"])
            try lab.inject(file: article)
            #expect(try capture.interrupt() == 0)
            #expect(try frames(of: out).count == 89)
            // The -w file was created after the drop: the user owns it.
            let owner = try FileManager.default.attributesOfItem(atPath: out)[.ownerAccountID] as? NSNumber
            #expect(owner?.intValue == 65534)
        }
    }

    @Test func withoutPermissionSaysWhatToDo() throws {
        try withLab { lab in
            guard Tool.path("setpriv") != nil else { throw LiveTestFailure("needs setpriv (util-linux)") }
            let binary = try Self.binaryOthersCanRun(in: lab)
            let capture = try lab.tunnelscope(["print", "-i", "virbr0"],
                                              wrapper: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
                                              binary: binary, waitForListening: false)
            #expect(try capture.wait() == 1)
            let lines = capture.stderr.split(separator: "\n")
            #expect(lines.count == 1)
            #expect(capture.stderr.hasPrefix("tunnelscope: virbr0: no permission to capture"))
            #expect(capture.stderr.contains("sudo"))
            #expect(capture.stderr.contains("setcap cap_net_raw,cap_net_admin=eip "))
        }
    }

    @Test func unknownInterfaceListsTheAvailableOnes() throws {
        try withLab { lab in
            let capture = try lab.tunnelscope(["print", "-i", "nosuch0"], waitForListening: false)
            #expect(try capture.wait() == 1)
            #expect(capture.stderr.split(separator: "\n").count == 1)
            #expect(capture.stderr.hasPrefix("tunnelscope: nosuch0: no such interface"))
            #expect(capture.stderr.contains(".virbr0"))
            #expect(capture.stderr.contains(".any"))
        }
    }

    @Test func interfaceGoingDownIsReportedAndTheCaptureKept() throws {
        try withLab { lab in
            let out = lab.file("down.pcap")
            let capture = try lab.tunnelscope(["print", "-i", "virbr0", "-w", out])
            try lab.inject(file: article)
            try Tool.ip(["-n", lab.name, "link", "set", "virbr0", "down"])
            #expect(try capture.wait() == 1)
            let lines = capture.stderr.split(separator: "\n")
            #expect(lines.last?.hasPrefix("tunnelscope: virbr0: the interface went down") == true)
            #expect(lines.filter { $0.hasPrefix("tunnelscope: ") }.count == 2)  // listening, then the one error line
            #expect(try capture.statistics().captured == 89)
            #expect(try frames(of: out).count == 89)
        }
    }

    @Test func interfacesAreNumberedAndDashINTakesTheNumber() throws {
        try withLab { lab in
            let list = try lab.tunnelscope(["interfaces"], waitForListening: false)
            #expect(try list.wait() == 0)
            let lines = list.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let index = try #require(lines.firstIndex { $0.hasSuffix(".virbr0 [Up, Running, Connected]") })
            #expect(lines[index + 1].hasPrefix("    10.99.0.1/24 "))
            #expect(lines.contains { $0.hasSuffix(".any (Pseudo-device that captures on all interfaces) [Up, Running]") })
            let number = String(lines[index].prefix { $0 != "." })
            let dashD = try lab.tunnelscope(["-D"], waitForListening: false)
            #expect(try dashD.wait() == 0)
            #expect(dashD.stdout == list.stdout)

            let capture = try lab.tunnelscope(["print", "-i", number, "-c", "3"])
            try lab.inject(file: article)
            #expect(try capture.wait() == 0)
            #expect(capture.stdout.split(separator: "\n").count == 3)
            #expect(capture.stderr.contains("listening on virbr0"))
        }
    }

    @Test func anyCapturesWithCookedHeaders() throws {
        try withLab { lab in
            let capture = try lab.tunnelscope(["print", "-i", "any", "-f", "ip proto 41", "-c", "2",
                                               "-T", "fields", "-e", "frame.protocols"])
            try lab.inject(file: article)
            #expect(try capture.wait() == 0)
            #expect(capture.stderr.contains("link-type LINUX_SLL"))
            let lines = capture.stdout.split(separator: "\n")
            #expect(lines.count == 2)
            // Linux cooked v1 or v2, whichever libpcap gives `any` (the decoder handles both).
            #expect(lines.allSatisfy { $0.hasPrefix("sll") })
        }
    }

    @Test func withFileCapabilitiesAUserCapturesAndShedsThem() throws {
        try withLab { lab in
            guard let setcap = Tool.path("setcap"), Tool.path("setpriv") != nil else {
                throw LiveTestFailure("needs setcap (libcap2-bin) and setpriv (util-linux)")
            }
            // A copy of our own, so the capabilities never land on the build product.
            let binary = URL(fileURLWithPath: lab.file("tunnelscope"))
            try FileManager.default.copyItem(at: LiveLab.binary.resolvingSymlinksInPath(), to: binary)
            chmod(binary.path, 0o755)
            let r = try Tool.run(setcap, ["cap_net_raw,cap_net_admin=eip", binary.path])
            guard r.status == 0 else { throw LiveTestFailure("setcap: \(r.output)") }
            let out = lab.file("caps.pcap")
            let capture = try lab.tunnelscope(["print", "-i", "virbr0", "-w", out],
                                              wrapper: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
                                              binary: binary)
            let status = try String(contentsOfFile: "/proc/\(capture.pid)/status", encoding: .utf8)
            #expect(status.contains("Uid:\t65534\t65534\t65534\t65534"))
            #expect(status.contains("CapPrm:\t0000000000000000"))
            #expect(status.contains("CapEff:\t0000000000000000"))
            try lab.inject(file: article)
            #expect(try capture.interrupt() == 0)
            #expect(try frames(of: out).count == 89)
        }
    }

    @Test func afterKill9TheFileHoldsEveryPacketFlushed() throws {
        try withLab { lab in
            let out = lab.file("killed.pcap")
            let capture = try lab.tunnelscope(["print", "-i", "virbr0", "-w", out])
            try lab.inject(file: article)
            // Flushed batch by batch: all 89 are in the file within a second, with no help from the process.
            let deadline = Date().addingTimeInterval(5)
            var count = 0
            repeat {
                usleep(50_000)
                count = (try? frames(of: out).count) ?? 0
            } while count < 89 && Date() < deadline
            kill(capture.pid, SIGKILL)
            _ = try capture.wait()
            #expect(try frames(of: out).map(\.bytes) == (try frames(of: article)).map(\.bytes))
        }
    }

    /// The API the TUI uses, in this process, on loopback: spool offsets, flush before onBatch,
    /// stats, stop and wait. Frames are ts-inject's (EtherType 0x88b5), selected with BPF.
    @Test func liveCaptureAPIOnLoopback() throws {
        try LiveEnvironment.require()
        let capture = try LiveCapture(interface: "lo")
        try capture.setFilter("ether proto 0x88b5 and ether src 02:00:00:99:00:01")
        let spool = try LiveCapture.temporarySpoolPath()
        defer { unlink(spool) }
        #expect(spool.contains("/tunnelscope-") && spool.hasSuffix(".pcap"))
        let seen = Mutex<[(offset: Int, bytes: [UInt8], readBack: Bool)]>([])
        try capture.start(spoolPath: spool, onPacket: { record in
            seen.withLock { $0.append((record.fileOffset, Array(record.bytes), false)) }
            return true
        }, onBatch: {
            // Flushed before onBatch: what was handed over can be read back from the spool now.
            guard let data = FileManager.default.contents(atPath: spool) else { return }
            seen.withLock { list in
                for i in list.indices where !list[i].readBack {
                    let range = list[i].offset..<(list[i].offset + list[i].bytes.count)
                    list[i].readBack = range.upperBound <= data.count && Array(data[range]) == list[i].bytes
                }
            }
        })
        let sent = try Tool.run(LiveLab.injector.path, ["lo", "--generate", "50"])
        #expect(sent.output.contains("sent 50"))
        let deadline = Date().addingTimeInterval(10)
        while seen.withLock({ $0.count }) < 50 && Date() < deadline { usleep(20_000) }
        #expect(capture.ending == nil)
        capture.stop()
        #expect(capture.wait() == .stopped)
        let list = seen.withLock { $0 }
        #expect(list.count == 50)
        #expect(list.allSatisfy { $0.readBack })
        #expect(list.enumerated().allSatisfy { $0.element.bytes == generatedFrame($0.offset) })
        #expect(capture.stats().captured == 50)
        #expect(try frames(of: spool).map(\.bytes) == list.map(\.bytes))
    }

    /// The built binary, or a copy (mode 0755) when the build folder is closed to other users.
    static func binaryOthersCanRun(in lab: LiveLab) throws -> URL {
        var url = LiveLab.binary.resolvingSymlinksInPath()
        var open = true
        var path = url
        while path.path != "/" {
            let mode = (try FileManager.default.attributesOfItem(atPath: path.path)[.posixPermissions] as? NSNumber)?.intValue ?? 0
            if mode & 0o001 == 0 || (path == url && mode & 0o004 == 0) { open = false }
            path.deleteLastPathComponent()
        }
        if !open {
            let copy = URL(fileURLWithPath: lab.file("tunnelscope"))
            try FileManager.default.copyItem(at: url, to: copy)
            chmod(copy.path, 0o755)
            url = copy
        }
        return url
    }
}
