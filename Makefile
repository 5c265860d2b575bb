# tunnelscope: `make run` opens the default, `make test` runs every test.
SWIFT ?= swift
APT_PACKAGES := libpcap-dev libncurses-dev pkg-config tmux iproute2 util-linux libcap2-bin
CONFIG ?= debug

.PHONY: setup build release run test fuzz bench clean

# Installs missing Debian packages (as root), or prints the line to run.
setup:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing Debian packages; run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

build: setup
	$(SWIFT) build -c $(CONFIG)

release: setup
	$(SWIFT) build -c release

run: release
	.build/release/tunnelscope $(ARGS)

# The last step catches a gross slowdown of the release decoder (a ratio to a reference loop in
# the same process, never a tight time): see `tunnelscope-bench floor`.
CAPTURES ?= $(or $(TUNNELSCOPE_CAPTURES),../shared/captures)
test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(SWIFT) build -c release --product tunnelscope-bench
	.build/release/tunnelscope-bench floor $(CAPTURES)/article-echo-request.pcap

# libFuzzer over the decoder: `make fuzz SECONDS=60`. New findings land in Fuzz/corpus-new;
# copy the interesting ones into Fuzz/corpus, which `make test` replays.
SECONDS ?= 60
fuzz:
	mkdir -p .build Fuzz/corpus-new
	swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name PacketDecoder \
	  Sources/PacketDecoder/*/*.swift Fuzz/DecoderFuzzer.swift -o .build/fuzz-decoder
	.build/fuzz-decoder -max_total_time=$(SECONDS) -timeout=5 Fuzz/corpus-new Fuzz/corpus

# Benchmarks against tcpdump, tshark (and termshark) on the seeded workload: `make bench`,
# `make bench PACKETS=5000000`. Installs the peers (never needed by `make test`); writes
# bench/results.md, run outputs in bench/out/.
BENCH_PACKAGES := tcpdump tshark tmux time
PACKETS ?= 100000 1000000
RUNS ?= 3
bench: setup
	@missing=""; for p in $(BENCH_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "missing benchmark peers; run: sudo apt-get install -y$$missing"; exit 1; fi; \
	fi
	@command -v termshark >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq termshark >/dev/null 2>&1; } \
	  || echo "termshark not installable here (apt-cache policy termshark): the TUI peer is skipped"
	$(SWIFT) build -c release
	PACKETS="$(PACKETS)" RUNS="$(RUNS)" python3 bench/run.py

clean:
	rm -rf .build
