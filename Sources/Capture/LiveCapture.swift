import Glibc
import CPcap
import Synchronization
import PacketDecoder

/// Live capture from an interface through libpcap, read on a thread of its own.
///
/// The order of use: `init` (pcap_create, options, pcap_activate: needs root or
/// CAP_NET_RAW/CAP_NET_ADMIN) → `setFilter` → drop privileges (`Privileges`) → `start` → `stop` /
/// `wait`. `start` appends every packet to the spool file as it arrives, then hands it to the
/// consumer, on the capture thread; the spool is flushed after each batch libpcap returns, so it
/// is a valid pcap file holding every packet handed over even after `kill -9`.
public final class LiveCapture: @unchecked Sendable {
    public struct Options: Sendable {
        /// Bytes kept of each packet (tcpdump's -s; 262144 is libpcap's maximum and default).
        public var snapshotLength = 262_144
        public var promiscuous = true
        /// Deliver each packet as it arrives rather than when the kernel's buffer block fills.
        public var immediate = true
        /// The kernel ring's size in bytes (tcpdump's -B, in KiB there). Bigger absorbs longer bursts.
        public var bufferSize = 32 << 20
        /// How long the capture thread waits for packets before it looks around (interface state).
        public var timeoutMilliseconds: Int32 = 100

        public init(snapshotLength: Int = 262_144, promiscuous: Bool = true, immediate: Bool = true,
                    bufferSize: Int = 32 << 20) {
            self.snapshotLength = snapshotLength
            self.promiscuous = promiscuous
            self.immediate = immediate
            self.bufferSize = bufferSize
        }
    }

    /// Counts as tcpdump prints them at the end.
    public struct Statistics: Sendable, Equatable, CustomStringConvertible {
        /// Packets handed to the consumer (and written to the spool).
        public var captured: Int
        /// Packets that passed the capture filter, including those the kernel dropped (pcap_stats' ps_recv).
        public var received: Int
        /// Packets that passed the filter but found no room in the ring (ps_drop).
        public var droppedByKernel: Int
        /// Packets the interface or its driver dropped (ps_ifdrop).
        public var droppedByInterface: Int

        public init(captured: Int, received: Int, droppedByKernel: Int, droppedByInterface: Int) {
            self.captured = captured
            self.received = received
            self.droppedByKernel = droppedByKernel
            self.droppedByInterface = droppedByInterface
        }

        /// `89 packets captured, 89 received by filter, 0 dropped by kernel, 0 dropped by interface`
        public var description: String {
            "\(captured) packet\(captured == 1 ? "" : "s") captured, \(received) received by filter, "
                + "\(droppedByKernel) dropped by kernel, \(droppedByInterface) dropped by interface"
        }
    }

    /// Why the capture thread ended.
    public enum Ending: Sendable, Equatable {
        /// `stop()` was called (a signal, a duration, the user).
        case stopped
        /// The consumer returned false (a packet count was reached).
        case consumerDone
        /// libpcap or the spool failed, or the interface went down or away (kind `.interface`).
        case failed(CaptureError)
    }

    public typealias PacketHandler = @Sendable (RawRecord) -> Bool

    public let interface: String
    public let linkType: LinkType
    public let snapshotLength: Int
    public let precision: TimestampPrecision
    /// What pcap_activate warned about (promiscuous mode unsupported...), one line each.
    public let warnings: [String]

    private let handle: OpaquePointer
    /// A pipe whose write end `stop()` pokes, to end the capture thread's poll at once.
    private let wakeReader: Int32
    private let wakeWriter: Int32
    private let timeoutMilliseconds: Int32
    private var spool: PcapWriter?
    private var spoolOffset = 24  // after the file header
    private var unflushed = 0
    private var onPacket: PacketHandler = { _ in true }
    private var onBatch: @Sendable () -> Void = {}
    private var onEnd: @Sendable (Ending) -> Void = { _ in }
    private var consumerDone = false
    private var failure: CaptureError?
    private let captured = Atomic<Int>(0)
    private let stopRequested = Atomic<Bool>(false)
    private let state = Mutex(State())

    private struct State {
        var started = false
        var joined = false
        var thread: pthread_t?
        var ending: Ending?
    }

