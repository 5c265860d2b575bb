import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// glibc's setns(2), declared by <sched.h> only under _GNU_SOURCE.
@_silgen_name("setns") func c_setns(_ fd: Int32, _ type: Int32) -> Int32

/// Our own ping and traceroute over IPv6 (the system may have neither), run from inside a node's namespace.
public enum Probes {
    /// Moves this thread into the namespace `ns` (sockets opened afterwards live there).
    public static func enterNamespace(_ ns: String) throws {
        let fd = open("/run/netns/" + ns, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw LabError("namespace \(ns): \(String(cString: strerror(errno))) (is the lab up? sudo tunnelscope lab up)") }
        defer { close(fd) }
        if c_setns(fd, 0x4000_0000) != 0 {  // CLONE_NEWNET
            throw LabError("setns \(ns): \(String(cString: strerror(errno)))")
        }
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func address6(_ text: String, port: UInt16 = 0) throws -> sockaddr_in6 {
        var a = sockaddr_in6()
        a.sin6_family = sa_family_t(AF_INET6)
        a.sin6_port = port.bigEndian
        guard inet_pton(AF_INET6, text, &a.sin6_addr) == 1 else { throw LabError("\(text): not an IPv6 address") }
        return a
    }

    static func text(_ a: in6_addr) -> String {
        var a = a
        var buffer = [CChar](repeating: 0, count: 64)
        inet_ntop(AF_INET6, &a, &buffer, 64)
        return String(cString: buffer)
    }

    static func icmpSocket() throws -> Int32 {
        let fd = socket(AF_INET6, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(IPPROTO_ICMPV6))
        if fd < 0 { throw LabError("raw ICMPv6 socket: \(String(cString: strerror(errno)))") }
        return fd
    }

    /// An ICMPv6 message received: bytes, source, and the hop limit it arrived with.
    struct Received {
        var bytes: [UInt8]
        var source: String
        var hopLimit: Int?
    }

    /// Waits until `deadline` for an ICMPv6 message `accept` likes.
    static func receive(_ fd: Int32, until deadline: Double, accept: ([UInt8], String) -> Bool) -> Received? {
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_IPV6), 51 /* IPV6_RECVHOPLIMIT */, &on, socklen_t(MemoryLayout<Int32>.size))
        var buffer = [UInt8](repeating: 0, count: 2048)
        var control = [UInt8](repeating: 0, count: 128)
        while true {
            let left = deadline - now()
            if left <= 0 { return nil }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, Int32(max(1, left * 1000))) <= 0 { continue }
            var from = sockaddr_in6()
            var controlLength = 0
            let n = buffer.withUnsafeMutableBytes { b in
                control.withUnsafeMutableBytes { c in
                    withUnsafeMutablePointer(to: &from) { f in
                        var io = iovec(iov_base: b.baseAddress, iov_len: b.count)
                        return withUnsafeMutablePointer(to: &io) { iop in
                            var message = msghdr()
                            message.msg_name = UnsafeMutableRawPointer(f)
                            message.msg_namelen = socklen_t(MemoryLayout<sockaddr_in6>.size)
                            message.msg_iov = iop
                            message.msg_iovlen = 1
                            message.msg_control = c.baseAddress
                            message.msg_controllen = c.count
                            let r = recvmsg(fd, &message, 0)
                            controlLength = Int(message.msg_controllen)
                            return r
                        }
                    }
                }
            }
            if n <= 0 { continue }
            let bytes = Array(buffer[0..<n]), source = text(from.sin6_addr)
            guard accept(bytes, source) else { continue }
            // Control messages: cmsghdr (len: size_t, level, type: int), data aligned to size_t.
            var hopLimit: Int?
            var offset = 0
            let word = MemoryLayout<Int>.size
            while offset + word + 8 <= controlLength {
                let length = control[offset..<offset + word].reversed().reduce(0) { $0 << 8 | Int($1) }
                let level = control[(offset + word)..<(offset + word + 4)].reversed().reduce(0) { $0 << 8 | Int($1) }
                let type = control[(offset + word + 4)..<(offset + word + 8)].reversed().reduce(0) { $0 << 8 | Int($1) }
                let data = offset + word + 8
                if level == Int(IPPROTO_IPV6), type == 52 /* IPV6_HOPLIMIT */, data + 4 <= controlLength {
                    hopLimit = control[data..<data + 4].reversed().reduce(0) { $0 << 8 | Int($1) }
                }
                guard length > 0 else { break }
                offset += (length + word - 1) / word * word
            }
            return Received(bytes: bytes, source: source, hopLimit: hopLimit)
        }
    }

    /// `ping -c COUNT destination` with our own echo requests (56 data bytes as ping sends:
    /// a timestamp, then 0x10, 0x11...). Prints ping's lines; returns the replies received.
    public static func ping(_ destination: String, count: Int = 1, timeout: Double = 5, trafficClass: Int? = nil,
                            output: (String) -> Void) throws -> Int {
        let fd = try icmpSocket()
        defer { close(fd) }
        if let trafficClass {
            var v = Int32(trafficClass)
            if setsockopt(fd, Int32(IPPROTO_IPV6), 67 /* IPV6_TCLASS */, &v, socklen_t(MemoryLayout<Int32>.size)) < 0 {
                throw LabError("traffic class \(trafficClass): \(String(cString: strerror(errno)))")
            }
        }
        var to = try address6(destination)
        let identifier = UInt16(truncatingIfNeeded: getpid())
        output("PING \(destination)(\(destination)) 56 data bytes")
        var received = 0
        var times: [Double] = []
        for sequence in 1...max(1, count) {
            var t = timeval()
            gettimeofday(&t, nil)
            var packet: [UInt8] = [128, 0, 0, 0, UInt8(identifier >> 8), UInt8(identifier & 0xff),
                                   UInt8(sequence >> 8 & 0xff), UInt8(sequence & 0xff)]
            withUnsafeBytes(of: Int64(t.tv_sec).littleEndian) { packet += $0 }
            withUnsafeBytes(of: Int64(t.tv_usec).littleEndian) { packet += $0 }
            packet += (0x10...0x37).map { UInt8($0) }
            let start = now()
            let sent = packet.withUnsafeBytes { b in
                withUnsafePointer(to: &to) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, b.baseAddress!, b.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                    }
                }
            }
            if sent != packet.count { throw LabError("ping \(destination): \(String(cString: strerror(errno)))") }
            let reply = receive(fd, until: start + timeout) { m, source in
                m.count >= 8 && m[0] == 129 && source == destination
                    && UInt16(m[4]) << 8 | UInt16(m[5]) == identifier && Int(m[6]) << 8 | Int(m[7]) == sequence
            }
            if let reply {
                let ms = (now() - start) * 1000
                times.append(ms)
                received += 1
                let ttl = reply.hopLimit.map { " ttl=\($0)" } ?? ""
                output("\(reply.bytes.count) bytes from \(destination): icmp_seq=\(sequence)\(ttl) time=\(String(format: "%.3f", ms)) ms")
            }
            if sequence < count { usleep(1_000_000) }
        }
        output("")
        output("--- \(destination) ping statistics ---")
        let loss = (count - received) * 100 / max(1, count)
        output("\(count) packets transmitted, \(received) received, \(loss)% packet loss")
        if !times.isEmpty {
            let avg = times.reduce(0, +) / Double(times.count)
            output("rtt min/avg/max = " + [times.min()!, avg, times.max()!].map { String(format: "%.3f", $0) }.joined(separator: "/") + " ms")
        }
        return received
    }

    public struct Hop: Sendable, Equatable {
        public var hopLimit: Int
        public var address: String?
        public var milliseconds: [Double]
    }

    /// traceroute's way: UDP probes to ports 33434... with hop limits 1, 2, 3..., three a hop,
    /// 32 data bytes (80-byte packets); a time exceeded names a router, port unreachable the end.
    public static func traceroute(_ destination: String, maxHops: Int = 30, probes: Int = 3, timeout: Double = 3,
                                  output: (String) -> Void) throws -> [Hop] {
        let icmp = try icmpSocket()
        defer { close(icmp) }
        let udp = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if udp < 0 { throw LabError("UDP socket: \(String(cString: strerror(errno)))") }
        defer { close(udp) }
        var any = try address6("::")
        let size = socklen_t(MemoryLayout<sockaddr_in6>.size)
        _ = withUnsafePointer(to: &any) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(udp, $0, size) } }
        var local = sockaddr_in6()
        var localSize = size
        _ = withUnsafeMutablePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(udp, $0, &localSize) } }
        let sourcePort = UInt16(bigEndian: local.sin6_port)
        var target = try address6(destination)
        output("traceroute to \(destination) (\(destination)), \(maxHops) hops max, 80 byte packets")
        var hops: [Hop] = []
        var port: UInt16 = 33434
        for hopLimit in 1...maxHops {
            var limit = Int32(hopLimit)
            setsockopt(udp, Int32(IPPROTO_IPV6), IPV6_UNICAST_HOPS, &limit, socklen_t(MemoryLayout<Int32>.size))
            var hop = Hop(hopLimit: hopLimit, address: nil, milliseconds: [])
            var reached = false
            var line = String(format: "%2d ", hopLimit)
            for _ in 0..<probes {
                target.sin6_port = port.bigEndian
                let destinationPort = port
                port &+= 1
                let payload = [UInt8](repeating: 0x40, count: 32)
                let start = now()
                _ = payload.withUnsafeBytes { b in
                    withUnsafePointer(to: &target) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(udp, b.baseAddress!, b.count, 0, $0, size) }
                    }
                }
                // The error quotes our probe: IPv6 header at 8, UDP ports at 48 and 50.
                let answer = receive(icmp, until: start + timeout) { m, _ in
                    guard m.count >= 52, m[0] == 1 || m[0] == 3, m[8 + 6] == 17 else { return false }
                    return UInt16(m[48]) << 8 | UInt16(m[49]) == sourcePort && UInt16(m[50]) << 8 | UInt16(m[51]) == destinationPort
                }
                if let answer {
                    let message = answer.bytes, source = answer.source
                    let ms = (now() - start) * 1000
                    if hop.address != source { line += " \(source) (\(source))" }
                    hop.address = source
                    hop.milliseconds.append(ms)
                    line += String(format: "  %.3f ms", ms)
                    if message[0] == 1 { reached = true }
                } else {
                    line += " *"
                }
            }
            output(line)
            hops.append(hop)
            if reached { break }
        }
        return hops
    }
}
