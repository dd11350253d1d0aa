#!/usr/bin/env bash
# Observations end to end (docs/format.md, 'Observations'): every number the
# result file holds for a run with observations is recomputed in NumPy from
# the same run's --save-samples (samples/log_weight and the factor and
# outcome columns): the weighted outcome probabilities and their standard
# errors over the run's cells (the ratio estimator), a query, the weighted
# and the prior factor means, the effective sample size, the acceptance,
# each `when`'s share, the log evidence, to 1e-9 relative; under random and
# Latin hypercube sampling. Then: --prior gives the weighted run's prior
# column; --observe sets a reading (and its errors are usage errors, exit
# 2); load errors (exit 3, FILE:LINE:COL); no sample of positive weight
# (exit 1, no file written, an older one intact); the warnings on stderr
# with --quiet and in --json; an interrupted weighted run resumed is the
# uninterrupted one; a batch whose variants change, drop and add
# observations; show --json carries the file's numbers.
# Deterministic (fixed seeds, exact recomputation): no false failures.
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
unset TYCHE_TEST_INTERRUPT_AFTER_ROUNDS

cat > "$work/o.yaml" <<'YAML'
tyche: 1
name: obs
factors:
  x: {dist: "normal(0, 1)"}
  talks: {dist: bernoulli(0.8)}
  s: {dist: "uniform(0.3, 0.9)"}
derived:
  y: x * 2 + s
outcomes:
  model: logit
  up: {score: x + s}
  flat: {score: "0"}
  down: {score: -x - talks}
queries:
  big: {probability: x > 1}
observations:
  reading: {of: y, value: 1.2, error: "normal(0, 1)", label: A reading of y}
  fact: {when: talks == 1}
  signal: {loglik: "log(0.2 + 0.6*s)"}
YAML

