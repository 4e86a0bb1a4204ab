# AsyncStand. `make run` builds everything and starts api + worker on http://127.0.0.1:8080;
# `make test` runs every check. Both install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help run demo stop-services services build web test lint fmt-check data-layer wasm-deps unused-deps compose clippy audit coverage wasm-target unit smoke faults browser-deps sdl bench bench-quick bench-burst bench-slack bench-local-day seed bench-insight clean

help:
	@echo "make run    build everything (web UI included) and start api + worker on http://127.0.0.1:8080"
	@echo "make demo   make run with a demo organization (3 teams, 3 weeks of standups); prints its sign-in (same as DEMO=1 make run)"
	@echo "make seed   seed organizations of 10 teams with a history of standups (SEED_TEAMS=20, SEED_DAYS=30, SEED_RESET=1 to replace; DATABASE_URL); prints the sign-in"
	@echo "make stop-services  stop the PostgreSQL / RabbitMQ that make run started for this checkout (var/services/), if left running"
	@echo "make test   fmt, SQL only in schema/server/src/db, clippy -D warnings, every test (browser tests included), smoke and fault tests"
	@echo "make coverage  every test under cargo-llvm-cov, line coverage per crate (docs/testing.md)"
	@echo "make audit  Cargo.lock against the RustSec advisory database (accepted ones: .ci/audit-accepted.tsv)"
	@echo "make faults the job pipeline under worker kill -9 and RabbitMQ restarts (FAULT_JOBS, FAULT_KILLS, FAULT_BROKER_RESTARTS)"
	@echo "make web    build the web UI and the playground into web/dist"
	@echo "make sdl    rewrite schema/schema.graphql from the server's schema"
	@echo "make bench  run the benchmarks of docs/benchmarks.md against the release build"
	@echo "make bench-slack  10,000 Slack DMs from due to posted to the fake Slack, one worker"
	@echo "make bench-local-day  a simulated day of MEMBER_LOCAL_TIME standups: 10,000 teams x 10 members over 24 zones"
	@echo "make bench-insight  search, insights and the answer export on a seeded year of 1,000 teams (BENCH_SEED_TEAMS, BENCH_SEED_DAYS)"
	@echo "make bench-burst  the 9:00 burst: 10,000 standups due at once, 1 worker then 2 (BENCH_WORKERS=n for one run)"

web:
	bash web/build.sh

build: web
	cargo build --release -p api -p worker

# Starts a private PostgreSQL / RabbitMQ under var/services/ for a local URL where none
# answers (api/scripts/services.sh); Ctrl-C stops them with api and worker.
run: build
	bash api/scripts/run.sh

# `make run` plus the demo organization (`api demo`, idempotent); prints its sign-in.
demo: build
	DEMO=1 bash api/scripts/run.sh

# Seeded data at scale (`api seed`): SEED_TEAMS teams of 10 (+ one of 50) in organizations
# of 10, SEED_DAYS days of closed standups; refuses when seeded data is there unless
# SEED_RESET=1. Uses DATABASE_URL (default: the app's database).
seed:
	cargo run --release -p api -- seed

stop-services:
	bash api/scripts/services.sh stop

fmt-check:
	cargo fmt --all --check

# The web crate is linted for the browser too, so the target must exist before web/build.sh
# (which installs it as well) has run: a fresh machine starts without it.
wasm-target:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

clippy: wasm-target
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p web --target wasm32-unknown-unknown -- -D warnings

browser-deps:
	bash web/install-browser.sh

unit: web browser-deps
	cargo test --workspace --no-fail-fast

smoke: build
	bash api/scripts/smoke.sh

# `make run`'s services: on two unused ports it starts PostgreSQL and RabbitMQ, signs up,
# and stops them (the machine's own servers untouched); with servers answering it starts
# nothing. Prints `services: N passed, M failed`.
services: build
	bash api/scripts/services-test.sh

# 500 sign-ups while the worker is killed 3 times and RabbitMQ restarted once; must print
# lost=0 duplicated=0 (see docs/benchmarks.md for a large run).
faults: build
	bash api/scripts/faults.sh

# SQL only in schema/server/src/db (schema_server::db); see .ci/data-layer.sh.
data-layer:
	bash .ci/data-layer.sh

# The browser's build holds no server crate; see .ci/wasm-deps.sh.
wasm-deps:
	bash .ci/wasm-deps.sh

# Dependencies a crate declares but does not use (cargo-machete); see .ci/unused-deps.sh.
unused-deps:
	bash .ci/unused-deps.sh

# Every native test under cargo-llvm-cov: per-crate line coverage, at least 80 % overall
# (see .ci/coverage.sh and docs/testing.md).
coverage: web browser-deps
	bash .ci/coverage.sh

# Known vulnerabilities in the locked dependencies (cargo-audit; see .ci/audit.sh).
audit:
	bash .ci/audit.sh

lint: fmt-check data-layer wasm-deps unused-deps compose clippy audit

compose:
	bash .ci/compose.sh

# The tests run once, under coverage (`make unit` runs them without).
test: lint coverage smoke
	$(MAKE) --no-print-directory faults
	$(MAKE) --no-print-directory services

sdl:
	cargo run -q -p api -- export-schema schema/schema.graphql

bench: build
	bash api/scripts/bench.sh

# Search, insights and the export on 1,000 teams x 365 days (seeded once into
# asyncstand_seed, reused while it holds that scale): api/scripts/bench-insight.sh.
bench-insight:
	cargo build --release -p api --bin api --example insight_bench
	BENCH_CLIENT=target/release/examples/insight_bench bash api/scripts/bench-insight.sh

bench-quick: build
	BENCH_SECONDS=5 bash api/scripts/bench.sh

# 10,000 teams of 10 due in the same minute: time to open every standup and write every
# notification e-mail, with one worker and then two (see docs/benchmarks.md).
bench-burst: build
	@if [ -n "$(BENCH_WORKERS)" ]; then bash api/scripts/bench-burst.sh; \
	else BENCH_WORKERS=1 bash api/scripts/bench-burst.sh && BENCH_WORKERS=2 bash api/scripts/bench-burst.sh; fi

# Slack delivery: 10,000 DMs (1,000 standups of 10 in 10 workspaces) from due to the last DM
# posted to the fake Slack, one worker, optimised build (see docs/benchmarks.md).
bench-slack:
	cargo test --release -p api --test it slack_bench -- --ignored --nocapture

# A simulated day (test clock) of MEMBER_LOCAL_TIME standups, 10,000 teams of 10 members
# over 24 zones: each member asked within 60 s of 09:00 their time, the scheduler's
# statements per idle tick, CPU seconds (see docs/benchmarks.md). LOCAL_DAY_TEAMS scales it.
bench-local-day:
	cargo test --release -p worker --test it local_day_bench -- --ignored --nocapture

clean:
	cargo clean
	rm -rf web/dist
