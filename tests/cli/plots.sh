#!/usr/bin/env bash
# plots/tyche-plot end to end: charts from small result files tyche writes
# here (run and batch), from synthetic sensitivity and bench files
# (tests/plots/synthetic.py) and from tyche sensitivity, each with its pixel
# size and not blank; what the charts and index.html show, checked against
# the files (tests/plots/check.py, from --debug-json); and the error cases:
# one line on stderr, exit 1, no traceback.
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
plot=$root/plots/tyche-plot
export MPLCONFIGDIR=$work/mpl

# check_png FILE:WxH ... - each PNG exists, has that pixel size (from its
# IHDR header) and is not blank (over 30 distinct colours, over 10 kB).
check_png() {
  $py - "$@" <<'PY'
import struct, sys, os
import matplotlib.image as mpimg
import numpy as np
bad = 0
for arg in sys.argv[1:]:
    path, size = arg.rsplit(":", 1)
    w, h = map(int, size.split("x"))
    if not os.path.exists(path):
        print(f"FAIL: {path}: missing"); bad += 1; continue
    with open(path, "rb") as fh:
        head = fh.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        print(f"FAIL: {path}: not a PNG"); bad += 1; continue
    pw, ph = struct.unpack(">II", head[16:24])
    if (pw, ph) != (w, h):
        print(f"FAIL: {path}: {pw}x{ph}, expected {w}x{h}"); bad += 1
    img = mpimg.imread(path)
    colours = len(np.unique(img.reshape(-1, img.shape[-1]), axis=0))
    if colours <= 30 or os.path.getsize(path) <= 10000:
        print(f"FAIL: {path}: looks blank ({colours} colours, {os.path.getsize(path)} bytes)"); bad += 1
sys.exit(1 if bad else 0)
PY
}

# A plain run and a batch at small sample counts.
"$tyche" run "$root/scenarios/ukraine-2014.yaml" -n 20000 -o "$work/u.h5" --quiet >/dev/null || bad "tyche run"
"$tyche" batch "$root/scenarios/ukraine-2014-policy.yaml" -n 4000 -o "$work/b.h5" --quiet >/dev/null || bad "tyche batch"

"$plot" "$work/u.h5" -o "$work/u" >/dev/null 2>"$work/err" && [ ! -s "$work/err" ] && ok || bad "plot of a run: $(cat "$work/err")"
check_png "$work/u/outcomes.png:1000x500" "$work/u/convergence.png:1200x700" \
          "$work/u/factor-troops.png:900x500" "$work/u/factor-talks.png:900x500" \
          "$work/u/derived-force_ratio.png:900x500" && ok || bad "charts of a run"
[ "$(ls "$work/u"/factor-*.png | wc -l)" = 11 ] && [ "$(ls "$work/u"/derived-*.png | wc -l)" = 6 ] && ok || bad "one chart per factor and derived value"
[ -z "$(ls "$work/u" | grep -E '^(variants|sweep|tornado|sobol|bench)')" ] && ok || bad "a plain run drew batch or sensitivity charts"
grep -q "US-Russia diplomatic feelers over Ukraine, spring 2014" "$work/u/index.html" \
  && grep -q "RUSI Commentary" "$work/u/index.html" && grep -q 'src="outcomes.png"' "$work/u/index.html" \
  && grep -q "20,000" "$work/u/index.html" && ok || bad "index.html lacks the title, source, charts or run metadata"
