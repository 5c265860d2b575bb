import Foundation
import Synchronization
import PacketDecoder
import PacketStore

/// Applies a display filter to every packet of a store in the background, publishing matches
/// in order as they are found, so the list fills while the job runs and keys are answered.
/// Keeps going while the store is still indexing (or capturing) until it has seen everything.
public final class FilterJob: Sendable {
    public typealias Predicate = @Sendable (PacketTree) -> Bool

    private let store: PacketStore
    private let predicate: Predicate
    private let progress = Mutex(Progress())
    private let cancelled = Atomic<Bool>(false)

    struct Progress {
        var rows: [Int32] = []
        var scanned = 0
        var done = false
        /// Rows already handed to the UI.
        var taken = 0
    }

    public init(store: PacketStore, predicate: @escaping Predicate) {
        self.store = store
        self.predicate = predicate
    }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "tunnelscope.filter"
        thread.qualityOfService = .userInitiated
        thread.start()
    }

    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// Matches found since the last call, how many packets were looked at, and whether the
    /// job has finished.
    public func take() -> (rows: [Int32], scanned: Int, done: Bool) {
        progress.withLock { p in
            let fresh = Array(p.rows[p.taken...])
            p.taken = p.rows.count
            return (fresh, p.scanned, p.done)
        }
    }

    /// Runs the job on the calling thread (tests and batch use).
    public func run() {
        var tree = PacketTree()
        var local: [Int32] = []
        var index = 0
        while !cancelled.load(ordering: .relaxed) {
            let available = store.count
            let complete = store.isComplete
            if index >= available {
                if complete && store.count == available { break }
                Thread.sleep(forTimeInterval: 0.01)
                continue
            }
            let end = min(available, index + 4096)
            while index < end {
                store.decode(index, into: &tree)
                if predicate(tree) { local.append(Int32(index)) }
                index += 1
            }
            let scanned = index
            progress.withLock { p in
                p.rows.append(contentsOf: local)
                p.scanned = scanned
            }
            local.removeAll(keepingCapacity: true)
        }
        progress.withLock { $0.done = true }
    }
}
