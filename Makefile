# aced — two commands set everything up on a fresh Debian machine:
#   make run    build aced and start it with the example SMTP farm config
#   make test   install the test tools that are missing, then run every test
GO       ?= go
BIN      := bin/aced
RUN_DIR  ?= $(CURDIR)/.run
SSH_PORT ?= 22
FUZZTIME ?= 4s

.PHONY: all build run test test-deps lint unit fuzz bench bench-peers smoke clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/aced

run: build
	@scripts/run.sh "$(CURDIR)/$(BIN)" "$(RUN_DIR)" "$(SSH_PORT)"

test: test-deps lint unit fuzz

test-deps:
	@scripts/test-deps.sh

lint:
	@out=$$(gofmt -l .); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Includes the end-to-end tests against the built binary with the real OpenSSH
# client and Netmiko; ACED_E2E_REQUIRE turns a missing client into a failure.
# The data plane once more without -race: race builds of package flow use
# atomic stores where others use plain ones (flow/store_plain.go).
unit:
	ACED_E2E_REQUIRE=1 $(GO) test -race -count=1 ./...
	$(GO) test -count=1 ./dataplane/...

# Every fuzz target runs briefly; their seed corpora already ran in `unit`.
fuzz:
	@scripts/fuzz.sh $(FUZZTIME)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# aced beside nftables DNAT and HAProxy on the shared peer bench (root, minutes).
bench-peers:
	@scripts/bench-peers.sh

smoke:
	../shared/checks/smoke.sh

clean:
	rm -rf bin .run
