import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How the routers' 6in4 tunnel is made.
public enum TunnelMode: String, Sendable {
    /// The kernel's `sit` device, as in the article.
    case sit
    /// tunnelscope's own 6in4 endpoint: a TUN device plus a raw protocol-41 socket per router.
    case endpoint
}

extension Lab {
    /// Whether every namespace exists and the tunnel runs.
    public var isUp: Bool {
        let existing = Shell.namespaces()
        guard namespaces.allSatisfy(existing.contains), let mode = tunnelMode else { return false }
        if mode == .endpoint { return [Node.routerA, .routerB].allSatisfy { endpointPID($0) != nil } }
        return true
    }

    /// Whether any trace of the lab is left (a namespace or the run-time folder).
    public var exists: Bool {
        let existing = Shell.namespaces()
        return namespaces.contains(where: existing.contains) || FileManager.default.fileExists(atPath: stateDirectory)
    }

    public var tunnelMode: TunnelMode? {
        (try? String(contentsOfFile: modeFile, encoding: .utf8)).flatMap {
            TunnelMode(rawValue: $0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// The live endpoint's process id (pid file, process alive, and it is our endpoint).
    public func endpointPID(_ node: Node) -> pid_t? {
        guard let text = try? String(contentsOfFile: pidFile(node), encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              Shell.alive(pid), let cmd = Shell.commandLine(pid), cmd.contains("lab endpoint") else { return nil }
        return pid
    }

    // MARK: up

    /// Builds the lab; harmless when it is already up; removes what it made when a step fails.
    /// `mode` nil: sit when the kernel has it, else the endpoint. Returns what it did, for the user.
    @discardableResult
    public func up(mode requested: TunnelMode? = nil, log: (String) -> Void = { _ in }) throws -> String {
        try requireRoot()
        _ = try Shell.ipPath()
        if isUp { return "the lab '\(prefix)' is already up (tunnel: \(tunnelMode?.rawValue ?? "?")); nothing changed" }
        if exists { down() }  // a half-made lab from an earlier failure
        do {
            let mode = try build(requested: requested, log: log)
            return "the lab '\(prefix)' is up: 4 nodes on \(Self.bridgeName) in namespace \(bridgeNamespace), tunnel: "
                + (mode == .sit ? "kernel sit" : "tunnelscope 6in4 endpoint (the kernel has no sit)")
        } catch {
            down()
            throw error
        }
    }

    private func build(requested: TunnelMode?, log: (String) -> Void) throws -> TunnelMode {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let existing = Shell.namespaces()
        for ns in namespaces where existing.contains(ns) { throw LabError("namespace \(ns) already exists") }
        let bridge = bridgeNamespace
        try Shell.ip(["netns", "add", bridge])
        // The bridge namespace says nothing itself: no IPv6 there (no MLD or router solicitations on virbr0).
        try Shell.inNamespace(bridge, sh: "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6")
        try Shell.ip(["-n", bridge, "link", "set", "lo", "up"])
        try Shell.ip(["-n", bridge, "link", "add", Self.bridgeName, "type", "bridge", "stp_state", "0", "mcast_snooping", "0"])
        log("namespace \(bridge): bridge \(Self.bridgeName)")
        for node in Node.allCases {
            let ns = namespace(node)
            try Shell.ip(["netns", "add", ns])
            try Shell.ip(["-n", bridge, "link", "add", node.bridgePort, "type", "veth", "peer", "name", "eth0", "netns", ns])
            try Shell.ip(["-n", bridge, "link", "set", node.bridgePort, "master", Self.bridgeName])
            try Shell.ip(["-n", bridge, "link", "set", node.bridgePort, "up"])
            try Shell.ip(["-n", ns, "link", "set", "eth0", "address", node.mac])
            try Shell.ip(["-n", ns, "link", "set", "lo", "up"])
            try Shell.ip(["-n", ns, "link", "set", "eth0", "up"])
            try Shell.ip(["-n", ns, "addr", "add", node.ipv4 + "/24", "dev", "eth0"])
            try Shell.ip(["-n", ns, "-6", "addr", "add", node.ipv6 + "/64", "dev", "eth0", "nodad"])
            log("namespace \(ns): \(node.title) eth0 \(node.mac) \(node.ipv4) \(node.ipv6)/64")
        }
        try Shell.ip(["-n", bridge, "link", "set", Self.bridgeName, "up"])
        for pc in [Node.pcA, .pcB] {
            try Shell.ip(["-n", namespace(pc), "-6", "route", "add", "default", "via", pc.gateway!.ipv6])
        }
        for router in [Node.routerA, .routerB] {
            try Shell.inNamespace(namespace(router), sh: "echo 1 > /proc/sys/net/ipv6/conf/all/forwarding")
        }
        let env = ProcessInfo.processInfo.environment["TUNNELSCOPE_LAB_TUNNEL"].flatMap(TunnelMode.init(rawValue:))
        var mode = requested ?? env ?? .sit
        if mode == .sit {
            do {
                for router in [Node.routerA, .routerB] {
                    try Shell.ip(["-n", namespace(router), "tunnel", "add", Self.tunnelName, "mode", "sit",
                                  "remote", router.peer!.ipv4, "ttl", "255"])
                    try Shell.ip(["-n", namespace(router), "link", "set", Self.tunnelName, "up"])
                }
            } catch {
                if requested == .sit || env == .sit { throw error }
                log("no sit in this kernel (\(error)): using tunnelscope's 6in4 endpoint")
                for router in [Node.routerA, .routerB] {
                    _ = Shell.ipQuiet(["-n", namespace(router), "tunnel", "del", Self.tunnelName])
                }
                mode = .endpoint
            }
        }
        if mode == .endpoint {
            for router in [Node.routerA, .routerB] { try startEndpoint(router) }
            for router in [Node.routerA, .routerB] {
                try waitForEndpoint(router)
                try Shell.ip(["-n", namespace(router), "link", "set", Self.tunnelName, "mtu", "1480", "up"])
            }
        }
        for router in [Node.routerA, .routerB] {
            try Shell.ip(["-n", namespace(router), "-6", "route", "add", "default", "dev", Self.tunnelName])
        }
        try Shell.write(mode.rawValue + "\n", to: modeFile)
        return mode
    }

    /// Starts `tunnelscope lab endpoint` inside the router's namespace, in its own session, logging to a file.
    private func startEndpoint(_ router: Node) throws {
        let ip = try Shell.ipPath()
        let arguments = [ip, "netns", "exec", namespace(router), Shell.executable(), "lab", "endpoint",
                         "--local", router.ipv4, "--remote", router.peer!.ipv4, "--tun", Self.tunnelName,
                         "--status-file", statusFile(router)]
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(0x80))  // POSIX_SPAWN_SETSID
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile(router), O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else is inherited: a parent's pipe or Foundation's termination socket held open by
        // the endpoint would make whoever ran `lab up` wait for the endpoint's end.
        let open = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
        for fd in open where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        var argv = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, ip, &actions, &attributes, argv, environ)
        if rc != 0 { throw LabError("cannot start the 6in4 endpoint in \(namespace(router)): \(String(cString: strerror(rc)))") }
        try Shell.write("\(pid)\n", to: pidFile(router))
    }

    private func waitForEndpoint(_ router: Node) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let status = EndpointStatus.read(statusFile(router)), status.state == "ready" { return }
            if let text = try? String(contentsOfFile: pidFile(router), encoding: .utf8),
               let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                var st: Int32 = 0
                if waitpid(pid, &st, WNOHANG) == pid || !Shell.alive(pid) {
                    let log = (try? String(contentsOfFile: logFile(router), encoding: .utf8)) ?? ""
                    let last = log.split(separator: "\n").last.map(String.init) ?? "no message"
                    throw LabError("the 6in4 endpoint in \(namespace(router)) ended: \(last)")
                }
            }
            usleep(20_000)
        }
        throw LabError("the 6in4 endpoint in \(namespace(router)) did not start in 10 s (see \(logFile(router)))")
    }

    // MARK: down

    /// Removes every process, namespace and file of the lab. Returns whether there was anything.
    @discardableResult
    public func down() -> Bool {
        let had = exists
        for router in [Node.routerA, .routerB] {
            if let pid = endpointPID(router) { kill(pid, SIGTERM) }
        }
        let existing = Shell.namespaces()
        let present = namespaces.filter(existing.contains)
        // Whatever else runs in the lab's namespaces (a capture, a ping, lab exec): asked, then made, to stop.
        var pids = present.flatMap(Shell.pids(in:)).filter { $0 != getpid() }
        for pid in pids { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(3)
        while !pids.isEmpty && Date() < deadline {
            var st: Int32 = 0
            for pid in pids { _ = waitpid(pid, &st, WNOHANG) }
            pids = pids.filter(Shell.alive)
            if !pids.isEmpty { usleep(20_000) }
        }
        for pid in pids { kill(pid, SIGKILL) }
        for ns in present.reversed() { _ = Shell.ipQuiet(["netns", "del", ns]) }
        try? FileManager.default.removeItem(atPath: stateDirectory)
        rmdir("/run/tunnelscope-lab")  // only if empty
        return had
    }
}
