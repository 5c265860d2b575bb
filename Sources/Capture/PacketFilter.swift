import Glibc
import CPcap
import PacketDecoder

/// A compiled BPF program (libpcap's compiler), applied to records with `pcap_offline_filter`.
public final class PacketFilter {
    private var program = bpf_program()
    public let expression: String

    public init(expression: String, linkType: LinkType, snapshotLength: Int, source: String) throws(CaptureError) {
        self.expression = expression
        guard let dead = pcap_open_dead(linkType.dlt, Int32(snapshotLength)) else {
            throw CaptureError(.badFilter, source: source, "cannot compile filters for link type \(linkType.rawValue)")
        }
        defer { pcap_close(dead) }
        if pcap_compile(dead, &program, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 {
            let message = String(cString: pcap_geterr(dead))
            throw CaptureError(.badFilter, source: source, "bad capture filter \"\(expression)\": \(message)")
        }
    }

    deinit { pcap_freecode(&program) }

    public func matches(_ record: RawRecord) -> Bool {
        var header = pcap_pkthdr()
        header.caplen = bpf_u_int32(record.bytes.count)
        header.len = bpf_u_int32(record.metadata.originalLength)
        guard let base = record.bytes.baseAddress else { return pcap_offline_filter(&program, &header, nil) != 0 }
        return pcap_offline_filter(&program, &header, base.assumingMemoryBound(to: UInt8.self)) != 0
    }
}

/// Writes a classic pcap file through libpcap (`pcap_dump`).
public final class PcapWriter {
    private let dead: OpaquePointer
    private let dumper: OpaquePointer
    public let path: String
    public let linkType: LinkType

    /// `bufferSize` sets the stdio buffer of the file (not for `-`, standard output): a writer
    /// that flushes before a record would overflow it only ever writes whole records (`bufferedBytes`).
    /// The buffer is this writer's own memory: glibc's `setvbuf` ignores the size it is given
    /// without one and keeps a 4 KiB block, which stdio then wrote whenever it filled, in the
    /// middle of a record.
    public init(path: String, linkType: LinkType, snapshotLength: Int = 262_144,
                precision: TimestampPrecision = .microseconds, bufferSize: Int? = nil) throws(CaptureError) {
        self.path = path
        self.linkType = linkType
        guard let dead = pcap_open_dead_with_tstamp_precision(
            linkType.dlt, Int32(snapshotLength),
            UInt32(precision == .nanoseconds ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO)) else {
            throw CaptureError(.write, source: path, "cannot write link type \(linkType.rawValue)")
        }
        var opened: OpaquePointer?
        if let bufferSize, path != "-" {
            guard let file = fopen(path, "wb") else {
                pcap_close(dead)
                throw CaptureError(.write, source: path, String(cString: strerror(errno)))
            }
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bufferSize)
            setvbuf(file, buffer, _IOFBF, bufferSize)
            opened = pcap_dump_fopen(dead, file)
            if opened == nil {
                fclose(file)
                buffer.deallocate()
            } else {
                streamBuffer = buffer
            }
        } else {
            opened = pcap_dump_open(dead, path)
        }
        guard let dumper = opened else {
            let message = String(cString: pcap_geterr(dead))
            pcap_close(dead)
            throw CaptureError(.write, source: path, message)
        }
        self.dead = dead
        self.dumper = dumper
        self.precision = precision
        bufferedBytes = 24  // the file header
    }

    /// Bytes written since the last flush (file header and records).
    public private(set) var bufferedBytes = 0

    private let precision: TimestampPrecision

    /// Appends one record; `metadata` carries the timestamp (nanoseconds) and original length.
    public func write(_ bytes: UnsafeRawBufferPointer, metadata: FrameMetadata) throws(CaptureError) {
        if metadata.linkType != linkType {
            throw CaptureError(.write, source: path, record: metadata.number,
                               "link type \(metadata.linkType.rawValue) differs from the file's \(linkType.rawValue); a pcap file holds one")
        }
        var header = pcap_pkthdr()
        header.ts.tv_sec = Int(metadata.seconds)
        header.ts.tv_usec = precision == .nanoseconds ? Int(metadata.nanoseconds) : Int(metadata.nanoseconds / 1000)
        header.caplen = bpf_u_int32(bytes.count)
        header.len = bpf_u_int32(metadata.originalLength)
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        withUnsafePointer(to: &header) { h in
            pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), h, base)
        }
        bufferedBytes += 16 + bytes.count
    }

    public func flush() throws(CaptureError) {
        bufferedBytes = 0
        if pcap_dump_flush(dumper) != 0 {
            throw CaptureError(.write, source: path, String(cString: strerror(errno)))
        }
    }

    public func close() {
        pcap_dump_close(dumper)
        pcap_close(dead)
        streamBuffer?.deallocate()
        streamBuffer = nil
        closed = true
    }

    /// The stdio buffer given with `bufferSize`, freed once the stream is closed.
    private var streamBuffer: UnsafeMutablePointer<CChar>?
    private var closed = false

    deinit { if !closed { close() } }
}

extension LinkType {
    /// The DLT libpcap's API wants for a file's LINKTYPE (they differ for raw IP: 101 is DLT 12).
    var dlt: Int32 {
        switch self {
        case .raw: return 12
        default: return Int32(bitPattern: rawValue)
        }
    }
}
