#!/usr/bin/env bash
# Scores and rule conditions that are not finite, end to end: for each way
# of making one (a table of expressions under both models), `tyche run`
# exits 3 with the error at the expression's FILE:LINE:COL naming the
# outcome, the expression and a sample with its factor values, under random
# and Latin hypercube sampling; the message is the same for 1 and 2
# threads; no result file is written. Guarded versions
# run (exit 0) and their probabilities sum to 1 in the file. Constant
# non-finite scores are load errors for `tyche check`. `tyche sensitivity`
# reports the same faults in each method's pass. Unreachable rank
# correlations warn. About 15 s.
# Usage: bash nonfinite.sh TYCHE_BINARY
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"

# scenario MODEL EXPR [SAMPLING]: a two-factor scenario whose second outcome
# is EXPR, written on line 12 at column 17 (score) or 16 (when).
scenario() {
  local key=score last='  rest: {score: "0"}'
  [ "$1" = rules ] && { key=when; last='  rest: {otherwise: true}'; }
  cat <<YAML
tyche: 1
name: nf
run:
  samples: 30000
  seed: 7
  sampling: ${3:-random}
factors:
  x: {dist: "normal(0, 2)"}
  y: {dist: "uniform(0, 1)"}
outcomes:
  model: $1
  bad: {$key: "$2"}
$last
YAML
}

exprs=("log(x)" "sqrt(x) + y" "y / (x - x)" "exp(400 * x)" "pow(x, 0.5) > y"
       "max(log(x), 0)" "log(x) > 1 ? 1 : 0" "(x > 0 and log(x - 3) > 0) + 1"
       "not (sqrt(x) < 2)" "(y > 2 or log(x) < 0) + 0" "x ^ 1000")
n=0
for model in logit rules; do
  for e in "${exprs[@]}"; do
    for sampling in random lhs; do
      n=$((n + 1))
      f=$work/s$n.yaml
      scenario "$model" "$e" "$sampling" > "$f"
      col=17; [ "$model" = rules ] && col=16
      "$tyche" run "$f" -o "$work/r$n.h5" --threads 1 --quiet 2> "$work/e1" >/dev/null
      rc=$?
      "$tyche" run "$f" -o "$work/r$n.h5" --threads 2 --quiet 2> "$work/e2" >/dev/null
      what="$model '$e' $sampling"
      [ "$rc" = 3 ] && ok || bad "$what: exit $rc, want 3"
      head -1 "$work/e1" | grep -qE "^$f:12:$col: error: the (score|condition) of outcome 'bad' \(.+\) is (NaN|[+-]infinity) for sample [0-9]+: x=[-0-9.e+]+, y=[-0-9.e+]+$" \
        && ok || bad "$what: message: $(head -1 "$work/e1")"
      grep -q "hint: scores and conditions must be finite" "$work/e1" && ok || bad "$what: no hint"
      cmp -s "$work/e1" "$work/e2" && ok || bad "$what: message differs with 2 threads"
      [ ! -e "$work/r$n.h5" ] && ok || bad "$what: a result file was written"
      [ -z "$(ls -A "$work" | grep -E '^\.r' || true)" ] && ok || bad "$what: temporary file left"
    done
  done
done

# The same expressions guarded run, and the file's probabilities sum to 1.
guarded=("x > 0 ? log(x) : -5" "(x > 0 and log(x) > 1) + y" "x <= 0 or sqrt(x) < 1" "min(x, 3) * 200")
for model in logit rules; do
  for e in "${guarded[@]}"; do
    n=$((n + 1))
    scenario "$model" "$e" lhs > "$work/g$n.yaml"
    if "$tyche" run "$work/g$n.yaml" -o "$work/g$n.h5" --quiet >/dev/null 2>"$work/err"; then ok
    else bad "guarded $model '$e': exit $?: $(head -1 "$work/err")"; continue; fi
    $py - "$work/g$n.h5" <<'PY' && ok || bad "guarded $model '$e': probabilities"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    runs = f["runs"]
    assert len(runs) == 1
    for name in runs:
        p = np.asarray(runs[name]["outcomes"]["probability"], dtype=float)
        assert len(p) == 2, p
        assert np.all(np.isfinite(p)) and abs(p.sum() - 1) < 1e-9, p
PY
  done
done

