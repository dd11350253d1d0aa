#!/usr/bin/env bash
# `tyche run`, `tyche batch` and `tyche show` end to end: the same numbers
# for any thread count, exit codes, atomic result files (an invalid run or a
# kill -9 leaves an older file intact), SIGINT then --resume giving the
# uninterrupted result, --save-samples, --target-halfwidth.
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
bench=$root/bench/models/ukraine-2014-bench.yaml

# The outcomes of a --json document, without timing and thread fields.
outcomes() { $py -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({v: r["outcomes"] for v, r in d["runs"].items()}, sort_keys=True))'; }

ref=""
for t in 1 2 3 7; do
  out=$("$tyche" run "$bench" -n 150000 --threads $t -o "$work/t$t.h5" --json --quiet) || { bad "run --threads $t exit $?"; continue; }
  o=$(outcomes <<<"$out")
  if [ -z "$ref" ]; then ref=$o; ok; elif [ "$o" = "$ref" ]; then ok; else bad "threads=$t gives other numbers"; fi
done
# The file of a real run conforms to docs/results.md.
$py "$root/tests/schema/check_schema.py" "$work/t1.h5" >/dev/null && ok || bad "schema of a real run: $($py "$root/tests/schema/check_schema.py" "$work/t1.h5")"
"$tyche" batch "$root/scenarios/ukraine-2014-policy.yaml" -n 5000 -o "$work/bs.h5" --quiet --save-samples >/dev/null
$py "$root/tests/schema/check_schema.py" "$work/bs.h5" >/dev/null && ok || bad "schema of a batch: $($py "$root/tests/schema/check_schema.py" "$work/bs.h5")"
# The schema check reads the batch differences: a damaged one is caught.
cp "$work/bs.h5" "$work/bs-bad.h5"
$py -c "import h5py; f = h5py.File('$work/bs-bad.h5', 'a'); del f['runs/us_accepts/difference/stderr']"
! $py "$root/tests/schema/check_schema.py" "$work/bs-bad.h5" >/dev/null && ok || bad "schema check missed a difference without stderr"
shown=$("$tyche" show "$work/t2.h5" --json | outcomes)
[ "$shown" = "$ref" ] && ok || bad "show --json differs from run --json"
"$tyche" show "$work/t2.h5" | grep -q "invasion" && ok || bad "show table lacks the outcomes"
json=$("$tyche" run "$bench" -n 50000 -o "$work/j.h5" --json --quiet)
$py -c 'import json,sys; d=json.loads(sys.argv[1]); r=d["runs"]["baseline"]; assert d["scenario"]=="ukraine-2014-bench" and d["complete"] is True and r["samples"]==50000 and r["seed"]==2014; assert abs(sum(o["probability"] for o in r["outcomes"])-1)<1e-12; assert all(o["ci_low"]<=o["probability"]<=o["ci_high"] for o in r["outcomes"])' "$json" && ok || bad "json document shape"

# Exit codes; an invalid scenario writes nothing and leaves an older file alone.
cp "$work/t1.h5" "$work/keep.h5"; before=$(md5sum < "$work/keep.h5")
printf 'tyche: 1\nname: x\nfactors:\n  a: {dist: "normal(0, -1)"}\noutcomes:\n  p: {score: a}\n  q: {score: 0}\n' > "$work/bad.yaml"
"$tyche" run "$work/bad.yaml" -o "$work/keep.h5" 2>"$work/err"; rc=$?
[ $rc = 3 ] && grep -q "bad.yaml:4:14: error: normal: sd must be > 0" "$work/err" && ok || bad "invalid scenario: rc=$rc $(cat "$work/err")"
[ "$(md5sum < "$work/keep.h5")" = "$before" ] && ok || bad "invalid run touched the older file"
"$tyche" run "$bench" -n 0 2>/dev/null; [ $? = 2 ] && ok || bad "-n 0 is not a usage error"
"$tyche" run "$bench" --sampling sobol 2>/dev/null; [ $? = 2 ] && ok || bad "--sampling sobol"
"$tyche" run "$bench" -n 1000 -o "$work/no/such/dir/x.h5" 2>"$work/err"; rc=$?
[ $rc = 1 ] && ok || bad "unwritable output: rc=$rc"
"$tyche" show "$work/bad.yaml" 2>/dev/null; [ $? = 1 ] && ok || bad "show of a non-HDF5 file"
[ -z "$(ls -A "$work" | grep tmp)" ] && ok || bad "temporary files left: $(ls -A "$work")"

