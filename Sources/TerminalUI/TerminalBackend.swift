import ScreenModel

/// Where the TUI draws and where its input comes from: curses on a real terminal, a recording in tests.
/// The app owns one and passes it in; nothing reaches a terminal through a global.
public protocol TerminalBackend: AnyObject {
    /// Columns and rows right now (after the last `.resize` event).
    var size: (width: Int, height: Int) { get }
    /// How many colours the terminal shows: 256, 16 or 8; 0 when it has none (use the mono theme).
    var colorDepth: Int { get }
    /// The descriptor input arrives on, for a `poll` loop that also waits on other descriptors
    /// (libpcap's selectable fd). When it is readable, or `poll` says EINTR (a resize, a resume
    /// after Ctrl-Z), call `nextEvent(timeoutMilliseconds: 0)` until it returns nil.
    var inputFileDescriptor: Int32 { get }

    /// Shows `screen`, each cell's role coloured by `theme`; only what changed since the last frame is sent.
    func draw(_ screen: Screen, theme: Theme)
    /// The next key, mouse click or resize; nil when none came within the timeout (0: don't wait; negative: wait for one).
    func nextEvent(timeoutMilliseconds: Int) -> InputEvent?
    /// The next `draw` repaints everything (Ctrl-L, or after something else wrote to the terminal).
    func invalidate()
    /// Gives the terminal back to the shell for a while (to run a pager, say); `resume` takes it again.
    func suspend()
    func resume()
    /// Restores the terminal for good. Safe to call more than once.
    func shutdown()
}
