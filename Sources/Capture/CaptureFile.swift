import Glibc
import CPcap
import PacketDecoder

/// One record as read from a file or interface. `bytes` is only valid inside the callback.
public struct RawRecord {
    public var bytes: UnsafeRawBufferPointer
    public var metadata: FrameMetadata
    /// Where the record's bytes start in the file, for random access later (`PacketStore`).
    public var fileOffset: Int

    public init(bytes: UnsafeRawBufferPointer, metadata: FrameMetadata, fileOffset: Int = 0) {
        self.bytes = bytes
        self.metadata = metadata
        self.fileOffset = fileOffset
    }
}

/// Timestamp resolution of a capture (pcap files are micro- or nanosecond).
public enum TimestampPrecision: Sendable {
    case microseconds, nanoseconds
}

/// A saved capture, pcap or pcapng, read front to back.
///
/// Classic pcap goes through libpcap. pcapng is read by `PcapNGReader`, because libpcap 1.10
/// refuses a section whose interfaces have different link types (tcpdump: "an interface has a
/// type 101 different from the type of the first interface") and does not expose the interface
/// id, direction flags or comments of a record.
public final class CaptureFile {
    public let path: String
    public let format: Format
    /// The link type of the first interface.
    public private(set) var linkType: LinkType
    public private(set) var precision: TimestampPrecision
    public private(set) var snapshotLength: Int
    /// The bytes before each classic pcap record's data: 16, or 24 in Alexey Kuznetsov's
    /// "modified" pcap (magic 0xa1b2cd34), whose record header adds an interface index, a
    /// protocol and a packet type. 0 for pcapng (its records are blocks).
    public private(set) var recordHeaderLength = 0
    private var pcap: OpaquePointer?
    private var pcapng: PcapNGReader?
    /// The capture filter's expression, and its program per link type (a pcapng file can mix them).
    private var filterExpression: String?
    private var filters: [LinkType: PacketFilter] = [:]
    /// Records read so far (also those a capture filter dropped).
    public private(set) var recordsRead = 0

    public enum Format: Sendable { case pcap, pcapng }

    /// The stdio buffer of a capture file read from disk (stdio's own is one 4 KiB block).
    static let readBufferSize = 64 << 10

