import Foundation
import Synchronization
import PacketDecoder
import PacketStore

/// Applies a display filter to every packet of a store in the background, publishing matches
/// in order as they are found, so the list fills while the job runs and keys are answered.
/// Keeps going while the store is still indexing (or capturing) until it has seen everything.
public final class FilterJob: Sendable {
    /// Whether a packet passes: its tree (decoded with `selection`, by
    /// `PacketDecoder.decodeLeavingBytes`) and its bytes, which stay in the store's mapping.
    public typealias Predicate = @Sendable (PacketTree, UnsafeRawBufferPointer) -> Bool

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
        /// The next packet no worker has claimed.
        var nextIndex = 0
        /// Claims made so far; a claim's number orders its results.
        var claims = 0
        /// Finished claims not yet published (an earlier claim is still running), by number.
        var finished: [Int: (rows: [Int32], end: Int)] = [:]
        var published = 0
        var workersLeft = 0
    }

    /// Packets per claim: large enough that the lock is rare, small enough that the list fills
    /// steadily.
    private let chunk: Int
    /// Workers: the calling thread and helpers, one per core (the decoder is the cost).
    /// `TUNNELSCOPE_FILTER_WORKERS` overrides (benchmarks compare one worker with several).
    static let workers: Int = {
        if let text = ProcessInfo.processInfo.environment["TUNNELSCOPE_FILTER_WORKERS"], let n = Int(text), n > 0 { return n }
        return max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    }()

    /// The fields the predicate reads (a display filter's `selection`): packets are decoded
    /// only that far. nil decodes them whole.
    private let selection: FieldSelection?
    /// `selection` as plain pointers (it keeps them alive): no reference counting per packet.
    private let keep: FieldSelection.Keep?

    public init(store: PacketStore, chunk: Int = 4096, selection: FieldSelection? = nil, predicate: @escaping Predicate) {
        self.store = store
        self.selection = selection
        keep = selection?.keep
        self.chunk = max(1, chunk)
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

    /// Runs the job to the end on the calling thread plus helper threads, one per further core
    /// (tests and batch use). Workers claim consecutive ranges; results are published in claim
    /// order, so rows arrive sorted exactly as a single pass would give them.
    public func run() {
        let helpers = FilterJob.workers - 1
        progress.withLock { $0.workersLeft = helpers + 1 }
        let finished = DispatchGroup()
        for n in 0..<helpers {
            finished.enter()
            let thread = Thread { [self] in work(); finished.leave() }
            thread.name = "tunnelscope.filter.\(n + 1)"
            thread.qualityOfService = .userInitiated
            thread.start()
        }
        work()
        finished.wait()
    }

    private func work() {
        var tree = PacketTree()
        var local: [Int32] = []
        while !cancelled.load(ordering: .relaxed) {
            let complete = store.isComplete
            let available = store.count
            let claim: (number: Int, range: Range<Int>)? = progress.withLock { p in
                guard p.nextIndex < available else { return nil }
                let end = min(available, p.nextIndex + chunk)
                defer { p.nextIndex = end; p.claims += 1 }
                return (p.claims, p.nextIndex..<end)
            }
            guard let claim else {
                if complete { break }
                Thread.sleep(forTimeInterval: 0.01)
                continue
            }
            store.decodeLeavingBytes(claim.range, into: &tree, keeping: keep) { index, tree, bytes in
                if predicate(tree, bytes) { local.append(Int32(index)) }
            }
            progress.withLock { p in
                p.finished[claim.number] = (local, claim.range.upperBound)
                while let next = p.finished.removeValue(forKey: p.published) {
                    p.rows.append(contentsOf: next.rows)
                    p.scanned = next.end
                    p.published += 1
                }
            }
            local.removeAll(keepingCapacity: true)
        }
        progress.withLock { p in
            p.workersLeft -= 1
            if p.workersLeft == 0 { p.done = true }
        }
    }
}
