#!/usr/bin/env bash
# Time scenarios end to end (docs/format.md, 'Time'): `tyche check` lists
# time, shocks, states and hazards; `tyche run` writes time/ whose numbers
# hang together (rows sum to 1, the last row is the outcome table, the
# intervals hold their estimates, the state means equal those recomputed
# from --save-samples' outcome columns where they must) and prints them;
# `show` and `--json` carry the file's numbers; the result file is
# identical at 1 and 3 threads and after an interrupt and a resume; a
# batch (variants and a sweep) gives each run its curves and pairs the
# final outcomes; sensitivity runs on the final outcomes; observations
# weight the curves; load errors (exit 3, FILE:LINE:COL) and a hazard that
# is not finite at run time (exit 3, the step, no file written); the
# NumPy cross-check of a random walk with a state-dependent hazard
# (tests/time/numpy_check.py) when NumPy is there.
# Deterministic (fixed seeds, exact relations) but for the NumPy check,
# whose false-failure rate its script states.
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
unset TYCHE_TEST_INTERRUPT_AFTER_ROUNDS
cd "$work" || exit 1
compare=("$py" "$root/tools/compare-results" --ignore threads,command_line,command_args)

cat > t.yaml <<'YAML'
tyche: 1
name: squeeze-time
time: {steps: 26, unit: week}
factors:
  troops: {dist: "normal(40000, 8000)"}
  talks: {dist: bernoulli(0.8)}
derived:
  force_ratio: troops / 40000
shocks:
  shock: normal(0, 0.03)
state:
  tension:
    init: 0.4
    next: clamp(tension + 0.02*(force_ratio - 1) + shock, 0, 1)
    label: Tension
    unit: index
outcomes:
  model: events
  invasion: {hazard: 0.001 + 0.02*tension^2, label: Russian invasion}
  deal:     {hazard: 0.01*talks*(1 - tension)}
  ongoing:  {otherwise: true, label: Neither by the horizon}
YAML

# ---- check -----------------------------------------------------------------
"$tyche" check t.yaml > check.txt 2>&1 && ok || bad "check t.yaml: $(cat check.txt)"
for want in "time: 26 steps of a week" "shock              normal(0, 0.03)" "tension            init 0.4" \
            "model events" "invasion           hazard 0.001 + 0.02*tension^2" "ongoing            otherwise"; do
  grep -qF "$want" check.txt && ok || bad "check: no '$want'"
done

# ---- run: the numbers hang together -----------------------------------------
"$tyche" run t.yaml -n 30000 --seed 4 -o r1.h5 --threads 1 > run.txt 2>&1 && ok || bad "run: $(head -5 run.txt)"
grep -q "by week: probability of each outcome so far" run.txt && grep -q "states by week" run.txt \
  && ok || bad "run: no time tables in the output"
"$py" - r1.h5 <<'PY' && ok || bad "time/ of r1.h5 does not hang together"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
g = f["runs/baseline/time"]
cum, lo, hi, step = g["cumulative"][:], g["ci_low"][:], g["ci_high"][:], g["step"][:]
p = f["runs/baseline/outcomes/probability"][:]
assert g.attrs["steps"] == 26 and g.attrs["unit"] in (b"week", "week"), dict(g.attrs)
assert list(step) == list(range(1, 27)), step
assert cum.shape == (26, 3) and lo.shape == hi.shape == cum.shape
assert np.allclose(cum.sum(axis=1), 1, atol=1e-12)
assert np.allclose(cum[-1], p, atol=1e-12), (cum[-1], p)
assert (lo <= cum + 1e-15).all() and (cum <= hi + 1e-15).all() and (lo >= 0).all() and (hi <= 1).all()
assert (np.diff(cum[:, 0]) >= 0).all() and (np.diff(cum[:, 2]) <= 0).all()
s = g["state/tension"]
assert s.attrs["label"] in (b"Tension", "Tension") and s.attrs["unit"] in (b"index", "index")
m, p05, p50, p95, mr = (s[k][:] for k in ("mean", "p05", "p50", "p95", "mean_running"))
assert (p05 <= p50).all() and (p50 <= p95).all() and ((m >= 0) & (m <= 1)).all()
assert abs(m[0] - 0.4) < 0.01 and g.attrs["percentile_samples"] == 16384
PY

# ---- show and --json carry the file's numbers --------------------------------
"$tyche" show r1.h5 > show.txt 2>&1 && ok || bad "show r1.h5"
diff <(sed -n '/^  by week/,$p' run.txt | grep -v wrote) <(sed -n '/^  by week/,$p' show.txt) > /dev/null \
  && ok || bad "show prints other time tables than run"
"$tyche" show r1.h5 --json > show.json && "$py" - r1.h5 show.json <<'PY' && ok || bad "show --json's time differs from the file"
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], "r"); d = json.load(open(sys.argv[2]))
t = d["runs"]["baseline"]["time"]; g = f["runs/baseline/time"]
assert t["steps"] == 26 and t["unit"] == "week" and t["step"] == list(range(1, 27))
assert np.array_equal(np.array(t["cumulative"]), g["cumulative"][:])
assert np.array_equal(np.array(t["ci_high"]), g["ci_high"][:])
st = t["states"][0]
assert st["name"] == "tension" and np.array_equal(np.array(st["p95"]), g["state/tension/p95"][:])
PY