# --set changes a parameter; a bad --set is a usage error (exit 2).
a=$("$tyche" run "$bench" -n 20000 -o "$work/s.h5" --json --quiet --set troops.mean=90000 | outcomes)
[ "$a" != "$("$tyche" run "$bench" -n 20000 -o "$work/s.h5" --json --quiet | outcomes)" ] && ok || bad "--set had no effect"
"$tyche" run "$bench" -n 1000 -o "$work/s.h5" --set troopz.mean=1 2>/dev/null; [ $? = 2 ] && ok || bad "--set unknown factor"

# kill -9 during a run: the older file survives whole and readable.
cp "$work/t1.h5" "$work/victim.h5"; before=$(md5sum < "$work/victim.h5")
"$tyche" run "$bench" -n 1e9 --threads 1 -o "$work/victim.h5" --quiet & pid=$!
sleep 1; kill -9 $pid; wait $pid 2>/dev/null
[ "$(md5sum < "$work/victim.h5")" = "$before" ] && "$tyche" show "$work/victim.h5" >/dev/null && ok || bad "kill -9 damaged the older file"
rm -f "$work"/.victim.h5.tmp-*

# SIGINT: finish the round, write complete=0, exit 130; --resume completes it
# with the numbers of an uninterrupted run.
full=$("$tyche" run "$bench" -n 4000000 --threads 2 -o "$work/full.h5" --json --quiet | outcomes)
"$tyche" run "$bench" -n 4000000 --threads 2 -o "$work/int.h5" --json --quiet > "$work/int.json" & pid=$!
# The handlers are installed before the scenario loads; the temporary result
# file appears after it: then the run is under way.
for _ in $(seq 1 500); do ls -A "$work" | grep -q '^\.int\.h5\.tmp' && break; sleep 0.02; done
kill -INT $pid; wait $pid; rc=$?
if [ $rc = 130 ]; then
  $py -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["complete"] is False and d["runs"]["baseline"]["samples"] < 4000000' "$work/int.json" && ok || bad "interrupted run's document"
  res=$("$tyche" run --resume "$work/int.h5" --json --quiet --threads 1 | outcomes)
  [ "$res" = "$full" ] && ok || bad "resumed result differs from the uninterrupted one"
  "$tyche" run --resume "$work/int.h5" 2>/dev/null; [ $? = 2 ] && ok || bad "resuming a complete run"
else
  bad "SIGINT: exit $rc (the run may have finished first)"
fi

# --save-samples: the columns are in the file, N long.
"$tyche" run "$bench" -n 30000 -o "$work/ss.h5" --save-samples --quiet >/dev/null || bad "save-samples run"
$py -c 'import h5py,sys; f=h5py.File(sys.argv[1]); s=f["runs/baseline/samples"]; assert s["troops"].shape==(30000,) and s["invasion"].shape==(30000,) and s["force_ratio"].chunks is not None; assert 15000<=s["troops"][:].min() and s["troops"][:].max()<=100000' "$work/ss.h5" && ok || bad "samples datasets"

# Uncompressed by default (speed); --compress 1 deflates, and the values are the same.
$py -c 'import h5py,sys; assert h5py.File(sys.argv[1])["runs/baseline/samples/troops"].compression is None' "$work/ss.h5" && ok || bad "samples compressed by default"
"$tyche" run "$bench" -n 30000 -o "$work/ssc.h5" --save-samples --compress 1 --quiet >/dev/null || bad "--compress run"
$py -c 'import h5py,sys,numpy as np; a=h5py.File(sys.argv[1])["runs/baseline/samples/troops"]; b=h5py.File(sys.argv[2])["runs/baseline/samples/troops"]; assert b.compression=="gzip" and np.array_equal(a[:], b[:])' "$work/ss.h5" "$work/ssc.h5" && ok || bad "--compress 1"
"$tyche" run "$bench" --compress 10 2>/dev/null; [ $? = 2 ] && ok || bad "--compress 10 is not a usage error"

