extension KnownDifferences {
    static let core: [Entry] = [
    ]
}
