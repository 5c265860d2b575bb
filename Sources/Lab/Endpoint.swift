import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What an endpoint reports in its status file (`key=value` lines, rewritten as it runs).
public struct EndpointStatus: Sendable {
    public var pid: Int32 = 0
    public var state = ""
    public var tun = ""
    public var local = ""
    public var remote = ""
    public var encapsulated = 0
    public var decapsulated = 0
    public var dropped = 0
    public var lastError = ""

    public static func read(_ path: String) -> EndpointStatus? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var s = EndpointStatus()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "pid": s.pid = Int32(parts[1]) ?? 0
            case "state": s.state = parts[1]
            case "tun": s.tun = parts[1]
            case "local": s.local = parts[1]
            case "remote": s.remote = parts[1]
            case "encapsulated": s.encapsulated = Int(parts[1]) ?? 0
            case "decapsulated": s.decapsulated = Int(parts[1]) ?? 0
            case "dropped": s.dropped = Int(parts[1]) ?? 0
            case "last_error": s.lastError = parts[1]
            default: break
            }
        }
        return s
    }

    var text: String {
        "pid=\(pid)\nstate=\(state)\ntun=\(tun)\nlocal=\(local)\nremote=\(remote)\n"
            + "encapsulated=\(encapsulated)\ndecapsulated=\(decapsulated)\ndropped=\(dropped)\nlast_error=\(lastError)\n"
    }
}

/// tunnelscope's 6in4 endpoint (RFC 4213), for kernels without `sit`: IPv6 packets the router
/// routes into the TUN device leave in IPv4 protocol 41 to the peer router, built by the kernel
/// from a raw socket as sit builds them (TTL 255, DF, TOS 0, the kernel's id and checksum), and
/// protocol-41 packets from the peer give their inner IPv6 packet back to the TUN device.
public enum SixInFourEndpoint {
    static let TUNSETIFF: UInt = 0x4004_54ca
    static let IFF_TUN: Int16 = 0x0001
    static let IFF_NO_PI: Int16 = 0x1000

