extension KnownDifferences {
    static let ipv6: [Entry] = [
    ]
}
