import PacketDecoder

/// `-T fields -e FIELD... -E option=value...`: byte for byte what tshark 4.0 prints, except that
/// control characters from the capture are shown as "." (packet bytes never reach the terminal).
public struct FieldsPrinter {
    public enum Occurrence: Equatable, Sendable { case first, last, all }
    public enum Quote: Equatable, Sendable { case none, double, single }

    public struct Options: Equatable, Sendable {
        public var header = false
        public var separator = "\t"
        public var occurrence = Occurrence.all
        public var aggregator = ","
        public var quote = Quote.none
        public init() {}

        /// Applies one `-E` argument (`header=y`, `separator=/s`, ...), tshark's spelling.
        public mutating func apply(_ argument: String) throws(FieldsError) {
            let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw FieldsError("-E \(argument): expected NAME=VALUE") }
            let value = String(parts[1])
            switch parts[0] {
            case "header":
                guard value == "y" || value == "n" else { throw FieldsError("-E header: expected y or n, got \"\(value)\"") }
                header = value == "y"
            case "separator":
                separator = Self.character(value)
                guard !separator.isEmpty else { throw FieldsError("-E separator: expected /t, /s or a character") }
            case "aggregator":
                aggregator = Self.character(value)
                guard !aggregator.isEmpty else { throw FieldsError("-E aggregator: expected /s or a character") }
            case "occurrence":
                switch value {
                case "f": occurrence = .first
                case "l": occurrence = .last
                case "a": occurrence = .all
                default: throw FieldsError("-E occurrence: expected f, l or a, got \"\(value)\"")
                }
            case "quote":
                switch value {
                case "d": quote = .double
                case "s": quote = .single
                case "n": quote = .none
                default: throw FieldsError("-E quote: expected d, s or n, got \"\(value)\"")
                }
            default:
                throw FieldsError("-E \(parts[0]): unknown option (header, separator, occurrence, aggregator, quote)")
            }
        }

        static func character(_ value: String) -> String {
            switch value {
            case "/t": return "\t"
            case "/s": return " "
            default: return value.count == 1 ? value : (value.isEmpty ? "" : String(value.prefix(1)))
            }
        }
    }

    public let fields: [Field]
    public let names: [String]
    public let options: Options

    /// Resolves the field names; an unknown one is an error naming it with close names.
    public init(names: [String], options: Options) throws(FieldsError) {
        var fields: [Field] = []
        for name in names {
            guard let field = FieldRegistry.field(named: name) else {
                let close = FieldRegistry.suggestions(for: name)
                throw FieldsError("unknown field \"\(name)\"" + (close.isEmpty ? "" : "; did you mean \(close.joined(separator: ", "))?"))
            }
            fields.append(field)
        }
        self.fields = fields
        self.names = names
        self.options = options
    }

    public var headerLine: String? {
        // tshark never quotes the header line.
        options.header ? names.joined(separator: options.separator) : nil
    }

    public func line(for tree: PacketTree) -> String {
        var columns: [String] = []
        columns.reserveCapacity(fields.count)
        for field in fields {
            let values = tree.fieldTexts(field)
            let chosen: [String]
            switch options.occurrence {
            case .all: chosen = values
            case .first: chosen = values.prefix(1).map { $0 }
            case .last: chosen = values.suffix(1).map { $0 }
            }
            // Sanitized per value, so the separator itself (a tab) survives.
            columns.append(chosen.isEmpty ? "" : quoted(TerminalText.sanitized(chosen.joined(separator: options.aggregator))))
        }
        return columns.joined(separator: options.separator)
    }

    private func quoted(_ text: String) -> String {
        switch options.quote {
        case .none: return text
        case .double: return "\"" + text + "\""
        case .single: return "'" + text + "'"
        }
    }
}

public struct FieldsError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
