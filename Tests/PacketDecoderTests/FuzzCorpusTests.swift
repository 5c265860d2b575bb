import Foundation
import Testing
import PacketDecoder
import TestSupport

/// The fuzzer's corpus (Fuzz/corpus: every shared frame, plus what `make fuzz` found) replays here.
@Suite("fuzz corpus replay")
struct FuzzCorpusTests {
    @Test func everyCorpusInputDecodesConsistently() throws {
        let dir = Fixtures.repositoryRoot.appendingPathComponent("Fuzz/corpus")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names.count > 500)
        for name in names {
            let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
            #expect(FuzzHarness.exercise(bytes), "\(name)")
            // The same frame under every link type and as if cut by a snap length.
            for selector in 0..<18 {
                var variant = bytes
                variant[0] = UInt8(selector < 9 ? selector : 0x80 | (selector - 9))
                #expect(FuzzHarness.exercise(variant), "\(name) as \(selector)")
            }
        }
    }
}
