extension KnownDifferences {
    /// libpcap (which reads classic pcap files for us) cuts a record whose captured length
    /// exceeds the file's snapshot length down to that length; tshark's own reader keeps every
    /// byte. So we decode 64 of 138 bytes where tshark decodes all of them (and, for record 1,
    /// cannot see that the captured length exceeds the frame length).
    static let snapshotClamped: [Entry] = [
        "frame.cap_len", "layers", "_ws.short", "_ws.malformed", "_ws.expert.message", "_ws.expert.severity",
        "ipv6.dst", "icmpv6.type", "icmpv6.code", "icmpv6.checksum", "icmpv6.checksum.status",
        "icmpv6.echo.identifier", "icmpv6.echo.sequence_number",
    ].map { ("malformed/caplen-exceeds-len.pcap", nil, $0, "libpcap clamps caplen to the file's snaplen (64)") }

    static let link: [Entry] = snapshotClamped + [
        ("tcpdump/ipv6_missing_jumbo_payload_option.pcap", 1, "frame.cap_len",
         "libpcap clamps caplen (198) to the file's snaplen (119)"),
        // RIP is an application protocol: like DNS or SSH its bytes are `data` to us, so its
        // own complaints about this packet (a bad address family, then a cut) are not ours.
        ("tcpdump/ripv2-invalid-length.pcap", 1, "_ws.malformed", "RIP is not decoded (shown as data)"),
        ("tcpdump/ripv2-invalid-length.pcap", 1, "_ws.expert.message", "RIP is not decoded (shown as data)"),
        ("tcpdump/ripv2-invalid-length.pcap", 1, "_ws.expert.severity", "RIP is not decoded (shown as data)"),
    ]
}
