import Glibc
import CPcap
import PacketDecoder

/// An interface libpcap can open, as `pcap_findalldevs` lists it.
public struct NetworkInterface: Sendable, Equatable {
    /// 1-based position in the list: what `tcpdump -D` numbers it and `-i N` takes.
    public var number: Int
    public var name: String
    public var description: String?
    /// IPv4 and IPv6 addresses with their prefix length (`10.99.0.1/24`), then the hardware address.
    public var addresses: [String]
    public var flags: UInt32

    public var isUp: Bool { flags & UInt32(PCAP_IF_UP) != 0 }
    public var isRunning: Bool { flags & UInt32(PCAP_IF_RUNNING) != 0 }
    public var isLoopback: Bool { flags & UInt32(PCAP_IF_LOOPBACK) != 0 }
    public var isWireless: Bool { flags & UInt32(PCAP_IF_WIRELESS) != 0 }

    /// The state in tcpdump's words: `Up, Running, Connected`, or `none`.
    public var stateText: String {
        var words: [String] = []
        if isUp { words.append("Up") }
        if isRunning { words.append("Running") }
        if isLoopback { words.append("Loopback") }
        if isWireless { words.append("Wireless") }
        if words.isEmpty { words.append("none") }
        switch (flags & UInt32(PCAP_IF_CONNECTION_STATUS), isWireless) {
        case (UInt32(PCAP_IF_CONNECTION_STATUS_UNKNOWN), false): words.append("Connection status unknown")
        case (UInt32(PCAP_IF_CONNECTION_STATUS_UNKNOWN), true): words.append("Association status unknown")
        case (UInt32(PCAP_IF_CONNECTION_STATUS_CONNECTED), false): words.append("Connected")
        case (UInt32(PCAP_IF_CONNECTION_STATUS_CONNECTED), true): words.append("Associated")
        case (UInt32(PCAP_IF_CONNECTION_STATUS_DISCONNECTED), false): words.append("Disconnected")
        case (UInt32(PCAP_IF_CONNECTION_STATUS_DISCONNECTED), true): words.append("Not associated")
        default: break  // not applicable
        }
        return words.joined(separator: ", ")
    }

    /// The line `tcpdump -D` prints: `1.eth0 [Up, Running, Connected]`.
    public var listLine: String {
        var line = "\(number).\(name)"
        if let description { line += " (\(description))" }
        if flags != 0 { line += " [\(stateText)]" }
        return line
    }
}

public enum Interfaces {
    /// Every interface libpcap can open, in its order (up and running first, `any` and `lo` near the top).
    public static func all() throws(CaptureError) -> [NetworkInterface] {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        var list: UnsafeMutablePointer<pcap_if_t>?
        if pcap_findalldevs(&list, &errbuf) != 0 {
            throw CaptureError(.interface, source: "interfaces", String(cBuffer: errbuf))
        }
        defer { pcap_freealldevs(list) }
        var result: [NetworkInterface] = []
        var node = list
        while let device = node {
            let d = device.pointee
            var addresses: [String] = []
            var hardware: [String] = []
            var a = d.addresses
            while let address = a {
                if let text = addressText(address.pointee.addr, netmask: address.pointee.netmask) {
                    if address.pointee.addr?.pointee.sa_family == sa_family_t(AF_PACKET) { hardware.append(text) }
                    else { addresses.append(text) }
                }
                a = address.pointee.next
            }
            result.append(NetworkInterface(number: result.count + 1, name: String(cString: d.name),
                                           description: d.description.map { String(cString: $0) },
                                           addresses: addresses + hardware, flags: d.flags))
            node = d.next
        }
        return result
    }

    /// What `-i` names: an interface name, else a number from the list (as tcpdump's `-i 2`).
    /// An unknown name is returned as it is: libpcap can open devices it does not list.
    public static func resolve(_ argument: String) throws(CaptureError) -> String {
        guard let number = Int(argument), !argument.isEmpty else { return argument }
        let list = try all()
        if list.contains(where: { $0.name == argument }) { return argument }
        guard number >= 1, number <= list.count else {
            throw CaptureError(.interface, source: argument,
                               "there is no interface number \(number) (\(list.count) listed; see tunnelscope interfaces)")
        }
        return list[number - 1].name
    }

    /// `10.99.0.1/24`, `fd00:99::1/64`, `02:00:00:99:00:01`; nil for other families.
    static func addressText(_ address: UnsafeMutablePointer<sockaddr>?, netmask: UnsafeMutablePointer<sockaddr>?) -> String? {
        guard let address else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            var text = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin -> String in
                var a = sin.pointee.sin_addr
                inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count))
                return String(cBuffer: buffer)
            }
            if let netmask, netmask.pointee.sa_family == sa_family_t(AF_INET) {
                let bits = netmask.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr.nonzeroBitCount }
                text += "/\(bits)"
            }
            return text
        case AF_INET6:
            var text = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 -> String in
                var a = sin6.pointee.sin6_addr
                inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count))
                return String(cBuffer: buffer)
            }
            if let netmask, netmask.pointee.sa_family == sa_family_t(AF_INET6) {
                let bits = netmask.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { mask -> Int in
                    withUnsafeBytes(of: mask.pointee.sin6_addr) { $0.reduce(0) { $0 + $1.nonzeroBitCount } }
                }
                text += "/\(bits)"
            }
            return text
        case AF_PACKET:
            return address.withMemoryRebound(to: sockaddr_ll.self, capacity: 1) { ll -> String? in
                let count = Int(ll.pointee.sll_halen)
                guard count > 0, count <= 8 else { return nil }
                let bytes = withUnsafeBytes(of: ll.pointee.sll_addr) { Array($0.prefix(count)) }
                if bytes.allSatisfy({ $0 == 0 }) { return nil }  // loopback, tunnels
                return bytes.map { hexString(UInt64($0), width: 2) }.joined(separator: ":")
            }
        default:
            return nil
        }
    }
}

extension String {
    /// The text of a NUL-terminated C buffer (an errbuf, an inet_ntop result).
    init(cBuffer buffer: [CChar]) {
        self = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
