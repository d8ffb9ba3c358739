# NRDOT — build, run and test. `make run` and `make test` are the two commands a user needs.
SHELL := /bin/bash
BUILDER_VERSION := v0.158.0
TOOLS := $(CURDIR)/.tools
BUILDER := $(TOOLS)/builder
COLLECTOR := bin/nrdot-collector
ASC := node_modules/.bin/asc

GO_SOURCES := $(shell find collector/wasmprocessor -name '*.go' -not -name '*_test.go') \
	collector/wasmprocessor/go.mod collector/distribution/go.mod collector/distribution/go.sum
AS_SOURCES := $(shell find processors -name '*.ts' -not -path '*/__tests__/*' 2>/dev/null) asconfig.json
TEST_MODULES := $(patsubst %.ts,%.wasm,$(wildcard collector/wasmprocessor/testdata/modules/*.ts))

.PHONY: all build wasm run test test-go test-as test-node bench tools distribution fixtures configs clean
.PHONY: image test-deploy test-image cli docs
all: build cli

## tools: the pinned ocb builder (in .tools/, ignored) and the npm packages from the lockfile
tools: $(BUILDER) node_modules/.installed
$(BUILDER):
	GOBIN=$(TOOLS) go install go.opentelemetry.io/collector/cmd/builder@$(BUILDER_VERSION)
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## cli: the nrdot CLI compiled to dist/ (package.json's bin; npm pack builds it too)
CLI_SOURCES := $(shell find src -name '*.ts' -not -name '*.test.ts') tsconfig.json tsconfig.build.json package.json scripts/cli-listing.mjs
cli: dist/commands.json
dist/commands.json: $(CLI_SOURCES) | node_modules/.installed
	npm run --silent build

## docs: regenerate the reference pages generated from the code (a test fails when they are stale)
docs: node_modules/.installed
	node --import tsx scripts/gen-api-docs.ts
	node --import tsx scripts/gen-metrics-docs.ts

## wasm: one module per processor into build/wasm/
wasm: node_modules/.installed
	node scripts/build-wasm.mjs

# The Go tests' guest modules are checked in next to their sources; rebuilt when a source changes.
collector/wasmprocessor/testdata/modules/%.wasm: collector/wasmprocessor/testdata/modules/%.ts | node_modules/.installed
	$(ASC) $< --config /dev/null --runtime stub --use abort= -O3 --noAssert -o $@

## build: the WASM modules and bin/nrdot-collector (incremental)
build: wasm $(COLLECTOR)
$(COLLECTOR): builder-config.yaml $(GO_SOURCES) | $(BUILDER)
	@mkdir -p build
	BUILDER=$(BUILDER) scripts/build-collector.sh

## distribution: re-resolve the distribution's go.mod after editing builder-config.yaml
distribution: $(BUILDER)
	scripts/update-distribution.sh

## configs: regenerate configs/ and schemas/ (a test fails when they are stale)
configs: node_modules/.installed
	for p in conservative balanced aggressive emergency; do env -u NEW_RELIC_LICENSE_KEY node src/bin/nrdot.mjs generate --profile $$p -o configs/$$p; done
	node src/bin/nrdot.mjs generate --profile balanced --backend prometheus -o configs/balanced-prometheus
	node src/bin/nrdot.mjs schemas -o schemas

## run: build if needed, then run the collector on this host with the default config
run: build cli
	scripts/run.sh

## test: every test (Go host, AssemblyScript processors, TS host and CLI, end to end, the
## Kubernetes manifests offline, the image in a real container engine)
test: build $(TEST_MODULES) test-go test-as test-deploy test-image test-node

## fixtures: the synthetic busy host the optimizer's guarantees are checked on
# One run writes both: the host in delta form and the same host cumulative (a grouped target).
fixtures: build/fixtures/host.jsonl build/fixtures/host.cumulative.jsonl
build/fixtures/host.jsonl build/fixtures/host.cumulative.jsonl &: test/fixtures/generate.ts | node_modules/.installed
	node --import tsx test/fixtures/generate.ts build/fixtures/host.jsonl

test-go: $(TEST_MODULES) fixtures
	cd collector/wasmprocessor && go test -count=1 ./...

test-as: node_modules/.installed
	npx asp --config as-pect.config.cjs

test-node: build cli fixtures
	npx tsc --noEmit -p .
	node --import tsx --test --test-concurrency=1 $$(find test src -name '*.test.ts' | sort)

## bench: Go host benchmarks and the collector-level comparison; see docs/benchmarks.md
bench: build $(TEST_MODULES) fixtures
	cd collector/wasmprocessor && go test -run '^$$' -bench 'Batch|Decide|Interrupt' -benchmem -count 6 ./... | tee ../../build/bench.txt
	# A fixed number of batches: each is decoded from protobuf untimed, which costs more than the timed part.
	cd collector/wasmprocessor && go test -run '^$$' -bench OptimizerChain -benchtime 300x -count 6 ./... | tee -a ../../build/bench.txt
	node --import tsx scripts/bench-collector.ts --rounds 3 | tee build/bench-collector.md
	node --import tsx scripts/bench-collector.ts --rounds 3 --gomemlimit 100MiB | tee build/bench-collector-memlimit.md
	node --import tsx scripts/bench-host.ts | tee build/bench-host.md

## image: the OCI image nrdot-collector:<version> and build/nrdot-collector-<version>.oci.tar
## (docker, else podman, else buildah; deploy/image/README.md)
image: build
	scripts/image.sh

## test-deploy: offline checks of deploy/kubernetes: configs current, manifests strictly decoded
## into the Kubernetes types, invariants, each config through the collector's validate
test-deploy: build
	cd deploy/kubernetes/validate && go test -count=1 ./...

## test-image: build the image and run it in a real container engine (podman here; installed by
## scripts/ci-container-engine.sh when no engine is present). `make test` runs it before test-node,
## whose test/deploy/image.test.ts (testcontainers) runs this image: it builds it only when missing.
test-image: build
	scripts/ci-container-engine.sh
	NRDOT_IMAGE_ENGINE=podman scripts/image.sh
	test/deploy/image-smoke.sh

clean:
	rm -rf build bin dist
