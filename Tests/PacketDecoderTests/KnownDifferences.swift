/// Where tunnelscope deliberately differs from tshark 4.0, and why. Each entry is a decision,
/// not a bug being hidden: the README's "Differences from tshark" lists the same.
enum KnownDifferences {
    /// Fields not compared at all.
    static let skippedFields: Set<String> = [
        "frame.protocols",  // compared through "layers", which the test normalizes
    ]

    /// (capture, frame, field) triples where tshark's answer is a quirk we do not copy.
    typealias Entry = (capture: String, frame: Int?, field: String, why: String)

    /// Each area keeps its own list in its own file (KnownDifferences+Area.swift).
    static let entries: [Entry] = core + link + ipv6 + icmp

    static func allows(capture: String, frame: Int, field: String) -> Bool {
        entries.contains { $0.capture == capture && ($0.frame == nil || $0.frame == frame) && $0.field == field }
    }
}
