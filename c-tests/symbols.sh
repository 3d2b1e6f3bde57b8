#!/usr/bin/env bash
# Drop-in proof for the symbol table of librayforce.so:
#  1. every function prototype of the shipped headers is exported;
#  2. every exported ray_* function is declared in a header;
#  3. the exported data symbols exist;
#  4. the spec's P0/P1 object-model list (spec_objects.txt) is counted.
# Usage: symbols.sh path/to/librayforce.so
set -euo pipefail
so=${1:?usage: symbols.sh librayforce.so}
here=$(cd "$(dirname "$0")" && pwd)
inc="$here/../include"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only "$so" | awk '{print $3}' | sort -u > "$tmp/exported"
nm -D --defined-only "$so" | awk '$2=="T"{print $3}' | grep -E '^ray_' | sort -u > "$tmp/exported_fns"

# Prototypes: a line that is not a macro, typedef or inline definition and
# names ray_xxx( ... ending in ); (possibly over several lines).
cat "$inc"/rayforce.h "$inc"/rayforce_internal.h "$inc"/rayforce_abi.h "$inc"/rayforce_post.h "$inc"/core/*.h "$inc"/store/*.h \
  | perl -0pe 's{/\*.*?\*/}{}gs; s{//[^\n]*}{}g' \
  | grep -vE '^\s*(#|static|typedef|return|if|for)' | grep -vE '^\s+' \
  | grep -oE '[ *](ray_[a-z0-9_]+)\(' | sed -E 's/^[ *]//; s/\($//' | sort -u > "$tmp/declared"

fail=0
missing=$(comm -23 "$tmp/declared" "$tmp/exported" || true)
if [ -n "$missing" ]; then echo "declared in a header but not exported:"; echo "$missing" | sed 's/^/  /'; fail=1; fi
undeclared=$(comm -13 "$tmp/declared" "$tmp/exported_fns" | grep -vx 'ray__error_impl' || true)
if [ -n "$undeclared" ]; then echo "exported but declared in no header:"; echo "$undeclared" | sed 's/^/  /'; fail=1; fi
for d in __ray_null __ray_oom ray_type_sizes __RUNTIME; do
  grep -qx "$d" "$tmp/exported" || { echo "data symbol $d not exported"; fail=1; }
done

grep -vE '^\s*(#|$)' "$here/spec_objects.txt" | sort -u > "$tmp/spec"
spec_total=$(wc -l < "$tmp/spec")
spec_missing=$(comm -23 "$tmp/spec" "$tmp/exported" || true)
spec_have=$((spec_total - $(printf '%s' "$spec_missing" | grep -c . || true)))
echo "header prototypes: $(wc -l < "$tmp/declared"), exported ray_* functions: $(wc -l < "$tmp/exported_fns")"
echo "spec P0/P1 object-model functions exported: $spec_have / $spec_total"
if [ -n "$spec_missing" ]; then
  echo "spec functions missing:"; echo "$spec_missing" | sed 's/^/  /'
  [ "${SPEC_STRICT:-1}" = 0 ] || fail=1
fi
exit $fail
