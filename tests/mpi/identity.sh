#!/usr/bin/env bash
# MPI identity: `mpirun -np R tyche ...` at R = 1, 2 and 3 ranks, each with
# --threads 1 and 2, writes the result file the reference build (no MPI)
# writes with the same --threads, dataset by dataset and attribute by
# attribute, bit for bit (tools/compare-results), but for the `ranks`
# attribute, which must be R on every group that records `threads`.
#
# Cases (the shipped scenarios at small sizes; blocks are 1,024 samples,
# rounds end at 1, 2, 4, 8, ... blocks, so the early rounds have fewer
# blocks than ranks and some ranks get none):
#   run: geneva-2014 (rules) -n 30000 and -n 2500 (3 blocks, the last
#        partial); ukraine-2014 (logit, correlated, five queries of every kind
#        and the outcomes' spread) -n 30000, random and
#        --sampling lhs; --target-halfwidth that stops at a checkpoint
#        well before --max-samples (checked on the reference);
#        --save-samples, random and lhs, and at -n 2500 (every per-sample
#        dataset, written collectively by the ranks through parallel HDF5;
#        the last round's one partial block on rank 0)
#   batch: ukraine-2014-policy (variants and sweeps); release-deadline-
#        options (a sweep; also --sampling lhs, --target-halfwidth and
#        --save-samples)
#   observations: ukraine-2014-update (every estimate weighted; random with
#        --save-samples and lhs), its batch (variants that drop and change
#        observations), and tests/mpi/far-reading.yaml, whose run restarts
#        with a greater shift when a round meets a weight beyond the pilot's
#   sensitivity: ukraine-2014 --method all --ignore-correlations --target
#        force_ratio; release-deadline --method tornado (correlated)
# Also: with --quiet, the reference's warnings once, nothing else; one
# table on stdout from a run without --quiet, not one per rank;
# --json prints one document, the reference's but for ranks and times.
#
# What it catches: tallies added in rank order or as they arrive, a block
# range or round that depends on R, a stop (target) decided per rank,
# samples written at the wrong offsets, or a rank's slab lost, output or
# files written once per rank.
# Deterministic: exact equality only. About 60-90 s on 2 cores.
# Usage: bash identity.sh MPI_TYCHE REFERENCE_TYCHE [MPIEXEC]
source "$(dirname "$0")/lib/prologue.sh"

names=() args=()
add() { names+=("$1"); shift; args+=("$*"); }
add run-geneva            run "$S/geneva-2014.yaml" -n 30000
add run-geneva-3blocks    run "$S/geneva-2014.yaml" -n 2500
add run-ukraine           run "$S/ukraine-2014.yaml" -n 30000
add run-ukraine-lhs       run "$S/ukraine-2014.yaml" -n 30000 --sampling lhs
add run-target            run "$S/ukraine-2014.yaml" --target-halfwidth 0.001 --max-samples 400000
add run-save              run "$S/ukraine-2014.yaml" -n 20000 --save-samples
add run-save-lhs          run "$S/geneva-2014.yaml" -n 70000 --save-samples --sampling lhs
add run-save-3blocks      run "$S/geneva-2014.yaml" -n 2500 --save-samples
add batch-policy          batch "$S/ukraine-2014-policy.yaml" -n 3000
add batch-options         batch "$S/release-deadline-options.yaml" -n 10000
add batch-options-lhs     batch "$S/release-deadline-options.yaml" -n 10000 --sampling lhs
add batch-options-target  batch "$S/release-deadline-options.yaml" --target-halfwidth 0.0055 --max-samples 100000
add batch-options-save    batch "$S/release-deadline-options.yaml" -n 5000 --save-samples
add run-update            run "$S/ukraine-2014-update.yaml" -n 20000 --save-samples
add run-update-lhs        run "$S/ukraine-2014-update.yaml" -n 20000 --sampling lhs
add run-far-restart       run "$(dirname "$0")/far-reading.yaml" -n 30000 --save-samples
add batch-update          batch "$S/ukraine-2014-update-batch.yaml" -n 3000
add run-time              run "$S/ukraine-2014-time.yaml" -n 30000
add batch-time            batch "$S/ukraine-2014-time-batch.yaml" -n 3000
add sens-all              sensitivity "$S/ukraine-2014.yaml" -n 1024 --method all --ignore-correlations --target force_ratio
add sens-tornado          sensitivity "$S/release-deadline.yaml" -n 2048 --method tornado

# go DIR COMMAND...: COMMAND -o r.h5 --quiet in DIR (made), its output kept there.
go() {
    local dir=$1; shift
    mkdir -p "$dir"
    (cd "$dir" && "$@" -o r.h5 --quiet >out 2>err)
}

