import Foundation
import Testing
import TestSupport

/// `print`'s live options as parsed, without capturing (no root needed).
@Suite("print -i options")
struct LiveOptionsTests {
    @Test func usageErrorsExit2() throws {
        let both = try Binary.run(["print", "-r", Fixtures.capture("article-tunnel.pcap"), "-i", "lo"])
        #expect(both.status == 2)
        #expect(both.stderr.contains("-r and -i cannot be used together"))
        let neither = try Binary.run(["print"])
        #expect(neither.status == 2)
        #expect(neither.stderr.contains("-r FILE or -i INTERFACE"))
        let liveOnly = try Binary.run(["print", "-r", Fixtures.capture("article-tunnel.pcap"), "--duration", "3"])
        #expect(liveOnly.status == 2)
        #expect(liveOnly.stderr.contains("need -i INTERFACE"))
        let snaplen = try Binary.run(["print", "-i", "lo", "-s", "300000"])
        #expect(snaplen.status == 2)
        let duration = try Binary.run(["print", "-i", "lo", "--duration", "0"])
        #expect(duration.status == 2)
    }

    @Test func helpNamesTheLiveOptions() throws {
        let help = try Binary.run(["print", "--help"])
        for option in ["-i <interface>", "-p", "-s <snaplen>", "-B <KiB>", "--duration <seconds>", "--user <name>", "-D"] {
            #expect(help.stdout.contains(option), "\(option)")
        }
        let root = try Binary.run(["--help"])
        #expect(root.stdout.contains("interfaces"))
    }

    @Test func interfaceNumberOutOfRange() throws {
        let r = try Binary.run(["print", "-i", "9999"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("tunnelscope: 9999: there is no interface number 9999"))
    }
}
