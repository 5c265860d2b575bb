#!/usr/bin/env python3
"""`make bench`: tunnelscope against tcpdump, tshark (and termshark in tmux) on the seeded workload.

Every case runs each tool on the same file in the same run, alternating tool by tool, RUNS times;
the table shows the median wall time (min-max), the ratio tunnelscope/peer, and peak RSS
(/usr/bin/time -f %M). Outputs land in bench/out/ (git-ignored); the table goes to
bench/results.md. Environment: PACKETS (default "100000 1000000"), RUNS (default 3),
TUI=0 to skip the tmux measurements, CLI=0 the batch ones, TERMSHARK=0 termshark, MICRO=0 the
decoder micro-benchmark.
"""
import os, platform, re, shutil, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
TS = os.path.join(ROOT, ".build", "release", "tunnelscope")
GEN = os.path.join(ROOT, ".build", "release", "tunnelscope-bench")
RUNS = int(os.environ.get("RUNS", "3"))
PACKETS = [int(p) for p in os.environ.get("PACKETS", "100000 1000000").split()]
ENV = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")


def run_timed(argv, stdout_path):
    """Wall seconds and peak RSS in KB of one run; output to stdout_path."""
    tfile = os.path.join(OUT, "time.txt")
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        status = subprocess.call(["/usr/bin/time", "-f", "%M", "-o", tfile] + argv, stdout=out,
                                 stderr=subprocess.DEVNULL, env=ENV)
        wall = time.perf_counter() - start
    if status != 0:
        print("  warning: %s exited %d" % (" ".join(argv), status), file=sys.stderr)
    rss = int(open(tfile).read().strip().splitlines()[-1])
    return wall, rss


def fmt(values, unit="s"):
    med = statistics.median(values)
    if unit == "s":
        return "%.3f (%.3f–%.3f)" % (med, min(values), max(values))
    return "%d" % med


def case(name, tools, results):
    """tools: list of (label, argv, output file). Alternates tools across RUNS runs."""
    times = {label: [] for label, _, _ in tools}
    rss = {label: [] for label, _, _ in tools}
    for _ in range(RUNS):
        for label, argv, path in tools:
            wall, kb = run_timed(argv, path)
            times[label].append(wall)
            rss[label].append(kb)
    base = statistics.median(times[tools[0][0]])
    for label, _, path in tools:
        med = statistics.median(times[label])
        lines = sum(1 for _ in open(path, "rb")) if not path.endswith(".pcap") else "-"
        ratio = "%.2f" % (base / med) if label != tools[0][0] else "—"
        results.append((name, label, fmt(times[label]), ratio, "%.1f" % (statistics.median(rss[label]) / 1024), lines))
        print("  %-28s %-12s %s  ratio %s  RSS %s MB  lines %s" % results[-1], flush=True)


def micro_cases():
    """The decoder alone on the article's frame (`tunnelscope-bench micro`), one core: the
    median of RUNS runs of each rate, against the issue's targets."""
    article = os.path.join(ROOT, "..", "shared", "captures", "article-echo-request.pcap")
    if not os.path.exists(article):
        return []
    rates = {}
    for _ in range(RUNS):
        text = subprocess.check_output([GEN, "micro", article], env=ENV).decode()
        for line in text.splitlines():
            m = re.match(r"(.+?): (\d+) ", line)
            if m:
                rates.setdefault(m.group(1), []).append(int(m.group(2)))
    targets = {"full tree": 2_000_000, "compiled filter ip.proto == 41 on a decoded tree": 10_000_000}
    rows = ["## Decoder micro-benchmark (one core, the article's frame)", "",
            "| measure | per second, median (min–max) | target |", "| --- | --- | --- |"]
    for name, values in rates.items():
        target = targets.get(name)
        rows.append("| %s | %s (%s–%s) | %s |" % (name, f"{int(statistics.median(values)):,}", f"{min(values):,}",
                                                f"{max(values):,}", f"{target:,}" if target else "—"))
        print("  %-50s %s" % (name, rows[-1]), flush=True)
    return rows + [""]


