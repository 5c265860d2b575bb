// Running a compiled filter over one decoded packet. Values are read straight from the tree's
// nodes and bytes through unsafe buffer views taken once per packet: no display text, no arrays.

import PacketDecoder

/// The packet as the evaluator sees it: views valid for one `matches` call.
struct PacketView {
    let nodes: UnsafeBufferPointer<FieldNode>
    let bytes: UnsafeBufferPointer<UInt8>
    let strings: UnsafeBufferPointer<String>
    let pool: UnsafeBufferPointer<UInt8>
    let diagnostics: UnsafeBufferPointer<Diagnostic>
    /// The layers in dissection order: `frame.protocols` is built from them when asked.
    let protocolPath: UnsafeBufferPointer<Field>
    let truncated: Bool

    /// Text of a string field the tree keeps as something else: `frame.protocols` (from the
    /// layer path) and text computed from an integer (`tcp.flags.str`). Rare, so it may allocate.
    func computedText(_ node: FieldNode) -> String? {
        if node.field == FrameLayer.protocols {
            return PacketTree.protocolsText(protocolPath)
        }
        if case .unsigned(let v) = node.value, let format = node.field.info.format { return format(v) }
        return nil
    }
}

extension Program {
    func evaluate(_ index: Int32, _ p: PacketView) -> Bool {
        switch nodes[Int(index)] {
        case .and(let a, let b):
            return evaluate(a, p) && evaluate(b, p)
        case .or(let a, let b):
            return evaluate(a, p) || evaluate(b, p)
        case .xor(let a, let b):
            return evaluate(a, p) != evaluate(b, p)
        case .not(let a):
            return !evaluate(a, p)
        case .constant(let b):
            return b
        case .present(let field):
            for i in 0..<p.nodes.count where p.nodes[i].field == field { return true }
            return false
        case .unsignedAny(let field, let test, let v):
            for i in 0..<p.nodes.count where p.nodes[i].field == field {
                if case .unsigned(let x) = p.nodes[i].value, test.holds(x, v) { return true }
            }
            return false
        case .unsignedAll(let field, let test, let v):
            var seen = false
            for i in 0..<p.nodes.count where p.nodes[i].field == field {
                guard case .unsigned(let x) = p.nodes[i].value else { continue }
                if !test.holds(x, v) { return false }
                seen = true
            }
            return seen
        case .exists(let o):
            return forEachValue(operands[Int(o)], p) { _ in true }
        case .nonZero(let o):
            return forEachValue(operands[Int(o)], p) { Program.isNonZero($0) }
        case .relation(let r):
            return evaluate(relation: Int(r), p)
        }
    }

    func evaluate(relation index: Int, _ p: PacketView) -> Bool {
        let r = relations[index]
        let left = operands[r.left]
        let test = r.test
        switch r.right {
        case .regex(let k):
            let regex = regexes[k]
            return forEachValue(left, p) { a in
                switch a {
                case .bytes(let buffer), .text(let buffer): return regex.matches(buffer)
                default: return false
                }
            }
        case .set(let first, let end):
            let found = forEachValue(left, p) { a in
                for k in first..<end {
                    let item = setItems[k]
                    let low = Program.scalar(item.low, p)
                    if let high = item.high {
                        if let o1 = Program.order(a, low), o1 >= 0, let o2 = Program.order(a, Program.scalar(high, p)), o2 <= 0 { return true }
                    } else if Program.order(a, low) == 0 {
                        return true
                    }
                }
                return false
            }
            return found != r.negated
        case .constant(let c):
            let b = Program.scalar(c, p)
            switch r.quantifier {
            case .any:
                return forEachValue(left, p) { a in Program.holds(test, a, b) }
            case .all:
                var seen = false
                let failed = forEachValue(left, p) { a in
                    seen = true
                    return !Program.holds(test, a, b)
                }
                return seen && !failed
            }
        case .operand(let k):
            let right = operands[k]
            switch r.quantifier {
            case .any:
                return forEachValue(left, p) { a in
                    forEachValue(right, p) { b in Program.holds(test, a, b) }
                }
            case .all:
                var seen = false
                let failed = forEachValue(left, p) { a in
                    forEachValue(right, p) { b in
                        seen = true
                        return !Program.holds(test, a, b)
                    }
                }
                return seen && !failed
            }
        }
    }

