#!/usr/bin/env bash
# Generates the `-T fields` expectations from tshark 4.0 (run once; the outputs are committed,
# CI needs no tshark). Same preferences as shared/captures/gen/tshark_expected.py.
set -euo pipefail
cd "$(dirname "$0")"
captures=${1:-../../../../shared/captures}
export LC_ALL=C WIRESHARK_CONFIG_DIR=$(mktemp -d)
prefs=(-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE
       -o ip.defragment:FALSE -o ipv6.defragment:FALSE -o tcp.desegment_tcp_streams:FALSE
       -o tcp.analyze_sequence_numbers:FALSE)
fields=(frame.number frame.len frame.cap_len eth.src eth.dst eth.type vlan.id arp.opcode ip.version ip.hdr_len
        ip.len ip.id ip.flags.df ip.ttl ip.proto ip.checksum ip.checksum.status ip.src ip.dst ipv6.plen ipv6.nxt
        ipv6.hlim ipv6.flow ipv6.src ipv6.dst icmpv6.type icmpv6.code icmpv6.checksum.status udp.srcport
        udp.dstport tcp.srcport tcp.dstport teredo.auth.idlen teredo.auth.aulen teredo.orig.port teredo.orig.addr
        ipv6.src_tc_ipv4 ipv6.tclass icmpv6.echo.identifier tcp.flags)
args=()
for f in "${fields[@]}"; do args+=(-e "$f"); done
mkdir -p tshark-fields
for capture in article-echo-request.pcap article-tunnel.pcap teredo.pcap 6to4.pcap isatap.pcap vlan.pcap sll.pcap sll2.pcap raw-sit.pcap; do
  tshark -n -r "$captures/$capture" "${prefs[@]}" -T fields -E header=y "${args[@]}" > "tshark-fields/$capture.tsv"
done
# Option variants on the tunnel capture.
variant() { local name=$1; shift; tshark -n -r "$captures/article-tunnel.pcap" "${prefs[@]}" -T fields "$@" > "tshark-fields/variant-$name.tsv"; }
variant occurrence-first -E occurrence=f -e ip.version -e ipv6.src -e ipv6.hlim
variant occurrence-last -E occurrence=l -e ip.version -e ipv6.src -e ipv6.hlim
variant aggregator-space -E aggregator=/s -E separator=, -e ip.version -e ipv6.addr -e udp.port
variant quote-double -E quote=d -E header=y -e ip.src -e ipv6.dst -e icmpv6.type
variant quote-single -E quote=s -E separator=/s -e eth.src -e ipv6.flow
for f in "${fields[@]}"; do echo "$f"; done > tshark-fields/FIELDS
