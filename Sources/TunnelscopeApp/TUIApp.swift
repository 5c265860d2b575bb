import Foundation
import Capture
import PacketDecoder
import PacketStore
import ScreenModel
import TerminalUI
import DisplayFilter

extension PacketStore: PacketSource {
    public var loadedFraction: Double? { isLive ? nil : indexedFraction }
}

/// The interactive program: one loop that takes terminal events, the store's indexing progress
/// and the filter job's matches, reduces them into the AppState and draws what changed.
/// Indexing and filtering run on their own threads; the loop never waits on them.
public final class TUIApp {
    let store: PacketStore
    let terminal: TerminalBackend
    let theme: Theme
    var state: AppState
    let env: Environment
    var job: FilterJob?
    /// The packet that was selected when the running filter started: selected again when it ends.
    var anchor: Int?
    var dirty = true
    /// The live capture feeding the store, if this is one.
    let live: LiveSession?
    var lastStats = Date.distantPast
    /// Packet (0-based) to select with its lesson panel open, once the indexer reaches it.
    public var startLesson: Int?

    public init(store: PacketStore, terminal: TerminalBackend, theme: Theme, startMessage: String? = nil,
                live: LiveSession? = nil, lessons: ((PacketTree) -> LessonState?)? = nil) {
        self.store = store
        self.terminal = terminal
        self.theme = theme
        self.live = live
        let size = terminal.size
        state = AppState(width: size.width, height: size.height)
        state.message = startMessage
        if let live {
            state.live = LiveState(interface: live.capture.interface, spoolPath: live.spoolPath, temporary: live.temporary)
            state.follow = true
        }
        var env = Environment(source: store, checkFilter: TUIApp.check)
        env.lessonFor = lessons
        self.env = env
    }

    /// Live validation for the filter bar.
    static func check(_ text: String) -> FilterCheck {
        if text.allSatisfy({ $0 == " " }) { return .empty }
        do {
            _ = try DisplayFilter(compiling: text)
            return .valid
        } catch {
            return .invalid(message: error.message, column: error.column, length: error.length)
        }
    }

    /// Runs until the user quits; returns the exit status. `indexInBackground` starts indexing
    /// the store (false when the caller feeds it, as live capture does).
    public func run(filter: String? = nil, indexInBackground: Bool = true) -> Int32 {
        if indexInBackground {
            let store = self.store
            let indexer = Thread { store.buildIndex() }
            indexer.name = "tunnelscope.index"
            indexer.start()
        }
        if let filter, !filter.isEmpty {
            state.appliedFilter = filter
            state.filterHistory = [filter]
            apply(filter)
        }
        while true {
            poll()
            if dirty {
                terminal.draw(state.render(env), theme: theme)
                dirty = false
            }
            let busy = !store.isComplete || (job != nil && !state.filterComplete)
            var timeout = busy ? 40 : 500
            while let event = terminal.nextEvent(timeoutMilliseconds: timeout) {
                timeout = 0  // take every event already waiting before drawing again
                dirty = true
                if event == .key(.control("z")), let curses = terminal as? CursesTerminal {
                    curses.suspendToShell()
                    continue
                }
                for effect in state.reduce(event, env) {
                    switch effect {
                    case .quit:
                        job?.cancel()
                        terminal.shutdown()
                        return finishLive()
                    case .save(let path, let onlyShown):
                        save(to: path, onlyShown: onlyShown)
                    case .applyFilter(let text):
                        apply(text)
                    case .redraw:
                        terminal.invalidate()
                    }
                }
            }
        }
    }

