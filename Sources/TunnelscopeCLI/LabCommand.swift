import ArgumentParser
import Foundation
import Lab

/// `tunnelscope lab ...`: the article's four-node 6in4 lab in network namespaces.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "The article's lab: Router A, Router B, PC A, PC B on virbr0 with a 6in4 tunnel, in network namespaces (root).",
        discussion: """
        Namespaces: PREFIX (the bridge virbr0) and PREFIX-router-a, -router-b, -pc-a, -pc-b; PREFIX is \
        tunnelscope-lab, or --prefix, or $TUNNELSCOPE_LAB_PREFIX. The tunnel is the kernel's sit device, \
        or tunnelscope's own 6in4 endpoint where the kernel has no sit.
        """,
        subcommands: [Up.self, Down.self, Status.self, Ping.self, Traceroute.self, Capture.self, Exec.self, Endpoint.self]
    )

    struct Where: ParsableArguments {
        @Option(help: ArgumentHelp("Name prefix of the lab's namespaces (default tunnelscope-lab, or $TUNNELSCOPE_LAB_PREFIX).", valueName: "prefix"))
        var prefix: String?

        func lab(root: Bool = true) throws -> Lab {
            do {
                let lab = try Lab(prefix: prefix)
                if root { try requireRoot() }
                return lab
            } catch let error as LabError {
                throw CommandFailure(error.description)
            }
        }
    }

    static func failing<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as LabError { throw CommandFailure(error.description) }
    }

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Runs `arguments` in place of this process (exit status and terminal pass through).
    static func exec(_ arguments: [String]) throws -> Never {
        var cArgs = arguments.map { strdup($0) }
        cArgs.append(nil)
        execv(arguments[0], &cArgs)
        throw CommandFailure("\(arguments[0]): \(String(cString: strerror(errno)))")
    }

    /// The one-line error for a command that needs the lab up.
    static func requireNamespace(_ lab: Lab, _ ns: String) throws {
        guard FileManager.default.fileExists(atPath: "/run/netns/" + ns) else {
            throw CommandFailure("the lab '\(lab.prefix)' is not up (no namespace \(ns)): sudo tunnelscope lab up")
        }
    }

    static func ipPath() throws -> String {
        for p in ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"] where FileManager.default.isExecutableFile(atPath: p) { return p }
        throw CommandFailure("the lab needs iproute2's ip command (apt-get install iproute2)")
    }

    static func selfPath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the lab (harmless when it is up).")
        @OptionGroup var place: Where
        @Option(help: ArgumentHelp("sit or endpoint (default: sit where the kernel has it, else endpoint).", valueName: "mode"))
        var tunnel: String?
        @Flag(name: .shortAndLong, help: "Say each step.") var verbose = false

        func run() throws {
            let lab = try place.lab()
            var mode: TunnelMode?
            if let tunnel {
                guard let m = TunnelMode(rawValue: tunnel) else { throw CommandFailure("--tunnel \(tunnel): sit or endpoint", status: 2) }
                mode = m
            }
            let message = try LabCommand.failing { try lab.up(mode: mode, log: { if verbose { LabCommand.say($0) } }) }
            LabCommand.say(message)
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove the lab: its processes, namespaces and files.")
        @OptionGroup var place: Where
        func run() throws {
            let lab = try place.lab()
            LabCommand.say(lab.down() ? "the lab '\(lab.prefix)' is down: namespaces, links and processes removed" : "the lab '\(lab.prefix)' was not up")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Nodes, addresses, routes, tunnel mode and endpoint health.")
        @OptionGroup var place: Where
        func run() throws {
            let lab = try place.lab()
            let report = lab.statusReport()
            LabCommand.say(report.text)
            // As `systemctl status`: 3 when it is not running (down, or not healthy), so scripts
            // can write `tunnelscope lab status >/dev/null || sudo tunnelscope lab up`.
            if !report.up { throw ExitCode(3) }
        }
    }

    struct Ping: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The article's ping -c1 2001:3::8067, from PC A.")
        @OptionGroup var place: Where
        @Option(name: .short, help: "Echo requests to send.") var count = 1
        @Option(name: [.customShort("Q"), .customLong("tclass")], help: ArgumentHelp("IPv6 traffic class of the requests, as ping -Q (DSCP << 2 | ECN), e.g. 1 for ECT(1).", valueName: "tclass"))
        var trafficClass: Int?
        @Argument(help: "Destination (default PC B, 2001:3::8067).") var destination = Node.pcB.ipv6

        func run() throws {
            let lab = try place.lab()
            try LabCommand.requireNamespace(lab, lab.namespace(.pcA))
            let received = try LabCommand.failing {
                try Probes.enterNamespace(lab.namespace(.pcA))
                return try Probes.ping(destination, count: count, trafficClass: trafficClass, output: LabCommand.say)
            }
            if received == 0 { throw CommandFailure("no reply from \(destination)") }
        }
    }

    struct Traceroute: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The article's traceroute 2001:3::8067, from PC A (three hops).")
        @OptionGroup var place: Where
        @Argument(help: "Destination (default PC B, 2001:3::8067).") var destination = Node.pcB.ipv6

        func run() throws {
            let lab = try place.lab()
            try LabCommand.requireNamespace(lab, lab.namespace(.pcA))
            let hops = try LabCommand.failing {
                try Probes.enterNamespace(lab.namespace(.pcA))
                return try Probes.traceroute(destination, output: LabCommand.say)
            }
            if hops.last?.address != destination { throw CommandFailure("\(destination) not reached") }
        }
    }

    struct Capture: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Capture on the lab's virbr0: the TUI (tunnelscope -i virbr0) inside the lab namespace.",
            discussion: "Options after the subcommand pass through, e.g. lab capture -f 'ip proto 41' -w lab.pcap. Without a terminal it runs tunnelscope print -i virbr0.")
        @OptionGroup var place: Where
        @Argument(parsing: .captureForPassthrough, help: "Options for tunnelscope print.") var options: [String] = []

        func run() throws {
            let lab = try place.lab()
            try LabCommand.requireNamespace(lab, lab.bridgeNamespace)
            let passed = options.first == "--" ? Array(options.dropFirst()) : options
            // The live TUI with a terminal; batch output (print -i) without one.
            let mode = isatty(0) == 1 && isatty(1) == 1 ? [] : ["print"]
            try LabCommand.exec([try LabCommand.ipPath(), "netns", "exec", lab.bridgeNamespace, LabCommand.selfPath()]
                                + mode + ["-i", Lab.bridgeName] + passed)
        }
    }

    struct Exec: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a command on a node: lab exec pc-a -- ip -6 route.",
                                                        discussion: "NODE: router-a (ra), router-b (rb), pc-a (pca), pc-b (pcb), or bridge (virbr0's namespace).")
        @OptionGroup var place: Where
        @Argument(help: "router-a, router-b, pc-a, pc-b or bridge.") var node: String
        @Argument(parsing: .captureForPassthrough, help: "The command (after --).") var command: [String] = []

        func run() throws {
            let lab = try place.lab()
            let ns: String
            if node == "bridge" || node == "virbr0" || node == "lab" { ns = lab.bridgeNamespace } else {
                guard let n = Node(name: node) else {
                    throw CommandFailure("\(node): no such node (router-a, router-b, pc-a, pc-b, bridge)", status: 2)
                }
                ns = lab.namespace(n)
            }
            let cmd = command.first == "--" ? Array(command.dropFirst()) : command
            if cmd.isEmpty { throw CommandFailure("lab exec \(node): give a command after --", status: 2) }
            try LabCommand.requireNamespace(lab, ns)
            try LabCommand.exec([try LabCommand.ipPath(), "netns", "exec", ns] + cmd)
        }
    }

    /// The 6in4 endpoint `lab up` starts in each router namespace (hidden).
    struct Endpoint: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "tunnelscope's 6in4 endpoint (started by lab up).", shouldDisplay: false)
        @Option var local: String
        @Option var remote: String
        @Option var tun = Lab.tunnelName
        @Option var statusFile: String?

        func run() throws {
            try LabCommand.failing {
                try requireRoot()
                try SixInFourEndpoint.run(local: local, remote: remote, tun: tun, statusPath: statusFile)
            }
        }
    }
}
