# librayforce-rs build. `make` builds the release library and binary,
# `make test` runs every test, `make run` starts the server.
CARGO ?= cargo

.PHONY: all test run
all:
	$(CARGO) build --release

test:
	$(CARGO) test
	$(MAKE) conformance

run: all
	@echo "rayforce server: not built yet"

.PHONY: conformance
conformance: all
	python3 tests/conformance/run.py --self-test
	python3 tests/conformance/run.py