    /// Opens `/dev/net/tun` as `name` (IFF_TUN | IFF_NO_PI).
    static func openTUN(_ name: String) throws -> Int32 {
        let fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)
        if fd < 0 {
            throw LabError("/dev/net/tun: \(String(cString: strerror(errno))) (the 6in4 endpoint needs the kernel's tun: modprobe tun)")
        }
        var request = [UInt8](repeating: 0, count: 40)  // struct ifreq: name[16], flags (short)
        let bytes = Array(name.utf8.prefix(15))
        request.replaceSubrange(0..<bytes.count, with: bytes)
        let flags = UInt16(bitPattern: IFF_TUN | IFF_NO_PI)
        request[16] = UInt8(flags & 0xff)
        request[17] = UInt8(flags >> 8)
        let rc = request.withUnsafeMutableBytes { ioctl(fd, TUNSETIFF, $0.baseAddress!) }
        if rc < 0 {
            let e = errno
            close(fd)
            throw LabError("TUNSETIFF \(name): \(String(cString: strerror(e)))")
        }
        return fd
    }

    static func address(_ text: String) throws -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        guard inet_pton(AF_INET, text, &a.sin_addr) == 1 else { throw LabError("\(text): not an IPv4 address") }
        return a
    }

    /// A raw IPv4 socket for protocol 41, bound to `local` and connected to `remote` (so it
    /// receives only the peer's packets, and the kernel gives the packets it sends an id).
    static func openRaw(local: String, remote: String) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 41)
        if fd < 0 { throw LabError("raw socket for protocol 41: \(String(cString: strerror(errno)))") }
        func set(_ level: Int32, _ option: Int32, _ value: Int32, _ what: String) throws {
            var v = value
            if setsockopt(fd, level, option, &v, socklen_t(MemoryLayout<Int32>.size)) < 0 {
                throw LabError("setsockopt \(what): \(String(cString: strerror(errno)))")
            }
        }
        try set(Int32(IPPROTO_IP), IP_TTL, 255, "IP_TTL")                  // ip tunnel ... ttl 255
        try set(Int32(IPPROTO_IP), IP_MTU_DISCOVER, 2, "IP_MTU_DISCOVER")  // IP_PMTUDISC_DO: DF, like sit's pmtudisc
        try set(Int32(IPPROTO_IP), IP_TOS, 0, "IP_TOS")                    // sit's default tos 0 (not inherited)
        var l = try address(local), r = try address(remote)
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &l) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }
        if bound < 0 { throw LabError("bind \(local): \(String(cString: strerror(errno)))") }
        let connected = withUnsafePointer(to: &r) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, size) } }
        if connected < 0 { throw LabError("connect \(remote): \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Runs until killed. Writes `statusPath` when ready and as the counters change.
    public static func run(local: String, remote: String, tun name: String, statusPath: String?) throws -> Never {
        let tun = try openTUN(name)
        let raw = try openRaw(local: local, remote: remote)
        var status = EndpointStatus()
        status.pid = getpid()
        status.state = "ready"
        status.tun = name
        status.local = local
        status.remote = remote
        func save() {
            guard let statusPath else { return }
            try? status.text.write(toFile: statusPath, atomically: true, encoding: .utf8)
        }
        save()
        signal(SIGPIPE, SIG_IGN)
        FileHandle.standardOutput.write(Data("6in4 endpoint \(local) -> \(remote) on \(name), pid \(getpid())\n".utf8))
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var fds = [pollfd(fd: tun, events: Int16(POLLIN), revents: 0), pollfd(fd: raw, events: Int16(POLLIN), revents: 0)]
        var dirty = false
        var currentTOS: Int32 = 0
        var lastSave = Date()
        while true {
            let n = poll(&fds, 2, dirty ? 100 : 1000)
            if n < 0 && errno != EINTR { throw LabError("poll: \(String(cString: strerror(errno)))") }
            if n <= 0 {
                if dirty { save(); dirty = false }
                continue
            }
            if fds[0].revents & Int16(POLLIN) != 0 {
                // IPv6 from the router, out to the peer inside IPv4.
                let count = buffer.withUnsafeMutableBytes { read(tun, $0.baseAddress!, $0.count) }
                if count > 0, buffer[0] >> 4 == 6 {
                    // sit's outer TOS: its `tos` (0 unless `tos inherit`) plus the inner ECN bits, a
                    // congestion mark becoming ECT(0) (INET_ECN_encapsulate).
                    let ecn = count > 1 ? (buffer[1] >> 4) & 0x03 : 0
                    let outerTOS = Int32(ecn == 3 ? 2 : ecn)
                    if outerTOS != currentTOS {
                        var v = outerTOS
                        setsockopt(raw, Int32(IPPROTO_IP), IP_TOS, &v, socklen_t(MemoryLayout<Int32>.size))
                        currentTOS = outerTOS
                    }
                    let sent = buffer.withUnsafeBytes { send(raw, $0.baseAddress!, count, 0) }
                    if sent == count { status.encapsulated += 1 } else {
                        status.dropped += 1
                        status.lastError = "send: " + String(cString: strerror(errno))
                    }
                    dirty = true
                } else if count > 0 {
                    status.dropped += 1
                    dirty = true
                }
            }
            if fds[1].revents & Int16(POLLIN) != 0 {
                // IPv4 protocol 41 from the peer: the inner IPv6 packet goes to the router.
                let count = buffer.withUnsafeMutableBytes { recv(raw, $0.baseAddress!, $0.count, 0) }
                if count >= 20 {
                    let headerLength = Int(buffer[0] & 0x0f) * 4
                    let totalLength = min(count, Int(buffer[2]) << 8 | Int(buffer[3]))
                    if headerLength >= 20, totalLength > headerLength + 40 - 1, buffer[headerLength] >> 4 == 6 {
                        // RFC 6040 as sit decapsulates: a congestion mark on the outer header reaches an
                        // ECN-capable inner packet; a packet that is not ECN-capable inside is dropped.
                        let innerECN = (buffer[headerLength + 1] >> 4) & 0x03
                        let congested = buffer[1] & 0x03 == 3
                        if congested, innerECN != 0 { buffer[headerLength + 1] |= 0x30 }
                        if congested, innerECN == 0 {
                            status.dropped += 1
                            status.lastError = "congestion experienced on a packet that is not ECN-capable inside"
                            dirty = true
                            continue
                        }
                        let written = buffer.withUnsafeBytes {
                            write(tun, $0.baseAddress! + headerLength, totalLength - headerLength)
                        }
                        if written == totalLength - headerLength { status.decapsulated += 1 } else {
                            status.dropped += 1
                            status.lastError = "write: " + String(cString: strerror(errno))
                        }
                    } else {
                        status.dropped += 1
                    }
                    dirty = true
                }
            }
            // Counters matter to `lab status`; at most 10 rewrites a second keeps bursts cheap.
            if dirty, Date().timeIntervalSince(lastSave) >= 0.1 {
                save()
                dirty = false
                lastSave = Date()
            }
        }
    }
}