    // MARK: Values

    /// Calls `body` with each value of `op` in the packet, in wire order, until it returns true.
    /// Returns whether it did.
    @inline(__always)
    func forEachValue(_ op: Operand, _ p: PacketView, _ body: (Scalar) -> Bool) -> Bool {
        // The common case (a whole typed value of every occurrence) touches nothing but the
        // nodes; everything else is out of line so this loop stays free of reference counting.
        guard case .field = op.source else { return forEachComputedValue(op, p, body) }
        if op.expert != nil || op.function != .none || !op.layers.isEmpty || op.kind == .bytes || op.kind == .string {
            return forEachValueInDetail(op, p, body)
        }
        for i in 0..<p.nodes.count where p.nodes[i].field == op.field {
            guard let s = Program.nodeScalar(p.nodes[i], op.kind) else { continue }
            if body(s) { return true }
        }
        return false
    }

    @inline(never)
    func forEachValueInDetail(_ op: Operand, _ p: PacketView, _ body: (Scalar) -> Bool) -> Bool {
        if let expert = op.expert { return forEachExpertValue(expert, op, p, body) }
        let count = p.nodes.count
        if op.function == .count {
            var n: UInt64 = 0
            for i in 0..<count where p.nodes[i].field == op.field {
                if op.layers.isEmpty || layerMatches(i, op.layers, p) { n += 1 }
            }
            // Like Wireshark, count() of a field that is not there has no value (not 0).
            return n > 0 && body(.unsigned(n))
        }
        for i in 0..<count where p.nodes[i].field == op.field {
            if !op.layers.isEmpty && !layerMatches(i, op.layers, p) { continue }
            let stop: Bool
            switch op.function {
            case .length:
                stop = body(.unsigned(UInt64(valueLength(i, op, p))))
            case .upper, .lower:
                let upper = op.function == .upper
                stop = withValueBytes(i, p) { buffer in
                    var folded = Array(buffer)
                    for k in folded.indices {
                        let c = folded[k]
                        if upper && c >= 97 && c <= 122 { folded[k] = c - 32 }
                        if !upper && c >= 65 && c <= 90 { folded[k] = c + 32 }
                    }
                    return folded.withUnsafeBufferPointer { body(.text($0)) }
                }
            case .none, .count:
                switch op.kind {
                case .bytes where op.searchesPayload:
                    stop = body(.bytes(payloadBytes(i, p)))
                case .string where op.slices.isEmpty:
                    stop = withValueBytes(i, p) { body(.text($0)) }
                case .bytes, .string:
                    stop = withValueBytes(i, p) { buffer in applySlices(buffer, op.slices.start, op.slices.end, body) }
                default:
                    guard let s = Program.nodeScalar(p.nodes[i], op.kind) else { continue }
                    stop = body(s)
                }
            }
            if stop { return true }
        }
        return false
    }

    /// Values of a constant or of arithmetic: every pair of the two sides' values combined.
    @inline(never)
    func forEachComputedValue(_ op: Operand, _ p: PacketView, _ body: (Scalar) -> Bool) -> Bool {
        switch op.source {
        case .field:
            return forEachValue(op, p, body)
        case .constant(let c):
            return body(Program.scalar(c, p))
        case .arithmetic(let operation, let l, let r):
            let right = operands[Int(r)]
            return forEachValue(operands[Int(l)], p) { a in
                forEachValue(right, p) { b in Program.combine(operation, a, b, body) }
            }
        }
    }

