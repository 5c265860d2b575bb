extension KnownDifferences {
    static let link: [Entry] = [
    ]
}
