import Foundation
import Capture
import PacketDecoder
import PacketOutput

/// `print -r` on every core: the calling thread reads records (libpcap or the pcapng reader)
/// into batches; worker threads decode, filter and format each batch into bytes; the calling
/// thread writes the results in batch order, so the output, `-c` and `-w` are exactly those of
/// one pass (`TUNNELSCOPE_PRINT_WORKERS=1` gives that pass; tests compare the two).
///
/// Why batches: one lock round trip per few thousand packets, and a batch's records sit in one
/// contiguous array that the worker reads without copying again.
final class ParallelPrinting: @unchecked Sendable {
    /// One batch of records, copied out of the reader's buffer.
    struct Batch {
        var number: Int
        var bytes: [UInt8] = []
        var records: [(start: Int, count: Int, metadata: FrameMetadata)] = []
    }

    /// A formatted batch: its output bytes, and for each packet the filter passed, the record
    /// and where its output ends (so `-c` can stop in the middle of a batch).
    struct Formatted {
        var batch: Batch
        var output: [UInt8]
        var shown: [(record: Int, end: Int)]
    }

    /// Workers: one per core, at most 8; `TUNNELSCOPE_PRINT_WORKERS` overrides (1: one pass).
    static let workers: Int = {
        if let text = ProcessInfo.processInfo.environment["TUNNELSCOPE_PRINT_WORKERS"], let n = Int(text), n > 0 {
            return min(n, 64)
        }
        return max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
    }()

    /// Records per batch; `TUNNELSCOPE_PRINT_BATCH` overrides (tests cut tiny files into many batches).
    static let recordsPerBatch: Int = {
        if let text = ProcessInfo.processInfo.environment["TUNNELSCOPE_PRINT_BATCH"], let n = Int(text), n > 0 { return n }
        return 2048
    }()
    static let bytesPerBatch = 1 << 20

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var queue: [Batch] = []
    private var finished: [Int: Formatted] = [:]
    private var closed = false
    /// Storage of consumed batches and outputs, reused: fresh megabytes per batch cost page
    /// faults on every one.
    private var spareBatches: [Batch] = []
    private var spareOutputs: [[UInt8]] = []

    private let makePrinter: () -> PacketPrinter
    private let workerCount: Int

    /// Records per batch here: with `-c N`, no more than N (at least 64), so `-V -c 1000` does
    /// not format thousands of trees nobody asked for.
    private let batchRecords: Int

    init(workers: Int, limit: Int? = nil, makePrinter: @escaping () -> PacketPrinter) {
        self.workerCount = workers
        self.makePrinter = makePrinter
        batchRecords = min(Self.recordsPerBatch, max(64, limit ?? Int.max))
    }

    /// Runs the pipeline over `file`. `consume` gets each formatted batch in order on the calling
    /// thread and returns false to stop (the `-c` count reached, a write failed).
    func run(file: CaptureFile, consume: (Formatted) -> Bool) throws(CaptureError) {
        let group = DispatchGroup()
        var sawFirst = false
        for n in 0..<workerCount {
            group.enter()
            let thread = Thread { [self] in
                work()
                group.leave()
            }
            thread.name = "tunnelscope.print.\(n)"
            thread.start()
        }
        var next = 0          // the next batch number to hand to `consume`
        var produced = 0      // batches queued so far
        var stopped = false
        var batch = Batch(number: 0)
        // With -c, fewer batches ahead: each one may be work past the count.
        let inFlightLimit = batchRecords < Self.recordsPerBatch ? workerCount : workerCount * 4

        // Hands finished batches to `consume` in order; waits for the next one while `limit` or
        // more batches are out.
        func drain(waitUntilBelow limit: Int) {
            while !stopped {
                condition.lock()
                while finished[next] == nil && produced - next >= limit { condition.wait() }
                let ready = finished.removeValue(forKey: next)
                condition.unlock()
                guard let ready else { return }
                next += 1
                if !consume(ready) { stopped = true }
                recycle(ready)
            }
        }

        func submit() {
            guard !batch.records.isEmpty else { return }
            condition.lock()
            queue.append(batch)
            condition.signal()
            condition.unlock()
            produced += 1
            batch = spareBatch(number: produced)
            drain(waitUntilBelow: inFlightLimit)
        }

        var readError: CaptureError?
        do {
            try file.forEach { record in
                if !sawFirst {
                    sawFirst = true
                    condition.lock()
                    self.reference = record.metadata
                    condition.unlock()
                }
                let start = batch.bytes.count
                batch.bytes.append(contentsOf: record.bytes)
                batch.records.append((start, record.bytes.count, record.metadata))
                if batch.records.count >= batchRecords || batch.bytes.count >= Self.bytesPerBatch { submit() }
                return !stopped
            }
        } catch {
            readError = error
        }
        if !stopped { submit() }
        drain(waitUntilBelow: 1)
        condition.lock()
        closed = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
        group.wait()
        if let readError { throw readError }
    }

    private func recycle(_ formatted: Formatted) {
        var batch = formatted.batch
        var output = formatted.output
        batch.bytes.removeAll(keepingCapacity: true)
        batch.records.removeAll(keepingCapacity: true)
        output.removeAll(keepingCapacity: true)
        condition.lock()
        spareBatches.append(batch)
        spareOutputs.append(output)
        condition.unlock()
    }

    private func spareBatch(number: Int) -> Batch {
        condition.lock()
        var batch = spareBatches.popLast() ?? Batch(number: number)
        condition.unlock()
        batch.number = number
        batch.bytes.reserveCapacity(Self.bytesPerBatch + 65536)
        return batch
    }

    /// The first record read (guarded by `condition`): every worker's Time column counts from it.
    private var reference: FrameMetadata?

    private func work() {
        let printer = makePrinter()
        var referenceNoted = false
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty { condition.unlock(); return }
            let batch = queue.removeFirst()
            let reference = self.reference
            condition.unlock()
            if !referenceNoted, let reference {
                printer.noteReference(reference)
                referenceNoted = true
            }
            var shown: [(record: Int, end: Int)] = []
            batch.bytes.withUnsafeBytes { raw in
                for (i, r) in batch.records.enumerated() {
                    let record = RawRecord(bytes: UnsafeRawBufferPointer(rebasing: raw[r.start..<(r.start + r.count)]),
                                           metadata: r.metadata)
                    guard printer.decode(record) else { continue }
                    printer.printDecoded()
                    shown.append((i, printer.out.bufferedCount))
                }
            }
            condition.lock()
            let spare = spareOutputs.popLast() ?? []
            condition.unlock()
            let formatted = Formatted(batch: batch, output: printer.out.takeBuffered(replacingWith: spare), shown: shown)
            condition.lock()
            finished[batch.number] = formatted
            condition.broadcast()
            condition.unlock()
        }
    }
}
