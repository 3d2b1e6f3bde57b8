# librayforce-rs build. `make` builds the release library and binary,
# `make test` runs every test, `make run` starts the server.
# Everything is written under target/; nothing goes into the source tree
# (except `make sync-corpus`, which refreshes tests/fixtures/conformance).
CARGO ?= cargo
CC ?= cc
CXX ?= c++
PREFIX ?= /usr/local
PYTHON ?= python3
# 1: symbols fails when a function of c-tests/spec_objects.txt is not exported
SPEC_STRICT ?= 1

VERSION := $(shell sed -n 's/^version *= *"\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1)
MAJOR := $(firstword $(subst ., ,$(VERSION)))
SONAME := librayforce.so.$(MAJOR)

REL := target/release
DBG := target/debug
GEN := target/make
MAP := $(GEN)/rayforce.map
NATIVE := $(GEN)/native-static-libs.txt

CWARN := -Wall -Wextra -Wpedantic -Werror
CFLAGS_TEST := -std=c11 $(CWARN) -g -Iinclude
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CTEST_SRC := $(filter-out c-tests/headers_only.c c-tests/seed_%.c,$(sort $(wildcard c-tests/*.c)))
CTEST_NAMES := $(notdir $(basename $(CTEST_SRC)))

.PHONY: dist-static dist-static-test fuzz fuzz-check soak soak-journal bench-journal sync-corpus bench-c bench-h2o bench-csv pytest all lib lib-debug header check-header symbols ctest ctest-asan headers-compile test install run conformance cargo-build cargo-build-debug FORCE

all: lib
	@test -x $(REL)/rayforce

# ---------------------------------------------------------------- libraries
# Cargo runs only when a Rust source, the manifest or the C shim is newer
# than the last release build (so `make install` on a fresh build, e.g.
# under sudo without cargo, never calls it). `cargo-build` forces a run.
RUST_INPUTS := $(shell find src csrc -name '*.rs' -o -name '*.c' -o -name '*.h') Cargo.toml $(wildcard Cargo.lock) build.rs
RELEASE_STAMP := $(GEN)/release.stamp

$(RELEASE_STAMP): $(RUST_INPUTS)
	$(CARGO) build --release
	@mkdir -p $(GEN) && touch $@

cargo-build:
	$(CARGO) build --release
	@mkdir -p $(GEN) && touch $(RELEASE_STAMP)

cargo-build-debug:
	$(CARGO) build --lib

$(MAP): Makefile
	@mkdir -p $(GEN)
	@printf '{\n  global:\n    ray_*;\n    __ray_*;\n    __RUNTIME;\n  local:\n    *;\n};\n' > $@

$(NATIVE): Makefile
	@mkdir -p $(GEN)
	@echo '' | rustc --crate-type staticlib --print native-static-libs -o $(GEN)/probe.a - 2>&1 \
	  | sed -n 's/.*native-static-libs: //p' | tail -n1 > $@.tmp
	@test -s $@.tmp || echo '-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc' > $@.tmp
	@mv $@.tmp $@; rm -f $(GEN)/probe.a

# $(call link_so,DIR[,EXTRA]): librayforce.a in DIR -> librayforce.so.VERSION
# + links. EXTRA: more linker flags (the release .so drops debug info; its
# exported ray_* symbols stay).
define link_so
	$(CC) -shared -o $(1)/librayforce.so.$(VERSION) \
	  -Wl,--whole-archive $(1)/librayforce.a -Wl,--no-whole-archive \
	  -Wl,--version-script=$(MAP) -Wl,-soname,$(SONAME) -Wl,--gc-sections $(2) \
	  $$(cat $(NATIVE))
	ln -sf librayforce.so.$(VERSION) $(1)/$(SONAME)
	ln -sf $(SONAME) $(1)/librayforce.so
endef

STRIP_DEBUG := -Wl,--strip-debug

lib: $(REL)/librayforce.so.$(VERSION)

$(REL)/librayforce.so.$(VERSION): $(RELEASE_STAMP) $(MAP) $(NATIVE)
	$(call link_so,$(REL),$(STRIP_DEBUG))

# A debug build (assertions on, no optimisation) for the sanitizer run.
lib-debug: cargo-build-debug $(MAP) $(NATIVE)
	$(call link_so,$(DBG))

# ---------------------------------------------------------------- header
# Regenerate include/rayforce.h from src/ffi (cbindgen, pinned dev-dependency).
header:
	RAYFORCE_BLESS=1 $(CARGO) test --test header

check-header:
	$(CARGO) test --test header

# ---------------------------------------------------------------- C tests
# Every header prototype is exported by the .so (and counted).
symbols: lib
	SPEC_STRICT=$(SPEC_STRICT) bash c-tests/symbols.sh $(REL)/librayforce.so

# The public headers compile warning-free as C99, C11 and C++.
headers-compile:
	@mkdir -p $(GEN)
	$(CC) -std=c99 $(CWARN) -Iinclude -c c-tests/headers_only.c -o $(GEN)/h99.o
	$(CC) -std=c11 $(CWARN) -Iinclude -c c-tests/headers_only.c -o $(GEN)/h11.o
	$(CXX) -x c++ -std=c++11 $(CWARN) -Iinclude -c c-tests/headers_only.c -o $(GEN)/hxx11.o
	$(CXX) -x c++ -std=c++17 $(CWARN) -Iinclude -c c-tests/headers_only.c -o $(GEN)/hxx17.o

# Each c-tests/*.c is a standalone program: exit status 0 = pass.
ctest: lib
	@mkdir -p $(GEN)/ctest
	@set -e; pass=0; for n in $(CTEST_NAMES); do \
	  $(CC) $(CFLAGS_TEST) c-tests/$$n.c -o $(GEN)/ctest/$$n -L$(REL) -lrayforce -Wl,-rpath,$(abspath $(REL)); \
	  echo "== $$n"; $(GEN)/ctest/$$n; pass=$$((pass+1)); \
	done; echo "C tests (release): $$pass programs passed"

ctest-asan: lib-debug
	@mkdir -p $(GEN)/asan
	@set -e; pass=0; for n in $(CTEST_NAMES); do \
	  $(CC) $(CFLAGS_TEST) $(SANITIZE) c-tests/$$n.c -o $(GEN)/asan/$$n -L$(DBG) -lrayforce -Wl,-rpath,$(abspath $(DBG)); \
	  echo "== $$n (asan+ubsan)"; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 LSAN_OPTIONS=suppressions=$(abspath c-tests/lsan.supp) \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(GEN)/asan/$$n; pass=$$((pass+1)); \
	done; echo "C tests (asan+ubsan): $$pass programs passed"

# ---------------------------------------------------------------- test
test:
	$(CARGO) test
	$(MAKE) check-header headers-compile symbols ctest ctest-asan ipc-ctest install-test dist-static-test fuzz-check
	@if [ -f tests/conformance/run.py ]; then $(MAKE) conformance; \
	 else echo "conformance: tests/conformance/run.py not present yet, skipped"; fi
	$(MAKE) pytest pytest-venv

# The Python package (python/rayforce, ctypes over librayforce.so) against our server.
pytest: all
	PYTHONPATH=python $(PYTHON) -m pytest -q -p no:cacheprovider python/tests

# `pip install ./python` into a fresh virtual environment (its wheel bundles
# librayforce.so), then the same tests against that install, run from outside
# the source tree. Test-only packages (pytest, numpy...) come from the system.
PYVENV := $(GEN)/pyvenv
pytest-venv: all
	rm -rf $(PYVENV)
	$(PYTHON) -m venv --system-site-packages $(PYVENV)
	$(PYVENV)/bin/python -m pip install -q --disable-pip-version-check ./python
	cd $(GEN) && RAYFORCE_TEST_INSTALLED=1 RAYFORCE_BIN=$(abspath $(REL))/rayforce \
	  $(abspath $(PYVENV))/bin/python -m pytest -q -p no:cacheprovider $(abspath python/tests)

conformance: all
	$(PYTHON) tests/conformance/run.py --self-test
	$(PYTHON) tests/conformance/run.py

-include c-tests/ipc.mk

# ---------------------------------------------------------------- corpus
# The tests read only tests/fixtures/conformance, a copy of the reference
# corpus kept in the repository. This refreshes the copy from CORPUS_SRC (the
# shared checkout beside the repository); commit the result.
CORPUS_SRC ?= ../shared/conformance
CORPUS_DST := tests/fixtures/conformance
sync-corpus:
	@test -f $(CORPUS_SRC)/cases.jsonl || { echo "sync-corpus: no cases.jsonl in $(CORPUS_SRC) (set CORPUS_SRC=dir)"; exit 1; }
	rm -rf $(CORPUS_DST).new && mkdir -p $(CORPUS_DST).new/init
	cp $(CORPUS_SRC)/cases.jsonl $(CORPUS_SRC)/README.md $(CORPUS_DST).new/
	cp $(CORPUS_SRC)/init/*.rfl $(CORPUS_DST).new/init/
	chmod -R u+w $(CORPUS_DST).new
	rm -rf $(CORPUS_DST) && mv $(CORPUS_DST).new $(CORPUS_DST)
	@echo "sync-corpus: $$(wc -l < $(CORPUS_DST)/cases.jsonl) cases in $(CORPUS_DST)"

# Coverage-guided fuzzing (libFuzzer, sanitizer coverage on stable Rust) of
# every target in fuzz/: FUZZ_RUNS executions each (default 10 million) or
# FUZZ_SECS seconds; findings land in fuzz/artifacts/TARGET (commit them:
# cargo test replays them). FUZZ_TARGETS picks targets.
FUZZ_TARGETS ?=
fuzz:
	fuzz/run.sh $(FUZZ_TARGETS)

# The fuzz targets type-check (make test runs this: the targets are built by
# `make fuzz` only, so a broken one would otherwise go unnoticed).
fuzz-check:
	CARGO_TARGET_DIR=target/fuzz-check $(CARGO) check --manifest-path fuzz/Cargo.toml --bins

# The server under 200 clients for 10 minutes (mixed queries with checked
# answers, large fetches, async floods, slow readers, garbage, disconnects
# mid-frame), printing its RSS and descriptor curve. `cargo test` runs a
# short round of the same test. SOAK_SECS / SOAK_CLIENTS override.
SOAK_SECS ?= 600
SOAK_CLIENTS ?= 200
soak:
	SOAK_SECS=$(SOAK_SECS) SOAK_CLIENTS=$(SOAK_CLIENTS) $(CARGO) test --release --test soak -- --nocapture

# The C API's speed beside baselines measured in the same run (not part of
# `make test`: benchmarks are not tests).
bench-c: lib
	@mkdir -p $(GEN)
	$(CC) -O2 -Iinclude bench/c_bench.c -o $(GEN)/c_bench -L$(REL) -lrayforce -lpthread -Wl,-rpath,$(abspath $(REL))
	$(GEN)/c_bench

# The H2O-style query benchmark: ours beside RayforceDB (when
# ../shared/oracle/rayforce exists, or RAYFORCE_ORACLE=path), DuckDB, Polars
# and chDB from pip (a venv under target/). H2O_ROWS=1000000 for a quick run;
# H2O_ARGS passes more flags to bench/h2o/run.py (--engines, --runs, --json).
H2O_ROWS ?= 10000000
H2O_VENV := target/h2o-venv
$(H2O_VENV)/stamp:
	$(PYTHON) -m venv $(H2O_VENV)
	$(H2O_VENV)/bin/pip install -q duckdb polars chdb
	@touch $@

bench-h2o: $(RELEASE_STAMP) $(H2O_VENV)/stamp
	$(H2O_VENV)/bin/python bench/h2o/run.py --rows $(H2O_ROWS) --ours $(REL)/rayforce $(H2O_ARGS)

# The CSV loading benchmark: the H2O groupby file (generated once under
# target/bench-csv) loaded with type inference by ours, RayforceDB (when
# ../shared/oracle/rayforce exists, or RAYFORCE_ORACLE=path), DuckDB and
# Polars (pip, a venv under target/). CSV_ROWS=2000000 for a quick run;
# CSV_ARGS passes more flags to bench/csv/run.py (--engines, --runs).
CSV_ROWS ?= 10000000
CSV_VENV := target/csv-venv
$(CSV_VENV)/stamp:
	$(PYTHON) -m venv $(CSV_VENV)
	$(CSV_VENV)/bin/pip install -q duckdb polars numpy
	@touch $@

bench-csv: $(RELEASE_STAMP) $(CSV_VENV)/stamp
	$(CSV_VENV)/bin/python bench/csv/run.py --rows $(CSV_ROWS) --ours $(REL)/rayforce $(CSV_ARGS)

# Acknowledged small writes per second through a journaling server, sync
# (-L) and async (-l), ours beside RayforceDB (../shared/oracle/rayforce or
# RAYFORCE_ORACLE) in the same run. JOURNAL_WRITES requests per mode.
JOURNAL_WRITES ?= 2000
bench-journal: $(RELEASE_STAMP)
	bench/journal.sh $(REL)/rayforce "$${RAYFORCE_ORACLE:-../shared/oracle/rayforce}" $(JOURNAL_WRITES)

# The journal crash test for 200 rounds (cargo test runs 24).
soak-journal:
	RAYFORCE_CRASH_ROUNDS=200 $(CARGO) test --release --test journal_crash -- --nocapture

# ---------------------------------------------------------------- install
# `make install PREFIX=DIR`: the rayforce binary (statically linked to the
# library: no LD_LIBRARY_PATH or rpath needed), librayforce.so/.a, the
# headers and rayforce.pc. Depends on files only: no cargo on a fresh build.
$(GEN)/rayforce.pc: Makefile FORCE
	@mkdir -p $(GEN)
	@printf 'prefix=%s\nexec_prefix=$${prefix}\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: rayforce\nDescription: RayforceDB v2 C API (Rust reimplementation)\nVersion: %s\nLibs: -L$${libdir} -lrayforce\nLibs.private: %s\nCflags: -I$${includedir}\n' \
	  '$(PREFIX)' '$(VERSION)' "$$(cat $(NATIVE))" > $@

install: all $(GEN)/rayforce.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/core $(DESTDIR)$(PREFIX)/include/store
	install -m 755 $(REL)/rayforce $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(REL)/librayforce.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/
	ln -sf librayforce.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/librayforce.so
	install -m 644 $(REL)/librayforce.a $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/*.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 include/core/*.h $(DESTDIR)$(PREFIX)/include/core/
	install -m 644 include/store/*.h $(DESTDIR)$(PREFIX)/include/store/
	install -m 644 $(GEN)/rayforce.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/

# Installs into a temporary PREFIX with CARGO=false (the build must already
# be fresh), then runs the installed binary with a clean environment and
# builds a C program against the installed headers, library and pkg-config
# file.
install-test: all
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(MAKE) --no-print-directory -s install PREFIX="$$tmp" CARGO=false; \
	got=$$(printf '(+ 1 2)\n(exit 7)\n' | env -i HOME="$$tmp" "$$tmp/bin/rayforce") && status=0 || status=$$?; \
	test "$$got" = 3 && test $$status = 7 || { echo "install-test: installed rayforce printed '$$got', exit $$status"; exit 1; }; \
	flags=$$(PKG_CONFIG_PATH="$$tmp/lib/pkgconfig" pkg-config --cflags --libs rayforce); \
	$(CC) -std=c11 $(CWARN) c-tests/install/smoke.c -o "$$tmp/smoke" $$flags -Wl,-rpath,"$$tmp/lib"; \
	env -i "$$tmp/smoke"; \
	if readelf -S "$$tmp/lib/librayforce.so.$(VERSION)" | grep -q '\.debug_info'; then echo "install-test: the .so carries debug info"; exit 1; fi; \
	echo "install-test: installed binary, library, headers and rayforce.pc work"

# ---------------------------------------------------------------- dist-static
# A self-contained directory for RayforceDB's Rust bindings (rayforce-sys
# reads RAYFORCE_SRC, runs `make lib` there, bindgens include/rayforce.h and
# links librayforce.a from it): the headers, the static library, the native
# libraries it needs (link-libs.txt) and a Makefile whose `lib` target
# leaves librayforce.a in place.
DIST_STATIC := target/dist-static

dist-static: $(RELEASE_STAMP) $(NATIVE)
	rm -rf $(DIST_STATIC) && mkdir -p $(DIST_STATIC)
	cp -R include $(DIST_STATIC)/include
	cp $(REL)/librayforce.a $(DIST_STATIC)/librayforce.a
	cp $(NATIVE) $(DIST_STATIC)/link-libs.txt
	@printf '%s\n' \
	  '# librayforce-rs $(VERSION), prebuilt: librayforce.a and include/ are already here.' \
	  '# `make lib` is what RayforceDB'"'"'s rayforce-sys runs in RAYFORCE_SRC; it checks' \
	  '# the library is present. Link with: librayforce.a $$(cat link-libs.txt)' \
	  '.PHONY: lib all' \
	  'all: lib' \
	  'lib:' \
	  '	@test -f librayforce.a || { echo "librayforce.a is missing: rebuild with make dist-static" >&2; exit 1; }' \
	  > $(DIST_STATIC)/Makefile
	@echo "dist-static: $(DIST_STATIC) (include/, librayforce.a, Makefile)"

# Builds c-tests/dist/static_smoke.c against the dist-static directory only
# (after its `make lib`), statically linked, and runs it.
dist-static-test: dist-static
	@set -e; d=$(DIST_STATIC); \
	$(MAKE) --no-print-directory -C $$d lib; \
	$(CC) -std=c11 $(CWARN) -I$$d/include c-tests/dist/static_smoke.c -o $(GEN)/dist_static_smoke $$d/librayforce.a $$(cat $$d/link-libs.txt); \
	if ldd $(GEN)/dist_static_smoke | grep -q librayforce; then echo "dist-static-test: linked the shared library"; exit 1; fi; \
	env -i $(GEN)/dist_static_smoke

# ---------------------------------------------------------------- run
# The example server on port 5000 (a REPL too when run from a terminal).
run: all
	exec $(REL)/rayforce -p 5000 examples/trades.rfl

FORCE:
