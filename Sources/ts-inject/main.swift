// ts-inject: sends frames out of an interface with pcap_inject, for the live-capture tests.
//
//   ts-inject INTERFACE [FILE] [--generate N] [--size BYTES]
//
// Injects every frame of FILE (pcap or pcapng), then N generated frames of BYTES bytes (default
// 60): Ethernet 02:00:00:99:00:01 → 02:00:00:99:00:02, EtherType 0x88b5 (IEEE local
// experimental: no stack handles it), a 4-byte big-endian sequence number from 0, then byte i
// of the frame is i & 0xff. Prints `sent N` (frames injected) on stdout.
import Glibc
import CPcap
import Capture
import PacketDecoder

func fail(_ message: String) -> Never {
    let line = Array("ts-inject: \(message)\n".utf8)
    _ = write(2, line, line.count)
    exit(1)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var generate = 0
var size = 60
/// Generated frames per second (0: as fast as the interface takes them).
var rate = 0
var positional: [String] = []
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--generate", "--size", "--rate":
        guard let value = arguments.first.flatMap({ Int($0) }), value >= 0 else { fail("\(argument) needs a number") }
        arguments.removeFirst()
        switch argument {
        case "--generate": generate = value
        case "--size": size = value
        default: rate = value
        }
    default:
        positional.append(argument)
    }
}
guard (1...2).contains(positional.count), size >= 18 else {
    fail("usage: ts-inject INTERFACE [FILE] [--generate N] [--size BYTES (at least 18)] [--rate FRAMES_PER_SECOND]")
}

var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
guard let handle = pcap_create(positional[0], &errbuf) else { fail(errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }) }
pcap_set_snaplen(handle, 64)
if pcap_activate(handle) < 0 { fail("\(positional[0]): \(String(cString: pcap_geterr(handle)))") }

var sent = 0
/// Injects one frame, waiting out a full transmit queue (ENOBUFS) rather than losing it.
@MainActor func inject(_ frame: UnsafeRawBufferPointer) {
    var attempts = 0
    while pcap_inject(handle, frame.baseAddress, frame.count) < 0 {
        let message = String(cString: pcap_geterr(handle))
        attempts += 1
        guard message.contains("No buffer space") || message.contains("Resource temporarily unavailable"), attempts < 10_000 else {
            fail("frame \(sent + 1): \(message)")
        }
        usleep(50)
    }
    sent += 1
}

if positional.count == 2 {
    do {
        let file = try CaptureFile(path: positional[1])
        try file.forEach { record in
            inject(record.bytes)
            return true
        }
    } catch {
        fail(error.description)
    }
}

var frame = [UInt8](repeating: 0, count: size)
for i in 0..<size { frame[i] = UInt8(truncatingIfNeeded: i) }
frame.replaceSubrange(0..<14, with: [0x02, 0, 0, 0x99, 0, 0x02, 0x02, 0, 0, 0x99, 0, 0x01, 0x88, 0xb5])
func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
let start = now()
for sequence in 0..<generate {
    if rate > 0 {
        // Paced: frame i leaves at start + i/rate (sleeping when ahead, catching up when behind).
        let due = start + Double(sequence) / Double(rate)
        let wait = due - now()
        if wait > 0.0002 { usleep(UInt32(wait * 1e6)) }
    }
    let s = UInt32(truncatingIfNeeded: sequence)
    frame[14] = UInt8(s >> 24); frame[15] = UInt8((s >> 16) & 0xff); frame[16] = UInt8((s >> 8) & 0xff); frame[17] = UInt8(s & 0xff)
    frame.withUnsafeBytes { inject($0) }
}
pcap_close(handle)
print("sent \(sent)")
