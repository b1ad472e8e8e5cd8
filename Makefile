# Cadang. `make run` and `make test` set up what they need on a fresh Debian
# machine (apt-get for missing system packages, the Go module proxy for modules).
GO      ?= go
BIN     ?= ./cadang
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X cadang/cli.Version=$(VERSION)

.PHONY: run build test stress bench lint fmt package screenshots examples deps clean

run: build
	$(BIN)

build: deps
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

deps:
	@bash scripts/deps.sh build

test:
	bash scripts/test.sh

# Many kill -9 iterations (backup, prune, forget, restore, replica sync), all of /usr/share and
# /usr/lib restored and compared, and long fuzzing (two million inputs a target); not part of `make test`.
stress: deps
	CADANG_STRESS=1 $(GO) test -count=1 -timeout 60m -run 'Kill|Crash|SystemTree' ./engine/...
	FUZZTIME=2000000x bash scripts/test.sh
	# A month of twenty jobs under three daemons on one shared catalog, and
	# 8 processes × 500 audit entries, on the test PostgreSQL server.
	eval "$$(bash scripts/services.sh start)"; \
	CADANG_STRESS=1 $(GO) test -count=1 -timeout 60m -run 'TestTeamDaemonsRunEachSlotOnce' ./jobs/ && \
	CADANG_STRESS=1 CADANG_TEST_CATALOG=postgres $(GO) test -count=1 -timeout 30m -run 'TestAuditAppendsFromEightProcesses' ./store/

bench: deps
	bash bench/run.sh

lint:
	gofmt -l . ; $(GO) vet ./... ; staticcheck ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

# An installable Linux archive (.tar.xz with the desktop entry and icon).
package: deps
	$(GO) install fyne.io/tools/cmd/fyne@latest
	$$($(GO) env GOPATH)/bin/fyne package --target linux --release

screenshots: build
	bash scripts/screenshots.sh

# docs/examples: every document the real service files in a month's story
# (internal/examples), each page as PNG; a test keeps them up to date.
examples: deps
	@bash scripts/deps.sh test
	$(GO) run ./internal/examples/cmd/examples -out docs/examples

clean:
	rm -f $(BIN) *.tar.xz
