#!/usr/bin/python3
"""check.py WHAT ... - checks of what plots/tyche-plot draws, for
tests/cli/plots.sh. Each reads the --debug-json file (what every chart
draws, read back from the figures), the index.html and the result file
itself, prints one FAIL line per problem and exits 1 if there was one.

  check.py batch RESULT.h5 DEBUG.json INDEX.html
      variants-diff: one x scale for every panel; each bar's value written
      as "+8.1 pp" and equal to the file's difference; variant labels (not
      keys) on the y axis; whiskers black, at least 2 px, with caps.
      variants and sweeps: probability axes from 0, at least 10 points
      tall, in %; the sweep's change in percentage points. index.html: the
      variants table with each variant's key, label, probability and
      difference [95% interval] of each outcome.
  check.py sens RESULT.h5 DEBUG.json INDEX.html ZERO=TARGET:FACTOR ...
      tornado: the bars drawn are the factors with a nonzero swing (two
      bars each), the zero-swing ones (the ZERO arguments, which must be
      zero in the file) only in the footnote "no effect: ...". Sobol: the
      note "correlations ignored: factors sampled independently" in the
      subtitle and on the page exactly when the file's
      sensitivity/ignore_correlations is set. index.html: one table per
      target with each factor's tornado low, high, swing, Spearman and
      Sobol S1, ST with their intervals, agreeing with the file.
  check.py readme README.md DEBUG.json ...
      every chart kind drawn is listed in plots/README.md."""
import html
import json
import re
import sys

import h5py
import numpy as np

NOTE = "correlations ignored: factors sampled independently"
bad = 0


def fail(msg):
    global bad
    bad += 1
    print(f"FAIL: {msg}")


