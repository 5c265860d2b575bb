import Foundation
import Testing
import Lab

/// The parts of the lab that need no root: the article's table, names, the status file.
@Suite("lab topology")
struct TopologyTests {
    @Test func theArticlesTable() {
        #expect(Node.allCases.map(\.mac) == ["52:54:00:f0:85:c7", "52:54:00:2b:01:cc", "52:54:00:3b:82:36", "52:54:00:7b:ed:c0"])
        #expect(Node.allCases.map(\.ipv4) == ["192.168.122.127", "192.168.122.134", "192.168.122.86", "192.168.122.87"])
        #expect(Node.allCases.map(\.ipv6) == ["2001:2::1", "2001:3::1", "2001:2::8067", "2001:3::8067"])
        #expect(Node.pcA.gateway == .routerA && Node.pcB.gateway == .routerB)
        #expect(Node.routerA.peer == .routerB && Node.routerB.peer == .routerA)
        #expect(Node.allCases.map(\.bridgePort) == ["vnet0", "vnet1", "vnet2", "vnet3"])
    }

    @Test func nodeNames() {
        #expect(Node(name: "router-a") == .routerA && Node(name: "RB") == .routerB)
        #expect(Node(name: "pc_a") == .pcA && Node(name: "pcb") == .pcB)
        #expect(Node(name: "pc-c") == nil)
    }

    @Test func prefixes() throws {
        let lab = try Lab(prefix: "t1")
        #expect(lab.namespaces == ["t1", "t1-router-a", "t1-router-b", "t1-pc-a", "t1-pc-b"])
        #expect(lab.stateDirectory == "/run/tunnelscope-lab/t1")
        #expect(lab.pidFile(.routerA) == "/run/tunnelscope-lab/t1/endpoint-router-a.pid")
        for bad in ["", "-x", "a/b", "A B", String(repeating: "x", count: 41), "..", "x y"] {
            #expect(throws: LabError.self, "\(bad)") { try Lab(prefix: bad) }
        }
    }

    @Test func statusFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ts-status-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "pid=42\nstate=ready\ntun=tunn\nlocal=192.168.122.127\nremote=192.168.122.134\nencapsulated=3\ndecapsulated=2\ndropped=1\nlast_error=write: x\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let s = try #require(EndpointStatus.read(path))
        #expect(s.pid == 42 && s.state == "ready" && s.tun == "tunn" && s.local == "192.168.122.127" && s.remote == "192.168.122.134")
        #expect(s.encapsulated == 3 && s.decapsulated == 2 && s.dropped == 1 && s.lastError == "write: x")
        #expect(EndpointStatus.read(path + ".missing") == nil)
    }
}