for i in "${!names[@]}"; do
    name=${names[$i]}
    read -ra a <<<"${args[$i]}"
    for t in 1 2; do
        d=$work/ref/$name/t$t
        go "$d" reference "${a[@]}" --threads $t \
            || { bad "$name: the reference run: exit $? $(head -c 300 "$d/err")"; continue; }
        for r in 1 2 3; do
            m=$work/mpi/$name/r$r-t$t
            if go "$m" mpi $r "${a[@]}" --threads $t; then ok
            else bad "$name: mpirun -np $r --threads $t: exit $? $(head -c 400 "$m/err")"; continue; fi
            # --quiet: only warnings, one copy of the reference's.
            cmp -s "$d/out" "$m/out" && cmp -s "$d/err" "$m/err" && ok \
                || bad "$name -np $r: its output is not the reference's: $(diff "$d/err" "$m/err" | head -c 400) $(head -c 200 "$m/out")"
            pair "$d/r.h5" "$m/r.h5" "$name-np$r-t$t"
            ranks_are "$m/r.h5" $r
        done
    done
done

# The target runs really stopped early, at a checkpoint before their maximum
# (the batch's two variants at different ones).
"$py" - "$work/ref/run-target/t1/r.h5" 400000 "$work/ref/batch-options-target/t1/r.h5" 100000 <<'PY' \
    && ok || bad "a --target-halfwidth case did not stop early in the reference (above): change its H"
import sys, h5py
for path, m in zip(sys.argv[1::2], sys.argv[2::2]):
    with h5py.File(path, "r") as f:
        for name, g in f["runs"].items():
            n = int(g.attrs["samples"])
            print(f"  {path.split('/')[-3]}/{name}: stopped at {n} of {m} samples")
            assert 8192 < n < int(m), n
PY
# The per-sample datasets are there to be compared (compare-results reads every dataset).
"$py" - "$work/ref/run-save/t1/r.h5" <<'PY' && ok || bad "run-save: no per-sample datasets in the reference file"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
names = []
f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) and "sample" in n else None)
assert names, "no samples datasets"
PY

# Output: one table without --quiet, one JSON document with --json.
for r in 2 3; do
    d=$work/out/r$r; mkdir -p "$d"
    (cd "$d" && mpi "$r" run "$S/geneva-2014.yaml" -n 30000 -o r.h5 >out 2>err); rc=$?
    n=$(grep -c '^baseline$' "$d/out"); w=$(grep -c 'wrote r.h5' "$d/err")
    [ $rc = 0 ] && [ "$n" = 1 ] && [ "$w" = 1 ] && ok \
        || bad "-np $r without --quiet: exit $rc, $n tables on stdout and $w 'wrote' lines on stderr (want 1 and 1)"
    (cd "$d" && mpi "$r" run "$S/ukraine-2014.yaml" -n 30000 -o j.h5 --json --quiet >json 2>err); rc=$?
    (cd "$work/out" && reference run "$S/ukraine-2014.yaml" -n 30000 -o j.h5 --json --quiet >json 2>/dev/null)
    "$py" - "$work/out/json" "$d/json" "$r" <<'PY' && ok || bad "-np $r --json: not the reference's document (above); exit $rc"
import json, sys
def load(p):
    return json.load(open(p))   # one document: a second copy would not parse
a, b = load(sys.argv[1]), load(sys.argv[2])
def strip(d, ranks=None):
    if isinstance(d, dict):
        if ranks is not None and "ranks" in d:
            assert d["ranks"] == ranks, f"ranks {d['ranks']} != {ranks}"
        return {k: strip(v, ranks) for k, v in d.items() if k not in ("created", "wall_seconds", "ranks")}
    if isinstance(d, list):
        return [strip(v, ranks) for v in d]
    return d
sa, sb = strip(a), strip(b, int(sys.argv[3]))
if sa != sb:
    for k in sorted(set(sa["runs"]["baseline"]) | set(sb["runs"]["baseline"])):
        if sa["runs"]["baseline"].get(k) != sb["runs"]["baseline"].get(k):
            print(f"  runs.baseline.{k}: {sa['runs']['baseline'].get(k)!r:.80} vs {sb['runs']['baseline'].get(k)!r:.80}")
    sys.exit(1)
PY
done

compare_pairs
# Negative control: the comparison sees another seed.
(cd "$work/out" && reference run "$S/geneva-2014.yaml" -n 30000 --seed 9 -o seed9.h5 --quiet --threads 1)
! "${compare[@]}" "$work/ref/run-geneva/t1/r.h5" "$work/out/seed9.h5" >/dev/null 2>&1 && ok \
    || bad "compare-results did not see another seed"
finish "$npairs files compared with the reference build's"