    /// Opens `interface` (a name libpcap knows; `any` for all) and activates it.
    public init(interface: String, options: Options = Options()) throws(CaptureError) {
        self.interface = interface
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let handle = pcap_create(interface, &errbuf) else {
            throw CaptureError(.interface, source: interface, String(cBuffer: errbuf))
        }
        pcap_set_snaplen(handle, Int32(clamping: options.snapshotLength))
        pcap_set_promisc(handle, options.promiscuous ? 1 : 0)
        pcap_set_immediate_mode(handle, options.immediate ? 1 : 0)
        pcap_set_buffer_size(handle, Int32(clamping: options.bufferSize))
        pcap_set_timeout(handle, options.timeoutMilliseconds)
        // Nanoseconds where the kernel gives them; otherwise libpcap keeps microseconds.
        _ = pcap_set_tstamp_precision(handle, Int32(PCAP_TSTAMP_PRECISION_NANO))
        let status = pcap_activate(handle)
        if status < 0 {
            let message = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            throw Self.activationError(status, interface: interface, message: message)
        }
        var warnings: [String] = []
        if status > 0 {
            let message = String(cString: pcap_geterr(handle))
            switch status {
            case PCAP_WARNING_PROMISC_NOTSUP:
                warnings.append("\(interface): promiscuous mode is not supported (\(message)); capturing without it")
            case PCAP_WARNING_TSTAMP_TYPE_NOTSUP:
                warnings.append("\(interface): the requested time stamp type is not supported; using the default")
            default:
                warnings.append("\(interface): \(message)")
            }
        }
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else {
            pcap_close(handle)
            throw CaptureError(.interface, source: interface, "pipe: " + String(cString: strerror(errno)))
        }
        for end in pipeEnds {
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wakeReader = pipeEnds[0]
        wakeWriter = pipeEnds[1]
        timeoutMilliseconds = options.timeoutMilliseconds
        self.handle = handle
        self.warnings = warnings
        linkType = LinkType(UInt32(pcap_datalink(handle)))
        snapshotLength = Int(pcap_snapshot(handle))
        precision = pcap_get_tstamp_precision(handle) == Int32(PCAP_TSTAMP_PRECISION_NANO) ? .nanoseconds : .microseconds
    }

    deinit {
        state.withLock { s in
            if !s.joined, let thread = s.thread {
                // The last reference can be dropped by the capture thread itself as it ends.
                if pthread_equal(thread, pthread_self()) != 0 { pthread_detach(thread) } else { pthread_join(thread, nil) }
            }
        }
        spool?.close()
        pcap_close(handle)
        close(wakeReader)
        close(wakeWriter)
    }

    /// libpcap's activation errors, each with what to do about it.
    static func activationError(_ status: Int32, interface: String, message: String) -> CaptureError {
        switch status {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            let names = (try? Interfaces.all())?.map { "\($0.number).\($0.name)" } ?? []
            let list = names.isEmpty ? "libpcap lists none" : "available: " + names.joined(separator: ", ")
            return CaptureError(.interface, source: interface, "no such interface (\(list))")
        case PCAP_ERROR_PERM_DENIED:
            return CaptureError(.permission, source: interface,
                                "no permission to capture (\(message)). " + permissionHint)
        case PCAP_ERROR_PROMISC_PERM_DENIED:
            return CaptureError(.permission, source: interface,
                                "no permission to capture in promiscuous mode (\(message)); capture without it (-p), or " + permissionHint)
        case PCAP_ERROR_IFACE_NOT_UP:
            return CaptureError(.interface, source: interface, "the interface is not up (ip link set \(interface) up)")
        case PCAP_ERROR_RFMON_NOTSUP:
            return CaptureError(.interface, source: interface, "the interface does not support monitor mode (\(message))")
        case PCAP_ERROR_CANTSET_TSTAMP_TYPE:
            return CaptureError(.interface, source: interface, "cannot set the time stamp type (\(message))")
        case PCAP_ERROR_TSTAMP_PRECISION_NOTSUP:
            return CaptureError(.interface, source: interface, "nanosecond time stamps are not supported (\(message))")
        default:
            return CaptureError(.interface, source: interface, message.isEmpty ? "cannot capture (libpcap error \(status))" : message)
        }
    }

    /// What a user without capture rights should do, naming this very binary.
    public static var permissionHint: String {
        var path = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &path, path.count - 1)
        let binary = n > 0 ? String(decoding: path.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "$(which tunnelscope)"
        return "Run it with sudo, or allow it once with: sudo setcap cap_net_raw,cap_net_admin=eip \(binary)"
    }

    /// The descriptor to poll for readability (pcap_get_selectable_fd), for an event loop that
    /// wants to know when packets are waiting.
    public var selectableFileDescriptor: Int32 { pcap_get_selectable_fd(handle) }

    /// Sets a BPF capture filter (libpcap's compiler; run in the kernel). Call before `start`.
    public func setFilter(_ expression: String) throws(CaptureError) {
        var program = bpf_program()
        if pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 {
            throw CaptureError(.badFilter, source: interface,
                               "bad capture filter \"\(expression)\": \(String(cString: pcap_geterr(handle)))")
        }
        defer { pcap_freecode(&program) }
        if pcap_setfilter(handle, &program) != 0 {
            throw CaptureError(.badFilter, source: interface,
                               "cannot set capture filter \"\(expression)\": \(String(cString: pcap_geterr(handle)))")
        }
    }

    /// A new, empty file for a spool, `$TMPDIR/tunnelscope-XXXXXX.pcap` (mode 0600).
    public static func temporarySpoolPath(directory: String? = nil) throws(CaptureError) -> String {
        let base = directory ?? getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((base + "/tunnelscope-XXXXXX.pcap").utf8CString)
        let fd = mkstemps(&template, 5)
        let path = String(cBuffer: template)
        guard fd >= 0 else { throw CaptureError(.write, source: path, String(cString: strerror(errno))) }
        close(fd)
        return path
    }

    /// Starts the capture thread. Each packet is appended to `spoolPath` (created or truncated
    /// here, nil for none), then given to `onPacket` on the capture thread, which returns false
    /// to end the capture. `RawRecord.bytes` is valid only during the call; `fileOffset` is
    /// where the packet's bytes start in the spool. `onBatch` follows each batch of packets,
    /// after the spool was flushed; `onEnd` comes last, once.
    public func start(spoolPath: String?,
                      onPacket: @escaping PacketHandler,
                      onBatch: @escaping @Sendable () -> Void = {},
                      onEnd: @escaping @Sendable (Ending) -> Void = { _ in }) throws(CaptureError) {
        let alreadyStarted = state.withLock { s in
            defer { s.started = true }
            return s.started
        }
        if alreadyStarted { throw CaptureError(.interface, source: interface, "the capture was already started") }
        if let spoolPath {
            do {
                spool = try PcapWriter(path: spoolPath, linkType: linkType, snapshotLength: snapshotLength,
                                       precision: precision, bufferSize: Self.spoolBuffer)
                try spool?.flush()
            } catch {
                spool = nil
                state.withLock { $0.started = false }
                throw error
            }
        }
        self.onPacket = onPacket
        self.onBatch = onBatch
        self.onEnd = onEnd
        let context = Unmanaged.passRetained(self).toOpaque()
        let status = state.withLock { s -> Int32 in
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { context in
                let capture = Unmanaged<LiveCapture>.fromOpaque(context!).takeRetainedValue()
                capture.run()
                return nil
            }, context)
            if status == 0 { s.thread = thread } else { s.started = false }
            return status
        }
        if status != 0 {
            Unmanaged<LiveCapture>.fromOpaque(context).release()
            throw CaptureError(.interface, source: interface, "cannot start the capture thread: \(String(cString: strerror(status)))")
        }
    }

