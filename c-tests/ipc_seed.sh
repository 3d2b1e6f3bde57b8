#!/usr/bin/env bash
# Runs RayforceDB's own C client example (c-tests/seed_example.c, compiled
# unchanged) against our `rayforce -p 5000`. The example hard-codes port
# 5000: when that port is taken, the test is skipped with a message.
# usage: ipc_seed.sh RAYFORCE_BIN SEED_BIN
set -u
bin=$1 seed=$2
if (exec 3<>/dev/tcp/127.0.0.1/5000) 2>/dev/null; then
  echo "seed_example: SKIPPED (port 5000 is in use; the example hard-codes it)"
  exit 0
fi
log=$(mktemp)
"$bin" -p 5000 </dev/null >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do
  grep -q "listening on port 5000" "$log" && break
  kill -0 $server 2>/dev/null || { echo "seed_example: FAIL (server exited: $(cat "$log"))"; exit 1; }
  sleep 0.1
done
out=$(timeout 20 "$seed")
status=$?
if [ "$status" -eq 0 ] && [ "$out" = "Result: 3" ]; then
  echo "seed_example: ok ($out)"
  exit 0
fi
echo "seed_example: FAIL (exit $status, printed: $out)"
exit 1
