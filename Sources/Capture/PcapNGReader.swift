import Glibc
import PacketDecoder

/// A pcapng reader (the format of draft-ietf-opsawg-pcapng): sections, interfaces with their own
/// link types and timestamp resolutions, enhanced/simple/obsolete packet blocks and their options.
/// Blocks it does not need (statistics, name resolution, custom) are skipped by their length.
final class PcapNGReader {
    struct Interface {
        var linkType: LinkType
        var snapshotLength: Int
        var name: String?
        var description: String?
        /// Timestamp units per second.
        var unitsPerSecond: UInt64 = 1_000_000
        var offsetSeconds: Int64 = 0
    }

    let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var swapped = false
    private var interfaces: [Interface] = []
    private var section = 0
    private var buffer: [UInt8] = []
    private(set) var firstLinkType = LinkType.ethernet
    private(set) var firstSnapshotLength = 262_144
    private var recordNumber = 0
    /// File offset of the block in `buffer`.
    private var blockStart = 0
    private var pendingFirstRecord = true

    /// Takes ownership of `file`.
    init(file: UnsafeMutablePointer<FILE>, name: String) throws(CaptureError) {
        self.path = name
        self.file = file
        // Read up to the first interface so the link type is known before any record.
        while interfaces.isEmpty {
            guard let block = try readBlock() else {
                if section == 0 { throw CaptureError(.badFileHeader, source: path, "pcapng file has no section header") }
                break
            }
            if block.type == 6 || block.type == 3 || block.type == 2 {
                throw CaptureError(.badRecord, source: path, record: 1, "packet block before any interface description")
            }
        }
        if let first = interfaces.first {
            firstLinkType = first.linkType
            firstSnapshotLength = first.snapshotLength
        }
    }

    deinit { fclose(file) }

    private func u16(_ o: Int) -> UInt16 {
        let v = UInt16(buffer[o]) | UInt16(buffer[o + 1]) << 8
        return swapped ? v.byteSwapped : v
    }

    private func u32(_ o: Int) -> UInt32 {
        let v = UInt32(buffer[o]) | UInt32(buffer[o + 1]) << 8 | UInt32(buffer[o + 2]) << 16 | UInt32(buffer[o + 3]) << 24
        return swapped ? v.byteSwapped : v
    }

    struct Block { var type: UInt32; var bodyLength: Int }

    /// Reads the next block into `buffer` (its body) and handles section and interface blocks.
    /// Returns nil at a clean end of file.
    private func readBlock() throws(CaptureError) -> Block? {
        blockStart = Int(ftell(file))
        var head = [UInt8](repeating: 0, count: 8)
        let got = fread(&head, 1, 8, file)
        if got == 0 { return nil }
        if got < 8 {
            throw CaptureError(.badRecord, source: path, record: recordNumber + 1,
                               "file ends in the middle of a block header (\(got) of 8 bytes)")
        }
        var type = UInt32(head[0]) | UInt32(head[1]) << 8 | UInt32(head[2]) << 16 | UInt32(head[3]) << 24
        if type == 0x0A0D_0D0A {
            // Section header: its byte-order magic decides the byte order of everything after.
            var magic = [UInt8](repeating: 0, count: 4)
            guard fread(&magic, 1, 4, file) == 4 else {
                throw CaptureError(.badFileHeader, source: path, "section header cut short")
            }
            let m = UInt32(magic[0]) | UInt32(magic[1]) << 8 | UInt32(magic[2]) << 16 | UInt32(magic[3]) << 24
            if m == 0x1A2B_3C4D { swapped = false } else if m == 0x4D3C_2B1A { swapped = true } else {
                throw CaptureError(.badFileHeader, source: path, "bad pcapng byte-order magic 0x\(hexString(UInt64(m), width: 8))")
            }
            buffer = head + magic
            let total = Int(u32(4))
            guard total >= 28, total % 4 == 0, total <= 16 << 20 else {
                throw CaptureError(.badFileHeader, source: path, "bad section header length \(total)")
            }
            try readBody(count: total - 12, record: nil)
            section += 1
            interfaces.removeAll()
            return Block(type: type, bodyLength: total - 12)
        }
        if swapped { type = type.byteSwapped }
        buffer = head
        let total = Int(u32(4))
        guard total >= 12, total % 4 == 0 else {
            throw CaptureError(.badRecord, source: path, record: recordNumber + 1, "bad block length \(total)")
        }
        guard total <= 16 << 20 else {
            throw CaptureError(.badRecord, source: path, record: recordNumber + 1,
                               "block claims \(total) bytes, more than the 16 MiB limit")
        }
        try readBody(count: total - 8, record: recordNumber + 1)
        // buffer now holds: type(4) length(4) body... trailing length(4)
        if type == 1 { try parseInterface(bodyEnd: total - 4) }
        return Block(type: type, bodyLength: total - 12)
    }

