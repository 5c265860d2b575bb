/// What the TUI shows about a live capture, refreshed by the app loop from `pcap_stats`.
public struct LiveState: Equatable, Sendable {
    public var interface: String
    /// Where every captured packet goes as it arrives (`-w FILE`, else a temporary file).
    public var spoolPath: String
    /// True when the spool is a temporary file the user has not saved elsewhere.
    public var temporary: Bool
    public var saved = false
    public var captured = 0
    public var droppedByKernel = 0
    public var droppedByInterface = 0
    /// Set when the capture ended by itself (the interface went down).
    public var ended: String?

    public init(interface: String, spoolPath: String, temporary: Bool) {
        self.interface = interface
        self.spoolPath = spoolPath
        self.temporary = temporary
    }
}

/// A question on the bottom line.
public enum Prompt: Equatable, Sendable {
    /// A file name to save to; `onlyShown`: just the packets the display filter shows.
    case save(text: String, onlyShown: Bool)
    /// Quitting with an unsaved temporary capture.
    case confirmQuit
}
