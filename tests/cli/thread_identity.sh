#!/usr/bin/env bash
# Thread identity of whole result files: every file `tyche run`, `tyche
# batch` and `tyche sensitivity` write with --threads 2, 3 and 7 is the
# file written with --threads 1, dataset by dataset and attribute by
# attribute, bit for bit (tools/compare-results), apart from what may
# differ: created, host, wall_seconds, the `threads` attribute and the
# stored command line. Likewise an interrupted run resumed with 1, 2 or 7
# threads (and one interrupted again while resuming) is the uninterrupted
# run's file.
#
# Matrix (each cell at --threads 1, 2, 3, 7):
#   run: {release-deadline (logit, a correlated pair), the same without its
#        correlation (logit, independent), geneva-2014 (rules, independent)}
#        x {random, lhs} x {-n 3000 (lhs's small cells), -n 300000 (293
#        blocks, rounds of up to 128 blocks, a partial last block)};
#        plus --save-samples (rounds of 64 blocks) and --target-halfwidth;
#        ukraine-2014 (five queries of every kind, with conditions) x
#        {random, lhs} at -n 100000
#   batch: release-deadline-options (correlated) random and --sampling lhs;
#        ukraine-2014-policy (queries' paired differences) at -n 8192;
#        a batch of our own on each of the correlated and independent
#        scenarios mixing random and `run: {sampling: lhs}` variants, a
#        changed factor and a sweep
#   sensitivity: ukraine-2014 -n 2048 --method all --ignore-correlations
#        --target force_ratio; --method tornado with the correlations
#   interrupt/resume: 4 run configurations (random/lhs, correlated or not,
#        logit/rules) stopped after 2 and after 9 rounds
#        (TYCHE_TEST_INTERRUPT_AFTER_ROUNDS, engine/cli/runner.c) at 1 and
#        7 threads: exit 130, complete=0, the samples of exactly those
#        rounds, the two files identical; resumed with 1, 2 and 7 threads;
#        one interrupted again while resuming, then resumed; an interrupted
#        batch identical at 1 and 7 threads.
#
# What it catches: a floating-point reduction combined in thread or
# completion order (OpenMP `reduction(+)` on doubles, atomics), a random
# stream per thread instead of per block, a histogram, pilot range or
# convergence trace merged in schedule order, per-thread state leaking
# between blocks (a Latin hypercube permutation, a copula buffer, a
# workspace not reset), a round or checkpoint boundary that depends on the
# thread count, sensitivity rows or bootstrap replicates drawn per thread,
# and a resume that re-seeds, re-runs or skips blocks, or loses the
# histogram pilot or convergence trace.
#
# Deterministic: no timing, no signals raced against a run, no statistical
# threshold; every comparison is exact equality of outputs that the engine
# defines as identical (README, 'Determinism'), so a failure is a real
# difference. Negative controls check that the comparison sees a changed
# seed and the threads attribute, and that 7 threads were really used.
# About 12 s of CPU; 30 s wall on 2 cores shared with other work.
# Usage: bash thread_identity.sh TYCHE_BINARY DATA_DIR
set -uo pipefail
tyche=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
compare=("$py" "$root/tools/compare-results" --ignore threads,command_line,command_args)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
unset TYCHE_TEST_INTERRUPT_AFTER_ROUNDS OMP_NUM_THREADS OMP_DYNAMIC OMP_THREAD_LIMIT

# The scenarios: the shipped ones, the correlated teaching example without
# its correlation, and two batches of our own (next to their scenarios:
# a batch names its scenario relative to itself).
sc=$work/scen
mkdir -p "$sc"
rd=$root/scenarios/release-deadline.yaml
geneva=$root/scenarios/geneva-2014.yaml
cp "$rd" "$sc/rd-corr.yaml"
grep -q '^correlations:' "$rd" && ! grep -q '^correlations:' "$geneva" \
  || bad "release-deadline.yaml should have correlations and geneva-2014.yaml none"
sed -e '/^correlations:/,/^  - /d' -e 's/^name: release-deadline$/name: release-deadline-indep/' \
  "$rd" > "$sc/rd-indep.yaml"
! grep -q 'correlations:' "$sc/rd-indep.yaml" && "$tyche" check "$sc/rd-indep.yaml" >/dev/null \
  && ok || bad "the independent copy of release-deadline.yaml"
for s in corr indep; do
  cat > "$sc/mix-$s.yaml" <<EOF
tyche: 1
batch: mix-$s
scenario: rd-$s.yaml
variants:
  baseline: {}
  lhs:
    run: {sampling: lhs}
  faster_lhs:
    factors:
      velocity:
        dist: normal(1.8, 0.4)
    run: {sampling: lhs}
  smaller:
    factors:
      scope: {dist: "triangular(6, 10, 18)"}
sweeps:
  scope_mode:
    factor: scope
    param: mode
    values: [10, 12, 14]
EOF
done

