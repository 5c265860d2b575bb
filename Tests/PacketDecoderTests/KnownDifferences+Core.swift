extension KnownDifferences {
    /// Application protocols (syslog, telnet, DNS, WireGuard...) are `data` to tunnelscope, so
    /// their own expert items are not ours.
    static let core: [Entry] = [
        ("malformed/terminal-escapes.pcap", 1, "_ws.expert.message", "syslog is not decoded: its \"Trailing stray characters\""),
        ("malformed/terminal-escapes.pcap", 1, "_ws.expert.severity", "syslog is not decoded"),
        ("malformed/terminal-escapes.pcap", 2, "_ws.expert.message", "telnet is not decoded: its \"Trailing stray characters\""),
        ("malformed/terminal-escapes.pcap", 2, "_ws.expert.severity", "telnet is not decoded"),
        ("malformed/truncated-layers.pcap", 12, "_ws.short", "WireGuard is not decoded: the cut falls in its bytes, which are data to us"),
        ("sll.pcap", 52, "_ws.expert.message", "DNS is not decoded, and retransmission needs state across packets"),
        ("sll.pcap", 52, "_ws.expert.severity", "DNS is not decoded"),
        // tshark appends its exception's internal text ("length of contained item exceeds length
        // of containing item"); we name the layer only: "[Malformed Packet: IPv6 Routing]".
        ("malformed/ipv6-exthdr-chains.pcap", 4, "_ws.malformed", "Wireshark's exception text is not copied"),
    ]
}
