#!/usr/bin/env bash
# The distributions added by issue 16, end to end: `LO to HI` is ci90(LO,
# HI) (same description, same numbers); student_t's loc/scale defaults; a
# student_t with df <= 2 loads only truncated; truncate(...) inside a
# mixture; truncate plus a bounds key intersect; a scenario of every new
# family runs, random and Latin hypercube, to the same file at 1 and 3
# threads; --set reaches student_t's df and refuses a mixture with a clear
# message; a batch sweeps weibull's shape. Load errors of each family are
# in tests/malformed/ (check_malformed.sh). About 10 s.
# Usage: bash dists.sh TYCHE_BINARY
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
compare="$root/tools/compare-results"

cat > "$work/all.yaml" <<'YAML'
tyche: 1
name: dists
run: {samples: 40000, seed: 11}
factors:
  a: {dist: 5 to 40}
  b: {dist: "-3 to 7"}
  t: {dist: "student_t(4, loc=10, scale=2)"}
  t1: {dist: "student_t(1)", bounds: [-10, 10]}
  lu: {dist: "loguniform(1, 100)"}
  ex: {dist: "exponential(0.5)"}
  wb: {dist: "weibull(1.5, 3)"}
  ml: {dist: "metalog([10, 20, 40], [0.1, 0.5, 0.9])"}
  mlb: {dist: "metalog([10, 20, 40, 60], [0.1, 0.5, 0.9, 0.95], lower=0, upper=100)"}
  mx: {dist: "mixture([normal(0, 1), truncate(lognormal(1, 0.5), 1, 5), discrete([7, 8], [1, 3])], [0.5, 0.3, 0.2])"}
  mx2: {dist: "mixture([mixture([uniform(0, 1), constant(3)]), ci90(5, 40)])"}
  tr: {dist: "truncate(normal(0, 1), -1, 2)", bounds: [0, 5]}
outcomes:
  hi: {score: "(a + t + lu + ex + wb + ml + mlb + mx + mx2 + tr + t1 + b) / 50 - 2"}
  lo: {score: 0}
YAML

# check: the descriptions
out=$("$tyche" check "$work/all.yaml" 2>&1); rc=$?
[ "$rc" = 0 ] && ok || bad "check all.yaml: exit $rc: $out"
want=("ci90(lo=5, hi=40) -> lognormal(mu=2.649, sigma=0.6321)"
      "ci90(lo=-3, hi=7) -> normal(mean=2, sd=3.04)"
      "student_t(df=4, loc=10, scale=2)"
      "student_t(df=1, loc=0, scale=1) in [-10, 10]"
      "metalog(x=[10, 20, 40, 60], p=[0.1, 0.5, 0.9, 0.95], lower=0, upper=100)"
      "lognormal(mu=1, sigma=0.5) in [1, 5]"
      "normal(mean=0, sd=1) in [0, 2]")
for w in "${want[@]}"; do
  grep -qF "$w" <<<"$out" && ok || bad "check: no '$w' in: $out"
done

# `5 to 40` and ci90(5, 40): the same numbers
sed 's/{dist: 5 to 40}/{dist: "ci90(5, 40)"}/' "$work/all.yaml" > "$work/ci.yaml"
p1=$("$tyche" run "$work/all.yaml" -o "$work/a.h5" --json --quiet | "$py" -c 'import json,sys; d=json.load(sys.stdin)["runs"]["baseline"]; print(d["outcomes"][0]["probability"], d["factors"][0]["mean"])')
p2=$("$tyche" run "$work/ci.yaml" -o "$work/c.h5" --json --quiet | "$py" -c 'import json,sys; d=json.load(sys.stdin)["runs"]["baseline"]; print(d["outcomes"][0]["probability"], d["factors"][0]["mean"])')
[ -n "$p1" ] && [ "$p1" = "$p2" ] && ok || bad "5 to 40 gives '$p1', ci90(5, 40) '$p2'"

# 1 and 3 threads, random and Latin hypercube: the same file
for s in random lhs; do
  "$tyche" run "$work/all.yaml" -n 20000 --sampling $s --threads 1 -o "$work/t1.h5" --quiet &&
  "$tyche" run "$work/all.yaml" -n 20000 --sampling $s --threads 3 -o "$work/t3.h5" --quiet &&
  "$py" "$compare" --ignore threads,command_line,command_args "$work/t1.h5" "$work/t3.h5" >/dev/null \
    && ok || bad "$s: 1 and 3 threads differ"
done

# --set on the new families
"$tyche" run "$work/all.yaml" -n 5000 -o "$work/s.h5" --quiet --set t.df=3 --set wb.shape=2 \
  && ok || bad "--set t.df=3 --set wb.shape=2 failed"
err=$("$tyche" run "$work/all.yaml" -n 5000 -o "$work/s.h5" --quiet --set mx.weights=1 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "factor 'mx' is mixture, which has no numeric parameter to set" <<<"$err" \
  && ok || bad "--set mx.weights: exit $rc: $err"
err=$("$tyche" run "$work/all.yaml" -n 5000 -o "$work/s.h5" --quiet --set t.df=1 2>&1); rc=$?
[ "$rc" != 0 ] && grep -q "student_t: df = 1 gives an infinite mean and variance" <<<"$err" \
  && ok || bad "--set t.df=1: exit $rc: $err"

# a sweep of weibull's shape in a batch
cat > "$work/b.yaml" <<'YAML'
tyche: 1
batch: dists-sweep
scenario: all.yaml
variants:
  baseline: {}
  heavy_t: {factors: {t: {dist: "student_t(1.5, 10, 2)", bounds: [0, 20]}}}
sweeps:
  shape:
    factor: wb
    param: shape
    values: [0.8, 1.5, 3]
YAML
"$tyche" batch "$work/b.yaml" -n 5000 -o "$work/b.h5" --quiet && ok || bad "batch with a weibull sweep failed"
cat > "$work/b2.yaml" <<'YAML'
tyche: 1
batch: dists-sweep2
scenario: all.yaml
variants:
  baseline: {}
sweeps:
  w:
    factor: mx
    param: weights
    values: [1, 2]
YAML
err=$("$tyche" batch "$work/b2.yaml" -n 5000 -o "$work/b2.h5" --quiet 2>&1); rc=$?
[ "$rc" != 0 ] && grep -q "mixture has no numeric parameter 'weights'" <<<"$err" \
  && ok || bad "sweep of a mixture: exit $rc: $err"

finish
