// What an IPv6 address says about the IPv4 world: Teredo (2001::/32), 6to4 (2002::/16), ISATAP.

public enum AddressAnatomy {
    static let fields: [FieldInfo] = []

    /// Adds the generated fields an address implies, right after the address node.
    static func add(_ ctx: inout DecodeContext, _ address: IPv6Address, at offset: Int, isSource: Bool) {
    }
}
