import Foundation
import Testing
import PacketDecoder
import TestSupport

/// Catches a ten-fold slowdown of the decoder, never a small one: the decode time of the
/// article's frame is compared with a reference loop of plain array work timed in the same
/// process (the same build, machine and load), and only a ratio far past today's fails.
/// The real figures come from `make bench` and `tunnelscope-bench` (release).
@Suite("decode rate floor")
struct DecodeRateTests {
    /// decode time / reference time measured when this test was written (debug build, 2-core
    /// Xeon); the test fails at ten times that.
    static let measuredRatio = 2.2

    @Test func decoderIsNotTenTimesSlower() {
        let frame = Fixtures.frame("article-echo-request.pcap")
        let bytes = frame.bytes
        let metadata = frame.metadata
        var tree = PacketTree()
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        let n = 2_000
        var nodes = 0, sum: UInt32 = 0
        var ratios: [Double] = []
        for _ in 0..<5 {
            let decode = clock.measure {
                for _ in 0..<n {
                    PacketDecoder.decode(bytes, metadata: metadata, into: &tree)
                    nodes &+= tree.nodes.count
                }
            }
            let reference = clock.measure {
                for _ in 0..<n {
                    var a: [UInt32] = []
                    a.reserveCapacity(bytes.count)
                    for b in bytes { a.append(UInt32(b) &* 31 &+ sum) }
                    for v in a { sum = sum &+ v }
                }
            }
            ratios.append(seconds(decode) / max(seconds(reference), 1e-9))
        }
        let ratio = ratios.min()!
        print("decode rate floor: decode/reference = \(ratio) (limit \(DecodeRateTests.measuredRatio * 10)), \(nodes / (5 * n)) nodes, \(sum & 1)")
        #expect(ratio < DecodeRateTests.measuredRatio * 10)
    }
}
