# The README's two commands: `go run ./cmd/declbot ask "…"` and `make test`.
# .ci/run runs `make test`, nothing else.

GO ?= go

# staticcheck is fetched from the Go module proxy on first use and cached.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test vet lint bench corpus

# test: everything CI checks. The race detector needs cgo (gcc).
test: vet lint
	$(GO) test -race -count=1 ./...

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
