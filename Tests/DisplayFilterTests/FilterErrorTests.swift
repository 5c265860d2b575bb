import Testing
import DisplayFilter

/// Each kind of compile error: its exact message (tshark 4.0's wording where it has one, see
/// README-semantics.md), its 1-based column and the length underlined.
@Suite("filter errors")
struct FilterErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var filter: String
        var message: String
        var column: Int
        var length: Int
        var testDescription: String { filter.isEmpty ? "(empty)" : String(filter.prefix(60)) }
    }

    static let cases: [Case] = [
        // Unknown fields, with the registry's best suggestion.
        Case(filter: "ip.srcc == 1", message: "\"ip.srcc\" is not a valid protocol or protocol field. Did you mean ip.src?", column: 1, length: 7),
        Case(filter: "ipv6.srcc", message: "\"ipv6.srcc\" is not a valid protocol or protocol field. Did you mean ipv6.src?", column: 1, length: 9),
        Case(filter: "ip && ipv6.hlmi > 1", message: "\"ipv6.hlmi\" is not a valid protocol or protocol field. Did you mean ipv6.hlim?", column: 7, length: 9),
        Case(filter: "len(ip.scr) == 4", message: "\"ip.scr\" is not a valid protocol or protocol field. Did you mean ip.src?", column: 5, length: 6),
        // Literals that do not fit the field's type.
        Case(filter: "ip.src == \"abc\"", message: "\"abc\" is not a valid IPv4 address.", column: 11, length: 5),
        Case(filter: "ip.src == abc", message: "\"abc\" is not a valid IPv4 address.", column: 11, length: 3),
        Case(filter: "ip.dst == 1.2.3", message: "\"1.2.3\" is not a valid IPv4 address.", column: 11, length: 5),
        Case(filter: "ip.src == 1.2.3.4/33", message: "Netmask bits in a CIDR IPv4 address should be <= 32, not 33", column: 11, length: 10),
        Case(filter: "ipv6.addr == 2001:3::/129", message: "Prefix in a IPv6 address should be <= 128, not 129", column: 14, length: 12),
        Case(filter: "ipv6.src == 2001::2::1", message: "\"2001::2::1\" is not a valid IPv6 address.", column: 13, length: 10),
        Case(filter: "eth.src == 52:54:00", message: "\"52:54:00\" contains too few bytes to be a valid Ethernet address.", column: 12, length: 8),
        Case(filter: "eth.src == 52:54:00:f0:85:c7:00", message: "\"52:54:00:f0:85:c7:00\" contains too many bytes to be a valid Ethernet address.", column: 12, length: 20),
        Case(filter: "eth.dst == \"a\"", message: "\"a\" is not a valid Ethernet address.", column: 12, length: 3),
        Case(filter: "ip.ttl == 256", message: "\"256\" too big for this field, maximum 255.", column: 11, length: 3),
        Case(filter: "ip.ttl == -1", message: "\"-1\" too small for this field, minimum 0.", column: 11, length: 2),
        Case(filter: "ip.ttl == 1a", message: "\"1a\" is not a valid number.", column: 11, length: 2),
        Case(filter: "ip.ttl == 09", message: "\"09\" is not a valid number.", column: 11, length: 2),
        Case(filter: "ip.ttl < 0x", message: "\"0x\" is not a valid number.", column: 10, length: 2),
        Case(filter: "ip.ttl == \"255\"", message: "Unsigned integer (1 byte) cannot be converted from a string (\"255\").", column: 11, length: 5),
        Case(filter: "ip.proto == 300", message: "\"300\" cannot be found among the possible values for ip.proto.", column: 13, length: 3),
        Case(filter: "ip.proto == \"Experimentation and testing\"", message: "\"Experimentation and testing\" cannot be found among the possible values for ip.proto.", column: 13, length: 29),
        Case(filter: "ip.flags.df == maybe", message: "\"maybe\" cannot be found among the possible values for ip.flags.df.", column: 16, length: 5),
        Case(filter: "ip.src[0] == zz", message: "\"zz\" is not a valid byte string.", column: 14, length: 2),
        Case(filter: "frame.time == \"yesterday\"", message: "\"yesterday\" is not a valid absolute time. Example: \"Nov 12, 1999 08:55:44.123\" or \"2011-07-04 12:34:56\"", column: 15, length: 11),
        // Operators a type cannot take (Wireshark 4.0 orders every type; contains and
        // matches need bytes or text).
        Case(filter: "ipv6.src contains 1", message: "ipv6.src (type=IPv6 address) cannot participate in contains comparison.", column: 1, length: 8),
        Case(filter: "ip.ttl contains 1", message: "ip.ttl (type=Unsigned integer (1 byte)) cannot participate in contains comparison.", column: 1, length: 6),
        Case(filter: "ip.proto matches \"1\"", message: "ip.proto (type=Unsigned integer (1 byte)) cannot participate in matches comparison.", column: 1, length: 8),
        Case(filter: "ip.flags.df contains 1", message: "ip.flags.df (type=Boolean) cannot participate in contains comparison.", column: 1, length: 11),
        Case(filter: "len(eth.src) contains 1", message: "len(eth.src) (type=Unsigned integer (4 bytes)) cannot participate in contains comparison.", column: 1, length: 12),
        Case(filter: "frame.protocols matches 1", message: "Matches requires a double quoted string on the right side.", column: 25, length: 1),
        Case(filter: "frame.protocols matches \"[\"", message: "Regex compilation error: missing terminating ] for character class.", column: 25, length: 3),
        Case(filter: "frame.protocols matches \"(ab\"", message: "Regex compilation error: missing closing parenthesis.", column: 25, length: 5),
        Case(filter: "frame.protocols matches \"a{2,1}\"", message: "Regex compilation error: numbers out of order in {} quantifier.", column: 25, length: 8),
        Case(filter: "frame.protocols matches \"*a\"", message: "Regex compilation error: quantifier does not follow a repeatable item.", column: 25, length: 4),
        Case(filter: "ip.proto == ipv6", message: "ip.proto and ipv6 are not of compatible types.", column: 13, length: 4),
        Case(filter: "ip.src == ipv6.src", message: "ip.src and ipv6.src are not of compatible types.", column: 11, length: 8),
        Case(filter: "frame.protocols == eth", message: "frame.protocols and eth are not of compatible types.", column: 20, length: 3),
        Case(filter: "1 == ip.proto", message: "Left side of \"==\" expression must be a field or function, not 1.", column: 1, length: 1),
        Case(filter: "\"ip\" eq ip.proto", message: "Left side of \"eq\" expression must be a field or function, not \"ip\".", column: 1, length: 4),
        Case(filter: "ip.src == 1.2.3.4 == 1", message: "Left side of \"==\" expression must be a field or function, not 1.2.3.4.", column: 11, length: 7),
        // Slices, layers, functions.
        Case(filter: "ip.proto[0] == 41", message: "\"ip.proto\" is a Unsigned integer (1 byte) and cannot be sliced into a sequence of bytes.", column: 1, length: 8),
        Case(filter: "eth.src[0:0] == 1", message: "Range 0:0 isn't valid because length 0 isn't positive", column: 9, length: 3),
        Case(filter: "ip.src[a] == 1", message: "\"a\" is not a valid number.", column: 8, length: 1),
        Case(filter: "ip.src[0:2 == 1", message: "The right bracket was missing from a slice.", column: 12, length: 2),
        Case(filter: "ipv6.src#[2-] == ::", message: "\"2-\" is not a valid range.", column: 11, length: 2),
        Case(filter: "ipv6.src#-1 == ::", message: "Expected digit or \"[\", not \"-\"", column: 10, length: 1),
        Case(filter: "len(ip.src)", message: "You cannot test whether a function is present.", column: 1, length: 3),
        Case(filter: "len(1) == 1", message: "Only fields can be used as parameter for len()", column: 5, length: 1),
        Case(filter: "foo(ip.src) == 1", message: "Function 'foo' does not exist", column: 1, length: 3),
        Case(filter: "upper(ip.src) == 1", message: "Only string type fields can be used as parameter for upper()", column: 7, length: 6),
        // Arithmetic.
        Case(filter: "ipv6.src - 1 == ::", message: "FT_IPv6 cannot -.", column: 1, length: 8),
        Case(filter: "ip.flags.df & 1", message: "FT_BOOLEAN cannot &.", column: 1, length: 11),
        Case(filter: "frame.protocols & 1", message: "FT_STRING cannot &.", column: 1, length: 15),
        Case(filter: "ip.flags & ipv6", message: "FT_PROTOCOL cannot &.", column: 12, length: 4),
        Case(filter: "ip.ttl + ipv6.src == 1", message: "FT_IPv6 cannot +.", column: 10, length: 8),
        Case(filter: "1 + ip.ttl == 2", message: "Constant arithmetic expression on the LHS is invalid.", column: 1, length: 1),
        Case(filter: "ip.ttl + \"a\" == 1", message: "\"a\" is not a valid arithmetic operand.", column: 10, length: 3),
        Case(filter: "ip.ttl + 1 == 256", message: "\"256\" too big for this field, maximum 255.", column: 15, length: 3),
        // Strings.
        Case(filter: "frame.protocols == \"abc", message: "The final quote was missing from a quoted string.", column: 24, length: 1),
        Case(filter: "frame.protocols == \"a\\qb\"", message: "\\q is not a valid character escape sequence", column: 22, length: 2),
        // Structure: parentheses, stray tokens, the end, nothing at all.
        Case(filter: "(ip.src == 1.2.3.4", message: "Unexpected end of filter expression: \"(\" is never closed.", column: 1, length: 1),
        Case(filter: "ip && ((ipv6) || udp", message: "Unexpected end of filter expression: \"(\" is never closed.", column: 7, length: 1),
        Case(filter: "ip.src == 1.2.3.4)", message: "\")\" was unexpected in this context.", column: 18, length: 1),
        Case(filter: "()", message: "\")\" was unexpected in this context.", column: 2, length: 1),
        Case(filter: "ip.src ==", message: "Unexpected end of filter expression.", column: 10, length: 1),
        Case(filter: "ip.src == 1.2.3.4 and", message: "Unexpected end of filter expression.", column: 22, length: 1),
        Case(filter: "ip.src && && ip", message: "\"&&\" was unexpected in this context.", column: 11, length: 2),
        Case(filter: "ip.src @ ip", message: "\"@\" was unexpected in this context.", column: 8, length: 1),
        Case(filter: "ip.src == 1.2.3.4 ip", message: "\"ip\" was unexpected in this context.", column: 19, length: 2),
        Case(filter: "ip.src = 1.2.3.4", message: "\"=\" was unexpected in this context. Did you mean \"==\"?", column: 8, length: 1),
        Case(filter: "ip ^ ipv6", message: "\"^\" was unexpected in this context. Did you mean \"^^\"?", column: 4, length: 1),
        Case(filter: "ip.proto in {41 42}", message: "\"42\" was unexpected in this context.", column: 17, length: 2),
        Case(filter: "ip.proto in {}", message: "\"}\" was unexpected in this context.", column: 14, length: 1),
        Case(filter: "ip.proto in 41", message: "\"41\" was unexpected in this context.", column: 13, length: 2),
        Case(filter: String(repeating: "!", count: 1001) + "ip", message: "The filter expression is too complex (more than 1000 operators).", column: 1001, length: 1),
        Case(filter: String(repeating: "(", count: 600) + "ip" + String(repeating: ") && ip", count: 600), message: "The filter expression is too complex (more than 1000 operators).", column: 602 + 400 * 7 + 3, length: 2),
        Case(filter: "", message: "The filter expression is empty.", column: 1, length: 0),
        Case(filter: "   ", message: "The filter expression is empty.", column: 1, length: 0),
    ]

    @Test("message and column", arguments: cases)
    func error(_ c: Case) {
        do {
            let filter = try DisplayFilter(compiling: c.filter)
            Issue.record("\(c.filter) compiled: \(filter)")
        } catch {
            #expect(error.message == c.message)
            #expect(error.column == c.column)
            #expect(error.length == c.length)
        }
    }

    @Test("caret: the filter, then the offending span underlined")
    func caret() {
        #expect(throws: FilterError.self) { try DisplayFilter(compiling: "ip.srcc == 1") }
        do {
            _ = try DisplayFilter(compiling: "ip.srcc == 1")
        } catch {
            #expect(error.caret == "ip.srcc == 1\n^~~~~~~")
            #expect(error.description == "\"ip.srcc\" is not a valid protocol or protocol field. Did you mean ip.src?\nip.srcc == 1\n^~~~~~~")
        }
        do {
            _ = try DisplayFilter(compiling: "ip.ttl == 256 && ip")
        } catch {
            #expect(error.caret == "ip.ttl == 256 && ip\n          ^~~")
        }
        do {
            _ = try DisplayFilter(compiling: "ip.src ==")
        } catch {
            #expect(error.caret == "ip.src ==\n         ^")
        }
        do {
            // Columns count characters, not bytes.
            _ = try DisplayFilter(compiling: "frame.comment == \"é\" && ip.srcc")
        } catch {
            #expect(error.column == 25)
            #expect(error.caret == "frame.comment == \"é\" && ip.srcc\n                        ^~~~~~~")
        }
    }
}
