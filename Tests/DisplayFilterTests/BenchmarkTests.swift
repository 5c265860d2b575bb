import Foundation
import Testing
import PacketDecoder
import DisplayFilter
import TestSupport

/// Evaluation speed on decoded trees. Prints rates, never asserts a time: a shared CI machine
/// is no stopwatch. For the release figure:
///
///     swift build -c release --build-tests
///     swift test -c release --skip-build --filter DisplayFilterTests.BenchmarkTests
@Suite("filter evaluation rate")
struct BenchmarkTests {
    /// `FILTER_BENCH_ITERATIONS` overrides; `FILTER_BENCH` measures one filter of your own.
    static let iterations: Int = {
        if let text = ProcessInfo.processInfo.environment["FILTER_BENCH_ITERATIONS"], let n = Int(text) { return n }
        #if DEBUG
        return 100_000
        #else
        return 2_000_000
        #endif
    }()

    @Test("evaluations per second (printed)")
    func rate() throws {
        let frames = Fixtures.decodeAll(Fixtures.capture("article-tunnel.pcap")).frames
        // Frame 73: the 6in4 echo request (matches); frame 72: the same on the LAN (no IPv4,
        // so `ip.proto` scans every node).
        let tunnelled = frames[72], native = frames[71]
        let filters = ProcessInfo.processInfo.environment["FILTER_BENCH"].map { [$0] } ?? [
            "ip.proto == 41",
            "ipv6 && ip",
            "ipv6.addr == 2001:2::/64",
            "eth.src[0:3] == 52:54:00",
            "ipv6.src#1 == 2001:2::8067",
            "icmpv6.type in {128, 129} && !tcp",
            "frame.protocols matches \"ip:ipv6:icmpv6\"",
        ]
        for text in filters {
            let filter = try DisplayFilter(compiling: text)
            for (name, tree) in [("frame 73", tunnelled), ("frame 72", native)] {
                var kept = 0
                let clock = ContinuousClock()
                let elapsed = clock.measure {
                    for _ in 0..<BenchmarkTests.iterations where filter.matches(tree) { kept += 1 }
                }
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let rate = Double(BenchmarkTests.iterations) / max(seconds, 1e-9)
                print("filter rate: \(text) on \(name) (\(tree.nodes.count) nodes): "
                      + "\(Int(rate / 1000)) thousand evaluations/s, kept \(kept > 0)")
            }
        }
    }
}