check() {  # FILE
$py - "$1" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
run = f["runs/baseline"]
S = {k: run["samples"][k][()] for k in run["samples"]}
lw = S["log_weight"]; n = len(lw)
x, talks, s, y = S["x"], S["talks"], S["s"], S["y"]
errors = []
def close(a, b, what, rel=1e-9):
    if not abs(a - b) <= rel * max(1.0, abs(b)): errors.append(f"{what}: file {a!r}, samples {b!r}")
# the log-likelihoods, independently
ll = (-0.5 * (1.2 - y) ** 2 - 0.5 * np.log(2 * np.pi)) + np.where(talks == 1, 0.0, -np.inf) + np.log(0.2 + 0.6 * s)
fin = np.isfinite(lw)
if not (np.array_equal(fin, np.isfinite(ll)) and np.allclose(lw[fin], ll[fin], rtol=1e-12, atol=1e-12)):
    errors.append("samples/log_weight is not the sum of the observations' log-likelihoods")
m = lw[fin].max(); w = np.where(fin, np.exp(lw - m), 0.0); W = w.sum()
O = run["observations"]; A = O.attrs
close(A["ess"], W * W / (w * w).sum(), "ess")
close(A["ess_fraction"], W * W / (w * w).sum() / n, "ess_fraction")
close(A["acceptance"], (talks == 1).mean(), "acceptance")
close(A["log_evidence"], m + np.log(W / n), "log_evidence")
names = [v.decode() for v in O["name"][()]]
kinds = [v.decode() for v in O["kind"][()]]
assert names == ["reading", "fact", "signal"] and kinds == ["reading", "when", "loglik"], (names, kinds)
close(O["held"][1], (talks == 1).mean(), "held")
assert np.isnan(O["held"][0]) and O["value"][0] == 1.2 and np.isnan(O["value"][1])
# cells: 8 of 128 per full block, in proportion in a short last one
B = 1024
cells = []
for b in range((n + B - 1) // B):
    mm = min(B, n - b * B); c = max(1, (mm * 8 + B - 1) // B)
    cells += [(b * B + k * mm // c, b * B + (k + 1) * mm // c) for k in range(c)]
def ratio(xv, g=None):
    gw = w if g is None else w * g
    R = (gw * xv).sum() / gw.sum()
    su = np.array([(gw[a:b] * xv[a:b]).sum() for a, b in cells]); wu = np.array([gw[a:b].sum() for a, b in cells])
    U = len(cells)
    se = np.sqrt(U / (U - 1) * ((su - R * wu) ** 2).sum()) / wu.sum()
    return R, se
# outcome probabilities under logit: softmax of the scores
sc = np.stack([x + s, np.zeros(n), -x - talks])
p = np.exp(sc - sc.max(0)); p /= p.sum(0)
for k in range(3):
    R, se = ratio(p[k])
    close(run["outcomes/probability"][k], R, f"outcome {k}")
    close(run["outcomes/stderr"][k], se, f"outcome {k} stderr", 1e-7)
    close(run["outcomes_prior/probability"][k], p[k].mean(), f"outcome {k} prior")
R, se = ratio((x > 1).astype(float))
close(run["queries/value"][0], R, "query big")
close(run["queries/stderr"][0], se, "query big stderr", 1e-7)
for j, name in enumerate([v.decode() for v in run["factors/name"][()]]):
    close(run["factors/mean"][j], (w * S[name]).sum() / W, f"{name} posterior mean")
    close(run["factors_prior/mean"][j], S[name].mean(), f"{name} prior mean")
close(run["derived/mean"][0], (w * y).sum() / W, "y posterior mean")
assert run["histograms"].attrs.get("weighted") == 1
if errors:
    print("\n".join(errors)); sys.exit(1)
PY
}

for mode in random lhs; do
  "$tyche" run "$work/o.yaml" -n 40000 --seed 5 --sampling $mode --save-samples -o "$work/$mode.h5" --quiet \
      > /dev/null 2> "$work/$mode.err" || bad "run $mode: exit $? $(cat "$work/$mode.err")"
  check "$work/$mode.h5" && ok || bad "$mode: the file's numbers differ from the samples'"
  /usr/bin/python3 "$root/tests/schema/check_schema.py" "$work/$mode.h5" > /dev/null && ok || bad "$mode: schema"
done

# --prior: the observations ignored, the outcomes the weighted run's prior column.
"$tyche" run "$work/o.yaml" -n 40000 --seed 5 --prior -o "$work/prior.h5" --quiet || bad "--prior: exit $?"
$py - "$work/random.h5" "$work/prior.h5" <<'PY' && ok || bad "--prior is not the weighted run's prior"
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r")["runs/baseline"], h5py.File(sys.argv[2], "r")["runs/baseline"]
assert "observations" not in b and "outcomes_prior" not in b
assert np.allclose(a["outcomes_prior/probability"][()], b["outcomes/probability"][()], rtol=1e-12, atol=0)
assert np.allclose(a["factors_prior/mean"][()], b["factors/mean"][()], rtol=1e-12, atol=0)
PY

# --observe: the value in the file and the posterior moved; usage errors.
"$tyche" run "$work/o.yaml" -n 20000 --observe reading=3 -o "$work/obs3.h5" --quiet || bad "--observe: exit $?"
$py - "$work/obs3.h5" "$work/random.h5" <<'PY' && ok || bad "--observe did not set the reading"
import sys, h5py
a, b = h5py.File(sys.argv[1], "r")["runs/baseline"], h5py.File(sys.argv[2], "r")["runs/baseline"]
assert a["observations/value"][0] == 3.0
assert a["derived/mean"][0] > b["derived/mean"][0] + 0.3
PY
for arg in "nope=1" "reading=abc" "fact=1" "reading"; do
  "$tyche" run "$work/o.yaml" -n 2000 --observe "$arg" -o "$work/u.h5" > /dev/null 2> "$work/u.err"
  rc=$?
  [ $rc = 2 ] && grep -q -- "--observe" "$work/u.err" && ok || bad "--observe $arg: exit $rc, $(cat "$work/u.err")"
done
grep -q "did you mean" "$work/u.err" || true
"$tyche" run "$work/o.yaml" -n 2000 --observe nope=1 -o "$work/u.h5" > /dev/null 2> "$work/u.err"
grep -q "no observation 'nope'" "$work/u.err" && ok || bad "--observe of an unknown name does not say so"
"$tyche" run "$work/o.yaml" -n 2000 --observe reading=1 --prior -o "$work/u.h5" > /dev/null 2> "$work/u.err"
rc=$?
[ $rc = 2 ] && grep -q "would set nothing" "$work/u.err" && ok || bad "--observe with --prior: exit $rc"

# Load errors: exit 3 at the observation's position.
sed 's/of: y, value: 1.2/of: yy, value: 1.2/' "$work/o.yaml" > "$work/bad.yaml"
"$tyche" run "$work/bad.yaml" -n 2000 -o "$work/u.h5" > /dev/null 2> "$work/bad.err"
rc=$?
[ $rc = 3 ] && grep -q "bad.yaml:17:17: error: observation 'reading' reads 'yy'" "$work/bad.err" && ok \
    || bad "an unknown name: exit $rc, $(cat "$work/bad.err")"

# No sample of positive weight: exit 1, the message, an older file intact.
sed 's/when: talks == 1/when: x > 40/' "$work/o.yaml" > "$work/none.yaml"
cp "$work/random.h5" "$work/keep.h5"
"$tyche" run "$work/none.yaml" -n 5000 -o "$work/keep.h5" > /dev/null 2> "$work/none.err"
rc=$?
[ $rc = 1 ] && grep -q "no sample has positive weight" "$work/none.err" && grep -q "'fact'" "$work/none.err" && ok \
    || bad "no positive weight: exit $rc, $(cat "$work/none.err")"
cmp -s "$work/keep.h5" "$work/random.h5" && ok || bad "the older file was changed"
ls "$work"/.keep.h5* "$work"/keep.h5.* 2>/dev/null | grep -q . && bad "a temporary file was left" || ok

# Warnings: a precise reading far out leaves a handful of samples.
sed 's/of: y, value: 1.2, error: "normal(0, 1)"/of: y, value: 9, error: "normal(0, 0.01)"/' "$work/o.yaml" > "$work/far.yaml"
"$tyche" run "$work/far.yaml" -n 20000 -o "$work/far.h5" --quiet --json > "$work/far.json" 2> "$work/far.err" \
    || bad "far: exit $?"
grep -q "warning: baseline: the effective sample size is" "$work/far.err" && ok \
    || bad "no ESS warning on stderr with --quiet: $(cat "$work/far.err")"
$py - "$work/far.json" "$work/far.h5" <<'PY' && ok || bad "the warnings are not in --json and the file"
import sys, json, h5py
d = json.load(open(sys.argv[1]))["runs"]["baseline"]["observations"]
assert d["ess"] < 100 and any("effective sample size" in w for w in d["warnings"]), d
f = h5py.File(sys.argv[2], "r")["runs/baseline/observations"]
assert any(b"effective sample size" in w for w in f["warnings"][()])
PY

# A run that restarts (a reading the pilot cannot reach) with --save-samples:
# the samples written before the restart are not written twice.
"$tyche" run "$root/tests/mpi/far-reading.yaml" -n 30000 --save-samples -o "$work/restart.h5" --quiet \
    2> "$work/restart.err" || bad "restart with --save-samples: exit $? $(cat "$work/restart.err")"
$py - "$work/restart.h5" <<'PY' && ok || bad "the restarted run's samples"
import sys, h5py, numpy as np
r = h5py.File(sys.argv[1], "r")["runs/baseline"]
lw, x = r["samples/log_weight"][()], r["samples/x"][()]
assert len(lw) == len(x) == 30000
w = np.exp(lw - lw.max())
assert abs((w * (x > 4)).sum() / w.sum() - r["outcomes/probability"][0]) < 1e-9
PY

# An interrupted weighted run, resumed, is the uninterrupted one.
"$tyche" run "$work/o.yaml" -n 20000 --seed 3 -o "$work/full.h5" --quiet || bad "full: exit $?"
TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=3 "$tyche" run "$work/o.yaml" -n 20000 --seed 3 -o "$work/part.h5" --quiet
rc=$?
[ $rc = 130 ] && ok || bad "the interrupted run: exit $rc"
"$tyche" run --resume "$work/part.h5" --threads 1 --quiet || bad "resume: exit $?"
"$root/tools/compare-results" --ignore threads,ranks,command_args,command_line "$work/full.h5" "$work/part.h5" \
    > "$work/cmp.txt" 2>&1 && ok || bad "resumed != uninterrupted: $(head -20 "$work/cmp.txt")"

# A batch: a variant drops the reading, one reads 3, one adds a fact; --observe applies to all.
cp "$work/o.yaml" "$work/scen.yaml"
cat > "$work/b.yaml" <<'YAML'
tyche: 1
batch: obsb
scenario: scen.yaml
variants:
  baseline: {}
  no_reading: {observations: {reading: null}}
  reading_3: {observations: {reading: 3}}
  also_small: {observations: {small: {when: x < 0.5}}}
  none: {observations: {reading: null, fact: null, signal: null}}
YAML
"$tyche" batch "$work/b.yaml" -n 20000 -o "$work/b.h5" --quiet || bad "batch: exit $?"
$py - "$work/b.h5" <<'PY' && ok || bad "batch variants' observations"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")["runs"]
names = lambda v: [s.decode() for s in f[v]["observations/name"][()]] if "observations" in f[v] else []
assert names("baseline") == ["reading", "fact", "signal"]
assert names("no_reading") == ["fact", "signal"]
assert names("reading_3") == ["reading", "fact", "signal"] and f["reading_3/observations/value"][0] == 3
assert names("also_small") == ["reading", "fact", "signal", "small"]
assert names("none") == []
# paired differences: reading 3 against the baseline, its interval narrower than unpaired
d = f["reading_3/difference"]
assert np.all(d["stderr"][()] < d["unpaired_stderr"][()])
base = f["baseline/outcomes/probability"][()]
assert np.allclose(d["diff"][()], f["reading_3/outcomes/probability"][()] - base, atol=1e-15)
# the prior column is the same in every variant that has one (the same draws)
for v in ("no_reading", "reading_3", "also_small"):
    assert np.array_equal(f[v]["outcomes_prior/probability"][()], f["baseline/outcomes_prior/probability"][()])
assert np.allclose(f["none/outcomes/probability"][()], f["baseline/outcomes_prior/probability"][()], rtol=1e-12, atol=0)
PY
"$tyche" batch "$work/b.yaml" -n 5000 --observe reading=2 -o "$work/b2.h5" --quiet || bad "batch --observe: exit $?"
$py - "$work/b2.h5" <<'PY' && ok || bad "batch --observe did not apply to every variant with the reading"
import sys, h5py
f = h5py.File(sys.argv[1], "r")["runs"]
assert f["baseline/observations/value"][0] == 2 and f["also_small/observations/value"][0] == 2
assert f["reading_3/observations/value"][0] == 2
assert "reading" not in [s.decode() for s in f["no_reading/observations/name"][()]]
PY

# show: the table and --json carry the file's numbers.
"$tyche" show "$work/random.h5" > "$work/show.txt" || bad "show: exit $?"
grep -qi "effective sample size" "$work/show.txt" && grep -q "reading" "$work/show.txt" && ok \
    || bad "show's table lacks the observations: $(cat "$work/show.txt")"
"$tyche" show "$work/random.h5" --json > "$work/show.json" || bad "show --json: exit $?"
$py - "$work/random.h5" "$work/show.json" <<'PY' && ok || bad "show --json differs from the file"
import sys, json, h5py
f = h5py.File(sys.argv[1], "r")["runs/baseline"]; d = json.load(open(sys.argv[2]))["runs"]["baseline"]
o = d["observations"]
for k in ("ess", "ess_fraction", "acceptance", "log_evidence", "pareto_k"):
    assert o[k] == f["observations"].attrs[k], k
for k, out in enumerate(d["outcomes"]):
    assert out["prior"]["probability"] == f["outcomes_prior/probability"][k]
    assert out["probability"] == f["outcomes/probability"][k]
PY
finish