    public convenience init(path: String) throws(CaptureError) {
        guard let file = fopen(path, "rb") else {
            throw CaptureError(.cannotOpen, source: path, String(cString: strerror(errno)))
        }
        // The stream is read by one thread at a time (the reading loop), so stdio's lock around
        // each fread is dropped; the buffer is freed after the stream is closed, as `storage`.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readBufferSize, alignment: 64)
        tunnelscope_prepare_stream(file, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), buffer.count)
        try self.init(file: file, name: path, storage: buffer)
    }

    /// Reads a capture held in memory (the bundled lab capture); `name` names it in messages.
    public convenience init(bytes: [UInt8], name: String) throws(CaptureError) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 8)
        storage.copyBytes(from: bytes)
        guard let file = fmemopen(storage.baseAddress, bytes.count, "rb") else {
            storage.deallocate()
            throw CaptureError(.cannotOpen, source: name, String(cString: strerror(errno)))
        }
        try self.init(file: file, name: name, storage: storage)
    }

    /// Takes ownership of `file` (and of `storage`, the memory behind an in-memory file or the
    /// stream's buffer).
    private init(file: UnsafeMutablePointer<FILE>, name: String, storage: UnsafeMutableRawBufferPointer?) throws(CaptureError) {
        self.path = name
        self.storage = storage
        var magic: UInt32 = 0
        let got = fread(&magic, 1, 4, file)
        rewind(file)
        if got == 4 && magic == 0x0A0D_0D0A {
            format = .pcapng
            let reader: PcapNGReader
            do { reader = try PcapNGReader(file: file, name: name) } catch {
                storage?.deallocate()
                throw error
            }
            linkType = reader.firstLinkType
            precision = .nanoseconds
            snapshotLength = reader.firstSnapshotLength
            pcapng = reader
            return
        }
        format = .pcap
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        // libpcap converts timestamps to the precision asked for: always nanoseconds here.
        guard let handle = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf) else {
            fclose(file)
            storage?.deallocate()
            let message = String(cString: errbuf)
            throw CaptureError(got < 4 || message.contains("truncated") ? .badFileHeader : .cannotOpen,
                               source: name, Self.explain(message))
        }
        pcap = handle
        linkType = LinkType(UInt32(pcap_datalink(handle)))
        // The file's own precision (pcap_get_tstamp_precision reports the one asked for).
        precision = (magic == 0xA1B2_3C4D || magic == 0x4D3C_B2A1) ? .nanoseconds : .microseconds
        snapshotLength = Int(pcap_snapshot(handle))
        recordHeaderLength = (magic == 0xA1B2_CD34 || magic == 0x34CD_B2A1) ? 24 : 16
    }

    private let storage: UnsafeMutableRawBufferPointer?

    deinit {
        if let pcap { pcap_close(pcap) }
        pcapng = nil
        storage?.deallocate()
    }

    /// Applies a BPF capture filter (libpcap's compiler); records that fail it are skipped.
    public func setFilter(_ expression: String) throws(CaptureError) {
        filters = [linkType: try PacketFilter(expression: expression, linkType: linkType,
                                              snapshotLength: max(snapshotLength, 65535), source: path)]
        filterExpression = expression
    }

    /// Whether `record` passes the capture filter. A link type the expression cannot be compiled
    /// for (`ip proto 41` on a link type without IP) passes nothing.
    private func passes(_ record: RawRecord) -> Bool {
        guard let expression = filterExpression else { return true }
        let type = record.metadata.linkType
        if filters[type] == nil {
            filters[type] = try? PacketFilter(expression: expression, linkType: type,
                                              snapshotLength: max(snapshotLength, 65535), source: path)
        }
        return filters[type]?.matches(record) ?? false
    }

    /// Calls `body` for each record until it returns false or the file ends. A damaged record
    /// ends reading with an error naming it, after every record before it was handed over.
    public func forEach(_ body: (RawRecord) -> Bool) throws(CaptureError) {
        if let reader = pcapng {
            try reader.forEach { (record: RawRecord) -> Bool in
                self.recordsRead += 1
                if !self.passes(record) { return true }
                return body(record)
            }
            return
        }
        guard let handle = pcap else { return }
        let stream = pcap_file(handle)
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        // Where the next record's header starts. Its bytes follow the record header; the next
        // header follows them, unless libpcap cut the record: one longer than the snapshot
        // length is handed over as its first `snapshot` bytes while libpcap reads past the rest.
        // Only then is the stream asked where it stands (an `ftell` per record was a tenth of
        // the reading thread's time). Counting back from the position after a record would be
        // wrong for a cut one.
        var nextHeader = stream.map { Int(ftell($0)) } ?? 0
        let headerLength = recordHeaderLength
        let snapshot = Int(pcap_snapshot(handle))
        while true {
            let status = pcap_next_ex(handle, &header, &data)
            if status == -2 { return }  // end of file
            if status != 1 {
                let message = String(cString: pcap_geterr(handle))
                throw CaptureError(.badRecord, source: path, record: recordsRead + 1, Self.explain(message))
            }
            guard let h = header?.pointee, let d = data else { return }
            recordsRead += 1
            let bytes = UnsafeRawBufferPointer(start: d, count: Int(h.caplen))
            let meta = FrameMetadata(number: recordsRead, seconds: Int64(h.ts.tv_sec),
                                     nanoseconds: UInt32(truncatingIfNeeded: h.ts.tv_usec),
                                     originalLength: Int(h.len), linkType: linkType)
            let record = RawRecord(bytes: bytes, metadata: meta, fileOffset: nextHeader + headerLength)
            nextHeader = Int(h.caplen) < snapshot ? record.fileOffset + Int(h.caplen) : stream.map { Int(ftell($0)) } ?? 0
            if !passes(record) { continue }
            if !body(record) { return }
        }
    }

    /// libpcap's words, with the file-level ones made plainer.
    static func explain(_ message: String) -> String {
        if message.hasPrefix("truncated dump file") || message.hasPrefix("truncated pcap file") {
            return "file ends in the middle of a record (\(message))"
        }
        if message == "unknown file format" { return "not a pcap or pcapng file (unknown file format)" }
        return message
    }
}
