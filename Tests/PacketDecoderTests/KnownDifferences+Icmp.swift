extension KnownDifferences {
    static let icmp: [Entry] = [
    ]
}