# --target-halfwidth stops early at a checkpoint.
th=$("$tyche" run "$bench" --target-halfwidth 0.003 --max-samples 1e8 -o "$work/th.h5" --json --quiet)
$py -c 'import json,sys; d=json.loads(sys.argv[1]); r=d["runs"]["baseline"]; n=r["samples"]; assert n<1e8 and (n//1024)&(n//1024-1)==0, n; assert all((o["ci_high"]-o["ci_low"])/2<=0.003 for o in r["outcomes"])' "$th" && ok || bad "target half-width"

# A batch: variants and sweeps in one file.
"$tyche" batch "$root/scenarios/ukraine-2014-policy.yaml" -n 20000 -o "$work/b.h5" --quiet > "$work/b.txt" && ok || bad "batch run exit $?"
$py -c 'import h5py,sys; f=h5py.File(sys.argv[1]); assert len(f["runs"])>=6 and "baseline" in f["runs"] and len(f["sweeps"])>=2; s=list(f["sweeps"].values())[0]; assert s["probability"].shape[0]>=9' "$work/b.h5" && ok || bad "batch file content"

# Histograms (docs/results.md): every factor's and derived value's
# underflow and overflow equal the exact counts of saved samples beyond its
# edges (the binned blocks: 0-63 and every 8th), bins + both = the finite
# samples binned; no edge spike in the heavy-tailed force_ratio (the clamped
# edge bin used to hold 80x its neighbour; now the two last bins expect a
# few samples each, so the test's 3x + 10 fails by chance below 1e-6);
# the bernoulli `talks` has exact percentiles, 0 or 1, equal to the sample's.
"$tyche" run "$root/scenarios/ukraine-2014.yaml" -n 200000 -o "$work/h.h5" --save-samples --quiet >/dev/null \
  || bad "save-samples run of ukraine-2014"
$py - "$work/h.h5" <<'PY' && ok || bad "histograms: underflow/overflow, edge spike or discrete percentiles"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
r = f["runs/baseline"]
idx = np.arange(r.attrs["samples"])
binned = ((idx // 1024) < 64) | ((idx // 1024) % 8 == 0)
for kind in ("factors", "derived"):
    g = r[kind]
    for i, name in enumerate(g["name"].asstr()[()]):
        h = r["histograms"][name]
        e, c = h["edges"][()], h["counts"][()]
        u, o = int(h["underflow"][()]), int(h["overflow"][()])
        x = r["samples"][name][()][binned]
        x = x[np.isfinite(x)]
        assert u == int((x < e[0]).sum()) and o == int((x > e[-1]).sum()), (name, u, o)
        assert int(c.sum()) + u + o == x.size, name
        if kind == "derived":
            assert c[-1] <= 3 * c[-2] + 10 and c[0] <= 3 * c[1] + 10, (name, c[:2], c[-2:])
        def q(p):
            s = np.sort(x)
            return s[int(np.ceil(p * s.size)) - 1]
        if name == "talks":
            for col, p in (("p05", 0.05), ("p50", 0.5), ("p95", 0.95)):
                assert g[col][i] == q(p) and g[col][i] in (0.0, 1.0), (name, col, g[col][i], q(p))
PY
$py "$root/tests/schema/check_schema.py" "$work/h.h5" >/dev/null && ok || bad "schema of the histogram run"
# The schema check knows the new datasets: one without the other is an error.
cp "$work/h.h5" "$work/h2.h5"
$py -c 'import h5py,sys; f=h5py.File(sys.argv[1],"r+"); del f["runs/baseline/histograms/troops/overflow"]' "$work/h2.h5"
! $py "$root/tests/schema/check_schema.py" "$work/h2.h5" >/dev/null && ok || bad "schema check missed a lone underflow"

finish
