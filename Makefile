# Floe: one binary, one test command. See README.md.
GO        ?= go
BIN       := bin/floe
FUZZTIME  ?= 20s
GOLANGCI  := $(shell $(GO) env GOPATH)/bin/golangci-lint
# Fuzzing runs on Go 1.27.3 (fetched from the module proxy on first use, ~10 s): Go 1.26's fuzz
# coordinator can fail a -fuzztime run with a bare "context deadline exceeded" when the deadline
# races a worker's in-flight input (go.dev/issue/75804, fixed in 1.27). Everything else stays 1.26.
FUZZGO    ?= GOTOOLCHAIN=go1.27.3 $(GO)

.PHONY: all build test unit deps bench fuzz fuzz-long lint clean demo-ha

all: build

build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/floe

# make test: installs missing Debian peers, then runs every test with -race (unit, interop with
# real Python Ice, e2e) and a short pass of every fuzz target.
test: deps build
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...
	$(MAKE) fuzz FUZZTIME=10s

deps:
	./scripts/deps.sh

unit:
	$(GO) test -race -count=1 -short ./...

# make bench: Go micro-benchmarks and the loopback round trips (Go<->Go, Go->Python), then Floe vs
# the real IceGrid registry side by side (bench/registry.sh; QUICK=1 make bench for a smoke run).
bench: deps build
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./ice/... ./test/interop/...
	./bench/registry.sh
	./bench/floor.sh
	./bench/activation/run.sh
	$(GO) test -run '^$$' -bench '^BenchmarkHA$$' -benchtime=1x -count=1 -timeout 40m ./bench/ha

# Every Fuzz target for FUZZTIME each (corpora live in testdata/fuzz).
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
	    $(FUZZGO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

fuzz-long:
	$(MAKE) fuzz FUZZTIME=5m

$(GOLANGCI):
	$(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0

lint: $(GOLANGCI)
	$(GOLANGCI) run ./...

clean:
	rm -rf bin

# A local HA grid: 3 ZooKeeper servers and 3 registry replicas; Ctrl-C stops it.
demo-ha: deps build
	./scripts/demo-ha.sh
