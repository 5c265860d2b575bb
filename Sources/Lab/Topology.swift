import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A lab failure: one line for the user.
public struct LabError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The article's four machines.
public enum Node: String, CaseIterable, Sendable {
    case routerA = "router-a", routerB = "router-b", pcA = "pc-a", pcB = "pc-b"

    public var title: String {
        switch self {
        case .routerA: "Router A"
        case .routerB: "Router B"
        case .pcA: "PC A"
        case .pcB: "PC B"
        }
    }
    public var mac: String {
        switch self {
        case .routerA: "52:54:00:f0:85:c7"
        case .routerB: "52:54:00:2b:01:cc"
        case .pcA: "52:54:00:3b:82:36"
        case .pcB: "52:54:00:7b:ed:c0"
        }
    }
    /// PC B: the article gives .255, the broadcast address of 192.168.122.0/24; the lab uses .87.
    public var ipv4: String {
        switch self {
        case .routerA: "192.168.122.127"
        case .routerB: "192.168.122.134"
        case .pcA: "192.168.122.86"
        case .pcB: "192.168.122.87"
        }
    }
    public var ipv6: String {
        switch self {
        case .routerA: "2001:2::1"
        case .routerB: "2001:3::1"
        case .pcA: "2001:2::8067"
        case .pcB: "2001:3::8067"
        }
    }
    public var isRouter: Bool { self == .routerA || self == .routerB }
    /// The router a PC sends everything through.
    public var gateway: Node? {
        switch self {
        case .pcA: .routerA
        case .pcB: .routerB
        default: nil
        }
    }
    /// The other end of the tunnel.
    public var peer: Node? {
        switch self {
        case .routerA: .routerB
        case .routerB: .routerA
        default: nil
        }
    }
    /// Its port on virbr0 (in the lab namespace), as libvirt names them.
    public var bridgePort: String { "vnet\(Node.allCases.firstIndex(of: self)!)" }

    /// `router-a`, `ra`, `routera`, `a`-less spellings: what `lab exec` accepts.
    public init?(name: String) {
        let n = name.lowercased().replacingOccurrences(of: "_", with: "-")
        switch n {
        case "router-a", "routera", "ra", "r-a": self = .routerA
        case "router-b", "routerb", "rb", "r-b": self = .routerB
        case "pc-a", "pca": self = .pcA
        case "pc-b", "pcb": self = .pcB
        default: return nil
        }
    }
}

/// Where a lab lives: its namespaces (`PREFIX` holds virbr0, `PREFIX-router-a`... the nodes)
/// and its run-time folder (pid, status and log files of the 6in4 endpoints).
public struct Lab: Sendable {
    public static let defaultPrefix = "tunnelscope-lab"
    public static let prefixVariable = "TUNNELSCOPE_LAB_PREFIX"
    public static let tunnelName = "tunn"
    public static let bridgeName = "virbr0"

    public let prefix: String

    /// `prefix` if given, else `$TUNNELSCOPE_LAB_PREFIX`, else `tunnelscope-lab`.
    public init(prefix: String? = nil) throws {
        let p = prefix ?? ProcessInfo.processInfo.environment[Self.prefixVariable] ?? Self.defaultPrefix
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
        guard !p.isEmpty, p.count <= 40, p.allSatisfy({ allowed.contains($0) }), p.first != "-", p.first != "." else {
            throw LabError("\(p): a lab prefix is 1-40 characters of a-z, 0-9, '-', '_', '.'")
        }
        self.prefix = p
    }

    /// The namespace holding the bridge virbr0.
    public var bridgeNamespace: String { prefix }
    public func namespace(_ node: Node) -> String { prefix + "-" + node.rawValue }
    public var namespaces: [String] { [bridgeNamespace] + Node.allCases.map(namespace) }

    public var stateDirectory: String { "/run/tunnelscope-lab/" + prefix }
    var modeFile: String { stateDirectory + "/mode" }
    public func pidFile(_ node: Node) -> String { stateDirectory + "/endpoint-\(node.rawValue).pid" }
    public func statusFile(_ node: Node) -> String { stateDirectory + "/endpoint-\(node.rawValue).status" }
    public func logFile(_ node: Node) -> String { stateDirectory + "/endpoint-\(node.rawValue).log" }
}

/// Root is needed for every lab command.
public func requireRoot() throws {
    if geteuid() != 0 {
        throw LabError("the lab needs root (it creates network namespaces): run it with sudo")
    }
}
