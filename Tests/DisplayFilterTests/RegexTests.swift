import Testing
import PacketDecoder
import DisplayFilter
import TestSupport

/// The `matches` engine, through the filter language: a string field of a hand-made tree holds
/// the subject, so each case is `frame.comment matches PATTERN`.
@Suite("matches: the regular expression engine")
struct RegexTests {
    /// A frame whose `frame.comment` is `text` (pcapng packet comments are strings).
    static func tree(comment text: String) -> PacketTree {
        let metadata = FrameMetadata(number: 1, originalLength: 14, linkType: .ethernet, comment: text)
        return PacketTree(decoding: [UInt8](repeating: 0, count: 14), metadata: metadata)
    }

    static func matches(_ pattern: String, _ subject: String) throws -> Bool {
        let filter = try DisplayFilter(compiling: "frame.comment matches \"\(pattern)\"")
        return filter.matches(tree(comment: subject))
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var pattern: String
        var subject: String
        var expected: Bool
        var testDescription: String { "\(pattern) ~ \(subject.prefix(40)) = \(expected)" }
    }

    /// Patterns are written in filter syntax: `\\d` in a filter string is the regex `\d`.
    static let cases: [Case] = [
        Case(pattern: "abc", subject: "xxabcxx", expected: true),
        Case(pattern: "abd", subject: "xxabcxx", expected: false),
        Case(pattern: "", subject: "anything", expected: true),
        // Case-insensitive by default, as Wireshark 4.0; (?-i) turns it off.
        Case(pattern: "ICMPV6", subject: "eth:ipv6:icmpv6", expected: true),
        Case(pattern: "(?-i)ICMPV6", subject: "eth:ipv6:icmpv6", expected: false),
        Case(pattern: "(?-i)icmpv6", subject: "eth:ipv6:icmpv6", expected: true),
        Case(pattern: "(?-i)a(?i:B)c", subject: "abc", expected: true),
        Case(pattern: "(?-i)a(?i:B)C", subject: "abc", expected: false),
        Case(pattern: "(?i)[A-C]+", subject: "xbcx", expected: true),
        // Anchors.
        Case(pattern: "^eth", subject: "eth:ip", expected: true),
        Case(pattern: "^ip", subject: "eth:ip", expected: false),
        Case(pattern: "ip$", subject: "eth:ip", expected: true),
        Case(pattern: "eth$", subject: "eth:ip", expected: false),
        Case(pattern: "^$", subject: "", expected: true),
        Case(pattern: "^eth:ip$", subject: "eth:ip", expected: true),
        Case(pattern: "\\\\bip\\\\b", subject: "eth:ip:udp", expected: true),
        Case(pattern: "\\\\bip\\\\b", subject: "eth:ipv6", expected: false),
        // Dot, classes, escapes.
        Case(pattern: "i.v6", subject: "ipv6", expected: true),
        Case(pattern: "a.c", subject: "a\\nc", expected: false),
        Case(pattern: "(?s)a.c", subject: "a\\nc", expected: true),
        Case(pattern: "v[46]", subject: "ipv6", expected: true),
        Case(pattern: "v[^46]", subject: "ipv6", expected: false),
        Case(pattern: "[a-c]{3}", subject: "xxcabx", expected: true),
        Case(pattern: "[[:digit:]]{2}", subject: "ipv6", expected: false),
        Case(pattern: "[[:digit:]]{2}", subject: "port 53", expected: true),
        Case(pattern: "[[:alpha:]]+:", subject: "123:eth:", expected: true),
        Case(pattern: "\\\\d+\\\\.\\\\d+", subject: "v 4.0", expected: true),
        Case(pattern: "\\\\d+\\\\.\\\\d+", subject: "v 40", expected: false),
        Case(pattern: "\\\\w+@\\\\w+", subject: "user@host", expected: true),
        Case(pattern: "\\\\s", subject: "nospace", expected: false),
        Case(pattern: "\\\\S\\\\s\\\\S", subject: "a b", expected: true),
        Case(pattern: "\\\\x41", subject: "zAz", expected: true),
        Case(pattern: "[\\\\x30-\\\\x39]", subject: "abc7", expected: true),
        Case(pattern: "a\\\\.b", subject: "axb", expected: false),
        Case(pattern: "a\\\\.b", subject: "a.b", expected: true),
        Case(pattern: "[]a]", subject: "]", expected: true),
        Case(pattern: "[a-]", subject: "-", expected: true),
        // Quantifiers.
        Case(pattern: "ab*c", subject: "ac", expected: true),
        Case(pattern: "ab+c", subject: "ac", expected: false),
        Case(pattern: "ab?c", subject: "abbc", expected: false),
        Case(pattern: "ab{2}c", subject: "abbc", expected: true),
        Case(pattern: "ab{2}c", subject: "abbbc", expected: false),
        Case(pattern: "ab{2,}c", subject: "abbbbc", expected: true),
        Case(pattern: "^ab{1,2}c$", subject: "abbbc", expected: false),
        Case(pattern: "^a.*?c$", subject: "abbbc", expected: true),
        Case(pattern: "a{,2}", subject: "a{,2}", expected: true),
        // Alternation and groups.
        Case(pattern: "tcp|arp", subject: "eth:arp", expected: true),
        Case(pattern: "tcp|arp", subject: "eth:udp", expected: false),
        Case(pattern: "^(eth|sll):ip(v6)?:(udp|tcp)$", subject: "sll:ipv6:tcp", expected: true),
        Case(pattern: "^(eth|sll):ip(v6)?:(udp|tcp)$", subject: "raw:ipv6:tcp", expected: false),
        Case(pattern: "^eth(:[a-z0-9]+){4}$", subject: "eth:ethertype:ip:ipv6:tcp", expected: true),
        Case(pattern: "^eth(:[a-z0-9]+){4}$", subject: "eth:ethertype:ip:ipv6:udp:dns", expected: false),
        Case(pattern: "(?:ab)+$", subject: "xababab", expected: true),
        Case(pattern: "(a|)+b", subject: "aaab", expected: true),
        // A pattern that makes backtracking engines explode runs in linear time here.
        Case(pattern: "^(a+)+$", subject: String(repeating: "a", count: 5000) + "!", expected: false),
        Case(pattern: "(x+x+)+y", subject: String(repeating: "x", count: 3000), expected: false),
        Case(pattern: "^(a?){1000}a{1000}$", subject: String(repeating: "a", count: 1000), expected: true),
        Case(pattern: "((a?){30}){30}b", subject: String(repeating: "a", count: 500), expected: false),
    ]

    @Test("pattern against subject", arguments: cases)
    func pattern(_ c: Case) throws {
        // The subject is literal text; only the pattern goes through the filter's string escapes.
        let subject = c.subject.replacingNewlineEscape
        #expect(try RegexTests.matches(c.pattern, subject) == c.expected)
    }

    @Test("bytes that are not UTF-8 match byte for byte")
    func bytes() throws {
        let frame = Fixtures.frame("article-echo-request.pcap")
        #expect(try DisplayFilter(compiling: #"frame matches "\x80g""#).matches(frame))
        #expect(try DisplayFilter(compiling: #"ipv6 matches "^\x60\x00\x07\xe7""#).matches(frame))
        #expect(try !DisplayFilter(compiling: #"ipv6 matches "^\x60\x00\x07\xe8""#).matches(frame))
        #expect(try DisplayFilter(compiling: #"data.data matches "(?s)^.{16}\x10\x11""#).matches(frame))
    }
}

extension String {
    var replacingNewlineEscape: String {
        var out = ""
        var it = makeIterator()
        while let c = it.next() {
            if c == "\\", let n = it.next() {
                out.append(n == "n" ? "\n" : n)
            } else {
                out.append(c)
            }
        }
        return out
    }
}