def cli_cases(pcap, n, results):
    o = lambda s: os.path.join(OUT, "%s-%d.txt" % (s, n))
    print("== %d packets: %s" % (n, pcap), flush=True)
    case("summary lines", [
        ("tunnelscope", [TS, "print", "-r", pcap], o("ts-summary")),
        ("tcpdump", ["tcpdump", "-nn", "-r", pcap], o("tcpdump-summary")),
        ("tshark", ["tshark", "-n", "-r", pcap], o("tshark-summary"))], results)
    case("ip.proto == 41", [
        ("tunnelscope", [TS, "print", "-r", pcap, "-Y", "ip.proto == 41"], o("ts-p41")),
        ("tcpdump BPF", ["tcpdump", "-nn", "-r", pcap, "ip proto 41"], o("tcpdump-p41")),
        ("tshark", ["tshark", "-n", "-r", pcap, "-Y", "ip.proto == 41"], o("tshark-p41"))], results)
    case("extract -w", [
        ("tunnelscope", [TS, "print", "-r", pcap, "-Y", "ip.proto == 41", "-w", o("ts-w") + ".pcap"], o("ts-w")),
        ("tcpdump", ["tcpdump", "-r", pcap, "-w", o("tcpdump-w") + ".pcap", "ip proto 41"], o("tcpdump-w"))], results)
    fields = ["-T", "fields", "-e", "ip.src", "-e", "ipv6.src", "-e", "icmpv6.type"]
    case("-T fields", [
        ("tunnelscope", [TS, "print", "-r", pcap] + fields, o("ts-fields")),
        ("tshark", ["tshark", "-n", "-r", pcap] + fields, o("tshark-fields"))], results)
    case("-V -c 1000", [
        ("tunnelscope", [TS, "print", "-r", pcap, "-V", "-c", "1000"], o("ts-tree")),
        ("tshark", ["tshark", "-n", "-r", pcap, "-V", "-c", "1000"], o("tshark-tree"))], results)


