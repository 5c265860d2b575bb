import Glibc
import Synchronization
import Capture
import PacketDecoder

/// Random access to the packets of a capture: an index built once (in the background, with
/// progress) over a memory-mapped file. Memory is the index, 32 bytes a packet, plus what the
/// kernel keeps of the mapping; no packet is copied or decoded until it is asked for.
///
/// The record boundaries come from the readers (libpcap for pcap, `PcapNGReader` for pcapng):
/// each record's `fileOffset` is where its bytes start, so the store never parses formats itself.
public final class PacketStore: Sendable {
    /// One packet's place in the file: 32 bytes.
    public struct Entry: Sendable, Equatable {
        public var offset: UInt64
        public var seconds: Int64
        public var nanoseconds: UInt32
        public var capturedLength: UInt32
        public var originalLength: UInt32
        /// Index into `interfaces` (pcapng), 0 for pcap.
        public var interface: UInt16
        public var flags: UInt16
    }

    /// What a pcapng interface (or the pcap file) says about its records.
    public struct Interface: Sendable, Equatable {
        public var linkType: LinkType
        public var name: String?
    }

    public let name: String
    /// True for a live capture's spool (it grows; `finish` ends it).
    public let isLive: Bool
    private let mapping: MappedFile
    private let state = Mutex(State())

    struct State {
        var entries: [Entry] = []
        var interfaces: [Interface] = []
        var done = false
        var error: CaptureError?
        /// File bytes indexed so far.
        var bytesIndexed = 0
    }

    /// Opens and maps `path`; call `buildIndex` (on any thread) to index it.
    public init(path: String) throws(CaptureError) {
        name = path
        isLive = false
        mapping = try MappedFile(path: path)
    }

    /// A capture held in memory (the bundled lab capture).
    public init(bytes: [UInt8], name: String) {
        self.name = name
        isLive = false
        mapping = MappedFile(bytes: bytes)
    }

    /// A live capture's spool file, which grows while it is read: packets are added with
    /// `append` once their bytes are in the file, and `finish` says no more will come.
    public init(spool path: String, linkType: LinkType, interface: String) throws(CaptureError) {
        name = path
        isLive = true
        mapping = try MappedFile(growing: path)
        state.withLock { $0.interfaces = [Interface(linkType: linkType, name: nil)] }
        _ = interface
    }

    /// Adds packets of a growing spool (their bytes must already be written and flushed).
    public func append(_ records: [Entry]) {
        guard !records.isEmpty else { return }
        state.withLock { $0.entries.append(contentsOf: records) }
    }

    /// No more packets will come (the live capture ended), with the error that ended it if any.
    public func finish(error: CaptureError? = nil) {
        state.withLock {
            $0.done = true
            $0.error = error
        }
    }

    /// Builds the index entry of a record read from a file or a live capture.
    public static func entry(_ record: RawRecord) -> Entry {
        let m = record.metadata
        return Entry(offset: UInt64(record.fileOffset), seconds: m.seconds, nanoseconds: m.nanoseconds,
                     capturedLength: UInt32(record.bytes.count), originalLength: UInt32(truncatingIfNeeded: m.originalLength),
                     interface: 0, flags: UInt16(truncatingIfNeeded: m.direction ?? 0))
    }

