import ScreenModel

/// A terminal for tests: keeps every frame it is asked to draw and plays a scripted list of events.
public final class RecordingTerminal: TerminalBackend {
    public struct Frame: Equatable, Sendable {
        public let screen: Screen
        public let theme: Theme
    }

    /// What was asked of the terminal, in order (draws are in `frames`).
    public enum Call: Equatable, Sendable {
        case draw, invalidate, suspend, resume, shutdown
    }

    public private(set) var size: (width: Int, height: Int)
    public var colorDepth: Int
    public let inputFileDescriptor: Int32 = -1
    public private(set) var frames: [Frame] = []
    public private(set) var calls: [Call] = []
    public private(set) var isSuspended = false
    public private(set) var isShutDown = false
    private var pending: [InputEvent]

    public init(width: Int = 80, height: Int = 24, colorDepth: Int = 256, events: [InputEvent] = []) {
        size = (width, height)
        self.colorDepth = colorDepth
        pending = events
    }

    /// The last frame drawn.
    public var lastScreen: Screen? { frames.last?.screen }
    /// Events still to be played.
    public var remainingEvents: [InputEvent] { pending }

    /// Adds events to the end of the script.
    public func enqueue(_ events: InputEvent...) { pending.append(contentsOf: events) }

    public func draw(_ screen: Screen, theme: Theme) {
        frames.append(Frame(screen: screen, theme: theme))
        calls.append(.draw)
    }

    /// The next scripted event, at once whatever the timeout; a `.resize` changes `size` first, as curses does.
    public func nextEvent(timeoutMilliseconds: Int) -> InputEvent? {
        guard !pending.isEmpty else { return nil }
        let event = pending.removeFirst()
        if case let .resize(width, height) = event { size = (width, height) }
        return event
    }

    public func invalidate() { calls.append(.invalidate) }

    public func suspend() {
        isSuspended = true
        calls.append(.suspend)
    }

    public func resume() {
        isSuspended = false
        calls.append(.resume)
    }

    public func shutdown() {
        isShutDown = true
        calls.append(.shutdown)
    }
}
