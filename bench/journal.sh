#!/bin/sh
# Acknowledged small writes per second through a journaling server, sync
# (-L: fsync before the answer) and async (-l: write before the answer),
# ours beside RayforceDB's in the same run. One client sends N sync
# requests "(set x (+ x 1))" one after another (each waits for its answer).
# Usage: bench/journal.sh OURS [ORACLE] [N]   (e.g. bench/journal.sh target/release/rayforce)
set -eu
OURS=$1
ORACLE=${2:-${RAYFORCE_ORACLE:-../shared/oracle/rayforce}}
N=${3:-2000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PORT=$((30000 + $$ % 20000))

run() { # label server-binary flag
    label=$1 server=$2 flag=$3
    "$server" "$flag" "$T/$label$flag" -p $PORT </dev/null >/dev/null 2>&1 &
    pid=$!
    sleep 0.5
    t0=$(date +%s.%N)
    printf '(set h (.ipc.open "127.0.0.1:%s"))\n(.ipc.send h "(set x 0)")\n(count (map (fn [i] (.ipc.send h "(set x (+ x 1))")) (til %s)))\n(exit 0)\n' $PORT $N \
        | "$OURS" >/dev/null
    t1=$(date +%s.%N)
    kill $pid; wait $pid 2>/dev/null || true
    frames=$(printf '(.log.validate "%s")\n' "$T/$label$flag.log" | "$OURS")
    echo "$label $flag $N $t0 $t1 $frames" | awk '{ printf "%-10s %s  %6d writes  %8.0f writes/s  journal %s %s\n", $1, $2, $3, $3 / ($5 - $4), $6, $7 }'
    PORT=$((PORT + 1))
}

echo "acknowledged small writes/s (one client, $N requests each)"
for flag in -L -l; do
    run ours "$OURS" $flag
    if [ -x "$ORACLE" ]; then run rayforcedb "$ORACLE" $flag; fi
done
