import Foundation
import Testing
import PacketDecoder
import TestSupport

/// Every field tshark decoded from the shared captures must equal ours, packet by packet and
/// occurrence by occurrence. Where we deliberately differ, `KnownDifferences` says so and why.
@Suite("tshark comparison")
struct TsharkComparisonTests {
    static let captures = Fixtures.allCaptures

    @Test("fields equal tshark's", arguments: captures)
    func fieldsMatch(capture: String) throws {
        let expected = try #require(Expectations(capture: capture), "no expectations for \(capture)")
        let (frames, _) = Fixtures.decodeAll(Fixtures.capture(capture))
        #expect(frames.count == expected.packets.count, "\(capture): \(frames.count) frames, tshark \(expected.packets.count)")
        var failures: [String] = []
        var perField: [String: Int] = [:]
        let unregistered = expected.fields.filter {
            $0 != "layers" && $0 != "frame.protocols" && FieldRegistry.field(named: $0) == nil
        }
        if !unregistered.isEmpty { failures.append("fields not in the registry: \(unregistered)") }
        for (index, packet) in expected.packets.enumerated() where index < frames.count {
            let tree = frames[index]
            // "layers" (frame.protocols split) is in every packet but not in the field lists.
            for name in expected.fields + ["layers"] where !KnownDifferences.skippedFields.contains(name) && !unregistered.contains(name) {
                let want = packet[name] ?? []
                let got = TsharkView.values(of: name, in: tree)
                if !TsharkView.equal(name, want, got),
                   !KnownDifferences.allows(capture: capture, frame: index + 1, field: name) {
                    failures.append("\(capture) frame \(index + 1) \(name): tshark \(want) ours \(got)")
                    perField[name, default: 0] += 1
                }
            }
        }
        if !failures.isEmpty {
            let counts = perField.sorted { $0.value > $1.value }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
            let message: String = "\(failures.count) differences (\(counts)):\n" + failures.prefix(40).joined(separator: "\n")
            Issue.record(Comment(rawValue: message))
        }
    }
}

/// Our tree seen the way the expected files record tshark's.
enum TsharkView {
    /// Application protocols tshark decodes and we do not: their bytes are `data` for us.
    static let applicationLayers: Set<String> = [
        "dns", "dhcp", "ssh", "lldp", "http", "xml", "rip", "syslog", "telnet", "rtcp", "wg",
    ]

    static func values(of name: String, in tree: PacketTree) -> [String] {
        if name == "layers" || name == "frame.protocols" {
            return [tree.fieldTexts(FrameLayer.protocols).first ?? ""]
        }
        guard let field = FieldRegistry.field(named: name) else { return ["<unregistered \(name)>"] }
        return tree.fieldTexts(field)
    }

    static func equal(_ name: String, _ want: [String], _ got: [String]) -> Bool {
        if name == "layers" || name == "frame.protocols" {
            let wanted = name == "layers" ? want : (want.first ?? "").split(separator: ":").map(String.init)
            return normalizedLayers(wanted) == (got.first ?? "").split(separator: ":").map(String.init)
        }
        guard want.count == got.count else { return false }
        for (w, g) in zip(want, got) where w != g {
            // Hex renderings: compare numerically (tshark's padding is matched separately).
            if w.hasPrefix("0x"), g.hasPrefix("0x"), let a = UInt64(w.dropFirst(2), radix: 16),
               let b = UInt64(g.dropFirst(2), radix: 16), a == b, w.count == g.count { continue }
            return false
        }
        return true
    }

    /// tshark's layer list with application protocols folded into one `data`.
    static func normalizedLayers(_ layers: [String]) -> [String] {
        var out: [String] = []
        for layer in layers {
            if applicationLayers.contains(layer) {
                if out.last != "data" { out.append("data") }
            } else {
                out.append(layer)
            }
        }
        return out
    }
}
