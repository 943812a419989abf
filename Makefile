# The README's two commands: `go run ./cmd/declbot ask "…"` and `make test`.
# .ci/run runs `make test`, nothing else.

GO ?= go

# staticcheck is fetched from the Go module proxy on first use and cached.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

# How long each fuzz target runs in `make test`; run longer by hand, e.g.
# make fuzz FUZZTIME=10m.
FUZZTIME ?= 10s

.PHONY: test unit vet lint fuzz bench corpus

# test: everything CI checks. The race detector needs cgo (gcc).
test: vet lint unit fuzz

unit:
	$(GO) test -race -count=1 ./...

# fuzz: every Fuzz target in the module, one after another (go test -fuzz
# takes one target of one package at a time). New inputs that fail are
# written to the package's testdata/fuzz/ and replayed by every `go test`.
#
# Go 1.26's fuzzing coordinator can end a run that found nothing with a bare
# "context deadline exceeded" when its workers are starved of CPU as the
# -fuzztime deadline passes (golang/go#75804, fixed in Go 1.27). Such a run
# wrote no failing input and is run again, once; any other failure fails.
fuzz:
	@set -e; out=$$(mktemp); trap 'rm -f $$out' EXIT; \
	for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for t in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/^func //'); do \
	    echo "fuzz $$pkg $$t ($(FUZZTIME))"; \
	    if ! $(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$pkg >$$out 2>&1; then \
	      cat $$out; \
	      if grep -q '^    context deadline exceeded$$' $$out && ! grep -q 'Failing input written' $$out; then \
	        echo "fuzz $$t: the toolchain's deadline race (golang/go#75804), no failing input: running it again"; \
	        $(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$pkg; \
	      else exit 1; fi; \
	    else cat $$out; fi; \
	  done; \
	done

lint:
	$(GO) run $(STATICCHECK) ./...

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# corpus: regenerate the corpus data from ../shared/seeds (needs opencc).
corpus:
	$(GO) run ./corpus/internal/gencorpus -seeds ../shared/seeds -out corpus/data/passages.jsonl
	./corpus/internal/gencorpus/tstable.sh
	./corpus/internal/genconvert/convtable.sh
