#!/usr/bin/env bash
# The instruction-set paths (engine/src/util/cpu.h) give the same results:
# every scenario of scenarios/ and bench/models/ run (or batched) under
# TYCHE_ISA=baseline, avx2 and avx512 writes the same result file, dataset
# by dataset and attribute by attribute, bit for bit (tools/compare-results;
# only the stored command line may differ). The bench model also with
# --save-samples, so every sample's values are compared, and with
# --sampling lhs, and with bench/models/observations.yaml appended (the
# weighted tallies). A path this CPU cannot run is skipped with a line saying
# so (tyche refuses it: exit 2); an unknown TYCHE_ISA is refused too, and
# `tyche --version` names the path that runs.
#
# What it catches: a fused multiply-add or a reassociated sum in one
# path's copy (contraction, a vectorised reduction in another order), a
# generator lane that drifts from ty_rng_next, a copy built from another
# source than its baseline. Deterministic: exact equality only.
# About a minute of CPU (three paths x 14 runs); 1.5 min wall on 2 shared cores.
# Usage: bash isa_paths.sh TYCHE_BINARY DATA_DIR
set -uo pipefail
tyche=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
compare=(/usr/bin/python3 "$root/tools/compare-results" --ignore command_line,command_args)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# The paths this CPU runs; the first is the reference.
paths=()
for isa in baseline avx2 avx512; do
  out=$(TYCHE_ISA=$isa "$tyche" --version 2>&1); rc=$?
  if [ $rc -eq 0 ]; then
    grep -qx "isa: $isa" <<<"$out" && ok || bad "TYCHE_ISA=$isa: --version says: $out"
    paths+=("$isa")
  elif [ $rc -eq 2 ] && grep -q "cannot run" <<<"$out"; then
    echo "skip $isa: $out"
  else
    bad "TYCHE_ISA=$isa --version: exit $rc: $out"
  fi
done
out=$(TYCHE_ISA=sse9 "$tyche" --version 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "TYCHE_ISA=sse9: unknown path" <<<"$out" && ok || bad "unknown TYCHE_ISA: exit $rc: $out"
out=$(env -u TYCHE_ISA "$tyche" --version); best=$(sed -n 's/^isa: //p' <<<"$out")
[ "$best" = "${paths[-1]}" ] && ok || bad "without TYCHE_ISA the path is '$best', expected the best, ${paths[-1]}"
echo "paths: ${paths[*]}"

# name | verb and arguments (the output file is added). TYCHE_ISA_PATHS_QUICK=1
# (the sanitizer build's test preset sets it: there the point is each
# path's memory safety, not the same bits again at ten times the cost)
# keeps the bench model's cases and one time scenario, which between them
# run every copied file: fill, samplers, VM, tallies (weighted too).
cases=()
quick=${TYCHE_ISA_PATHS_QUICK:-0}
[ "$quick" = 1 ] && cases+=("time|run $root/scenarios/ukraine-2014-time.yaml -n 5000")
for f in "$root"/scenarios/*.yaml "$root"/bench/models/*.yaml; do
  [ "$quick" = 1 ] && break
  name=$(basename "$f" .yaml)
  grep -q '^tyche:' "$f" || continue   # observations.yaml: a fragment (below)
  if grep -q '^batch:' "$f"; then cases+=("$name|batch $f -n 10000")
  else cases+=("$name|run $f -n 30000"); fi
done
bench=$root/bench/models/ukraine-2014-bench.yaml
# The bench model with its observations (as bench/run-observe): weighted tallies.
cat "$bench" "$root/bench/models/observations.yaml" > "$work/observed.yaml"
cases+=("bench-observed|run $work/observed.yaml -n 30000")
cases+=("bench-samples|run $bench -n 30000 --save-samples")
cases+=("bench-lhs|run $bench -n 30000 --sampling lhs")

for c in "${cases[@]}"; do
  name=${c%%|*}; args=${c#*|}
  for isa in "${paths[@]}"; do
    # shellcheck disable=SC2086
    TYCHE_ISA=$isa "$tyche" $args --threads 2 --quiet -o "$work/$name-$isa.h5" >"$work/log" 2>&1 \
      || { bad "$name under $isa: exit $?: $(head -c 300 "$work/log")"; continue; }
    [ "$isa" = "${paths[0]}" ] && continue
    if "${compare[@]}" "$work/$name-${paths[0]}.h5" "$work/$name-$isa.h5" >"$work/cmp" 2>&1; then ok
    else bad "$name: $isa differs from ${paths[0]}: $(head -n 5 "$work/cmp")"; fi
  done
done

# Negative control: the comparison sees a changed seed.
"$tyche" run "$bench" -n 30000 --save-samples --seed 7 --threads 2 --quiet -o "$work/seed7.h5" >/dev/null 2>&1
"${compare[@]}" "$work/bench-samples-${paths[0]}.h5" "$work/seed7.h5" >/dev/null 2>&1 \
  && bad "the comparison did not see a changed seed" || ok

echo "isa_paths: $pass passed, $fail failed"
[ $fail -eq 0 ]
