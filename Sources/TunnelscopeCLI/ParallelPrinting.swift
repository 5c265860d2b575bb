import Foundation
import Capture
import PacketDecoder
import PacketOutput
import PacketStore

/// `print -r` on every core: the calling thread reads records (libpcap or the pcapng reader)
/// into batches; worker threads decode, filter and format each batch into bytes; the calling
/// thread writes the results in batch order, so the output, `-c` and `-w` are exactly those of
/// one pass (`TUNNELSCOPE_PRINT_WORKERS=1` gives that pass; tests compare the two).
///
/// Why batches: one lock round trip per few thousand packets, and a batch's records sit in one
/// contiguous array that the worker reads without copying again.
final class ParallelPrinting: @unchecked Sendable {
    /// One batch of records: where each one's bytes are (in the mapped file, or copied into
    /// `bytes` when the file is not mapped) and its metadata.
    struct Batch {
        var number: Int
        var bytes: [UInt8] = []
        var records: [Record] = []

        /// The bytes of `record`, valid while the batch and the mapping (`mapped`, from its
        /// `base`) are.
        func bytes(of record: Record, in mapped: UnsafeRawPointer?, copied: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
            if record.inFile, let mapped { return UnsafeRawBufferPointer(start: mapped + record.start, count: record.count) }
            return UnsafeRawBufferPointer(rebasing: copied[record.start..<(record.start + record.count)])
        }
    }

    struct Record {
        var start: Int
        var count: Int
        /// `start` is a file offset (the mapping), not an offset in the batch's bytes.
        var inFile: Bool
        var metadata: FrameMetadata
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

    /// The capture file mapped into memory (a classic pcap regular file): workers read records
    /// from it, so the reading thread copies no packet bytes. Nil: records are copied.
    let mapped: MappedFile?

    init(workers: Int, limit: Int? = nil, mapped: MappedFile? = nil, makePrinter: @escaping () -> PacketPrinter) {
        self.mapped = mapped
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
        // The reading thread's state is one local value its methods change: variables captured
        // by nested functions would be boxed and checked for exclusive access at run time, on
        // every record.
        var reader = Reader(pipeline: self, batch: Batch(number: 0),
                            mapping: mapped.map { ($0.base, $0.size, file.recordHeaderLength) },
                            // With -c, fewer batches ahead: each one may be work past the count.
                            inFlightLimit: batchRecords < Self.recordsPerBatch ? workerCount : workerCount * 4)
        var readError: CaptureError?
        do {
            try file.forEach { record in
                if !sawFirst {
                    sawFirst = true
                    condition.lock()
                    self.reference = record.metadata
                    condition.unlock()
                }
                return reader.add(record, consume)
            }
        } catch {
            readError = error
        }
        if !reader.stopped { reader.submit(consume) }
        reader.drain(waitUntilBelow: 1, consume)
        condition.lock()
        closed = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
        group.wait()
        if let readError { throw readError }
    }

    /// Mapped pages before this offset have been handed back.
    private var releasedUpTo = 0
    static let releaseStep = 8 << 20

    /// Hands back the mapped pages of a consumed batch (those before the page of its last byte):
    /// batches are consumed in file order and nothing reads them again, so the process's
    /// resident size stays that of the batches in flight, not the whole file (the pages stay in
    /// the kernel's page cache).
    private func release(_ batch: Batch) {
        guard let mapped, let last = batch.records.last(where: \.inFile) else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = (last.start + last.count) / page * page
        // Every 8 MiB, not every batch: each call makes the kernel interrupt the cores running
        // the workers to flush their address translations.
        guard end - releasedUpTo >= Self.releaseStep else { return }
        madvise(UnsafeMutableRawPointer(mutating: mapped.base + releasedUpTo), end - releasedUpTo, MADV_DONTNEED)
        releasedUpTo = end
    }

    /// The mapped file as plain values, with the file's record header length (16 or 24).
    typealias Mapping = (base: UnsafeRawPointer, size: Int, headerLength: Int)

    /// Whether the mapped file holds `record`'s bytes at its `fileOffset`: the pcap record header
    /// before them (`headerLength` bytes, 16 or 24) gives the same captured length, original
    /// length and seconds (in either byte order). Otherwise the bytes are copied from libpcap's:
    /// a record libpcap cut to the snapshot length (its header says more than libpcap handed
    /// over), a record past the end the file had when it was mapped (one still being written),
    /// or any other disagreement.
    static func isAt(_ record: RawRecord, in mapping: Mapping) -> Bool {
        let header = record.fileOffset - mapping.headerLength
        guard header >= 0, record.fileOffset + record.bytes.count <= mapping.size else { return false }
        func field(_ at: Int) -> UInt32 { mapping.base.loadUnaligned(fromByteOffset: header + at, as: UInt32.self) }
        func same(_ stored: UInt32, _ value: Int) -> Bool {
            UInt64(stored) == UInt64(truncatingIfNeeded: value) || UInt64(stored.byteSwapped) == UInt64(truncatingIfNeeded: value)
        }
        return same(field(8), record.bytes.count) && same(field(12), record.metadata.originalLength)
            && same(field(0), Int(truncatingIfNeeded: record.metadata.seconds))
    }

    /// What the reading thread keeps between records.
    private struct Reader {
        let pipeline: ParallelPrinting
        var batch: Batch
        /// The mapped file (reaching it through `pipeline` retained and released it per record).
        let mapping: Mapping?
        let inFlightLimit: Int
        var next = 0          // the next batch number to hand to `consume`
        var produced = 0      // batches queued so far
        var stopped = false

        /// Puts `record` in the batch (its place in the mapped file, or a copy of its bytes) and
        /// submits a full batch; false once `consume` asked to stop.
        mutating func add(_ record: RawRecord, _ consume: (Formatted) -> Bool) -> Bool {
            if let mapping, ParallelPrinting.isAt(record, in: mapping) {
                batch.records.append(Record(start: record.fileOffset, count: record.bytes.count, inFile: true,
                                            metadata: record.metadata))
            } else {
                batch.records.append(Record(start: batch.bytes.count, count: record.bytes.count, inFile: false,
                                            metadata: record.metadata))
                batch.bytes.append(contentsOf: record.bytes)
            }
            if batch.records.count >= pipeline.batchRecords || batch.bytes.count >= ParallelPrinting.bytesPerBatch {
                submit(consume)
            }
            return !stopped
        }

        mutating func submit(_ consume: (Formatted) -> Bool) {
            guard !batch.records.isEmpty else { return }
            pipeline.condition.lock()
            pipeline.queue.append(batch)
            pipeline.condition.signal()
            pipeline.condition.unlock()
            produced += 1
            batch = pipeline.spareBatch(number: produced)
            drain(waitUntilBelow: inFlightLimit, consume)
        }

        /// Hands finished batches to `consume` in order; waits for the next one while `limit`
        /// or more batches are out.
        mutating func drain(waitUntilBelow limit: Int, _ consume: (Formatted) -> Bool) {
            while !stopped {
                pipeline.condition.lock()
                while pipeline.finished[next] == nil && produced - next >= limit { pipeline.condition.wait() }
                let ready = pipeline.finished.removeValue(forKey: next)
                pipeline.condition.unlock()
                guard let ready else { return }
                next += 1
                if !consume(ready) { stopped = true }
                pipeline.release(ready.batch)
                pipeline.recycle(ready)
            }
        }
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
        let mapped = self.mapped?.base
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
                    let record = RawRecord(bytes: batch.bytes(of: r, in: mapped, copied: raw), metadata: r.metadata)
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
