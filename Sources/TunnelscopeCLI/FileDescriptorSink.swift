import Foundation
import PacketOutput

/// An OutputBuffer that writes to a file descriptor (stdout).
final class FileDescriptorSink {
    let buffer: OutputBuffer

    init(fd: Int32) {
        buffer = OutputBuffer { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    // A closed pipe (`| head`): stop quietly, as tshark and tcpdump do.
                    exit(errno == EPIPE ? 0 : 1)
                }
                offset += n
            }
        }
    }
}
