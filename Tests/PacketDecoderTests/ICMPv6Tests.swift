import Testing
import PacketDecoder
import TestSupport

/// The tshark comparison restricted to ICMP: every `icmp.*` and `icmpv6.*` field of every frame our
/// decoder takes to an ICMP layer, and the expert messages the ICMP layers produce. Frames whose
/// ICMP layer sits under something another area decodes (Linux cooked capture, extension headers,
/// Teredo) are left to the full comparison until that area lands.
@Suite("ICMP against tshark")
struct ICMPTsharkTests {
    static func isICMPField(_ name: String) -> Bool { name.hasPrefix("icmp.") || name.hasPrefix("icmpv6.") }

    /// Expert messages an ICMP or ICMPv6 layer can produce.
    static func isICMPMessage(_ message: String) -> Bool {
        message.hasPrefix("Bad checksum [should be ") || message == "Malformed Packet (Exception occurred)"
            || ["Invalid option length (Zero)", "Invalid Option Length", "Unknown Data (not interpreted)"].contains(message)
    }

    static func hasICMPLayer(_ tree: PacketTree) -> Bool {
        tree.protocolPath.contains(ICMPv4Layer.icmp) || tree.protocolPath.contains(ICMPv6Layer.icmpv6)
    }

    /// Our warnings and errors, split by whether an ICMP layer raised them.
    static func expertItems(_ tree: PacketTree) -> (icmp: [String], other: [String]) {
        var icmp: [String] = [], other: [String] = []
        for d in tree.diagnostics where d.severity >= .warn {
            let layer = tree.nodes[tree.layer(of: Int(d.node))].field
            let item = d.message + " / " + d.severity.name
            if layer == ICMPv4Layer.icmp || layer == ICMPv6Layer.icmpv6 { icmp.append(item) } else { other.append(item) }
        }
        return (icmp, other)
    }

    @Test("icmp and icmpv6 fields equal tshark's", arguments: Fixtures.allCaptures)
    func icmpFieldsMatch(capture: String) throws {
        let expected = try #require(Expectations(capture: capture))
        let (frames, _) = Fixtures.decodeAll(Fixtures.capture(capture))
        var failures: [String] = []
        for (index, packet) in expected.packets.enumerated() where index < frames.count {
            let tree = frames[index]
            let layers = packet["layers"] ?? []
            guard layers.contains("icmp") || layers.contains("icmpv6"), Self.hasICMPLayer(tree) else { continue }
            for name in expected.fields where Self.isICMPField(name)
                && !KnownDifferences.allows(capture: capture, frame: index + 1, field: name) {
                let want = packet[name] ?? []
                let got = TsharkView.values(of: name, in: tree)
                if !TsharkView.equal(name, want, got) {
                    failures.append("frame \(index + 1) \(name): tshark \(want) ours \(got)")
                }
            }
            guard !KnownDifferences.allows(capture: capture, frame: index + 1, field: "_ws.expert.message") else { continue }
            // tshark's expert items, less those our other layers account for, are the ICMP layers' own.
            let messages = packet["_ws.expert.message"] ?? [], severities = packet["_ws.expert.severity"] ?? []
            var theirs = zip(messages, severities).map { $0 + " / " + $1 }
            let ours = Self.expertItems(tree)
            for item in ours.other { if let i = theirs.firstIndex(of: item) { theirs.remove(at: i) } }
            theirs = theirs.filter { Self.isICMPMessage(String($0.split(separator: "/").first ?? "").trimmingCharacters()) }
            if theirs != ours.icmp {
                failures.append("frame \(index + 1) ICMP expert items: tshark \(theirs) ours \(ours.icmp)")
            }
        }
        if !failures.isEmpty {
            Issue.record(Comment(rawValue: "\(capture): " + failures.prefix(30).joined(separator: "\n")))
        }
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
