#!/bin/sh
# Builds the fuzz targets with libFuzzer and sanitizer coverage on stable Rust
# and runs each for FUZZ_RUNS executions (or FUZZ_SECS seconds), then prints
# executions and coverage per target. Crashes, hangs and out-of-memory inputs
# are written to fuzz/artifacts/TARGET/ (commit them: `cargo test` replays
# them); the growing corpus lives in target/fuzz-corpus/TARGET, seeded from
# fuzz/corpus/TARGET and the conformance corpus.
#
#   fuzz/run.sh [TARGET ...]     (default: every target)
#   FUZZ_RUNS=10000000 FUZZ_SECS=0 FUZZ_JOBS=1 fuzz/run.sh decode
#   FUZZ_TIMEOUT=60 fuzz/run.sh eval   (seconds per input before libFuzzer calls it a hang;
#   the instrumented build runs vector kernels ~50x slower than release)
#   FUZZ_MAX_LEN=65536 fuzz/run.sh csv   (largest input libFuzzer builds; csv
#   defaults to 2048: mutating a 200 KB seed ran at 80 executions/s)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
OUT=$ROOT/target/fuzz
CORPUS=$ROOT/target/fuzz-corpus
RUNS=${FUZZ_RUNS:-10000000}
SECS=${FUZZ_SECS:-0}
TARGETS=${*:-decode compress frame parse eval arith_diff csv column journal aof}

# Sanitizer coverage (edge counters, PC table, comparison tracing) on the
# stable compiler; debug assertions and overflow checks turn silent
# arithmetic slips into findings. --target keeps the flags off build scripts.
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR=$OUT
(cd "$ROOT/fuzz" && cargo build --release --target "$TRIPLE" $(for t in $TARGETS; do printf -- '--bin %s ' "$t"; done))

# Seeds: saved inputs, plus the conformance corpus's queries (text targets)
# or answer payloads (byte targets).
seed() {
    t=$1; d=$CORPUS/$t
    mkdir -p "$d" "$ROOT/fuzz/artifacts/$t"
    [ -d "$ROOT/fuzz/corpus/$t" ] && cp -n "$ROOT/fuzz/corpus/$t"/* "$d"/ 2>/dev/null || true
    # File targets start from the committed fixture files.
    case $t in
        csv) find "$ROOT/tests/fixtures/csv" -name '*.csv' -size -2k | while read -r f; do
                 cp -n "$f" "$d/fixture-$(basename "$f")"; done ;;
        column) find "$ROOT/tests/fixtures/store" -type f -size -1M | while read -r f; do
                    cp -n "$f" "$d/fixture-$(echo "$f" | sha1sum | cut -c1-16)"; done ;;
        journal) for f in "$ROOT"/tests/fixtures/journal/*.log; do cp -n "$f" "$d/fixture-$(basename "$f")"; done ;;
    esac
    python3 - "$ROOT/tests/fixtures/conformance/cases.jsonl" "$d" "$t" <<'PY'
import json, sys, hashlib, os
cases, out, target = sys.argv[1], sys.argv[2], sys.argv[3]
for line in open(cases):
    c = json.loads(line)
    if target in ("arith_diff", "csv", "column", "journal", "aof"):
        continue
    if target in ("parse", "eval"):
        data = ((c["init"] or "") + "\n" + c["query"]).encode() if target == "parse" else c["query"].encode()
    else:
        payload = bytes.fromhex(c["payload_hex"])
        if target == "frame":
            # mode byte, greeting, then the payload as one response frame
            data = b"\x00\x03\x00" + b"\xfa\xde\xfa\xce\x03\x00\x00\x02" + len(payload).to_bytes(8, "little") + payload
        else:
            data = payload
    name = os.path.join(out, "conf-" + hashlib.sha1(data).hexdigest()[:16])
    if not os.path.exists(name):
        open(name, "wb").write(data)
PY
}

report=""
for t in $TARGETS; do
    seed "$t"
    log=$OUT/$t.log
    limit="-runs=$RUNS"; [ "$SECS" != 0 ] && limit="-max_total_time=$SECS"
    maxlen=${FUZZ_MAX_LEN:-}; [ -z "$maxlen" ] && [ "$t" = csv ] && maxlen=2048
    [ -n "$maxlen" ] && limit="$limit -max_len=$maxlen"
    echo "fuzz: $t ($limit)"
    status=0
    "$OUT/$TRIPLE/release/$t" $limit -timeout=${FUZZ_TIMEOUT:-10} -rss_limit_mb=4096 -malloc_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$ROOT/fuzz/artifacts/$t/" "$CORPUS/$t" >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    cov=$(grep -a -o 'cov: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2)
    ft=$(grep -a -o 'ft: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n1)
    line="$t: ${execs:-?} executions in ${secs:-?} s, coverage ${cov:-?} edges (${ft:-?} features), corpus $(ls "$CORPUS/$t" | wc -l) inputs, exit $status"
    echo "fuzz: $line"
    report="$report$line\n"
    [ "$status" = 0 ] || { echo "fuzz: $t FAILED, see $log and fuzz/artifacts/$t/"; tail -n 30 "$log"; }
done
printf "\nfuzz summary\n$report"