    /// `a op b` handed to `body`; no value (false) on overflow or division by zero.
    static func combine(_ op: ArithmeticOperator, _ a: Scalar, _ b: Scalar, _ body: (Scalar) -> Bool) -> Bool {
        switch (a, b) {
        case (.unsigned(let x), .unsigned(let y)):
            switch op {
            case .add:
                let (v, o) = x.addingReportingOverflow(y)
                return !o && body(.unsigned(v))
            case .subtract:
                if x >= y { return body(.unsigned(x - y)) }
                guard y - x <= UInt64(Int64.max) else { return false }
                return body(.signed(-Int64(y - x)))
            case .multiply:
                let (v, o) = x.multipliedReportingOverflow(by: y)
                return !o && body(.unsigned(v))
            case .divide: return y != 0 && body(.unsigned(x / y))
            case .remainder: return y != 0 && body(.unsigned(x % y))
            case .bitwiseAnd: return body(.unsigned(x & y))
            }
        case (.unsigned, .signed), (.signed, .unsigned), (.signed, .signed):
            guard let x = signedValue(a), let y = signedValue(b) else { return false }
            let result: (partialValue: Int64, overflow: Bool)
            switch op {
            case .add: result = x.addingReportingOverflow(y)
            case .subtract: result = x.subtractingReportingOverflow(y)
            case .multiply: result = x.multipliedReportingOverflow(by: y)
            case .divide: result = y == 0 ? (0, true) : x.dividedReportingOverflow(by: y)
            case .remainder: result = y == 0 ? (0, true) : x.remainderReportingOverflow(dividingBy: y)
            case .bitwiseAnd: result = (x & y, false)
            }
            return !result.overflow && body(.signed(result.partialValue))
        case (.ipv4(let x, _), .ipv4(let y, _)) where op == .bitwiseAnd:
            return body(.ipv4(x & y, mask: ~0))
        case (.ipv6(let xh, let xl, _), .ipv6(let yh, let yl, _)) where op == .bitwiseAnd:
            return body(.ipv6(xh & yh, xl & yl, prefix: 128))
        case (.ether(let x), .ether(let y)) where op == .bitwiseAnd:
            return body(.ether(x & y))
        case (.bytes(let x), .bytes(let y)) where op == .bitwiseAnd:
            let n = min(x.count, y.count)
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(n, 1)) { buffer in
                for k in 0..<n { buffer[k] = x[k] & y[k] }
                return body(.bytes(UnsafeBufferPointer(rebasing: buffer[0..<n])))
            }
        default:
            return false
        }
    }

    static func signedValue(_ s: Scalar) -> Int64? {
        switch s {
        case .signed(let v): return v
        case .unsigned(let v): return v <= UInt64(Int64.max) ? Int64(v) : nil
        default: return nil
        }
    }

    static func isNonZero(_ s: Scalar) -> Bool {
        switch s {
        case .unsigned(let v): return v != 0
        case .signed(let v): return v != 0
        case .boolean(let b): return b
        case .ipv4(let a, _): return a != 0
        case .ipv6(let h, let l, _): return h | l != 0
        case .ether(let m): return m != 0
        case .time(let t): return t != 0
        case .bytes(let b), .text(let b): return b.contains { $0 != 0 }
        }
    }

    /// The values of an expert pseudo-field, derived from the diagnostics and the shortfall as
    /// `PacketTree.expertFieldTexts` derives their text.
    func forEachExpertValue(_ expert: ExpertField, _ op: Operand, _ p: PacketView,
                            _ body: (Scalar) -> Bool) -> Bool {
        var values: UInt64 = 0
        func emit(_ s: Scalar) -> Bool {
            values += 1
            return op.function == .count ? false : body(op.function == .length ? .unsigned(0) : s)
        }
        var stop = false
        let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        switch expert {
        case .short:
            if p.truncated { stop = emit(.bytes(empty)) }
        case .malformed:
            for d in p.diagnostics where d.group == .malformed && d.message.hasPrefix("Malformed Packet") {
                stop = emit(.bytes(empty))
                break
            }
        case .any, .message, .severity, .group:
            for d in p.diagnostics {
                let s: Scalar
                switch expert {
                case .severity: s = .unsigned(UInt64(d.severity.rawValue) << 21)
                case .group: s = .unsigned(Program.expertGroupValue(d.group))
                default: s = .bytes(empty)
                }
                if expert == .message {
                    var text = d.message
                    stop = text.withUTF8 { emit(.text($0)) }
                } else {
                    stop = emit(s)
                }
                if stop { break }
            }
        }
        if op.function == .count { return values > 0 && body(.unsigned(values)) }
        return stop
    }

    /// Wireshark's PI_* group numbers.
    static func expertGroupValue(_ group: ExpertGroup) -> UInt64 {
        switch group {
        case .checksum: return 0x0100_0000
        case .sequence: return 0x0200_0000
        case .undecoded: return 0x0500_0000
        case .malformed: return 0x0700_0000
        case .protocolViolation: return 0x0900_0000
        case .comment: return 0x0B00_0000
        }
    }

    /// A protocol's packet: from its header to the end of the last layer that follows it
    /// (what it encapsulates), within the captured bytes.
    func payloadBytes(_ i: Int, _ p: PacketView) -> UnsafeBufferPointer<UInt8> {
        var end = Int(p.nodes[i].offset) + Int(p.nodes[i].length)
        for k in i + 1..<p.nodes.count where p.nodes[k].flags.contains(.layer) {
            end = max(end, Int(p.nodes[k].offset) + Int(p.nodes[k].length))
        }
        let count = p.bytes.count
        let lower = max(0, min(Int(p.nodes[i].offset), count))
        return UnsafeBufferPointer(rebasing: p.bytes[lower..<max(lower, min(end, count))])
    }

    /// Applies slice lists `sliceLists[k..<end]` to `buffer` and hands the result to `body`. A range
    /// outside the value is left out; a value with nothing left has no slice (Wireshark 4.0).
    func applySlices(_ buffer: UnsafeBufferPointer<UInt8>, _ k: Int32, _ end: Int32,
                     _ body: (Scalar) -> Bool) -> Bool {
        if k >= end { return body(.bytes(buffer)) }
        let specs = sliceLists[Int(k)]
        if specs.end - specs.start == 1 {
            guard let r = Program.resolve(sliceSpecs[Int(specs.start)], buffer.count) else { return false }
            return applySlices(UnsafeBufferPointer(rebasing: buffer[r]), k + 1, end, body)
        }
        // Several ranges: their concatenation (the one place evaluation allocates).
        var joined: [UInt8] = []
        for spec in sliceSpecs[specs.range] {
            if let r = Program.resolve(spec, buffer.count) { joined.append(contentsOf: buffer[r]) }
        }
        guard !joined.isEmpty else { return false }
        return joined.withUnsafeBufferPointer { applySlices($0, k + 1, end, body) }
    }

    @inline(__always)
    static func resolve(_ spec: RangeSpec, _ count: Int) -> Range<Int>? {
        let start = spec.start < 0 ? count + spec.start : spec.start
        guard start >= 0, start < count else { return nil }
        let end = spec.length.map { start + $0 } ?? count
        guard end <= count, end > start else { return nil }
        return start..<end
    }

    /// Whether node `i` lies in one of the layer ranges: the occurrence number of the protocol
    /// layer enclosing it (`ip.src#2` is the source of the second `ip` layer; a field added by
    /// another dissector, like the hidden `ip.version` of an IPv6 header, counts in that layer).
    func layerMatches(_ i: Int, _ specs: Span, _ p: PacketView) -> Bool {
        var j = i
        while j >= 0 {
            let n = p.nodes[j]
            if n.flags.contains(.layer) && Int(n.subtreeEnd) > i { break }
            j -= 1
        }
        var number = 1, total = 1
        if j >= 0 {
            let layer = p.nodes[j].field
            number = 0
            total = 0
            for k in 0..<p.nodes.count where p.nodes[k].field == layer && p.nodes[k].flags.contains(.layer) {
                total += 1
                if k <= j { number += 1 }
            }
        }
        for spec in layerSpecs[specs.range] {
            let start = spec.start < 0 ? total + 1 + spec.start : spec.start
            if let length = spec.length {
                if number >= start && number < start + length { return true }
            } else if number >= start {
                return true
            }
        }
        return false
    }

    /// The bytes of node `i`'s value: an address's own bytes (a generated Teredo client address
    /// is not the bytes it was computed from), a string's UTF-8, else the node's captured bytes.
    func withValueBytes(_ i: Int, _ p: PacketView, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        let node = p.nodes[i]
        switch node.value {
        case .ipv4(let a):
            var storage = a.rawValue.bigEndian
            return withUnsafeBytes(of: &storage) { body($0.bindMemory(to: UInt8.self)) }
        case .ipv6(let a):
            var storage = (a.high.bigEndian, a.low.bigEndian)
            return withUnsafeBytes(of: &storage) { body($0.bindMemory(to: UInt8.self)) }
        case .ether(let m):
            var storage = m.rawValue.bigEndian
            return withUnsafeBytes(of: &storage) { raw in
                body(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[2..<8]))
            }
        case .string(let k):
            guard Int(k) < p.strings.count else { return false }
            var text = p.strings[Int(k)]
            return text.withUTF8 { body($0) }
        default:
            if var text = p.computedText(node) { return text.withUTF8 { body($0) } }
            return body(nodeBytes(node, p))
        }
    }

    @inline(__always)
    func nodeBytes(_ node: FieldNode, _ p: PacketView) -> UnsafeBufferPointer<UInt8> {
        let count = p.bytes.count
        let lower = max(0, min(Int(node.offset), count))
        let upper = max(lower, min(Int(node.offset) + Int(node.length), count))
        return UnsafeBufferPointer(rebasing: p.bytes[lower..<upper])
    }

    /// `len()`: bytes of the value (an integer's type width, as Wireshark's wire size).
    func valueLength(_ i: Int, _ op: Operand, _ p: PacketView) -> Int {
        let node = p.nodes[i]
        switch node.value {
        case .ipv4: return 4
        case .ipv6: return 16
        case .ether: return 6
        case .string(let k):
            return Int(k) < p.strings.count ? p.strings[Int(k)].utf8.count : 0
        case _ where p.computedText(node) != nil:
            return p.computedText(node)!.utf8.count
        case .unsigned, .signed:
            let width = op.field.info.type.bitWidth / 8
            return width > 0 ? width : nodeBytes(node, p).count
        default:
            return nodeBytes(node, p).count
        }
    }

    @inline(__always)
    static func nodeScalar(_ node: FieldNode, _ kind: ValueKind) -> Scalar? {
        switch (kind, node.value) {
        case (.unsigned, .unsigned(let v)), (.signed, .unsigned(let v)): return .unsigned(v)
        case (.unsigned, .signed(let v)), (.signed, .signed(let v)): return .signed(v)
        case (.unsigned, .boolean(let b)), (.signed, .boolean(let b)): return .unsigned(b ? 1 : 0)
        case (.boolean, .boolean(let b)): return .boolean(b)
        case (.boolean, .unsigned(let v)): return .boolean(v != 0)
        case (.ipv4, .ipv4(let a)): return .ipv4(a.rawValue, mask: ~0)
        case (.ipv6, .ipv6(let a)): return .ipv6(a.high, a.low, prefix: 128)
        case (.ether, .ether(let m)): return .ether(m.rawValue)
        case (.time, .time(let s, let ns)): return .time(s &* 1_000_000_000 &+ Int64(ns))
        default: return nil
        }
    }

    @inline(__always)
    static func scalar(_ c: Constant, _ p: PacketView) -> Scalar {
        switch c {
        case .unsigned(let v): return .unsigned(v)
        case .signed(let v): return .signed(v)
        case .boolean(let b): return .boolean(b)
        case .ipv4(let a, let mask): return .ipv4(a, mask: mask)
        case .ipv6(let h, let l, let prefix): return .ipv6(h, l, prefix: prefix)
        case .ether(let m): return .ether(m)
        case .time(let t): return .time(t)
        case .bytes(let offset, let count):
            return .bytes(UnsafeBufferPointer(rebasing: p.pool[offset..<offset + count]))
        }
    }

    // MARK: Comparing

    @inline(__always)
    static func compare<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }

    /// -1, 0 or 1; nil when the two cannot be compared. Addresses compare under the shorter of
    /// their prefixes, so `ip.src == 10.0.0.0/8` is a CIDR test.
    static func order(_ a: Scalar, _ b: Scalar) -> Int? {
        switch (a, b) {
        case (.unsigned(let x), .unsigned(let y)): return compare(x, y)
        case (.signed(let x), .signed(let y)): return compare(x, y)
        case (.unsigned(let x), .signed(let y)): return y < 0 ? 1 : compare(x, UInt64(y))
        case (.signed(let x), .unsigned(let y)): return x < 0 ? -1 : compare(UInt64(x), y)
        case (.boolean(let x), .boolean(let y)): return compare(x ? 1 : 0, y ? 1 : 0)
        case (.ipv4(let x, let mx), .ipv4(let y, let my)):
            let m = mx & my
            return compare(x & m, y & m)
        case (.ipv6(let xh, let xl, let xp), .ipv6(let yh, let yl, let yp)):
            let bits = min(xp, yp)
            let mh: UInt64 = bits >= 64 ? ~0 : (bits == 0 ? 0 : ~UInt64(0) << UInt64(64 - bits))
            let ml: UInt64 = bits >= 128 ? ~0 : (bits <= 64 ? 0 : ~UInt64(0) << UInt64(128 - bits))
            let c = compare(xh & mh, yh & mh)
            return c != 0 ? c : compare(xl & ml, yl & ml)
        case (.ether(let x), .ether(let y)): return compare(x, y)
        case (.time(let x), .time(let y)): return compare(x, y)
        case (.bytes(let x), .bytes(let y)):
            // Byte strings order by length first (Wireshark's FT_BYTES): 00:0d:6a > 52:00.
            if x.count != y.count { return compare(x.count, y.count) }
            for k in 0..<x.count where x[k] != y[k] { return x[k] < y[k] ? -1 : 1 }
            return 0
        case (.text(let x), .text(let y)), (.text(let x), .bytes(let y)), (.bytes(let x), .text(let y)):
            // Text orders as strcmp does.
            let n = min(x.count, y.count)
            for k in 0..<n where x[k] != y[k] { return x[k] < y[k] ? -1 : 1 }
            return compare(x.count, y.count)
        default:
            return nil
        }
    }

    static func holds(_ test: ComparisonOperator, _ a: Scalar, _ b: Scalar) -> Bool {
        switch test {
        case .equal, .allEqual: return order(a, b) == 0
        case .notEqual, .anyNotEqual:
            guard let o = order(a, b) else { return false }
            return o != 0
        case .less:
            guard let o = order(a, b) else { return false }
            return o < 0
        case .lessOrEqual:
            guard let o = order(a, b) else { return false }
            return o <= 0
        case .greater:
            guard let o = order(a, b) else { return false }
            return o > 0
        case .greaterOrEqual:
            guard let o = order(a, b) else { return false }
            return o >= 0
        case .contains:
            switch (a, b) {
            case (.bytes(let hay), .bytes(let needle)), (.text(let hay), .text(let needle)),
                 (.bytes(let hay), .text(let needle)), (.text(let hay), .bytes(let needle)):
                return Program.contains(hay, needle)
            default:
                return false
            }
        case .matches:
            return false
        }
    }

    static func contains(_ hay: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        let m = needle.count
        if m == 0 { return true }
        guard hay.count >= m else { return false }
        let first = needle[0]
        var i = 0
        let last = hay.count - m
        outer: while i <= last {
            if hay[i] == first {
                for k in 1..<m where hay[i + k] != needle[k] { i += 1; continue outer }
                return true
            }
            i += 1
        }
        return false
    }
}