    /// Indexes the whole file, publishing entries in batches so readers see packets early.
    /// `progress` gets (records indexed, bytes read, file size) now and then.
    public func buildIndex(progress: ((Int, Int, Int) -> Void)? = nil) {
        let file: CaptureFile
        do {
            file = try mapping.openReader(name: name)
        } catch {
            state.withLock { $0.error = error; $0.done = true }
            return
        }
        var batch: [Entry] = []
        batch.reserveCapacity(8192)
        var interfaceIndex: [InterfaceKey: UInt16] = [:]
        var total = 0
        let size = mapping.size
        do {
            try file.forEach { record in
                let m = record.metadata
                let key = InterfaceKey(id: m.interfaceID ?? -1, linkType: m.linkType.rawValue)
                var slot = interfaceIndex[key]
                if slot == nil {
                    let new = UInt16(truncatingIfNeeded: interfaceIndex.count)
                    interfaceIndex[key] = new
                    slot = new
                    state.withLock { $0.interfaces.append(Interface(linkType: m.linkType, name: m.interfaceName)) }
                }
                batch.append(Entry(offset: UInt64(record.fileOffset), seconds: m.seconds, nanoseconds: m.nanoseconds,
                                   capturedLength: UInt32(record.bytes.count), originalLength: UInt32(truncatingIfNeeded: m.originalLength),
                                   interface: slot!, flags: UInt16(truncatingIfNeeded: m.direction ?? 0)))
                total += 1
                if batch.count == batch.capacity {
                    publish(&batch, bytes: record.fileOffset)
                    progress?(total, record.fileOffset, size)
                }
                return true
            }
        } catch {
            publish(&batch)
            state.withLock { $0.error = error; $0.done = true }
            progress?(total, size, size)
            return
        }
        publish(&batch)
        state.withLock { $0.done = true }
        progress?(total, size, size)
    }

    private struct InterfaceKey: Hashable { var id: Int; var linkType: UInt32 }

    private func publish(_ batch: inout [Entry], bytes: Int? = nil) {
        guard !batch.isEmpty else { return }
        state.withLock {
            $0.entries.append(contentsOf: batch)
            if let bytes { $0.bytesIndexed = bytes }
        }
        batch.removeAll(keepingCapacity: true)
    }

    /// How far indexing has come, 0...1 (by bytes of the file).
    public var indexedFraction: Double {
        state.withLock { s in s.done ? 1 : Double(s.bytesIndexed) / Double(max(1, mapping.size)) }
    }

    /// Packets indexed so far.
    public var count: Int { state.withLock { $0.entries.count } }
    /// True once the whole file is indexed (or indexing stopped at an error).
    public var isComplete: Bool { state.withLock { $0.done } }
    /// The error that stopped indexing (a damaged record), if any.
    public var error: CaptureError? { state.withLock { $0.error } }

    public func entry(_ index: Int) -> Entry { state.withLock { $0.entries[index] } }

    /// Copies entries `range` (clamped) for a bulk pass such as filtering.
    public func entries(_ range: Range<Int>) -> [Entry] {
        state.withLock { s in Array(s.entries[range.clamped(to: 0..<s.entries.count)]) }
    }

    public func interface(_ index: UInt16) -> Interface { state.withLock { $0.interfaces[Int(index)] } }

    /// Frame metadata of packet `index` (0-based; frame numbers are 1-based).
    public func metadata(_ index: Int, entry e: Entry? = nil) -> FrameMetadata {
        let e = e ?? entry(index)
        let i = interface(e.interface)
        return FrameMetadata(number: index + 1, seconds: e.seconds, nanoseconds: e.nanoseconds,
                             originalLength: Int(e.originalLength), linkType: i.linkType,
                             interfaceID: i.name == nil ? nil : Int(e.interface), interfaceName: i.name)
    }

    /// The bytes of packet `index`, valid while the store lives.
    public func bytes(_ index: Int, entry e: Entry? = nil) -> UnsafeRawBufferPointer {
        let e = e ?? entry(index)
        return mapping.slice(offset: Int(e.offset), count: Int(e.capturedLength))
    }