for f in "$work"/u/*.png; do grep -q "src=\"$(basename "$f")\"" "$work/u/index.html" || bad "index.html lacks $(basename "$f")"; done

"$plot" "$work/b.h5" -o "$work/b" >/dev/null 2>"$work/err" && [ ! -s "$work/err" ] && ok || bad "plot of a batch: $(cat "$work/err")"
check_png "$work/b/outcomes.png:1000x500" "$work/b/variants.png:1400x650" "$work/b/variants-diff.png:1400x650" \
          "$work/b/sweep-troop_buildup.png:1400x520" "$work/b/sweep-sanctions_pressure.png:1400x520" \
          "$work/b/sweep-us_resolve.png:1400x520" "$work/b/sweep-resistance.png:1400x520" && ok || bad "charts of a batch"
grep -q "us_accepts" "$work/b/index.html" && ok || bad "index.html lacks the variants"
# What the batch charts draw (--debug-json: read back from the figures) and
# the page's variants table, against the file (tests/plots/check.py batch):
# variants-diff on one x scale, values in pp, labels, visible whiskers;
# probability axes of the variants and sweeps from 0; the variants table.
"$plot" "$work/b.h5" -o "$work/b" --debug-json "$work/b.json" >/dev/null 2>"$work/err" && [ ! -s "$work/err" ] \
  && $py "$root/tests/plots/check.py" batch "$work/b.h5" "$work/b.json" "$work/b/index.html" && ok \
  || bad "batch charts and variants table $(cat "$work/err")"

# Synthetic files: sensitivity results and bench scaling (not made by tyche yet).
cp "$work/u.h5" "$work/base.h5"
$py "$root/tests/plots/synthetic.py" "$work" || bad "synthetic.py"
"$plot" "$work/sens.h5" -o "$work/s" >/dev/null 2>"$work/err" && [ ! -s "$work/err" ] && ok || bad "plot of sensitivity: $(cat "$work/err")"
check_png "$work/s/outcomes.png:1000x500" "$work/s/spearman.png:1200x600" \
          "$work/s/tornado-rise.png:1000x600" "$work/s/tornado-fall.png:1000x600" "$work/s/tornado-delta.png:1000x600" \
          "$work/s/sobol-rise.png:1000x600" "$work/s/sobol-hold.png:1000x600" "$work/s/sobol-delta.png:1000x600" \
          && ok || bad "sensitivity charts"
# The tornado leaves the zero-swing factor (gamma on rise) out of its bars
# and names it; no correlations note (ignore_correlations 0); the page's
# sensitivity tables agree with the file.
"$plot" "$work/sens.h5" -o "$work/s" --debug-json "$work/s.json" >/dev/null 2>&1 \
  && $py "$root/tests/plots/check.py" sens "$work/sens.h5" "$work/s.json" "$work/s/index.html" rise:gamma && ok \
  || bad "synthetic sensitivity: tornado zero swing, no correlations note, tables"
# A real tyche sensitivity file: --ignore-correlations on the correlated
# scenario sets the flag, and every Sobol chart and the page say so.
"$tyche" sensitivity "$root/scenarios/ukraine-2014.yaml" -n 1024 --method all --ignore-correlations \
  -o "$work/rs.h5" --quiet >/dev/null 2>&1 || bad "tyche sensitivity"
"$plot" "$work/rs.h5" -o "$work/rs" --debug-json "$work/rs.json" >/dev/null 2>"$work/err" && [ ! -s "$work/err" ] \
  && $py "$root/tests/plots/check.py" sens "$work/rs.h5" "$work/rs.json" "$work/rs/index.html" && ok \
  || bad "real sensitivity: correlations note, tornado, tables $(cat "$work/err")"
check_png "$work/rs/sobol-invasion.png:1000x600" "$work/rs/tornado-invasion.png:1000x600" && ok || bad "real sensitivity charts"
"$plot" "$work/bench.h5" -o "$work/bb" --debug-json "$work/bb.json" >/dev/null 2>"$work/err" && [ ! -s "$work/err" ] && ok || bad "plot of a bench file: $(cat "$work/err")"
check_png "$work/bb/bench-scaling.png:1200x500" && grep -q "ukraine-2014-bench" "$work/bb/index.html" && ok || bad "bench chart"
for fmt in svg pdf; do
  "$plot" "$work/sens.h5" -o "$work/$fmt" --format $fmt >/dev/null 2>&1 && [ -s "$work/$fmt/tornado-rise.$fmt" ] \
    && grep -q "tornado-rise.$fmt" "$work/$fmt/index.html" && ok || bad "--format $fmt"
done
# Each outcome's spread and the queries (tests/plots/add_queries.py adds
# them to the run and the batch in docs/results.md's layout; "strip" takes
# them out, as in a file of an older tyche): the outcomes chart draws the
# spread beside the 95% Monte Carlo interval with a legend telling them
# apart, the queries chart one row per query, the batch the queries-diff
# chart, and index.html lists them and the queries table; without them,
# no spread, no legend, no queries chart.
for f in u b; do
  for m in add strip; do
    $py "$root/tests/plots/add_queries.py" "$work/$f.h5" "$work/$f-$m.h5" $m || bad "add_queries.py $f $m"
    "$plot" "$work/$f-$m.h5" -o "$work/$f-$m" --debug-json "$work/$f-$m.json" >/dev/null 2>"$work/err" \
      && [ ! -s "$work/err" ] && ok || bad "plot of $f-$m.h5: $(cat "$work/err")"
  done
done
check_png "$work/u-add/outcomes.png:1000x500" "$work/u-add/queries.png:1000x400" \
          "$work/b-add/queries.png:1000x400" "$work/b-add/queries-diff.png:1400x650" && ok || bad "spread and queries charts"
$py - "$work" <<'PY' && ok || bad "what the spread and queries charts draw"
import json, sys, h5py
w = sys.argv[1]
for f in ("u", "b"):
    d = json.load(open(f"{w}/{f}-add.json"))
    o = d["outcomes"]
    sp = h5py.File(f"{w}/{f}-add.h5", "r")["runs/baseline/outcomes/spread"][()].tolist()
    assert o["data"]["spread"] == sp, (o["data"], sp)
    assert o["axes"][0]["legend"] == ["95% Monte Carlo interval",
                                      "spread across sampled worlds (5th-95th percentile)"], o["axes"][0]["legend"]
    assert "Monte Carlo" in o["axes"][0]["xlabel"] and "spread" in o["axes"][0]["xlabel"]
    q = d["queries"]
    assert [x["name"] for x in q["data"]["queries"]] == ["not_late", "slack_if_on_time", "weeks_range"]
    assert q["data"]["queries"][2]["quantiles"] == [3.5, 5.25, 6, 7, 9.75]
    assert q["data"]["queries"][0]["value"] == 0.4321
    assert len(q["axes"]) == 3 and "given on_time" in q["axes"][1]["title"], q["axes"][1]["title"]
    assert "43.21% [42.82%, 43.60%]" in q["axes"][0]["title"]
    page = open(f"{w}/{f}-add/index.html").read()
    assert 'src="queries.png"' in page and 'class="queries"' in page and "90% of sampled worlds" in page
    assert "3.5 / 5.25 / 6 / 7 / 9.75" in page
    s = json.load(open(f"{w}/{f}-strip.json"))
    assert "spread" not in s["outcomes"]["data"] and s["outcomes"]["axes"][0]["legend"] == []
    assert not any(k.startswith("queries") for k in s), list(s)
    spage = open(f"{w}/{f}-strip/index.html").read()
    assert "queries" not in spage and "sampled worlds" not in spage
    assert s["outcomes"]["axes"][0]["xlabel"] == "probability over the horizon (bar: estimate; whiskers: 95% interval)"
d = json.load(open(f"{w}/b-add.json"))["queries-diff"]
assert list(d["data"]["queries"]) == ["not_late", "slack_if_on_time"]   # no quantile query
assert all(v == 0.0123 for v in d["data"]["queries"]["not_late"]["diff"])
assert "+1.2 pp" in d["axes"][0]["texts"] and "-0.25" in d["axes"][1]["texts"]
assert "queries-diff" not in json.load(open(f"{w}/u-add.json"))
PY

# Observations (issue 17; tests/plots/add_observations.py adds them to the
# run and the batch in docs/results.md's layout, the batch's last variant
# without any and its second with warnings): per run with observations/,
# shift (prior and posterior of each outcome, the numbers from the file)
# and observed-OF per factor or derived value read (both normalised, the
# posterior nearer the reading, the reading marked; a discrete factor as
# paired bars); a variant's charts prefixed VARIANT-; the page's prior
# column, observations table and warnings; weighted histograms' notes in
# shares of the weight; a file without observations draws none of it.
for f in u b; do
  $py "$root/tests/plots/add_observations.py" "$work/$f.h5" "$work/$f-obs.h5" || bad "add_observations.py $f"
  "$plot" "$work/$f-obs.h5" -o "$work/$f-obs" --debug-json "$work/$f-obs.json" >/dev/null 2>"$work/err" \
    && [ ! -s "$work/err" ] && ok || bad "plot of $f-obs.h5: $(cat "$work/err")"
done
check_png "$work/u-obs/shift.png:1000x500" "$work/u-obs/observed-troops.png:900x500" \
          "$work/u-obs/observed-force_ratio.png:900x500" "$work/u-obs/observed-crimea_secure.png:900x500" \
          "$work/b-obs/shift.png:1000x500" "$work/b-obs/us_accepts-shift.png:1000x500" \
          "$work/b-obs/us_accepts-observed-troops.png:900x500" && ok || bad "observation charts"
$py - "$work" <<'PY' && ok || bad "what the observation charts and page show"
import json, re, sys, h5py
w = sys.argv[1]
for f in ("u", "b"):
    d = json.load(open(f"{w}/{f}-obs.json"))
    h = h5py.File(f"{w}/{f}-obs.h5", "r")
    runs = list(h["runs"])
    obs_runs = [r for r in runs if "observations" in h[f"runs/{r}"]]
    assert (obs_runs == runs) if f == "u" else (obs_runs == runs[:-1]), obs_runs
    for r in runs:
        pre = "" if r == runs[0] else r + "-"
        drawn = sorted(k for k in d if k.startswith(pre + "shift") or k.startswith(pre + "observed-"))
        if r not in obs_runs:
            assert drawn == [], (r, drawn)
            continue
        assert drawn == [pre + "observed-crimea_secure", pre + "observed-force_ratio", pre + "observed-troops",
                         pre + "shift"], drawn
        g = h[f"runs/{r}"]
        s = d[pre + "shift"]
        assert s["data"]["prior"] == g["outcomes_prior/probability"][()].tolist()
        assert s["data"]["posterior"] == g["outcomes/probability"][()].tolist()
        ax = s["axes"][0]
        assert ax["legend"] == ["prior: without the observations", "posterior: given the observations"], ax["legend"]
        assert ax["xlim"][0] == 0 and len(ax["whiskers"]) >= 2, ax
        assert all("\u2192" in t and " pp)" in t for t in s["data"]["texts"]), s["data"]["texts"]
        k = float(g["observations"].attrs["pareto_k"])
        assert f"Pareto k-hat {k:.2f}" in ax["title"] and "effective sample size" in ax["title"], ax["title"]
        warns = list(g["observations/warnings"].asstr()[()])
        assert bool(warns) == (f == "b" and r == runs[1]), (r, warns)
        assert s["data"]["warnings"] == warns and (("warning: " in s["footnote"]) == bool(warns))
        values = dict(zip(g["observations/name"].asstr()[()], g["observations/value"][()]))
        for of, name in (("troops", "satellite_count"), ("force_ratio", "ratio_report")):
            o = d[f"{pre}observed-{of}"]["data"]
            assert o["kind"] == "continuous" and o["readings"] == [{"name": name, "value": values[name]}], o
            # Densities of all the values (weights): the area is the share drawn, near 1 for both.
            assert 0.98 < o["prior_area"] <= 1 + 1e-9 and 0.98 < o["posterior_area"] <= 1 + 1e-9, o
            assert abs(o["posterior_mean"] - values[name]) < abs(o["prior_mean"] - values[name]), o
            texts = d[f"{pre}observed-{of}"]["axes"][0]["texts"]
            assert any(t.startswith(f"{name} = ") for t in texts), texts
        c = d[f"{pre}observed-crimea_secure"]["data"]
        assert c["kind"] == "discrete" and c["values"] == [0, 1] and c["posterior"] == [0.0, 1.0], c
        assert abs(sum(c["prior"]) - 1) < 1e-9 and 0 < c["prior"][0] < 1, c
    page = open(f"{w}/{f}-obs/index.html").read()
    assert 'id="observations-table"' in page and "prior [95% interval]" in page and "Pareto k-hat" in page
    assert "when talks == 1 (prior probability 80%)" in page
    assert ("<b>warning:</b> the effective sample size is 42" in page) == (f == "b")
    assert (f"{runs[-1]}: no observations" in page) == (f == "b")
    assert 'src="shift.png"' in page and 'src="observed-troops.png"' in page
    # Weighted histograms (attribute weighted = 1): what is beyond the edges in shares of the weight.
    notes = 0
    for kind, prefix in (("factors", "factor"), ("derived", "derived")):
        for name in h[f"runs/{runs[0]}/{kind}/name"].asstr()[()]:
            hg = h[f"runs/{runs[0]}/histograms/{name}"]
            t = " ".join(d[f"{prefix}-{name}"]["axes"][0]["texts"])
            for side in ("below", "above"):
                n = int(hg["underflow" if side == "below" else "overflow"][()])
                assert (f"of the weight {side}" in t) == (n > 0) and " sample" not in t, (name, n, t)
                notes += n > 0
    assert notes > 0, "no weighted chart had values beyond its edges"
    assert "given 5 observations" in d["outcomes"]["axes"][0]["title"]
for f in ("u-add", "u-strip", "b", "b-add", "b-strip"):
    d = json.load(open(f"{w}/{f}.json"))
    assert not any(re.match(r"(.+-)?(shift|observed-)", k) for k in d), (f, list(d))
    page = open(f"{w}/{f}/index.html").read()
    assert "observations-table" not in page and "prior [95%" not in page
    assert "observation" not in d["outcomes"]["axes"][0]["title"]
PY

# Time scenarios (tests/plots/add_time.py adds runs/<v>/time/ to every run:
# constant hazards, so each P(outcome by step t) is known in closed form;
# the run over 26 weeks, the batch over 40 steps without a unit): the
# time-cumulative chart of each run (a variant's prefixed VARIANT-), the
# baseline's time-state-NAME and, for the batch, time-variants (a panel
# per event outcome, then one of the share with no event yet); the final
# values drawn are the file's, each curve starts at step 0 (from 0, the
# share with no event from 1), the axes from 0 in %, the x axis labelled
# with the unit; the page's section and time row; files without time/ draw
# none of it, and adding time/ adds only these charts. An otherwise label
# too long for the subtitle of time-cumulative is cut with an ellipsis.
$py "$root/tests/plots/add_time.py" "$work/u.h5" "$work/u-time.h5" 26 week || bad "add_time.py u"
$py "$root/tests/plots/add_time.py" "$work/b.h5" "$work/b-time.h5" 40 "" || bad "add_time.py b"
for f in u b; do
  "$plot" "$work/$f-time.h5" -o "$work/$f-time" --debug-json "$work/$f-time.json" >/dev/null 2>"$work/err" \
    && [ ! -s "$work/err" ] && ok || bad "plot of $f-time.h5: $(cat "$work/err")"
done
check_png "$work/u-time/time-cumulative.png:1000x550" "$work/u-time/time-state-pressure.png:900x500" \
          "$work/u-time/time-state-backlog.png:900x500" "$work/b-time/time-cumulative.png:1000x550" \
          "$work/b-time/us_accepts-time-cumulative.png:1000x550" "$work/b-time/time-variants.png:1400x800" \
          "$work/b-time/time-state-pressure.png:900x500" && ok || bad "time charts"
"$plot" "$work/u.h5" -o "$work/u-plain" --debug-json "$work/u-plain.json" >/dev/null 2>&1 || bad "plot of u.h5"
# u-long.h5: u-time.h5 with a long label of the otherwise outcome.
long="No decisive event yet: the squeeze goes on with talks, troops on the frontiers and sanctions all unresolved at the horizon"
$py - "$work/u-time.h5" "$work/u-long.h5" "$long" "$root/tests/plots" <<'PY' || bad "u-long.h5"
import shutil, sys, h5py
sys.path.insert(0, sys.argv[4])
from h5util import fixed_str
shutil.copyfile(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:
    for r in f["runs"]:
        o = f[f"runs/{r}/outcomes"]
        labels = list(o["label"].asstr()[()])
        del o["label"]
        fixed_str(o, "label", labels[:-1] + [sys.argv[3]])
PY
"$plot" "$work/u-long.h5" -o "$work/u-long" --debug-json "$work/u-long.json" >/dev/null 2>"$work/err" \
  && [ ! -s "$work/err" ] && ok || bad "plot of u-long.h5: $(cat "$work/err")"
$py - "$work" "$long" <<'PY' && ok || bad "what the time charts and page show"
import json, re, sys, h5py
import numpy as np
w, LONG = sys.argv[1:3]
for f, unit, span in (("u", "week", "26 weeks"), ("b", "step", "40 steps")):
    d = json.load(open(f"{w}/{f}-time.json"))
    h = h5py.File(f"{w}/{f}-time.h5", "r")
    runs = sorted(h["runs"], key=lambda r: r != "baseline")
    events = list(h[f"runs/{runs[0]}/outcomes/name"].asstr()[()])[:-1]
    want = ["time-cumulative"] + [f"{r}-time-cumulative" for r in runs[1:]] + \
        (["time-variants"] if len(runs) > 1 else []) + ["time-state-backlog", "time-state-pressure"]
    assert sorted(k for k in d if re.match(r"(.+-)?time-", k)) == sorted(want), sorted(d)
    # Adding time/ adds these charts and changes no other.
    plain = json.load(open(f"{w}/{'u-plain' if f == 'u' else 'b'}.json"))   # the same file without time/
    assert sorted(set(d) - set(want)) == sorted(plain), sorted(set(d) ^ set(plain))
    for r in runs:
        g = h[f"runs/{r}/time"]
        cum, hi = g["cumulative"][()], g["ci_high"][()]
        t = g["step"][()].astype(float)
        # add_time.py's closed form: per step a_k = cum[0, k] end with event k, q = cum[0, -1] run on.
        q = cum[0, -1]
        assert np.allclose(cum[:, :-1], cum[0, :-1] * ((1 - q ** t) / (1 - q))[:, None], rtol=1e-12)
        assert np.allclose(cum[:, -1], q ** t) and np.allclose(cum.sum(axis=1), 1)
        c = d["time-cumulative" if r == runs[0] else f"{r}-time-cumulative"]
        assert c["data"]["final"] == {o: float(cum[-1, i]) for i, o in enumerate(events)}, c["data"]
        assert c["data"]["none"] == float(cum[-1, -1]) and c["data"]["steps"] == int(g.attrs["steps"])
        assert c["data"]["first"] == {o: [0.0, 0.0] for o in events}, c["data"]["first"]
        ax = c["axes"][0]
        assert ax["ylim"][0] == 0 and ax["ylim"][1] >= hi[:, :-1].max(), ax["ylim"]
        assert all(x.endswith("%") for x in ax["yticklabels"] if x), ax["yticklabels"]
        assert ax["xlabel"] == unit.capitalize() and ax["xlim"][0] == 0, ax["xlabel"]
        assert float(ax["xticklabels"][-1].replace(",", "")) <= g.attrs["steps"], ax["xticklabels"]
        assert f"P(outcome by {unit} t), {r}" in ax["title"] and f"horizon {span}" in ax["title"], ax["title"]
        assert len(ax["legend"]) == len(events), ax["legend"]
        # The value at the horizon written at each curve's end, in %.
        vals = [float(x.rstrip("%")) for x in ax["texts"]]
        assert len(vals) == len(events) and all(abs(v - 100 * cum[-1, i]) < 0.051 for i, v in enumerate(vals)), vals
    for s, ylabel in (("pressure", "Military pressure (index)"), ("backlog", "backlog")):
        sg = h[f"runs/{runs[0]}/time/state/{s}"]
        c = d[f"time-state-{s}"]
        assert c["data"]["final"] == {k: float(sg[k][-1]) for k in ("mean", "p05", "p50", "p95", "mean_running")}
        ax = c["axes"][0]
        assert ax["ylabel"] == ylabel and ax["xlabel"] == unit.capitalize(), (ax["ylabel"], ax["xlabel"])
        assert len(ax["legend"]) == 4 and "still running" in ax["legend"][3], ax["legend"]
    if len(runs) > 1:
        c = d["time-variants"]
        assert c["data"]["final"] == {o: {r: float(h[f"runs/{r}/time/cumulative"][-1, i]) for r in runs}
                                      for i, o in enumerate(events)}, c["data"]
        assert c["data"]["none"] == {r: float(h[f"runs/{r}/time/cumulative"][-1, -1]) for r in runs}, c["data"]
        other = c["data"]["otherwise"]
        assert c["data"]["first"] == {o: {r: [0.0, 1.0 if o == other else 0.0] for r in runs}
                                      for o in events + [other]}, c["data"]["first"]
        panels = [a for a in c["axes"] if a["xlabel"]]
        assert len(panels) == len(events) + 1, len(panels)
        assert "no event yet" in panels[-1]["title"] and "no event" in panels[-1]["ylabel"], panels[-1]
        for a in panels:
            assert a["ylim"][0] == 0 and a["ylim"][1] >= 0.1 - 1e-12 and a["xlabel"] == unit.capitalize(), a
            assert all(x.endswith("%") for x in a["yticklabels"] if x), a["yticklabels"]
        legend = [a["legend"] for a in c["axes"] if a["legend"]]
        assert len(legend) == 1 and len(legend[0]) == len(runs), legend
    page = open(f"{w}/{f}-time/index.html").read()
    assert 'id="Over_time"' in page and all(f'src="{k}.png"' in page for k in want)
    assert f"<th>time</th><td>{span}" in page
# The otherwise label, too long for the subtitle, cut at a word with an ellipsis.
d = json.load(open(f"{w}/u-long.json"))
line = d["time-cumulative"]["axes"][0]["title"].split("\n")[1]
m = re.fullmatch(r"horizon 26 weeks; no event by then \((.+)\u2026\): [0-9.]+%", line)
assert m and LONG.startswith(m.group(1)) and len(m.group(1)) < len(LONG) - 20, line
for f in ("u-strip", "u-add", "u-obs", "b", "b-add", "b-obs"):
    d = json.load(open(f"{w}/{f}.json"))
    assert not any(re.match(r"(.+-)?time-", k) for k in d), (f, list(d))
    page = open(f"{w}/{f}/index.html").read()
    assert "Over time" not in page and "<th>time</th>" not in page, f
PY

# Every chart drawn is listed in plots/README.md.
"$plot" "$work/u.h5" -o "$work/u" --debug-json "$work/u.json" >/dev/null 2>&1 \
  && $py "$root/tests/plots/check.py" readme "$root/plots/README.md" "$work/u.json" "$work/b.json" "$work/s.json" \
     "$work/rs.json" "$work/bb.json" "$work/b-add.json" "$work/b-obs.json" "$work/u-time.json" \
     "$work/b-time.json" && ok || bad "plots/README.md does not list every chart"
# The default output folder is RESULT-plots beside the file.
"$plot" "$work/bench.h5" >/dev/null 2>&1 && [ -f "$work/bench-plots/bench-scaling.png" ] && ok || bad "default output folder"

# Histograms (docs/results.md): values beyond the edges are not piled into
# the edge bins but named in a note with their count ('53 samples (0.06%)
# above 4.07, not shown'), and the shares are of all samples; force_ratio's
# heavy tail leaves no spike in its last bar (shares within 3x + 0.2% of
# the bar before). A file of an older tyche, without underflow and
# overflow, is drawn as before, with no note.
$py - "$work/u.h5" "$work/u.json" <<'PY' && ok || bad "histogram charts: outside counts, note or edge spike"
import json, sys, h5py
f = h5py.File(sys.argv[1], "r")
charts = json.load(open(sys.argv[2]))
notes = 0
for kind, prefix in (("factors", "factor"), ("derived", "derived")):
    for name in f[f"runs/baseline/{kind}/name"].asstr()[()]:
        h = f[f"runs/baseline/histograms/{name}"]
        c = charts[f"{prefix}-{name}"]
        u, o = int(h["underflow"][()]), int(h["overflow"][()])
        assert c["data"]["underflow"] == u and c["data"]["overflow"] == o, name
        texts = " ".join(c["axes"][0]["texts"])
        for n, side in ((u, "below"), (o, "above")):
            assert (f"{n:,} sample" in texts and side in texts) if n else f" {side} " not in texts, (name, texts)
            notes += n > 0
        share = c["data"]["shares"]
        total = h["counts"][()].sum() + u + o
        assert sum(share) <= h["counts"][()].sum() / total + 1e-9, name   # of all samples
sh = charts["derived-force_ratio"]["data"]["shares"]
assert sh[-1] <= 3 * sh[-2] + 0.002, sh[-3:]
assert notes > 0, "no chart had values beyond its edges"
PY
"$plot" "$work/old.h5" -o "$work/old" --debug-json "$work/old.json" >/dev/null 2>"$work/err" && [ ! -s "$work/err" ] \
  && $py -c 'import json,sys; d=json.load(open(sys.argv[1])); c=d["derived-force_ratio"]; assert c["data"]["overflow"] is None and not any("not shown" in t for t in c["axes"][0]["texts"])' "$work/old.json" \
  && ok || bad "plot of an older file without underflow/overflow: $(cat "$work/err")"

# Errors: one line on stderr, exit 1, no traceback.
printf 'not HDF5\n' > "$work/text.h5"
for case in "text.h5:not an HDF5 file" "v2.h5:format version 3" "nooutcomes.h5:missing group /runs/baseline/outcomes" \
            "noscenario.h5:missing group /scenario" "absent.h5:no such file"; do
  file=${case%%:*} want=${case#*:}
  "$plot" "$work/$file" -o "$work/e" >"$work/out" 2>"$work/err"; rc=$?
  if [ $rc = 1 ] && [ "$(wc -l < "$work/err")" = 1 ] && grep -q "$want" "$work/err" \
     && ! grep -q Traceback "$work/err" && [ ! -s "$work/out" ]; then ok
  else bad "$file: rc=$rc, stderr: $(cat "$work/err")"; fi
done
"$plot" >/dev/null 2>&1; [ $? = 2 ] && ok || bad "no arguments is not a usage error"

finish
