import Testing
import CPcap
@testable import Capture

/// The `tcpdump -D` line, from pcap_findalldevs flags.
@Suite("interfaces")
struct InterfacesTests {
    func line(_ name: String, _ description: String? = nil, _ flags: Int32) -> String {
        NetworkInterface(number: 1, name: name, description: description, addresses: [], flags: UInt32(flags)).listLine
    }

    @Test func linesAsTcpdumpPrintsThem() {
        // Each expectation is what `tcpdump -D` printed for the same interface on this machine.
        #expect(line("virbr0", nil, PCAP_IF_UP | PCAP_IF_RUNNING | PCAP_IF_CONNECTION_STATUS_CONNECTED)
                == "1.virbr0 [Up, Running, Connected]")
        #expect(line("any", "Pseudo-device that captures on all interfaces", PCAP_IF_UP | PCAP_IF_RUNNING | PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE)
                == "1.any (Pseudo-device that captures on all interfaces) [Up, Running]")
        #expect(line("lo", nil, PCAP_IF_UP | PCAP_IF_RUNNING | PCAP_IF_LOOPBACK | PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE)
                == "1.lo [Up, Running, Loopback]")
        #expect(line("nflog", "Linux netfilter log (NFLOG) interface", PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE)
                == "1.nflog (Linux netfilter log (NFLOG) interface) [none]")
        #expect(line("bluetooth-monitor", "Bluetooth Linux Monitor", PCAP_IF_WIRELESS | PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE)
                == "1.bluetooth-monitor (Bluetooth Linux Monitor) [Wireless]")
        #expect(line("eth1", nil, PCAP_IF_UP | PCAP_IF_CONNECTION_STATUS_DISCONNECTED) == "1.eth1 [Up, Disconnected]")
    }

    @Test func theListIsNumberedFromOne() throws {
        let list = try Interfaces.all()
        #expect(list.map(\.number) == Array(1..<(list.count + 1)))
        #expect(list.contains { $0.name == "any" })
        if let lo = list.first(where: { $0.name == "lo" }) {
            #expect(lo.isLoopback)
            #expect(lo.addresses.contains("127.0.0.1/8"))
        }
        #expect(try Interfaces.resolve("lo") == "lo")
        if let first = list.first { #expect(try Interfaces.resolve("1") == first.name) }
    }

    @Test func statisticsLine() {
        let s = LiveCapture.Statistics(captured: 1, received: 3, droppedByKernel: 2, droppedByInterface: 0)
        #expect(s.description == "1 packet captured, 3 received by filter, 2 dropped by kernel, 0 dropped by interface")
    }
}