    /// Takes in what the indexer and the filter job have done since the last look.
    func poll() {
        if let live, Date().timeIntervalSince(lastStats) > 0.25 {
            lastStats = Date()
            let stats = live.capture.stats()
            var next = state.live!
            next.captured = stats.captured
            next.droppedByKernel = stats.droppedByKernel
            next.droppedByInterface = stats.droppedByInterface
            if case .failed(let error)? = live.capture.ending { next.ended = error.description }
            if next != state.live {
                if next.ended != nil && state.live?.ended == nil {
                    state.message = "Capture stopped: \(next.ended!); every packet captured is kept in \(live.spoolPath)"
                }
                state.live = next
                dirty = true
            }
        }
        if store.count != state.packetCount || store.isComplete != state.sourceComplete
            || (!store.isComplete && store.indexedFraction != state.loadedFraction) {
            state.refresh(from: env)
            if store.isComplete, let error = store.error {
                state.message = "Stopped reading: \(error.description)"
            }
            dirty = true
        }
        if let target = startLesson, store.count > target {
            startLesson = nil
            state.goTo(packetNumber: target + 1, env)
            state.openLesson(env)
            dirty = true
        }
        // A filter may have moved the selection: the lesson panel follows it.
        if let open = state.lesson, open.frameNumber != state.tree?.metadata.number {
            state.lessonFollowsSelection(env)
            dirty = true
        }
        if let job {
            let (rows, scanned, done) = job.take()
            if !rows.isEmpty || scanned != state.filterScanned || done != state.filterComplete {
                state.appendFilterRows(rows, scanned: scanned, complete: done, env: env)
                if done {
                    if let anchor { state.selectPacket(anchor, env) }
                    anchor = nil
                    self.job = nil
                }
                dirty = true
            }
        }
    }

    /// Stops a live capture at quit; a temporary spool the user chose not to save is removed.
    func finishLive() -> Int32 {
        guard let live else { return 0 }
        live.capture.stop()
        _ = live.capture.wait()
        if live.temporary, state.live?.saved == false {
            try? FileManager.default.removeItem(atPath: live.spoolPath)
        }
        FileHandle.standardError.write(Data((live.capture.stats().description + "\n").utf8))
        return 0
    }

    /// `s`: a copy of the whole capture; `S`: only the packets the display filter shows.
    func save(to path: String, onlyShown: Bool) {
        let target = (path as NSString).expandingTildeInPath
        do {
            if FileManager.default.fileExists(atPath: target) {
                state.message = "Not saved: \(target) exists"
                return
            }
            let count = state.packetCount
            let rows = onlyShown ? (state.view.map { $0.map(Int.init) } ?? Array(0..<count)) : Array(0..<count)
            guard let first = rows.first else { state.message = "Nothing to save"; return }
            let linkType = store.metadata(first).linkType
            let writer = try PcapWriter(path: target, linkType: linkType, precision: .nanoseconds)
            var written = 0
            for index in rows where index < store.count {
                let m = store.metadata(index)
                if m.linkType != linkType { continue }
                try writer.write(store.bytes(index), metadata: m)
                written += 1
            }
            writer.close()
            state.message = "Saved \(written) packets to \(target)"
            if !onlyShown { state.live?.saved = true }
        } catch {
            state.message = "Not saved: \(error)"
        }
    }

    /// Starts filtering (or clears the filter for empty text).
    func apply(_ text: String) {
        job?.cancel()
        job = nil
        let selected = state.packetIndex(atRow: state.selectedRow) ?? anchor
        guard !text.isEmpty, let filter = try? DisplayFilter(compiling: text) else {
            state.setFilterResult(nil, scanned: 0, complete: true, env: env)
            if let selected { state.selectPacket(selected, env) }
            return
        }
        anchor = selected
        state.view = nil
        state.setFilterResult([], scanned: 0, complete: false, env: env)
        // The compiled program without reference counting per packet; the closure holds the
        // filter, which keeps it alive for as long as any worker may run.
        let matcher = filter.matcher
        let job = FilterJob(store: store, selection: filter.selection) { tree, bytes in
            withExtendedLifetime(filter) { matcher.matches(tree, bytes: bytes) }
        }
        self.job = job
        job.start()
    }
}
