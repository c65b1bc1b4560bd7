# The two commands (see README.md):
#   make run    build and start the service on the embedded store with demo data
#   make test   run every check and test (PostGIS and Chromium tests included)
SHELL := /bin/bash
CARGO ?= cargo
LISTEN ?= 127.0.0.1:8080
DATABASE ?= clusterplan.gpkg

.PHONY: run test check toolchain lint core-purity rust-tests browser-tests web-deps

web/node_modules: web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund
	@touch web/node_modules

tests/browser/node_modules: tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund
	@touch tests/browser/node_modules

web-deps: web/node_modules

run: web/node_modules
	$(CARGO) run --release -p clusterplan-server -- serve --listen $(LISTEN) --database $(DATABASE)

test: check rust-tests browser-tests

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

browser-tests: web/node_modules tests/browser/node_modules
	$(CARGO) test --workspace --no-run
	npm --prefix tests/browser test
