#!/usr/bin/env bash
# Queries and the outcomes' spread against the same quantities computed from
# --save-samples (docs/format.md, 'Queries'): every number the result file
# holds for them is recomputed in NumPy from the per-sample datasets of the
# same run. probability and mean queries: the ratio estimator sum(g x) /
# sum(g) and its standard error over the run's cells (128 samples each at
# these sizes), to 1e-9 relative; given_share to 1e-12; a mean query's
# interval is value +- t(df) se. quantiles and spread: the percentile
# (the least order statistic of rank >= q n) of the samples the histograms
# bin (the first 64 blocks and every 8th block after), within one bin
# width of the histogram (a 1000th of its range) plus that of the rounding
# of fractional weights. Both for the flagship (logit: outcomes as
# per-sample probabilities, a 0/1 and a fractional condition) under random
# and Latin hypercube sampling, and a rules model (outcomes as 0/1
# indicators, spread of 0s and 1s). The batch: each variant's query
# differences are its value minus the baseline's. The table, --json and
# `tyche show` carry the same numbers as the file.
# Deterministic (fixed seeds, exact recomputation): no false failures.
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"

check() {  # FILE RULES(0/1)
$py - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
from math import isnan
path, rules = sys.argv[1], sys.argv[2] == "1"
f = h5py.File(path, "r")
run = f["runs/baseline"]
S = {k: run["samples"][k][()] for k in run["samples"]}
n = len(next(iter(S.values())))
B, CELL = 1024, 128
errors = []
def err(msg): errors.append(msg)
# the histogram blocks
blk = np.arange(n) // B
hmask = (blk < 64) | (blk % 8 == 0)
env = dict(S)
env.update(np=np)
def ev(expr):
    e = expr.replace("^", "**")
    for a, b in ((" and ", " & "), (" or ", " | ")):
        e = e.replace(a, b)
    return np.asarray(eval(e, {"__builtins__": {}, "min": np.minimum, "max": np.maximum,
                                "log": np.log, "exp": np.exp, "sqrt": np.sqrt}, env), dtype=float) * np.ones(n)
def cells():
    # 8 cells of 128 per full block (runs of 8192 samples and more)
    nb = (n + B - 1) // B
    out = []
    for b in range(nb):
        m = min(B, n - b * B)
        c = (m * 8 + B - 1) // B
        for k in range(c):
            out.append((b * B + k * m // c, b * B + (k + 1) * m // c))
    return out
C = cells()
def wquantile(x, w, q):
    o = np.argsort(x, kind="stable"); xs, ws = x[o], w[o]
    cum = np.cumsum(ws); k = np.searchsorted(cum, q * cum[-1] - 1e-9 * cum[-1])
    return xs[min(k, len(xs) - 1)]
Q = run["queries"]
names = [s.decode() if isinstance(s, bytes) else s for s in Q["name"][()]]
kinds = [s.decode() if isinstance(s, bytes) else s for s in Q["kind"][()]]
exprs = [s.decode() if isinstance(s, bytes) else s for s in Q["expr"][()]]
givens = [s.decode() if isinstance(s, bytes) else s for s in Q["given"][()]]
for i, name in enumerate(names):
    x = ev(exprs[i])
    g = ev(givens[i]) if givens[i] else np.ones(n)
    share = g.sum() / n
    if abs(Q["given_share"][i] - share) > 1e-12 * max(1, share):
        err(f"{name}: given_share {Q['given_share'][i]} != {share}")
    if kinds[i] in ("probability", "mean"):
        s_u = np.array([(g[a:b] * x[a:b]).sum() for a, b in C])
        w_u = np.array([g[a:b].sum() for a, b in C])
        R = s_u.sum() / w_u.sum()
        u = len(C)
        se = np.sqrt(u / (u - 1) * ((s_u - R * w_u) ** 2).sum()) / w_u.sum()
        v, s = Q["value"][i], Q["stderr"][i]
        if abs(v - R) > 1e-9 * abs(R): err(f"{name}: value {v!r} != {R!r} from the samples")
        if abs(s - se) > 1e-6 * se: err(f"{name}: stderr {s!r} != {se!r} from the samples")
        if not (Q["ci_low"][i] <= v <= Q["ci_high"][i]): err(f"{name}: the interval misses the value")
        if kinds[i] == "mean":
            half = (Q["ci_high"][i] - Q["ci_low"][i]) / 2
            if not (1.9 * se < half < 2.1 * se): err(f"{name}: mean interval half-width {half} for se {se}")
        if not all(isnan(q) for q in Q["quantiles"][i]): err(f"{name}: quantiles of a {kinds[i]} query")
    else:
        if not isnan(Q["value"][i]): err(f"{name}: a quantile query with a value")
        xm, gm = x[hmask], g[hmask]
        keep = gm > 0
        span = np.percentile(xm[keep], 99.9) - np.percentile(xm[keep], 0.1)
        tol = 1.2 * span / 1000 + 1e-12
        for l, q in enumerate((0.05, 0.25, 0.5, 0.75, 0.95)):
            want = wquantile(xm[keep], gm[keep], q)
            got = Q["quantiles"][i][l]
            if not abs(got - want) <= 2 * tol: err(f"{name}: {q} quantile {got} vs {want} from the samples (tol {2*tol:.3g})")
out = run["outcomes"]
onames = [s.decode() if isinstance(s, bytes) else s for s in out["name"][()]]
sp = out["spread"][()]
for k, o in enumerate(onames):
    p = S[o][hmask]
    if rules and not set(np.unique(p)) <= {0.0, 1.0}: err(f"{o}: not 0/1 under rules")
    for l, q in enumerate((0.05, 0.5, 0.95)):
        want = wquantile(p, np.ones(len(p)), q)
        if rules:
            if sp[k, l] != want: err(f"{o}: spread {q} {sp[k, l]} != {want}")
        elif not abs(sp[k, l] - want) <= 0.0011: err(f"{o}: spread {q} {sp[k, l]} vs {want} from the samples")
for e in errors: print("  " + e)
sys.exit(1 if errors else 0)
PY
}

for m in random lhs; do
  "$tyche" run "$root/scenarios/ukraine-2014.yaml" -n 60000 --sampling $m --threads 2 --save-samples \
      -o "$work/u-$m.h5" --quiet >/dev/null || bad "run ukraine $m: exit $?"
  check "$work/u-$m.h5" 0 && ok || bad "ukraine $m: queries or spread differ from the samples"
done

# A rules model: outcomes are 0/1 in queries and in the spread.
cat > "$work/r.yaml" <<'YAML'
tyche: 1
name: r
run: {seed: 7}
factors:
  x: {dist: "uniform(0, 1)"}
  y: {dist: "normal(0, 1)"}
outcomes:
  model: rules
  hit: {when: x < 0.3}
  near: {when: x < 0.35}
  miss: {otherwise: true}
queries:
  p_hit: {probability: hit + near}
  y_if_hit: {mean: y, given: hit}
  x_if_near: {quantiles: x, given: near}
  y_weighted: {quantiles: y, given: x}
YAML
"$tyche" run "$work/r.yaml" -n 30000 --save-samples -o "$work/r.h5" --quiet >/dev/null || bad "run rules: exit $?"
check "$work/r.h5" 1 && ok || bad "rules: queries or spread differ from the samples"

# --json and show carry the file's numbers.
"$tyche" show "$work/u-random.h5" --json > "$work/show.json" || bad "show --json: exit $?"
$py - "$work/u-random.h5" "$work/show.json" <<'PY' && ok || bad "show --json differs from the file"
import sys, json, h5py, math
f = h5py.File(sys.argv[1], "r"); d = json.load(open(sys.argv[2]))
r = d["runs"]["baseline"]; Q = f["runs/baseline/queries"]
assert [q["name"] for q in r["queries"]] == [s.decode() for s in Q["name"][()]]
for i, q in enumerate(r["queries"]):
    for key in ("value", "stderr", "ci_low", "ci_high"):
        v = Q[key][i]
        assert (q[key] is None and math.isnan(v)) or q[key] == v, (q["name"], key)
for k, o in enumerate(r["outcomes"]):
    assert o["spread"] == list(f["runs/baseline/outcomes/spread"][k]), o["name"]
PY
"$tyche" show "$work/u-random.h5" > "$work/show.txt"
grep -q "escalation" "$work/show.txt" && grep -q "sampled worlds" "$work/show.txt" && ok \
    || bad "the table lacks the queries or the spread: $(cat "$work/show.txt")"

# A batch: each variant's query differences are its value minus the
# baseline's, NaN where either has no answer.
"$tyche" batch "$root/scenarios/ukraine-2014-policy.yaml" -n 8192 -o "$work/b.h5" --quiet >/dev/null || bad "batch: exit $?"
$py - "$work/b.h5" <<'PY' && ok || bad "batch query differences"
import sys, h5py, math
f = h5py.File(sys.argv[1], "r")
base = f["runs/baseline/queries/value"][()]
n = 0
for v in f["runs"]:
    if v == "baseline": continue
    q = f["runs"][v]["queries"]
    d = q["difference/diff"][()]
    kinds = [s.decode() for s in q["kind"][()]]
    for i, k in enumerate(kinds):
        if k == "quantiles": assert math.isnan(d[i]); continue
        if math.isnan(q["value"][i]) or math.isnan(base[i]):
            # a condition that never holds in one of the two (us_accepts
            # keeps the talks going: invasion_if_talks_fail has no worlds)
            assert math.isnan(d[i]), (v, i); continue
        assert abs(d[i] - (q["value"][i] - base[i])) <= 1e-12, (v, i)
        assert q["difference/ci_low"][i] <= d[i] <= q["difference/ci_high"][i]
        n += 1
assert n > 0
PY
finish