def s(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def table(page, cls_or_id):
    m = re.search(r'<table [^>]*(?:class|id)="' + re.escape(cls_or_id) + r'"[^>]*>(.*?)</table>', page, re.S)
    if not m:
        return None
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", m.group(1), re.S)]


def pct_ok(cell, p):
    """A cell such as 5.18% or 75.5% within rounding of p."""
    m = re.fullmatch(r"(-?[0-9.]+)%", cell.strip())
    return m is not None and abs(float(m.group(1)) - 100 * p) <= 0.051


def check_batch(h5, dbg, page):
    f = h5py.File(h5, "r")
    runs = list(f["runs"])
    outcomes = [s(x) for x in f["runs/baseline/outcomes/name"][()]]
    others = [r for r in runs if r != "baseline"]
    labels = {r: " ".join(s(f["runs"][r].attrs.get("label", "")).split()) or r.replace("_", " ") for r in runs}
    d = json.load(open(dbg))

    vd = d.get("variants-diff")
    if vd is None:
        fail("no variants-diff chart")
        return
    axes = vd["axes"]
    if len(axes) != len(outcomes):
        fail(f"variants-diff: {len(axes)} panels for {len(outcomes)} outcomes")
    xl = [tuple(round(v, 9) for v in a["xlim"]) for a in axes]
    if len(set(xl)) != 1:
        fail(f"variants-diff: panels have different x scales: {xl}")
    elif abs(xl[0][0] + xl[0][1]) > 1e-9:
        fail(f"variants-diff: x scale not symmetric about 0: {xl[0]}")
    ticks = [" ".join(t.split()) for t in axes[0]["yticklabels"]]
    want = [labels[r] for r in others]
    if ticks != want:
        fail(f"variants-diff: y labels {ticks}, expected the variants' labels {want}")
    for i, (o, a) in enumerate(zip(outcomes, axes)):
        diffs = [float(f["runs"][r]["difference/diff"][i]) for r in others]
        vals = []
        for t in a["texts"]:
            m = re.fullmatch(r"([+-][0-9]+\.[0-9]+) pp", t)
            if m:
                vals.append(float(m.group(1)))
        if len(vals) != len(others) or any(abs(v - 100 * x) > 0.0051 + 0.051 * (abs(100 * x) >= 0.05)
                                           for v, x in zip(vals, diffs)):
            fail(f"variants-diff {o}: values written {a['texts']}, expected {[round(100 * x, 2) for x in diffs]}")
        if not a["bars"] or len(a["bars"]) != len(others):
            fail(f"variants-diff {o}: {len(a['bars'])} bars for {len(others)} variants")
        w = a["whiskers"]
        if not w or any(not x["caps"] or x["linewidth"] < 2 or x["colour"] != "#000000" for x in w):
            fail(f"variants-diff {o}: whiskers not black, 2 px, with caps: {w}")
        if a["xlim"][1] < max(abs(float(f["runs"][r]["difference/ci_high"][i])) for r in others):
            fail(f"variants-diff {o}: the x scale cuts a whisker")
    va = d.get("variants")
    if va is None or any(a["xlim"][0] != 0 or a["xlim"][1] < 0.1 - 1e-12 for a in va["axes"]):
        fail("variants: a probability axis does not start at 0 or spans under 10 points")
    elif " ".join(va["axes"][0]["yticklabels"][0].split()) != "baseline":
        fail(f"variants: the baseline (no label) is not shown by its key: {va['axes'][0]['yticklabels'][0]!r}")

    sweeps = [k for k in d if k.startswith("sweep-")]
    if len(sweeps) != len(f["sweeps"]):
        fail(f"{len(sweeps)} sweep charts for {len(f['sweeps'])} sweeps")
    for k in sweeps:
        sw = f["sweeps"][k[len("sweep-"):]]
        p = sw["probability"][()]
        for i, a in enumerate(d[k]["axes"]):
            lo, hi = a["ylim"]
            if lo != 0 or hi - lo < 0.1 - 1e-12 or hi < sw["ci_high"][()][:, i].max():
                fail(f"{k} panel {i}: y axis {a['ylim']} must start at 0, span at least 10 points and show the data")
            if not all(t.endswith("%") for t in a["yticklabels"] if t):
                fail(f"{k} panel {i}: y tick labels not in %: {a['yticklabels']}")
            ch = [t for t in a["texts"] if t.startswith("change: ")]
            m = re.fullmatch(r"change: ([+-][0-9.]+) pp", ch[0]) if ch else None
            if not m or abs(float(m.group(1)) - 100 * (p[-1, i] - p[0, i])) > 0.051:
                fail(f"{k} panel {i}: change over the sweep not written in pp: {a['texts']}")
        if "%" not in d[k]["axes"][0]["ylabel"] or "percentage points" in d[k]["axes"][0]["ylabel"]:
            fail(f"{k}: y label {d[k]['axes'][0]['ylabel']!r} should say %")

    rows = table(page, "variants")
    if rows is None:
        fail("index.html: no variants table")
        return
    body = rows[2:]
    if [r[0] for r in body] != runs:
        fail(f"index.html variants table: variants {[r[0] for r in body]}, expected {runs}")
        return
    if not all(o in "".join(rows[0]) for o in outcomes):
        fail("index.html variants table: not every outcome has a column")
    for r, cells in zip(runs, body):
        if " ".join(html.unescape(cells[1]).split()) != labels[r]:
            fail(f"index.html variants table: {r} labelled {cells[1]!r}, expected {labels[r]!r}")
        g = f["runs"][r]
        for i, o in enumerate(outcomes):
            pc, dc = cells[2 + 2 * i], cells[3 + 2 * i]
            if not pct_ok(pc, g["outcomes/probability"][i]):
                fail(f"index.html variants table: {r} {o} probability {pc}")
            if r == "baseline":
                continue
            m = re.fullmatch(r"([+-][0-9.]+) pp \[([+-][0-9.]+), ([+-][0-9.]+)\]", dc)
            want = [100 * g["difference"][k][i] for k in ("diff", "ci_low", "ci_high")]
            if not m or any(abs(float(x) - w) > 0.0051 for x, w in zip(m.groups(), want)):
                fail(f"index.html variants table: {r} {o} difference {dc!r}, expected {want}")


def check_sens(h5, dbg, page, zeros):
    f = h5py.File(h5, "r")
    sg = f["runs/baseline/sensitivity"]
    targets = [s(x) for x in sg["targets"][()]]
    facs = [s(x) for x in sg["factors"][()]] if "factors" in sg else [s(x) for x in f["runs/baseline/factors/name"][()]]
    low, high = sg["tornado/low"][()], sg["tornado/high"][()]
    flag = bool(int(sg.attrs.get("ignore_correlations", 0)))
    d = json.load(open(dbg))
    zero_pairs = set()
    for z in zeros:
        t, fac = z.split(":")
        zero_pairs.add((t, fac))
        ti, j = targets.index(t), facs.index(fac)
        if high[ti, j] - low[ti, j] != 0:
            fail(f"{h5}: {t}:{fac} is not a zero swing in the file, the test's premise")
    for ti, t in enumerate(targets):
        ch = d.get(f"tornado-{t}")
        if ch is None:
            fail(f"no tornado-{t}")
            continue
        zero = [facs[j] for j in range(len(facs)) if high[ti, j] - low[ti, j] == 0]
        nonzero = [x for x in facs if x not in zero]
        ax = ch["axes"][0]
        drawn = ax["yticklabels"]
        if set(drawn) != set(nonzero[:15]) or len(drawn) != min(15, len(nonzero)):
            fail(f"tornado-{t}: bars for {drawn}, expected the nonzero-swing factors {nonzero}")
        if len(ax["bars"]) != 2 * len(drawn):
            fail(f"tornado-{t}: {len(ax['bars'])} bars for {len(drawn)} factors")
        if zero:
            if not ch["footnote"].startswith("no effect: " + ", ".join(zero)):
                fail(f"tornado-{t}: footnote {ch['footnote']!r} does not list {zero}")
        elif ch["footnote"]:
            fail(f"tornado-{t}: footnote {ch['footnote']!r} but no zero-swing factor")
        for (zt, zf) in zero_pairs:
            if zt == t and zf in drawn:
                fail(f"tornado-{t}: zero-swing {zf} drawn")
        sob = d.get(f"sobol-{t}")
        if sob is None:
            fail(f"no sobol-{t}")
        elif (NOTE in sob["axes"][0]["title"]) != flag:
            fail(f"sobol-{t}: title {sob['axes'][0]['title']!r}; ignore_correlations={int(flag)}")
        # The page's table of the numbers.
        rows = table(page, f"sens-baseline-{t}")
        if rows is None:
            fail(f"index.html: no sensitivity table for {t}")
            continue
        head = rows[0]
        for col in ("factor", "low", "high", "swing", "Spearman", "Sobol S1 [95%]", "Sobol ST [95%]"):
            if col not in head:
                fail(f"index.html table {t}: no column {col!r}: {head}")
        body = {r[0]: dict(zip(head, r)) for r in rows[1:]}
        if set(body) != set(facs):
            fail(f"index.html table {t}: factors {sorted(body)}, expected {sorted(facs)}")
            continue
        for j, fac in enumerate(facs):
            r = body[fac]
            if abs(float(r["Spearman"]) - sg["spearman"][ti, j]) > 0.0006:
                fail(f"index.html table {t}/{fac}: Spearman {r['Spearman']} vs {sg['spearman'][ti, j]}")
            for col, key in (("Sobol S1 [95%]", "first"), ("Sobol ST [95%]", "total")):
                m = re.fullmatch(r"(-?[0-9.]+) \[(-?[0-9.]+), (-?[0-9.]+)\]", r[col])
                want = [sg[f"sobol/{key}"][ti, j], *sg[f"sobol/{key}_ci"][ti, j]]
                if not m or any(abs(float(x) - w) > 0.0006 for x, w in zip(m.groups(), want)):
                    fail(f"index.html table {t}/{fac}: {col} {r[col]!r}, expected {want}")
            if (fac in zero) != r["swing"].endswith("(no effect)"):
                fail(f"index.html table {t}/{fac}: swing {r['swing']!r}")
            if t in [s(x) for x in f["runs/baseline/outcomes/name"][()]]:
                if not (pct_ok(r["low"], low[ti, j]) and pct_ok(r["high"], high[ti, j])):
                    fail(f"index.html table {t}/{fac}: low/high {r['low']}/{r['high']} vs {low[ti, j]}/{high[ti, j]}")
    if (NOTE in page) != flag:
        fail(f"index.html: correlations note {'missing' if flag else 'present'} (ignore_correlations={int(flag)})")


KINDS = ("outcomes", "convergence", "factor", "derived", "variants-diff", "variants", "sweep", "tornado", "sobol",
         "spearman", "bench-scaling", "queries-diff", "queries")


def check_readme(readme, dbgs):
    text = open(readme).read()
    kinds = set()
    for dbg in dbgs:
        for k in json.load(open(dbg)):
            m = re.match(r"(?:.+?-)?(tornado|sobol|spearman|observed|shift|time-cumulative|time-state|time-variants)"
                         r"(?:-|$)", k)
            kind = m.group(1) if m else next((x for x in KINDS if k == x or k.startswith(x + "-")), k)
            kinds.add(kind)
    for kind in sorted(kinds):
        if f"`{kind}" not in text:
            fail(f"{readme}: chart {kind!r} is drawn but not listed")
    for page in ("variants table", "sensitivity tables", "observations table", "--debug-json"):
        if page not in text:
            fail(f"{readme}: does not describe the {page}")


what = sys.argv[1]
if what == "batch":
    check_batch(sys.argv[2], sys.argv[3], open(sys.argv[4], encoding="utf-8").read())
elif what == "sens":
    check_sens(sys.argv[2], sys.argv[3], open(sys.argv[4], encoding="utf-8").read(), sys.argv[5:])
elif what == "readme":
    check_readme(sys.argv[2], sys.argv[3:])
else:
    sys.exit(f"check.py: unknown check {what}")
sys.exit(1 if bad else 0)