class Pane:
    def __init__(self, command):
        self.sock = "tsbench-%d" % os.getpid()
        self.tmux("kill-server", check=False)
        self.tmux("new-session", "-d", "-s", "b", "-x", "120", "-y", "40", command)

    def tmux(self, *args, check=True):
        r = subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null"] + list(args),
                           capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("tmux %s: %s" % (args, r.stderr))
        return r.stdout

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "b", check=False)

    def wait(self, predicate, timeout):
        """Seconds since the call until predicate(screen) holds, or None on timeout."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            s = self.screen()
            if predicate(s):
                return time.perf_counter() - start, s
            time.sleep(0.005)
        return None, self.screen()

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "b", *keys)

    def pid(self):
        return int(self.tmux("display-message", "-p", "-t", "b", "#{pane_pid}").strip())

    def close(self):
        self.tmux("kill-server", check=False)


def peak_rss_kb(pid, key="VmHWM"):
    """VmHWM (peak RSS, counting the mapped file's pages) or RssAnon (the program's own memory,
    now) of the program under the pane (the pane's shell execs it)."""
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tui_run(pcap, n):
    """One TUI session: times from start (tmux spawn) to each milestone."""
    r = {}
    start = time.perf_counter()
    pane = Pane("exec %s -r %s" % (TS, pcap))
    pid = pane.pid()
    row = re.compile(r"^\s*1\s+0\.0", re.M)
    t, s = pane.wait(lambda s: row.search(s), 30)
    r["first rows"] = None if t is None else time.perf_counter() - start
    # A key during load: ':' opens the go-to prompt; Escape closes it.
    if "loading" in s:
        pane.keys(":")
        t, _ = pane.wait(lambda s: "Go to packet:" in s, 10)
        r["key (during load)"] = t
        pane.keys("Escape")
    done = re.compile(r"\b%d packets\b" % n)
    t, s = pane.wait(lambda s: done.search(s) and "loading" not in s, 120)
    r["all reachable"] = time.perf_counter() - start if t is not None else None
    # The filter: '/', the text, Enter; complete when the status reads "N shown of n".
    pane.keys("/")
    pane.wait(lambda s: "Filter:" in s, 10)
    pane.keys("-l", "ip.proto == 41")
    f0 = time.perf_counter()
    pane.keys("Enter")
    shown = re.compile(r"\d+ shown of %d" % n)
    t, s = pane.wait(lambda s: shown.search(s) and not re.search(r"ip\.proto == 41 \d+%", s), 120)
    r["filter applied"] = t
    # A key after everything: the go-to prompt again.
    pane.keys(":")
    t, _ = pane.wait(lambda s: "Go to packet:" in s, 10)
    r["key (idle)"] = t
    pane.keys("Escape")
    r["peak RSS MB"] = peak_rss_kb(pid) / 1024
    r["anonymous RSS MB at the end"] = peak_rss_kb(pid, "RssAnon") / 1024
    with open(os.path.join(OUT, "tui-%d.txt" % n), "w") as f:
        f.write(pane.screen())
    pane.close()
    return r


def termshark_run(pcap, n, timeout=300):
    """termshark measured like tunnelscope: first rows; loading done (the progress percentage on
    its filter line gone); the filter applied (its percentage shown, then gone); peak RSS."""
    r = {}
    start = time.perf_counter()
    pane = Pane("exec termshark -r %s" % pcap)
    pid = pane.pid()
    filter_line = lambda s: next((l for l in s.splitlines() if "Filter:" in l), "")
    loading = lambda s: re.search(r"\d+ %", filter_line(s)) is not None
    t, s = pane.wait(lambda s: re.search(r"^\s*1\s+0\.0", s, re.M), timeout)
    r["first rows"] = time.perf_counter() - start if t is not None else None
    t, s = pane.wait(lambda s: not loading(s), timeout)
    r["all reachable"] = time.perf_counter() - start if t is not None else None
    pane.keys("/")
    time.sleep(0.5)
    pane.keys("-l", "ip.proto == 41")
    time.sleep(0.5)
    f0 = time.perf_counter()
    pane.keys("Enter")
    pane.wait(loading, 2)
    t, s = pane.wait(lambda s: not loading(s), timeout)
    r["filter applied"] = time.perf_counter() - f0 if t is not None else None
    r["peak RSS MB"] = peak_rss_kb(pid) / 1024
    with open(os.path.join(OUT, "termshark-%d.txt" % n), "w") as f:
        f.write(pane.screen())
    pane.close()
    return r


def tui_cases(pcap, n, results):
    runs = [tui_run(pcap, n) for _ in range(RUNS)]
    for key in runs[0]:
        vals = [r[key] for r in runs if r.get(key) is not None]
        if key.endswith("MB") or key.endswith("end"):
            results.append(("TUI", key, "%.1f" % max(vals) if vals else "—"))
        else:
            results.append(("TUI", key, fmt(vals) if vals else "timed out"))
        print("  %-6s %-20s %s" % results[-1], flush=True)
    if os.environ.get("TERMSHARK", "1") != "0" and shutil.which("termshark"):
        ts = termshark_run(pcap, n)
        for key, v in ts.items():
            results.append(("termshark", key, ("%.1f" % v if key.endswith("MB") else "%.3f" % v) if v is not None else "timed out"))
            print("  %-6s %-20s %s" % results[-1], flush=True)


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
    load = open("/proc/loadavg").read().split()[:3]
    return "nproc %d, %s, %.1f GB RAM, load average at start %s" % (os.cpu_count(), cpu, int(mem) / 1048576, " ".join(load))


def main():
    os.makedirs(OUT, exist_ok=True)
    for exe in (TS, GEN):
        if not os.access(exe, os.X_OK):
            sys.exit("missing %s: run `swift build -c release`" % exe)
    header = ["# tunnelscope benchmark results", "",
              "`make bench` (bench/run.py), %s UTC. Machine: %s. RUNS=%d; times are medians (min–max)" %
              (time.strftime("%Y-%m-%d %H:%M", time.gmtime()), machine(), RUNS),
              "of wall seconds, page cache warm, outputs to files in bench/out/. The machine is shared:",
              "other builds run at the same time, so expect noise of tens of percent.",
              "Ratio = tunnelscope time / peer time (below 1: tunnelscope faster).", ""]
    body = micro_cases() if os.environ.get("MICRO", "1") != "0" else []
    for n in PACKETS:
        pcap = os.path.join(OUT, "workload-%d.pcap" % n)
        if not os.path.exists(pcap):
            subprocess.check_call([GEN, "generate", str(n), pcap])
        size = os.path.getsize(pcap)
        subprocess.call(["cat", pcap], stdout=subprocess.DEVNULL)  # warm the page cache
        results = []
        if os.environ.get("CLI", "1") != "0":
            cli_cases(pcap, n, results)
        body += ["## %d packets (%.0f MB)" % (n, size / 1e6), "",
                 "| case | tool | wall s | ratio ts/peer | peak RSS MB | output lines |", "| --- | --- | --- | --- | --- | --- |"]
        body += ["| %s | %s | %s | %s | %s | %s |" % r for r in results]
        body.append("")
        if os.environ.get("TUI", "1") != "0" and shutil.which("tmux"):
            tui = []
            tui_cases(pcap, n, tui)
            body += ["TUI in tmux (120×40), seconds from start (filter: from Enter; keys: ':' to the go-to prompt):", "",
                     "| program | measure | value |", "| --- | --- | --- |"]
            body += ["| %s | %s | %s |" % r for r in tui]
            body.append("")
        with open(os.path.join(ROOT, "bench", "results.md"), "w") as f:
            f.write("\n".join(header + body) + "\n")
    print("wrote bench/results.md")


if __name__ == "__main__":
    main()
