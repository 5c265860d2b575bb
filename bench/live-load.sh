#!/usr/bin/env bash
# The live TUI under load (issue "Live capture": 50,000 packets per second arriving, a key is
# still answered within 100 ms and drops are counted). Root only: it builds a namespace pair
# with a veth named virbr0, runs `tunnelscope -i virbr0` in tmux inside it, injects paced
# frames from the other end, and meanwhile presses `t` (the time column cycles) and measures how
# long the screen takes to show it. Prints the latencies and the capture's counts.
#   bench/live-load.sh [RATE] [SECONDS] [BINARY_DIR]
set -euo pipefail
rate=${1:-50000}; seconds=${2:-10}; bin=${3:-.build/release}
ns=tsload-$$; peer=tsload-$$-b; out=$(mktemp -d)/live.pcap; sock=tsload-$$
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; ip netns del "$ns" 2>/dev/null || true; ip netns del "$peer" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"; ip netns add "$peer"
ip link add virbr0 netns "$ns" type veth peer name peer0 netns "$peer"
for n in "$ns" "$peer"; do ip netns exec "$n" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6'; done
ip -n "$ns" link set virbr0 up; ip -n "$peer" link set peer0 up
tmux -L "$sock" -f /dev/null new-session -d -s load -x 120 -y 30 \
  "TERM=tmux-256color LANG=C.UTF-8 XDG_CONFIG_HOME=/nonexistent ip netns exec $ns $bin/tunnelscope -i virbr0 -B 131072 -w $out"
until tmux -L "$sock" capture-pane -p -t load | grep -q "virbr0 live"; do sleep 0.1; done
total=$((rate * seconds))
ip netns exec "$peer" "$bin/ts-inject" peer0 --generate "$total" --rate "$rate" > /dev/null &
injector=$!
sleep 1
python3 - "$sock" <<'PY'
import subprocess, sys, time, statistics
sock = sys.argv[1]
def header():
    return subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-t", "load"], capture_output=True, text=True).stdout.split("\n")[0]
samples = []
for _ in range(12):
    before = header()
    t0 = time.monotonic()
    subprocess.run(["tmux", "-L", sock, "send-keys", "-t", "load", "t"])
    while header() == before and time.monotonic() - t0 < 2:
        time.sleep(0.002)
    samples.append((time.monotonic() - t0) * 1000)
    time.sleep(0.4)
print(f"key latency under load (ms, includes tmux round trips): median {statistics.median(samples):.0f}, max {max(samples):.0f}, samples {[round(s) for s in samples]}")
PY
wait "$injector"
sleep 1.5
status=$(tmux -L "$sock" capture-pane -p -t load | grep "?:help" || true)
echo "sent $total frames at $rate/s; status line: $status"
