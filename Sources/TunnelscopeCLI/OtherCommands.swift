import ArgumentParser
import Foundation
import Capture
import PacketDecoder

/// `tunnelscope fields`: the registry, one field a line, like `tshark -G fields`.
public struct Fields: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "fields",
        abstract: "List every field tunnelscope decodes: abbreviation, type, base, mask and label."
    )
    public init() {}

    public func run() throws {
        let sink = FileDescriptorSink(fd: 1)
        Terminal.standardOutput = sink
        for info in FieldRegistry.all where info.field != EthernetLayer.ethertypeStep {
            var columns = [info.abbreviation, info.type.wiresharkName, info.base.wiresharkName]
            columns.append(info.mask == 0 ? "" : "0x" + hexString(info.mask, width: max(2, info.type.bitWidth / 4)))
            columns.append(info.name)
            sink.buffer.writeLine(columns.joined(separator: "\t"))
        }
        sink.buffer.flush()
    }
}

/// `tunnelscope [-r FILE]`: the default. Until the TUI lands it prints the capture's summary.
public struct Open: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Show a capture (default: the bundled capture of the article's 6in4 lab).",
        shouldDisplay: false
    )

    @Option(name: .short, help: ArgumentHelp("Open this pcap or pcapng file.", valueName: "file"))
    var r: String?

    @Flag(name: .short, help: "List the interfaces that can be captured on (as tunnelscope interfaces).")
    var D = false

    public init() {}

    public func run() throws {
        if D { return try InterfacesCommand.list() }
        let file: CaptureFile
        do {
            if let r {
                file = try CaptureFile(path: r)
            } else {
                guard let bytes = Data(base64Encoded: BundledCapture.base64, options: .ignoreUnknownCharacters) else {
                    throw CommandFailure("the bundled capture is damaged")
                }
                file = try CaptureFile(bytes: [UInt8](bytes), name: BundledCapture.name)
            }
        } catch let error as CaptureError {
            throw CommandFailure(error.description)
        }
        try PacketPrinting(file: file, mode: .summary, limit: nil, hex: false, offsets: false,
                           outputPath: nil, printWhileWriting: false).run()
    }
}