    /// Decodes packets `range` (clamped to those indexed) one after another into `tree` for a
    /// display filter (`PacketDecoder.decodeLeavingBytes`, keeping `selection`'s fields) and calls
    /// `body(index, tree, bytes)` after each; the bytes stay in the mapping. The entries and
    /// interfaces are copied under the lock once for the range, not once per packet, so workers
    /// on several cores do not queue on it.
    public func decodeLeavingBytes(_ range: Range<Int>, into tree: inout PacketTree, keeping selection: FieldSelection.Keep?,
                                   _ body: (Int, PacketTree, UnsafeRawBufferPointer) -> Void) {
        let (entries, interfaces) = state.withLock { s in
            (Array(s.entries[range.clamped(to: 0..<s.entries.count)]), s.interfaces)
        }
        for (k, e) in entries.enumerated() {
            let index = range.lowerBound + k
            let i = interfaces[Int(e.interface)]
            let metadata = FrameMetadata(number: index + 1, seconds: e.seconds, nanoseconds: e.nanoseconds,
                                         originalLength: Int(e.originalLength), linkType: i.linkType,
                                         interfaceID: i.name == nil ? nil : Int(e.interface), interfaceName: i.name)
            let bytes = mapping.slice(offset: Int(e.offset), count: Int(e.capturedLength))
            PacketDecoder.decodeLeavingBytes(bytes, metadata: metadata, into: &tree, keeping: selection)
            body(index, tree, bytes)
        }
    }

    /// Decodes packet `index` into `tree` (reusing its storage).
    public func decode(_ index: Int, into tree: inout PacketTree) {
        let e = entry(index)
        PacketDecoder.decode(bytes(index, entry: e), metadata: metadata(index, entry: e), into: &tree)
    }
}

/// The file's bytes: a read-only shared mapping, or memory for an in-memory capture. Also what
/// `print` reads packet bytes from, so its reading thread copies none.
public final class MappedFile: @unchecked Sendable {
    public let base: UnsafeRawPointer
    public let size: Int
    private let mapped: Bool
    private let bytes: [UInt8]?

    public init(path: String) throws(CaptureError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CaptureError(.cannotOpen, source: path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw CaptureError(.cannotOpen, source: path, String(cString: strerror(errno))) }
        size = Int(info.st_size)
        if size == 0 {
            throw CaptureError(.badFileHeader, source: path, "empty file")
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else {
            throw CaptureError(.cannotOpen, source: path, "cannot map: " + String(cString: strerror(errno)))
        }
        madvise(p, size, MADV_WILLNEED)
        base = UnsafeRawPointer(p)
        mapped = true
        bytes = nil
        self.path = path
    }

    /// A file that keeps growing (a live spool): a large read-only shared mapping is reserved
    /// once, and only pages the index points at (written and flushed) are ever touched.
    init(growing path: String) throws(CaptureError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CaptureError(.cannotOpen, source: path, String(cString: strerror(errno))) }
        defer { close(fd) }
        size = 1 << 40
        guard let p = mmap(nil, size, PROT_READ, MAP_SHARED | MAP_NORESERVE, fd, 0), p != MAP_FAILED else {
            throw CaptureError(.cannotOpen, source: path, "cannot map: " + String(cString: strerror(errno)))
        }
        base = UnsafeRawPointer(p)
        mapped = true
        bytes = nil
        self.path = path
    }

    init(bytes: [UInt8]) {
        let copy = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 16)
        bytes.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        base = UnsafeRawPointer(copy)
        size = bytes.count
        mapped = false
        self.bytes = bytes
        path = nil
    }

    private let path: String?

    func openReader(name: String) throws(CaptureError) -> CaptureFile {
        if let path { return try CaptureFile(path: path) }
        return try CaptureFile(bytes: bytes ?? [], name: name)
    }

    /// The bytes at `offset`, or none when the range is not inside the file.
    public func slice(offset: Int, count: Int) -> UnsafeRawBufferPointer {
        guard offset >= 0, count >= 0, offset + count <= size else { return UnsafeRawBufferPointer(start: base, count: 0) }
        return UnsafeRawBufferPointer(start: base + offset, count: count)
    }

    deinit {
        if mapped { munmap(UnsafeMutableRawPointer(mutating: base), size) } else { base.deallocate() }
    }
}