    /// Ends the capture: packets the kernel already holds are still read and handed over, then
    /// the thread ends (`.stopped`). Safe from any thread, any number of times.
    public func stop() {
        stopRequested.store(true, ordering: .sequentiallyConsistent)
        pcap_breakloop(handle)
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
    }

    /// How the capture ended; nil while it runs.
    public var ending: Ending? { state.withLock { $0.ending } }

    /// Waits for the capture thread to end and says why.
    @discardableResult
    public func wait() -> Ending {
        let thread = state.withLock { s -> pthread_t? in
            guard !s.joined, let thread = s.thread else { return nil }
            s.joined = true
            return thread
        }
        if let thread { pthread_join(thread, nil) }
        return ending ?? .stopped
    }

    /// Counts so far: ours (`captured`) and the kernel's (pcap_stats). Any thread.
    public func stats() -> Statistics {
        state.withLock { _ in
            var s = pcap_stat()
            let captured = self.captured.load(ordering: .relaxed)
            guard pcap_stats(handle, &s) == 0 else {
                return Statistics(captured: captured, received: captured, droppedByKernel: 0, droppedByInterface: 0)
            }
            return Statistics(captured: captured, received: Int(s.ps_recv), droppedByKernel: Int(s.ps_drop),
                              droppedByInterface: Int(s.ps_ifdrop))
        }
    }

    // MARK: - The capture thread

    /// At most this many packets a read, so the spool is flushed and `onBatch` runs under load too.
    private static let batchLimit: Int32 = 4096
    /// The spool's stdio buffer: bigger than any record (snapshot length + 16).
    private static let spoolBuffer = 1 << 20

