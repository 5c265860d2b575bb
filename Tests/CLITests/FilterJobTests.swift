import Foundation
import Testing
import DisplayFilter
import PacketDecoder
import PacketStore
import TunnelscopeApp
import TestSupport

/// The TUI's filter job runs on every core; its rows must be exactly a single pass's, in order.
@Suite("filter job")
struct FilterJobTests {
    @Test(arguments: [1, 7, 4096])
    func rowsEqualASequentialPass(chunk: Int) throws {
        for name in ["article-tunnel.pcap", "teredo.pcap", "two-interfaces.pcapng"] {
            let store = try PacketStore(path: Fixtures.capture(name))
            store.buildIndex()
            for text in ["ip.proto == 41", "icmpv6", "frame"] {
                let filter = try DisplayFilter(compiling: text)
                var expected: [Int32] = []
                var tree = PacketTree()
                for i in 0..<store.count {
                    store.decode(i, into: &tree)
                    if filter.matches(tree) { expected.append(Int32(i)) }
                }
                let job = FilterJob(store: store, chunk: chunk, selection: filter.selection) { filter.matches($0, bytes: $1) }
                job.run()
                let result = job.take()
                #expect(result.done && result.scanned == store.count)
                #expect(result.rows == expected, "\(name) \(text) chunk \(chunk)")
            }
        }
    }
}
