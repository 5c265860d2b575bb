import Foundation
import Capture
import PacketStore

/// A live capture feeding a PacketStore: every packet goes to the spool file as it arrives
/// (LiveCapture writes and flushes it), and the store takes the packets of each batch once
/// their bytes are in the file. The list reads back from the file, so memory stays bounded.
public final class LiveSession: @unchecked Sendable {
    public let capture: LiveCapture
    public let spoolPath: String
    /// True when the spool is a temporary file (no -w): quitting asks whether to keep it.
    public let temporary: Bool
    public let store: PacketStore
    /// Entries of the batch under way; only the capture thread touches it.
    private var pending: [PacketStore.Entry] = []

    /// Opens the store on the spool and starts capturing into it. Call after dropping privileges.
    public init(capture: LiveCapture, spoolPath: String?) throws(CaptureError) {
        self.capture = capture
        temporary = spoolPath == nil
        if let spoolPath { self.spoolPath = spoolPath } else { self.spoolPath = try LiveCapture.temporarySpoolPath() }
        // The store maps the file before the first packet: create it (LiveCapture rewrites it).
        if !FileManager.default.fileExists(atPath: self.spoolPath) {
            _ = FileManager.default.createFile(atPath: self.spoolPath, contents: nil)
        }
        store = try PacketStore(spool: self.spoolPath, linkType: capture.linkType, interface: capture.interface)
        let store = self.store
        try capture.start(spoolPath: self.spoolPath, onPacket: { [self] record in
            pending.append(PacketStore.entry(record))
            return true
        }, onBatch: { [self] in
            // The spool is flushed before onBatch: the bytes are in the file now.
            store.append(pending)
            pending.removeAll(keepingCapacity: true)
        }, onEnd: { ending in
            if case .failed(let error) = ending { store.finish(error: error) } else { store.finish() }
        })
    }
}
