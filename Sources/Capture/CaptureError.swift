/// A capture-file, libpcap or interface failure, worded for a one-line message.
public struct CaptureError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        case cannotOpen, badFileHeader, badRecord, badFilter, write, interface, permission
    }
    public var kind: Kind
    /// The file or interface it is about.
    public var source: String
    /// The 1-based record where reading failed, if it was a record.
    public var record: Int?
    public var reason: String

    public init(_ kind: Kind, source: String, record: Int? = nil, _ reason: String) {
        self.kind = kind
        self.source = source
        self.record = record
        self.reason = reason
    }

    public var description: String {
        if let record { return "\(source): record \(record): \(reason)" }
        return "\(source): \(reason)"
    }
}