# ---- identical at any thread count and across an interrupt and resume ------
"$tyche" run t.yaml -n 30000 --seed 4 -o r3.h5 --threads 3 --quiet && "${compare[@]}" r1.h5 r3.h5 > cmp.txt 2>&1 \
  && ok || bad "1 and 3 threads differ: $(head -5 cmp.txt)"
TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=1 "$tyche" run t.yaml -n 300000 --seed 4 -o part.h5 --threads 2 --quiet 2>/dev/null
[ $? = 130 ] && ok || bad "an interrupted run: exit is not 130"
"$tyche" run --resume part.h5 --threads 3 --quiet && "$tyche" run t.yaml -n 300000 --seed 4 -o whole.h5 --quiet \
  && "${compare[@]}" whole.h5 part.h5 > cmp.txt 2>&1 && ok || bad "resumed run differs: $(head -5 cmp.txt)"

# ---- batch: curves per run, paired final outcomes -----------------------------
cat > b.yaml <<'YAML'
tyche: 1
batch: squeeze-batch
scenario: t.yaml
variants:
  base: {}
  more_troops: {factors: {troops: {dist: "normal(60000, 8000)"}}}
sweeps:
  troops_mean: {factor: troops, param: mean, from: 20000, to: 80000, steps: 3}
YAML
"$tyche" batch b.yaml -n 20000 --seed 2 -o b.h5 > batch.txt 2>&1 && ok || bad "batch: $(head -5 batch.txt)"
"$py" - b.h5 <<'PY' && ok || bad "the batch's time/ groups"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
runs = list(f["runs"])
assert "base" in runs and "more_troops" in runs, runs
for r in runs:
    c = f[f"runs/{r}/time/cumulative"][:]
    assert np.allclose(c[-1], f[f"runs/{r}/outcomes/probability"][:], atol=1e-12)
a, b = f["runs/base/time/cumulative"][:], f["runs/more_troops/time/cumulative"][:]
assert b[-1, 0] > a[-1, 0] + 0.02, (a[-1], b[-1])      # more troops: more invasions by the horizon
d = f["runs/more_troops/difference"]
assert d["ci_high"][0] - d["ci_low"][0] < 0.02        # paired: narrow
PY

# ---- sensitivity on the final outcomes -----------------------------------------
"$tyche" sensitivity t.yaml -n 4096 --method spearman -o s.h5 > sens.txt 2>&1 && ok || bad "sensitivity: $(head -5 sens.txt)"
grep -q "troops" sens.txt && ok || bad "sensitivity does not name troops"

# ---- observations weight the curves ---------------------------------------------
sed 's/^outcomes:/observations:\n  count: {of: troops, value: 55000, error: "normal(0, 5000)"}\noutcomes:/' t.yaml > o.yaml
"$tyche" run o.yaml -n 30000 --seed 4 -o o.h5 > obs.txt 2>&1 && ok || bad "run with observations: $(head -5 obs.txt)"
grep -q "without the observations" obs.txt && ok || bad "the states' table does not say it is the prior's"
"$py" - o.h5 r1.h5 <<'PY' && ok || bad "observations do not weight the curves"
import sys, h5py, numpy as np
o, r = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
co = o["runs/baseline/time/cumulative"][:]
assert np.allclose(co[-1], o["runs/baseline/outcomes/probability"][:], atol=1e-12)
assert co[-1, 0] > r["runs/baseline/time/cumulative"][-1, 0] + 0.01   # more troops seen: more invasions
PY

# ---- errors -----------------------------------------------------------------------
sed 's/next: clamp(tension/next: clamp(tensoin/' t.yaml > e1.yaml
"$tyche" run e1.yaml -o e1.h5 > /dev/null 2> err.txt; rc=$?
[ $rc = 3 ] && grep -qE "^e1.yaml:14:17: error: unknown name .tensoin." err.txt && [ ! -e e1.h5 ] && ok \
  || bad "unknown name in next: exit $rc: $(head -3 err.txt)"
sed 's/hazard: 0.001 + 0.02\*tension^2/hazard: "step >= 3 ? log(tension - 2) : 0"/' t.yaml > e2.yaml
cp r1.h5 e2.h5
"$tyche" run e2.yaml -n 5000 -o e2.h5 > /dev/null 2> err.txt; rc=$?
[ $rc = 3 ] && grep -qE "^e2.yaml:[0-9]+:[0-9]+: error: the hazard of outcome 'invasion'.* at step 3 for sample" err.txt \
  && ok || bad "a hazard that is NaN: exit $rc: $(head -3 err.txt)"
"${compare[@]}" r1.h5 e2.h5 > /dev/null 2>&1 && ok || bad "a failed run damaged the older file"

# ---- every file written here conforms to the schema --------------------------
for f in r1.h5 b.h5 o.h5 part.h5; do
  "$py" "$root/tests/schema/check_schema.py" "$f" > schema.txt 2>&1 && ok || bad "schema of $f: $(head -3 schema.txt)"
done

# ---- NumPy cross-check -------------------------------------------------------------
if [ -f "$root/tests/time/numpy_check.py" ] && "$py" -c 'import numpy, h5py' 2>/dev/null; then
  "$py" "$root/tests/time/numpy_check.py" "$tyche" > np.txt 2>&1 && ok || bad "numpy_check: $(tail -5 np.txt)"
fi
finish