# `tyche sensitivity` meets the same faults in each of its passes: the same
# message (naming the pass), exit 3, for 1 and 2 threads, nothing written.
for model in logit rules; do
  for e in "log(x)" "y / (x - x)" "exp(400 * x)"; do
    for method in tornado spearman sobol; do
      n=$((n + 1))
      scenario "$model" "$e" > "$work/v$n.yaml"
      col=17; [ "$model" = rules ] && col=16
      what="sensitivity --method $method $model '$e'"
      "$tyche" sensitivity "$work/v$n.yaml" --method $method -n 2048 -o "$work/v$n.h5" --threads 1 --quiet 2>"$work/e1" >/dev/null
      rc=$?
      "$tyche" sensitivity "$work/v$n.yaml" --method $method -n 2048 -o "$work/v$n.h5" --threads 2 --quiet 2>"$work/e2" >/dev/null
      [ "$rc" = 3 ] && ok || bad "$what: exit $rc, want 3"
      head -1 "$work/e1" | grep -qE "^$work/v$n.yaml:12:$col: error: the (score|condition) of outcome 'bad' \(.+\) is (NaN|[+-]infinity) for sample [0-9]+: x=[-0-9.e+]+, y=[-0-9.e+]+ \(in the (baseline|tornado|Sobol design)\)$" \
        && ok || bad "$what: message: $(head -1 "$work/e1")"
      cmp -s "$work/e1" "$work/e2" && ok || bad "$what: message differs with 2 threads"
      [ ! -e "$work/v$n.h5" ] && ok || bad "$what: a result file was written"
    done
  done
done

# Constant scores and conditions that are not finite: load errors.
for model in logit rules; do
  for e in "log(-1)" "1/0" "0/0 > 1" "sqrt(-1) + x * 0 - x * 0"; do
    scenario "$model" "$e" > "$work/c.yaml"
    "$tyche" check "$work/c.yaml" >/dev/null 2>"$work/err"; rc=$?
    case $e in
      *x*) [ "$rc" = 0 ] && ok || bad "check $model '$e': exit $rc (not constant: a run-time matter)";;
      *) { [ "$rc" = 3 ] && grep -qE "^$work/c.yaml:12:[0-9]+: error: the (score|condition) of outcome 'bad' is (NaN|[+-]infinity) for every sample" "$work/err"; } \
           && ok || bad "check $model '$e': exit $rc: $(head -1 "$work/err")";;
    esac
  done
done
# Rank correlations the margins cannot reach warn with the value reached:
# ties of repeating values cap it (closed forms: two bernoulli(0.5) at
# normal-score r reach 2 asin(r) / pi); continuous margins reach it.
corr() {
  printf 'tyche: 1\nname: c\nfactors:\n  a: {dist: "%s"}\n  b: {dist: "%s"}\ncorrelations:\n  - {factors: [a, b], rank: %s}\noutcomes:\n  x: {score: a}\n  y: {score: b}\n' "$1" "$2" "$3" > "$work/corr.yaml"
  "$tyche" check "$work/corr.yaml" 2>&1 >/dev/null | head -1
}
for c in "bernoulli(0.5)|bernoulli(0.5)|0.9|0.72" "bernoulli(0.5)|bernoulli(0.5)|-0.9|-0.72" \
         "bernoulli(0.1)|normal(0, 1)|0.8|0.[34]" "discrete([1, 2], [0.5, 0.5])|bernoulli(0.5)|0.6|0.4[0-9]"; do
  IFS='|' read -r da db rho want <<< "$c"
  got=$(corr "$da" "$db" "$rho")
  [[ $got =~ ^$work/corr.yaml:7:5:\ warning:\ rank\ correlation\ $rho\ between\ a\ and\ b\ cannot\ be\ reached\ with\ these\ distributions\;\ it\ reaches\ about\ $want ]] \
    && ok || bad "corr $da ~ $db $rho: '$got'"
done
for c in "normal(0, 1)|gamma(2, 1)|0.9" "poisson(50)|normal(0, 1)|0.5" "bernoulli(0.5)|bernoulli(0.5)|0.04"; do
  IFS='|' read -r da db rho <<< "$c"
  got=$(corr "$da" "$db" "$rho")
  [ -z "$got" ] && ok || bad "corr $da ~ $db $rho: unexpected '$got'"
done
finish
