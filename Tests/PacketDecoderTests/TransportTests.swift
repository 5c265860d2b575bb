import Testing
import PacketDecoder
import TestSupport

/// UDP and TCP: header fields with their bytes, TCP options of a real SYN, checksums (good,
/// bad, absent, illegal), lengths that lie, cuts in the header or before the payload, Info.
@Suite("UDP and TCP")
struct TransportTests {
    typealias P = LinkProbe

    static func tcpInfo(_ tree: PacketTree) -> String { TCPLayer.info(tree, layer: P.indices(tree, "tcp")[0]) }
    static func udpInfo(_ tree: PacketTree) -> String { UDPLayer.info(tree, layer: P.indices(tree, "udp")[0]) }

    @Test("the SSH handshake's SYN: header fields, flags and options with their bytes")
    func synWithOptions() throws {
        let tree = Fixtures.frame("article-tunnel.pcap", 3)
        #expect(tree.protocolsText == "eth:ethertype:ip:tcp")
        #expect(P.node(tree, "tcp.srcport")?.range == 34..<36 && P.text(tree, "tcp.srcport") == "48822")
        #expect(P.node(tree, "tcp.dstport")?.range == 36..<38 && P.text(tree, "tcp.dstport") == "22")
        #expect(P.node(tree, "tcp.seq_raw")?.range == 38..<42 && P.text(tree, "tcp.seq_raw") == "1780431625")
        #expect(P.node(tree, "tcp.ack_raw")?.range == 42..<46 && P.text(tree, "tcp.ack_raw") == "0")
        #expect(P.text(tree, "tcp.len") == "0")
        #expect(P.text(tree, "tcp.nxtseq") == "1780431626")
        let headerLength = try #require(P.node(tree, "tcp.hdr_len"))
        #expect(headerLength.range == 46..<47 && headerLength.mask == 0xF0 && headerLength.value == .unsigned(40))
        let flags = try #require(P.node(tree, "tcp.flags"))
        #expect(flags.range == 46..<48 && flags.mask == 0x0FFF && P.text(tree, "tcp.flags") == "0x0002")
        #expect(P.node(tree, "tcp.flags.syn")?.value == .boolean(true))
        #expect(P.node(tree, "tcp.flags.ack")?.value == .boolean(false))
        #expect(P.text(tree, "tcp.flags.str") == "··········S·")
        #expect(P.node(tree, "tcp.window_size_value")?.range == 48..<50 && P.text(tree, "tcp.window_size_value") == "64240")
        #expect(P.node(tree, "tcp.checksum")?.range == 50..<52)
        #expect(P.node(tree, "tcp.checksum.status")?.value == .unsigned(ChecksumStatus.good))
        #expect(P.node(tree, "tcp.urgent_pointer")?.range == 52..<54)
        #expect(P.node(tree, "tcp.options")?.range == 54..<74)
        #expect(P.node(tree, "tcp.options.mss")?.range == 54..<58)
        #expect(P.node(tree, "tcp.options.mss_val")?.range == 56..<58 && P.text(tree, "tcp.options.mss_val") == "1460")
        #expect(P.node(tree, "tcp.options.sack_perm")?.range == 58..<60)
        #expect(P.node(tree, "tcp.options.timestamp.tsval")?.range == 62..<66)
        #expect(P.text(tree, "tcp.options.timestamp.tsval") == "3105411927")
        #expect(P.node(tree, "tcp.options.timestamp.tsecr")?.range == 66..<70)
        #expect(P.node(tree, "tcp.options.nop")?.range == 70..<71)
        #expect(P.node(tree, "tcp.options.wscale.shift")?.range == 73..<74 && P.text(tree, "tcp.options.wscale.shift") == "7")
        #expect(P.text(tree, "tcp.options.wscale.multiplier") == "128")
        #expect(P.texts(tree, "tcp.option_kind") == ["2", "4", "8", "1", "3"])
        #expect(P.node(tree, "tcp")?.range == 34..<74)
        #expect(P.node(tree, "tcp.payload") == nil)
        #expect(tree.label(P.indices(tree, "tcp")[0])
                == "Transmission Control Protocol, Src Port: 48822, Dst Port: 22, Seq: 1780431625, Len: 0")
        #expect(Self.tcpInfo(tree)
                == "48822 → 22 [SYN] Seq=1780431625 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=3105411927 TSecr=0 WS=128")
    }

    @Test("SYN-ACK and a data segment: Ack in Info, payload bytes")
    func synAckAndData() throws {
        let synAck = Fixtures.frame("article-tunnel.pcap", 4)
        #expect(Self.tcpInfo(synAck).hasPrefix("22 → 48822 [SYN, ACK] Seq=3536380951 Ack=1780431626 Win="))
        let data = Fixtures.frame("article-tunnel.pcap", 6)
        #expect(P.text(data, "tcp.len") == "21")
        #expect(P.text(data, "tcp.nxtseq") == "3536380973")
        let payload = try #require(P.node(data, "tcp.payload"))
        #expect(payload.range.count == 21 && payload.range.upperBound == data.bytes.count)
        #expect(data.protocolsText == "eth:ethertype:ip:tcp:data")
        #expect(Self.tcpInfo(data).contains("[PSH, ACK]") && Self.tcpInfo(data).contains(" Len=21 TSval="))
    }

    @Test("a DNS query over UDP: header fields with their bytes, payload, Info")
    func udpHeader() throws {
        let tree = Fixtures.frame("article-tunnel.pcap", 26)
        #expect(P.node(tree, "udp.srcport")?.range == 34..<36 && P.text(tree, "udp.srcport") == "46015")
        #expect(P.node(tree, "udp.dstport")?.range == 36..<38 && P.text(tree, "udp.dstport") == "53")
        #expect(P.texts(tree, "udp.port") == ["46015", "53"])
        #expect(P.node(tree, "udp.length")?.range == 38..<40 && P.text(tree, "udp.length") == "98")
        #expect(P.node(tree, "udp.checksum")?.range == 40..<42)
        #expect(P.node(tree, "udp.checksum.status")?.value == .unsigned(ChecksumStatus.good))
        #expect(P.node(tree, "udp.payload")?.range == 42..<132)
        #expect(P.node(tree, "udp")?.range == 34..<42)
        #expect(Self.udpInfo(tree) == "46015 → 53 Len=90")
        #expect(tree.label(P.indices(tree, "udp")[0]) == "User Datagram Protocol, Src Port: 46015, Dst Port: 53")
    }

    @Test("a traceroute probe's port is noted as tshark does (chat)")
    func tracerouteNote() throws {
        let tree = Fixtures.frame("article-tunnel.pcap", 31)
        let note = try #require(P.diagnostics(tree, on: "udp.dstport").first)
        #expect(note.message == "Possible traceroute: hop #1, attempt #3" && note.severity == .chat)
    }

    @Test("checksums: bad UDP and TCP, zero over IPv6 illegal, zero over IPv4 absent")
    func checksums() {
        let udp = Fixtures.frame("malformed/bad-checksums.pcap", 3)
        #expect(P.node(udp, "udp.checksum.status")?.value == .unsigned(ChecksumStatus.bad))
        #expect(P.diagnostics(udp, on: "udp.checksum").map(\.message) == ["Bad checksum [should be 0xdab7]"])
        #expect(P.text(udp, "udp.checksum_calculated") == "0xdab7")

        let tcp = Fixtures.frame("malformed/bad-checksums.pcap", 4)
        #expect(P.node(tcp, "tcp.checksum.status")?.value == .unsigned(ChecksumStatus.bad))
        #expect(P.diagnostics(tcp, on: "tcp.checksum").map(\.message) == ["Bad checksum [should be 0x3da3]"])
        #expect(P.diagnostics(tcp, on: "tcp.checksum").first?.severity == .error)

        let illegal = Fixtures.frame("malformed/bad-checksums.pcap", 5)
        #expect(P.node(illegal, "udp.checksum.status")?.value == .unsigned(ChecksumStatus.illegal))
        #expect(P.diagnostics(illegal, on: "udp.checksum").map(\.message) == ["Illegal checksum value (0)"])

        let absent = Fixtures.frame("malformed/bad-checksums.pcap", 6)
        #expect(P.node(absent, "udp.checksum.status")?.value == .unsigned(ChecksumStatus.notPresent))
        #expect(absent.diagnostics.isEmpty)
    }

    @Test("UDP lengths that lie: below 8 stops, past the IP payload is malformed")
    func udpLengths() {
        let dns = Fixtures.frame("article-tunnel.pcap", 26)
        let short = P.mutated(dns) { $0[38] = 0; $0[39] = 4 }
        #expect(P.diagnostics(short, on: "udp.length").map(\.message) == ["Bad length value 4 < 8"])
        #expect(P.node(short, "udp.checksum") == nil)
        #expect(short.protocolsText == "eth:ethertype:ip:udp")

        let long = P.mutated(dns) { $0[38] = 0x07; $0[39] = 0xd0 }
        #expect(P.diagnostics(long, on: "udp.length").map(\.message) == ["Bad length value 2000 > IP payload length"])
        #expect(P.texts(long, "_ws.malformed") == ["_ws.malformed"])
        #expect(P.node(long, "udp.checksum.status")?.value == .unsigned(ChecksumStatus.unverified))
        #expect(P.node(long, "udp.payload")?.range == 42..<132)
    }

    @Test("UDP whose payload was not captured at all: 'UDP truncated', even on the Teredo port")
    func udpPayloadNotCaptured() {
        let tree = Fixtures.frame("malformed/truncated-layers.pcap", 43)
        #expect(P.text(tree, "udp.dstport") == "3544" && P.text(tree, "udp.length") == "77")
        #expect(P.node(tree, "udp.checksum.status")?.value == .unsigned(ChecksumStatus.unverified))
        #expect(tree.shortfall?.cut == .truncated && tree.shortfall?.layer == UDPLayer.udp)
        #expect(tree.protocolsText == "eth:ethertype:ip:udp")
    }

    @Test("TCP cut inside its options: the fixed header is shown, 'TCP truncated'")
    func tcpCutInOptions() {
        let tree = Fixtures.frame("malformed/truncated-layers.pcap", 27)
        #expect(P.text(tree, "tcp.flags") == "0x0002" && P.text(tree, "tcp.len") == "0")
        #expect(P.node(tree, "tcp.checksum.status")?.value == .unsigned(ChecksumStatus.unverified))
        #expect(P.node(tree, "tcp.options") == nil)
        #expect(tree.shortfall?.cut == .truncated && tree.shortfall?.layer == TCPLayer.tcp)
        // One byte of TCP: not even a port.
        let oneByte = Fixtures.frame("malformed/truncated-layers.pcap", 26)
        #expect(P.node(oneByte, "tcp.srcport") == nil && oneByte.shortfall?.layer == TCPLayer.tcp)
    }

    @Test("a TCP data offset below 5 words is bogus; dissection stops after the header length")
    func bogusDataOffset() {
        let syn = Fixtures.frame("article-tunnel.pcap", 3)
        let tree = P.mutated(syn) { $0[46] = 0x40 | ($0[46] & 0x0F) }
        #expect(P.text(tree, "tcp.hdr_len") == "16")
        #expect(P.diagnostics(tree, on: "tcp.hdr_len").map(\.message) == ["Bogus TCP header length (16, must be at least 20)"])
        #expect(P.node(tree, "tcp.flags") == nil)
    }

    @Test("flag names for Info, as tshark lists them")
    func flagNames() {
        #expect(TCPLayer.flagNames(0x0002) == "SYN")
        #expect(TCPLayer.flagNames(0x0012) == "SYN, ACK")
        #expect(TCPLayer.flagNames(0x0011) == "FIN, ACK")
        #expect(TCPLayer.flagNames(0x00C2) == "SYN, ECE, CWR")
        #expect(TCPLayer.flagNames(0) == "<None>")
    }
}