# Part 1: one file per configuration in $work/tT/, for T = 1, 2, 3, 7.
# name verb args...: runs the configuration at every thread count.
declare -a names=()
at_threads() {
  local name=$1; shift
  names+=("$name")
  for t in 1 2 3 7; do
    mkdir -p "$work/t$t"
    "$@" -o "$work/t$t/$name.h5" --threads "$t" --quiet >/dev/null 2>"$work/err" \
      || bad "$name --threads $t: exit $? $(head -c 500 "$work/err")"
  done
}
for m in random lhs; do
  for n in 3000 300000; do
    at_threads "run-corr-$m-$n" "$tyche" run "$sc/rd-corr.yaml" -n $n --sampling $m
    at_threads "run-indep-$m-$n" "$tyche" run "$sc/rd-indep.yaml" -n $n --sampling $m
    at_threads "run-geneva-$m-$n" "$tyche" run "$geneva" -n $n --sampling $m
  done
done
at_threads run-corr-lhs-samples "$tyche" run "$sc/rd-corr.yaml" -n 140000 --sampling lhs --save-samples
at_threads run-corr-target "$tyche" run "$sc/rd-corr.yaml" --target-halfwidth 0.004 --max-samples 2000000
# Queries (probability, mean and quantiles, with 0/1 and fractional
# conditions) and the outcomes' spread: ukraine-2014 asks all of them.
for m in random lhs; do
    at_threads "run-queries-$m" "$tyche" run "$root/scenarios/ukraine-2014.yaml" -n 100000 --sampling $m
done
at_threads batch-queries "$tyche" batch "$root/scenarios/ukraine-2014-policy.yaml" -n 8192
# Time scenarios: paths, their compaction, the curves and the states'
# percentiles (recomputed from the first blocks), a batch of them.
for m in random lhs; do
    at_threads "run-time-$m" "$tyche" run "$root/scenarios/ukraine-2014-time.yaml" -n 40000 --sampling $m
done
at_threads batch-time "$tyche" batch "$root/scenarios/ukraine-2014-time-batch.yaml" -n 5000
at_threads batch-options-random "$tyche" batch "$root/scenarios/release-deadline-options.yaml" -n 20000
at_threads batch-options-lhs "$tyche" batch "$root/scenarios/release-deadline-options.yaml" -n 20000 --sampling lhs
at_threads batch-mix-corr "$tyche" batch "$sc/mix-corr.yaml" -n 30000
at_threads batch-mix-indep "$tyche" batch "$sc/mix-indep.yaml" -n 30000
at_threads sens-all "$tyche" sensitivity "$root/scenarios/ukraine-2014.yaml" -n 2048 --method all \
  --ignore-correlations --target force_ratio
at_threads sens-tornado "$tyche" sensitivity "$root/scenarios/ukraine-2014.yaml" -n 2048 --method tornado
[ "$(ls "$work/t1" | wc -l)" = "${#names[@]}" ] && ok || bad "expected ${#names[@]} files in t1/"

for t in 2 3 7; do
  if "${compare[@]}" "$work/t1" "$work/t$t" > "$work/cmp" 2>&1; then ok
  else bad "--threads $t differs from --threads 1:"; grep -v ': identical$' "$work/cmp" | head -40; fi
done

# Negative controls: the comparison sees a changed seed; without --ignore it
# sees the threads attribute; and every run of the 7-thread files says 7
# (or its number of blocks, when fewer: never more threads than blocks).
"$tyche" run "$sc/rd-corr.yaml" -n 3000 --seed 8 -o "$work/seed8.h5" --threads 1 --quiet >/dev/null
! "${compare[@]}" "$work/t1/run-corr-random-3000.h5" "$work/seed8.h5" >/dev/null 2>&1 \
  && ok || bad "compare-results did not see another seed"
"$py" "$root/tools/compare-results" "$work/t1/run-corr-random-3000.h5" "$work/t7/run-corr-random-3000.h5" \
  > "$work/cmp" 2>&1
