# The two commands (see README.md):
#   make run    build and start the service on the embedded store with demo data
#   make test   run every check and test (PostGIS and Chromium tests included)
SHELL := /bin/bash
CARGO ?= cargo
LISTEN ?= 127.0.0.1:8080
DATABASE ?= clusterplan.gpkg

.PHONY: run test check toolchain lint core-purity rust-tests browser-tests web-deps prereqs deb-test fuzz bench bench-smoke bench-check

web/node_modules: web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund
	@touch web/node_modules

tests/browser/node_modules: tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund
	@touch tests/browser/node_modules

web-deps: web/node_modules

run: prereqs web/node_modules
	$(CARGO) run --release -p clusterplan-server -- serve --listen $(LISTEN) --database $(DATABASE)

# What `make run` needs, checked before anything is built: each missing tool is named with
# the Debian command that installs it.
prereqs:
	@missing=0; apt=""; \
	need() { if ! command -v "$$1" >/dev/null 2>&1; then echo "missing: $$1 ($$2)"; missing=1; [ -n "$$3" ] && apt="$$apt $$3"; fi; return 0; }; \
	need $(CARGO) "Rust 1.88 or newer; Debian's cargo is older: install with rustup, https://rustup.rs" ""; \
	need cc "C compiler, for PROJ and SQLite" "gcc"; \
	need c++ "C++ compiler, for PROJ" "g++"; \
	need cmake "PROJ's build" "cmake"; \
	need make "PROJ's build" "make"; \
	need node "Node.js 20, installs the map's libraries" "nodejs"; \
	need npm "installs the map's libraries" "npm"; \
	if [ -n "$$apt" ]; then echo "on Debian: sudo apt-get install$$apt"; fi; \
	if [ $$missing = 1 ]; then exit 1; fi; \
	$(MAKE) --no-print-directory toolchain

test: check rust-tests fuzz browser-tests deb-test

check: toolchain lint core-purity

# The toolchain meets the workspace's rust-version (1.88: let-chains); clippy's
# incompatible_msrv, run by `lint`, refuses standard-library APIs newer than it.
toolchain:
	@need=$$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml); have=$$($(CARGO) --version | cut -d' ' -f2); \
	if [ "$$(printf '%s\n%s\n' "$$need" "$$have" | sort -V | head -1)" != "$$need" ]; then \
	  echo "Rust $$need or newer is needed (found $$have): rustup update stable"; exit 1; fi; \
	echo "cargo $$have meets rust-version $$need"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The spatial core stays free of I/O frameworks (ARCHITECTURE.md): each inverse tree must
# fail to find the crate in the core's normal dependencies.
core-purity:
	@for dep in sqlx axum tokio hyper; do \
	  if $(CARGO) tree -p clusterplan-core -e normal -i $$dep >/dev/null 2>&1; then \
	    echo "clusterplan-core depends on $$dep"; exit 1; fi; done
	@echo "clusterplan-core: no sqlx, axum, tokio or hyper"

# `cargo test` also builds target/debug/clusterplan, which the browser tests start; building
# it with the same feature set as the tests avoids compiling PROJ a second time.
rust-tests: web/node_modules
	$(CARGO) test --workspace

# libFuzzer targets of fuzz/ (its own crate, outside the workspace): each runs FUZZ_SECONDS
# from the seeds kept in fuzz/corpus/TARGET; what it finds new goes to a scratch folder, so the
# repository's corpus stays as committed, and a crash leaves its input in fuzz/artifacts/.
# `-O`: optimised, without debug assertions (more runs in the time). cargo-fuzz passes
# `-Z sanitizer=address`, which the stable compiler accepts under RUSTC_BOOTSTRAP=1 (no
# nightly toolchain is installed).
FUZZ_SECONDS ?= 30
fuzz:
	@cargo fuzz --version >/dev/null 2>&1 || { echo "cargo-fuzz is missing: cargo install cargo-fuzz --version 0.13.2 --locked"; exit 1; }
	@for target in boundary cql2 cql2_json; do \
	  scratch=$$(mktemp -d) || exit 1; \
	  RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run -O $$target $$scratch fuzz/corpus/$$target -- -max_total_time=$(FUZZ_SECONDS) || exit 1; \
	  rm -rf $$scratch; \
	done

# The Debian package of the binary the tests built (see packaging/README.md).
deb-test: web/node_modules
	packaging/deb-test

browser-tests: web/node_modules tests/browser/node_modules
	$(CARGO) test --workspace --no-run
	npm --prefix tests/browser test

# Our server as shipped (the `dist` profile) beside the PostGIS floor (pgbench on the SQL each
# request sends), on both stores; writes the tables into BENCHMARKS.md (benches/bench.py says how). Not part of `test`:
# it takes ~30 min, needs wrk, pgbench and PostGIS, and its figures depend on the machine.
# `bench-smoke`: the ~3-minute version (300 clusters). `bench-check`: the smoke run's durations on
# the committed table's data size (~5 min at 1 000 clusters), failing when a ratio is more than
# 20 % below that table (which it leaves as it is).
bench: web/node_modules
	$(CARGO) build --profile dist -p clusterplan-server
	python3 benches/bench.py

bench-smoke: web/node_modules
	$(CARGO) build --profile dist -p clusterplan-server
	BENCH_QUICK=1 python3 benches/bench.py

bench-check: web/node_modules
	$(CARGO) build --profile dist -p clusterplan-server
	BENCH_QUICK=1 BENCH_COMPARE=1 python3 benches/bench.py
