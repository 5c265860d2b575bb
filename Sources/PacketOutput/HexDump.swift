import PacketDecoder

/// `-x`: 16 bytes a line, offset, hex, and an ASCII column where non-printables are ".".
public enum HexDump {
    /// `0000  52 54 00 2b 01 cc 52 54 00 f0 85 c7 08 00 45 00   RT.+..RT......E.` (tshark's layout).
    public static func lines(_ bytes: [UInt8]) -> [String] {
        var out: [String] = []
        var offset = 0
        while offset < bytes.count {
            let row = bytes[offset..<min(offset + 16, bytes.count)]
            var line = hexString(UInt64(offset), width: 4) + " "
            for b in row { line += " " + hexString(UInt64(b), width: 2) }
            line += String(repeating: " ", count: (16 - row.count) * 3 + 3)
            for b in row { line.append(TerminalText.asciiCell(b)) }
            out.append(line)
            offset += 16
        }
        return out
    }
}