    private func run() {
        let context = Unmanaged.passUnretained(self).toOpaque().assumingMemoryBound(to: UInt8.self)
        var ending = Ending.stopped
        // Our own poll over the packet socket and the wake-up pipe, then non-blocking reads: libpcap's
        // blocking read never returns while an interface is down (it waits for it to come back).
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        if pcap_setnonblock(handle, 1, &errbuf) != 0 {
            ending = .failed(CaptureError(.interface, source: interface, String(cBuffer: errbuf)))
        }
        var fds = [pollfd(fd: pcap_get_selectable_fd(handle), events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0)]
        while ending == .stopped {
            if stopRequested.load(ordering: .sequentiallyConsistent) { break }
            let ready = poll(&fds, 2, timeoutMilliseconds)
            let n = pcap_dispatch(handle, Self.batchLimit, Self.callback, context)
            endBatch()
            if let failure { ending = .failed(failure); break }
            if consumerDone { ending = .consumerDone; break }
            if n == PCAP_ERROR_BREAK { continue }  // stop(): the loop's test ends it
            if n < 0 {
                ending = .failed(Self.readError(interface: interface, message: String(cString: pcap_geterr(handle))))
                break
            }
            // Quiet: a timeout, or an error condition libpcap has just read. Is the interface still up?
            if n == 0 && (ready == 0 || fds[0].revents & Int16(POLLERR | POLLHUP) != 0), let down = interfaceDown() {
                ending = .failed(down)
            }
        }
        if ending == .stopped { drain() }
        if let failure, ending == .stopped { ending = .failed(failure) }
        spool?.close()
        spool = nil
        state.withLock { $0.ending = ending }
        onEnd(ending)
    }

    /// After `stop()`: what the kernel already queued is read too, so captured + dropped = received.
    private func drain() {
        let context = Unmanaged.passUnretained(self).toOpaque().assumingMemoryBound(to: UInt8.self)
        for _ in 0..<1024 {
            let n = pcap_dispatch(handle, Self.batchLimit, Self.callback, context)
            endBatch()
            if n == PCAP_ERROR_BREAK { continue }  // a second stop() while draining
            if n <= 0 || failure != nil || consumerDone { break }
        }
    }

    private func endBatch() {
        guard unflushed > 0 else { return }
        unflushed = 0
        if let spool, failure == nil {
            do { try spool.flush() } catch { failure = error }
        }
        onBatch()
    }

    private static let callback: pcap_handler = { user, header, bytes in
        guard let user, let header else { return }
        let capture = Unmanaged<LiveCapture>.fromOpaque(UnsafeRawPointer(user)).takeUnretainedValue()
        capture.handle(header.pointee, bytes)
    }

    private func handle(_ header: pcap_pkthdr, _ data: UnsafePointer<UInt8>?) {
        // Packets after the consumer said stop (the rest of a batch) are not captured.
        if consumerDone || failure != nil { return }
        let number = captured.add(1, ordering: .relaxed).newValue
        let fraction = UInt32(truncatingIfNeeded: header.ts.tv_usec)
        let metadata = FrameMetadata(number: number, seconds: Int64(header.ts.tv_sec),
                                     nanoseconds: precision == .nanoseconds ? fraction : fraction * 1000,
                                     originalLength: Int(header.len), linkType: linkType)
        let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : Int(header.caplen))
        var offset = 0
        if let spool {
            offset = spoolOffset + 16
            do {
                // Flushed before a record could overflow the buffer: stdio never writes half a record.
                if spool.bufferedBytes + 16 + bytes.count > Self.spoolBuffer { try spool.flush() }
                try spool.write(bytes, metadata: metadata)
            } catch {
                failure = error
                pcap_breakloop(handle)
                return
            }
            spoolOffset = offset + bytes.count
        }
        unflushed += 1
        if !onPacket(RawRecord(bytes: bytes, metadata: metadata, fileOffset: offset)) {
            consumerDone = true
            pcap_breakloop(handle)
        }
    }

    /// libpcap's read errors, plainer.
    static func readError(interface: String, message: String) -> CaptureError {
        if message.contains("disappeared") || message.contains("went down") || message.contains("No such device") {
            return CaptureError(.interface, source: interface, "the interface went away (\(message)); the capture ended")
        }
        return CaptureError(.interface, source: interface, message)
    }

    /// When the capture is idle: has the interface been taken down? libpcap 1.10 reports an
    /// interface that disappears, but reads on quietly from one that is set down.
    private func interfaceDown() -> CaptureError? {
        if interface == "any" { return nil }
        var request = ifreq()
        let name = Array(interface.utf8.prefix(Int(IFNAMSIZ) - 1))
        withUnsafeMutableBytes(of: &request.ifr_ifrn.ifrn_name) { raw in
            for (i, byte) in name.enumerated() { raw[i] = byte }
        }
        let fd = pcap_fileno(handle)
        guard fd >= 0 else { return nil }
        if ioctl(fd, UInt(SIOCGIFFLAGS), &request) != 0 {
            if errno == ENODEV {
                return CaptureError(.interface, source: interface, "the interface went away; the capture ended")
            }
            return nil
        }
        if Int32(request.ifr_ifru.ifru_flags) & Int32(IFF_UP) == 0 {
            return CaptureError(.interface, source: interface, "the interface went down; the capture ended")
        }
        return nil
    }
}
