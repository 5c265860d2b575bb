import Glibc
import CPcap

/// Giving up root once the capture handle is open, as `tcpdump -Z` does: the packet socket stays
/// usable, and no byte from the wire is decoded with privileges.
public enum Privileges {
    /// A user to become.
    public struct Identity: Sendable, Equatable, CustomStringConvertible {
        public var uid: uid_t
        public var gid: gid_t
        /// Known when the passwd database has the user: its supplementary groups are taken too.
        public var name: String?

        public init(uid: uid_t, gid: gid_t, name: String? = nil) {
            self.uid = uid
            self.gid = gid
            self.name = name
        }

        public var description: String { name.map { "\($0) (uid \(uid), gid \(gid))" } ?? "uid \(uid), gid \(gid)" }
    }

    /// Whom to become: `user` (`--user NAME`) if given, else the user sudo ran us for
    /// (`SUDO_UID`/`SUDO_GID`), else nil (stay as we are). Only root changes user.
    public static func target(user: String?) throws(CaptureError) -> Identity? {
        if let user {
            guard geteuid() == 0 else {
                throw CaptureError(.permission, source: "--user \(user)", "only root can change user; run with sudo")
            }
            guard let entry = getpwnam(user) else {
                throw CaptureError(.permission, source: "--user \(user)", "no such user")
            }
            return Identity(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid, name: user)
        }
        guard geteuid() == 0, let uidText = environment("SUDO_UID"), let uid = uid_t(uidText), uid != 0 else { return nil }
        let entry = getpwuid(uid)
        let gid = environment("SUDO_GID").flatMap { gid_t($0) } ?? entry?.pointee.pw_gid ?? gid_t(uid)
        return Identity(uid: uid, gid: gid, name: entry.map { String(cString: $0.pointee.pw_name) })
    }

    /// Becomes `identity` for good (real, effective and saved ids; groups), then checks that it
    /// took and that root cannot be regained.
    public static func drop(to identity: Identity) throws(CaptureError) {
        let source = "dropping privileges to \(identity)"
        let groups: Int32
        if let name = identity.name { groups = initgroups(name, identity.gid) } else {
            var gid = identity.gid
            groups = setgroups(1, &gid)
        }
        if groups != 0 { throw CaptureError(.permission, source: source, "setgroups: " + lastError()) }
        if setgid(identity.gid) != 0 { throw CaptureError(.permission, source: source, "setgid: " + lastError()) }
        if setuid(identity.uid) != 0 { throw CaptureError(.permission, source: source, "setuid: " + lastError()) }
        guard getuid() == identity.uid, geteuid() == identity.uid,
              getgid() == identity.gid, getegid() == identity.gid else {
            throw CaptureError(.permission, source: source, "the ids did not change (uid \(getuid())/\(geteuid()), gid \(getgid())/\(getegid()))")
        }
        if identity.uid != 0 && setuid(0) == 0 {
            throw CaptureError(.permission, source: source, "root could be regained")
        }
    }

    /// Clears every capability (the case of a binary given `cap_net_raw,cap_net_admin` with setcap
    /// and run by a user): the open capture needs none of them.
    public static func dropCapabilities() throws(CaptureError) {
        if tunnelscope_drop_capabilities() != 0 {
            throw CaptureError(.permission, source: "dropping capabilities", "capset: " + lastError())
        }
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