grep -q 'runs/baseline@threads: attribute differs' "$work/cmp" && ok || bad "without --ignore the threads attribute should differ"
"$py" - "$work/t7" <<'PY' && ok || bad "a 7-thread file does not record 7 threads"
import glob, sys, h5py
for p in glob.glob(sys.argv[1] + "/*.h5"):
    with h5py.File(p, "r") as f:
        runs = f["runs"]
        assert len(runs) > 0, p
        for name, r in runs.items():
            # a run of fewer blocks than threads uses one thread a block
            n = max(int(r.attrs["samples"]), int(r.attrs["samples_requested"]))
            t, blocks = int(r.attrs["threads"]), -(-n // int(r.attrs["block_size"]))
            assert t == min(7, blocks), (p, name, t, blocks)
PY

# Part 2: interrupt and resume, deterministically: the test hook stops the
# run after exactly K rounds, as SIGINT would. Rounds end at 2^k blocks and
# after at most 256 blocks: with -n 300000 (293 blocks) 2 rounds are 2
# blocks (before the 8-block pilot of the derived values' histogram range)
# and 9 rounds are 256 blocks (past the 64 fully binned blocks).
# Every pair of files that must be identical is linked as pairs/a/ID.h5 and
# pairs/b/ID.h5 (ID says which), and every interrupted file with the samples
# it must hold is listed in $interrupted: each is checked once at the end
# (one Python start each, not one per file).
iw=$work/interrupt
mkdir -p "$iw" "$work/pairs/a" "$work/pairs/b"
interrupted=$work/interrupted.txt
: > "$interrupted"
pair() { ln -s "$1" "$work/pairs/a/$3.h5"; ln -s "$2" "$work/pairs/b/$3.h5"; }
for cfg in "corr-random|$sc/rd-corr.yaml|random" "corr-lhs|$sc/rd-corr.yaml|lhs" \
           "indep-random|$sc/rd-indep.yaml|random" "geneva-lhs|$geneva|lhs"; do
  IFS='|' read -r name scen m <<<"$cfg"
  case $name in geneva-*) full=$work/t1/run-geneva-$m-300000.h5 ;; *) full=$work/t1/run-$name-300000.h5 ;; esac
  for k in 2 9; do
    expect=$(( k == 2 ? 2048 : 256 * 1024 ))
    for t in 1 7; do
      f=$iw/$name-k$k-t$t.h5
      TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=$k "$tyche" run "$scen" -n 300000 --sampling "$m" \
        --threads $t -o "$f" --quiet >/dev/null 2>"$work/err"; rc=$?
      [ $rc = 130 ] && ok || bad "$name interrupted after $k rounds, $t threads: exit $rc $(head -c 300 "$work/err")"
      echo "$f $expect" >> "$interrupted"
    done
    pair "$iw/$name-k$k-t1.h5" "$iw/$name-k$k-t7.h5" "$name-interrupted-after-$k-rounds-t7-vs-t1"
    for t in 1 2 7; do
      f=$iw/$name-k$k-r$t.h5
      cp "$iw/$name-k$k-t7.h5" "$f"
      "$tyche" run --resume "$f" --threads $t --quiet >/dev/null 2>"$work/err" && ok \
        || bad "$name resumed after $k rounds with $t threads: exit $? $(head -c 300 "$work/err")"
      pair "$full" "$f" "$name-interrupted-after-$k-rounds-resumed-t$t-vs-uninterrupted"
    done
  done
  # Interrupted again while resuming (2 more rounds: blocks 2-3 and 4-7),
  # then resumed to the end.
  f=$iw/$name-chain.h5
  cp "$iw/$name-k2-t1.h5" "$f"
  TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=2 "$tyche" run --resume "$f" --threads 3 --quiet >/dev/null 2>&1; rc=$?
  [ $rc = 130 ] && ok || bad "$name: resume interrupted after 2 rounds: exit $rc"
  cp "$f" "$iw/$name-chain-interrupted.h5"
  echo "$iw/$name-chain-interrupted.h5 8192" >> "$interrupted"
  "$tyche" run --resume "$f" --threads 2 --quiet >/dev/null 2>&1 && ok || bad "$name: second resume: exit $?"
  pair "$full" "$f" "$name-interrupted-twice-resumed-vs-uninterrupted"
done

# An interrupted batch (tests/cli/resume.sh resumes them): exit 130, complete=0, and
# the runs it wrote are the same at 1 and 7 threads. The baseline of
# -n 20000 (20 blocks) takes 6 rounds: 9 rounds stop inside the second
# variant.
for t in 1 7; do
  TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=9 "$tyche" batch "$sc/mix-corr.yaml" -n 20000 --threads $t \
    -o "$iw/batch-t$t.h5" --quiet >/dev/null 2>&1; rc=$?
  [ $rc = 130 ] && ok || bad "interrupted batch, $t threads: exit $rc"
  echo "$iw/batch-t$t.h5 -" >> "$interrupted"
done
pair "$iw/batch-t1.h5" "$iw/batch-t7.h5" "batch-interrupted-after-9-rounds-t7-vs-t1"

# The interrupted files: complete=0 in the file and in its (last) run, the
# samples of exactly the rounds run, and the resume state.
"$py" - "$interrupted" <<'PY' && ok || bad "interrupted files (above)"
import sys, h5py
bad = 0
for line in open(sys.argv[1]):
    path, expect = line.split()
    with h5py.File(path, "r") as f:
        why = []
        if int(f.attrs["complete"]) != 0:
            why.append("complete is not 0")
        if expect != "-":
            r = f["runs/baseline"]
            if int(r.attrs["complete"]) != 0:
                why.append("runs/baseline@complete is not 0")
            if int(r.attrs["samples"]) != int(expect):
                why.append(f"{r.attrs['samples']} samples, not {expect}")
            if "resume" not in r:
                why.append("no resume state")
        if why:
            bad += 1
            print(f"FAIL: {path}: {'; '.join(why)}")
sys.exit(1 if bad else 0)
PY
if "${compare[@]}" "$work/pairs/a" "$work/pairs/b" > "$work/cmp" 2>&1; then ok
else bad "interrupted or resumed files that differ:"; grep -v ': identical$' "$work/cmp" | head -40; fi

echo "$pass passed, $fail failed (${#names[@]} configurations at 1, 2, 3, 7 threads; $(ls "$work/pairs/a" | wc -l) interrupt/resume pairs)"
[ $fail = 0 ]
