#!/usr/bin/env bash
# test.sh: set up what the tests need on this machine and run them all.
# This is `make test` and what CI (.ci/run) runs on a clean clone.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(go env GOPATH)/bin:$PATH"

bash scripts/deps.sh build test

echo "== services"
eval "$(bash scripts/services.sh start)"
trap 'bash scripts/services.sh stop' EXIT

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "not gofmt-formatted:"; echo "$unformatted"; exit 1; fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
if ! command -v staticcheck >/dev/null; then
  go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
staticcheck ./...

echo "== go test"
go test -count=1 -timeout 40m ./...

echo "== the engine without cgo (LZ4 then compresses in pure Go: engine/internal/lz4c)"
CGO_ENABLED=0 go vet ./engine/internal/lz4c
CGO_ENABLED=0 go build -o /dev/null ./bench/engineprof
CGO_ENABLED=0 go test -count=1 ./engine ./engine/internal/lz4c

echo "== store and jobs on PostgreSQL (the catalog a team shares)"
CADANG_TEST_CATALOG=postgres go test -count=1 -timeout 40m ./store/... ./jobs/...

echo "== fuzz (briefly, each target)"
# A count, not a duration: Go 1.26's fuzz coordinator can report a spurious
# "context deadline exceeded" when a wall-clock -fuzztime ends (golang/go#75804).
fuzztime=${FUZZTIME:-20000x}
for file in $(grep -rl --include='*_test.go' '^func Fuzz' .); do
  pkg=./$(dirname "${file#./}")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$file" | cut -d' ' -f2); do
    echo "-- $pkg $target"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" >/tmp/cadang-fuzz.log 2>&1 \
      || { cat /tmp/cadang-fuzz.log; exit 1; }
  done
done
echo "fuzz: every target ran $fuzztime inputs without a failure"
