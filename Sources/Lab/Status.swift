import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Lab {
    /// What `lab status` prints: nodes, addresses, routes, the tunnel mode and the endpoints' health.
    public func statusReport() -> (up: Bool, text: String) {
        let existing = Shell.namespaces()
        if !namespaces.contains(where: existing.contains) {
            return (false, "the lab '\(prefix)' is down (no namespace \(bridgeNamespace)); start it with: sudo tunnelscope lab up")
        }
        var lines: [String] = []
        let up = isUp
        let mode = tunnelMode
        lines.append("lab '\(prefix)': \(up ? "up" : "not healthy (run: sudo tunnelscope lab down; sudo tunnelscope lab up)")")
        switch mode {
        case .sit?: lines.append("tunnel: kernel sit device 'tunn' on each router (ip tunnel ... mode sit ttl 255)")
        case .endpoint?: lines.append("tunnel: tunnelscope's 6in4 endpoint on each router (TUN 'tunn' + raw protocol-41 socket; the kernel has no sit)")
        case nil: lines.append("tunnel: not set up")
        }
        let bridgeState = existing.contains(bridgeNamespace)
            ? (Shell.ipQuiet(["-n", bridgeNamespace, "-br", "link", "show", Self.bridgeName]).output
                .split(separator: "\n").first.map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(2).joined(separator: " ") } ?? "missing")
            : "missing"
        lines.append("bridge: \(Self.bridgeName) in namespace \(bridgeNamespace) (\(bridgeState)); capture: sudo tunnelscope lab capture")
        for node in Node.allCases {
            let ns = namespace(node)
            guard existing.contains(ns) else {
                lines.append("\(node.title): namespace \(ns) missing")
                continue
            }
            let addresses = Shell.ipQuiet(["-n", ns, "-br", "addr", "show", "dev", "eth0"]).output
                .split(separator: " ", omittingEmptySubsequences: true).dropFirst(2)
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty && !$0.hasPrefix("fe80") }
            let mac = Shell.ipQuiet(["-n", ns, "-br", "link", "show", "dev", "eth0"]).output
                .split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first.map(String.init) ?? "?"
            lines.append("\(node.title.padding(toLength: 9, withPad: " ", startingAt: 0)) ns \(ns)  eth0 \(mac)  \(addresses.joined(separator: " "))")
            let routes = Shell.ipQuiet(["-n", ns, "-6", "route", "show"]).output.split(separator: "\n")
                .filter { !$0.hasPrefix("fe80") && !$0.hasPrefix("multicast") }
                .map { $0.replacingOccurrences(of: " proto kernel", with: "").replacingOccurrences(of: " metric 1024", with: "")
                        .replacingOccurrences(of: " metric 256", with: "").replacingOccurrences(of: " pref medium", with: "") }
            lines.append("          ipv6 routes: " + routes.joined(separator: "; "))
            if node.isRouter {
                if mode == .endpoint {
                    if let pid = endpointPID(node), let s = EndpointStatus.read(statusFile(node)) {
                        lines.append("          endpoint: pid \(pid) alive, \(s.local) -> \(s.remote), \(s.encapsulated) encapsulated, "
                                     + "\(s.decapsulated) decapsulated, \(s.dropped) dropped" + (s.lastError.isEmpty ? "" : " (last error: \(s.lastError))"))
                    } else {
                        lines.append("          endpoint: NOT RUNNING (see \(logFile(node)))")
                    }
                } else if mode == .sit {
                    let tunnel = Shell.ipQuiet(["-n", ns, "tunnel", "show", Self.tunnelName]).output.trimmingCharacters(in: .whitespacesAndNewlines)
                    lines.append("          sit: \(tunnel)")
                }
            }
        }
        lines.append("note: PC B has 192.168.122.87: the article gives it 192.168.122.255, the broadcast address of 192.168.122.0/24")
        return (up, lines.joined(separator: "\n"))
    }
}