    private func readBody(count: Int, record: Int?) throws(CaptureError) {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: count))
        let got = buffer.withUnsafeMutableBytes { raw in
            fread(raw.baseAddress! + start, 1, count, file)
        }
        if got < count {
            throw CaptureError(.badRecord, source: path, record: record,
                               "file ends in the middle of a block (\(got) of \(count) bytes)")
        }
    }

    private func parseInterface(bodyEnd: Int) throws(CaptureError) {
        guard bodyEnd >= 16 else { throw CaptureError(.badRecord, source: path, "interface description too short") }
        var interface = Interface(linkType: LinkType(UInt32(u16(8))), snapshotLength: Int(u32(12)))
        if interface.snapshotLength == 0 { interface.snapshotLength = 262_144 }
        forEachOption(from: 16, to: bodyEnd) { code, offset, length in
            switch code {
            case 2: interface.name = self.text(offset, length)
            case 3: interface.description = self.text(offset, length)
            case 9 where length >= 1:
                let r = self.buffer[offset]
                let exponent = UInt64(r & 0x7F)
                if r & 0x80 != 0 { interface.unitsPerSecond = exponent < 64 ? 1 << exponent : 1 }
                else { interface.unitsPerSecond = exponent <= 19 ? (0..<exponent).reduce(1) { a, _ in a * 10 } : 1 }
            case 14 where length >= 8:
                interface.offsetSeconds = Int64(bitPattern: UInt64(self.u32(offset)) | UInt64(self.u32(offset + 4)) << 32)
                if self.swapped {
                    interface.offsetSeconds = Int64(bitPattern: UInt64(self.u32(offset + 4)) | UInt64(self.u32(offset)) << 32)
                }
            default: break
            }
        }
        interfaces.append(interface)
    }

    private func text(_ offset: Int, _ length: Int) -> String {
        var bytes = Array(buffer[offset..<offset + length])
        while bytes.last == 0 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func forEachOption(from start: Int, to end: Int, _ body: (UInt16, Int, Int) -> Void) {
        var o = start
        while o + 4 <= end {
            let code = u16(o)
            let length = Int(u16(o + 2))
            if code == 0 { break }
            guard o + 4 + length <= end else { break }
            body(code, o + 4, length)
            o += 4 + (length + 3) / 4 * 4
        }
    }

    func forEach(_ body: (RawRecord) -> Bool) throws(CaptureError) {
        while let block = try readBlock() {
            let record: (interfaceID: Int, timestamp: UInt64?, captured: Int, original: Int, data: Int, options: Int)
            switch block.type {
            case 6:  // enhanced packet block
                guard block.bodyLength >= 20 else {
                    throw CaptureError(.badRecord, source: path, record: recordNumber + 1, "enhanced packet block too short")
                }
                let captured = Int(u32(20))
                record = (Int(u32(8)), UInt64(u32(12)) << 32 | UInt64(u32(16)), captured, Int(u32(24)), 28,
                          28 + (captured + 3) / 4 * 4)
            case 3:  // simple packet block: no timestamp, interface 0
                let original = Int(u32(8))
                let room = block.bodyLength - 4
                let snap = interfaces.first?.snapshotLength ?? room
                let captured = min(original, room, snap)
                record = (0, nil, captured, original, 12, 12 + (captured + 3) / 4 * 4)
            case 2:  // obsolete packet block
                guard block.bodyLength >= 20 else {
                    throw CaptureError(.badRecord, source: path, record: recordNumber + 1, "packet block too short")
                }
                let captured = Int(u32(20))
                record = (Int(u16(8)), UInt64(u32(12)) << 32 | UInt64(u32(16)), captured, Int(u32(24)), 28,
                          28 + (captured + 3) / 4 * 4)
            default:
                continue
            }
            recordNumber += 1
            guard record.interfaceID < interfaces.count else {
                throw CaptureError(.badRecord, source: path, record: recordNumber,
                                   "packet refers to interface \(record.interfaceID), but the section describes \(interfaces.count)")
            }
            guard record.data + record.captured <= block.bodyLength + 8 else {
                throw CaptureError(.badRecord, source: path, record: recordNumber,
                                   "captured length \(record.captured) exceeds its block")
            }
            let interface = interfaces[record.interfaceID]
            var seconds: Int64 = 0, nanos: UInt32 = 0
            if let ts = record.timestamp {
                let units = interface.unitsPerSecond
                seconds = Int64(ts / units) + interface.offsetSeconds
                let fraction = ts % units
                nanos = UInt32(units >= 1_000_000_000 ? fraction / (units / 1_000_000_000)
                                                      : fraction * (1_000_000_000 / units))
            }
            var direction: UInt32?
            var comment: String?
            if block.type == 6 {
                forEachOption(from: record.options, to: block.bodyLength + 8) { code, offset, length in
                    if code == 1 && comment == nil { comment = self.text(offset, length) }
                    if code == 2 && length >= 4 { direction = self.u32(offset) }
                }
            }
            let metadata = FrameMetadata(number: recordNumber, seconds: seconds, nanoseconds: nanos,
                                         originalLength: record.original, linkType: interface.linkType,
                                         interfaceID: record.interfaceID, interfaceName: interface.name,
                                         direction: direction, comment: comment, section: section)
            let keepGoing = buffer.withUnsafeBytes { raw in
                body(RawRecord(bytes: UnsafeRawBufferPointer(rebasing: raw[record.data..<record.data + record.captured]),
                               metadata: metadata, fileOffset: blockStart + record.data))
            }
            if !keepGoing { return }
        }
    }
}
