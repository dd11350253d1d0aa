#!/usr/bin/python3
"""synthetic.py DIR - writes small synthetic files that tyche does not make
yet, for tests/cli/plots.sh:
  DIR/sens.h5   a result file with only the required groups and a
                /runs/baseline/sensitivity group (tornado, spearman, Sobol;
                ignore_correlations 0; gamma with a zero swing on rise)
  DIR/bench.h5  a bench result file (/bench/scaling, plots/README.md)
and DIR/v2.h5, DIR/nooutcomes.h5, DIR/noscenario.h5 from DIR/base.h5 (a
real result file the caller made) for the error cases, and DIR/old.h5, the
same without histograms' underflow and overflow (as an older tyche wrote
them: the edge bins hold the values beyond the edges)."""
import shutil
import sys

import h5py
import numpy as np

d = sys.argv[1]
S = h5py.string_dtype("utf-8")


def strs(g, name, values, desc):
    g.create_dataset(name, data=np.array(values, dtype=object), dtype=S).attrs["description"] = desc


def f64(g, name, values, units):
    g.create_dataset(name, data=np.asarray(values, float)).attrs["units"] = units


SOURCE = """tyche: 1
name: synthetic
title: A synthetic scenario for the sensitivity charts
source: tests/plots/synthetic.py
factors:
  alpha: {dist: "normal(10, 2)", unit: km, label: Alpha distance, evidence: made up for the test}
  beta: {dist: "uniform(0, 1)", label: Beta share}
  gamma: {dist: "bernoulli(0.3)", label: Gamma happens}
derived:
  delta: alpha * beta
outcomes:
  model: logit
  rise: {label: Things rise, score: alpha / 10}
  hold: {label: Things hold, score: beta}
  fall: {label: Things fall, score: gamma}
"""

with h5py.File(f"{d}/sens.h5", "w") as f:
    f.attrs["format"] = "tyche-result"
    f.attrs["format_version"] = np.int32(1)
    for k, v in (("tyche_version", "0.1.0"), ("created", "2014-04-15T12:00:00Z"),
                 ("command_line", "synthetic.py"), ("host", "test")):
        f.attrs[k] = v
    f.attrs["complete"] = np.int32(1)
    sc = f.create_group("scenario")
    sc.attrs["name"], sc.attrs["title"], sc.attrs["source"] = ("synthetic",
        "A synthetic scenario for the sensitivity charts", "tests/plots/synthetic.py")
    sc.create_dataset("source_text", data=SOURCE, dtype=S)
    run = f.create_group("runs").create_group("baseline")
    for k, v in (("seed", np.uint64(1)), ("samples", np.uint64(10000)), ("threads", np.int32(1)),
                 ("wall_seconds", 0.1), ("sampling", "random"), ("label", "")):
        run.attrs[k] = v
    o = run.create_group("outcomes")
    strs(o, "name", ["rise", "hold", "fall"], "outcome name")
    strs(o, "label", ["Things rise", "Things hold", "Things fall"], "label")
    f64(o, "probability", [0.5, 0.3, 0.2], "1")
    f64(o, "stderr", [0.01, 0.01, 0.01], "1")
    f64(o, "ci_low", [0.48, 0.28, 0.18], "1")
    f64(o, "ci_high", [0.52, 0.32, 0.22], "1")
    for kind, names, units, labels, mean in (("factors", ["alpha", "beta", "gamma"], ["km", "", ""],
                                              ["Alpha distance", "Beta share", "Gamma happens"], [10, 0.5, 0.3]),
                                             ("derived", ["delta"], [""], [""], [5])):
        g = run.create_group(kind)
        strs(g, "name", names, "name")
        strs(g, "unit", units, "unit")
        strs(g, "label", labels, "label")
        f64(g, "mean", mean, "same as the series")
    s = run.create_group("sensitivity")
    strs(s, "targets", ["rise", "hold", "fall", "delta"], "outcomes, then derived values")
    rng = np.random.default_rng(7)
    base = np.array([0.5, 0.3, 0.2, 5.0])[:, None]
    spread = np.array([[0.2, 0.05, 0.01], [0.02, 0.1, 0.03], [0.01, 0.02, 0.15], [3, 2, 0.1]])
    # No correlations were ignored here (tyche writes 1 after
    # --ignore-correlations on a correlated scenario): no note on the charts.
    s.attrs["ignore_correlations"] = np.int32(0)
    t = s.create_group("tornado")
    low = base - spread * rng.uniform(0.4, 0.6, spread.shape)
    high = base + spread * rng.uniform(0.4, 0.6, spread.shape)
    # gamma has no effect on rise: a zero swing, left out of its tornado's
    # bars and named in the footnote (but drawn for the other targets).
    low[0, 2] = high[0, 2] = 0.47
    f64(t, "low", low, "same as the target")
    f64(t, "high", high, "same as the target")
    t["low"].attrs["description"] = "target with the factor at its 10th percentile, the others as sampled"
    f64(s, "spearman", rng.uniform(-0.9, 0.9, (4, 3)), "1")
    sob = s.create_group("sobol")
    sob.attrs["ignore_correlations"] = np.int32(0)
    first = spread / spread.sum(axis=1, keepdims=True) * 0.8
    total = np.minimum(first * 1.2, 1)
    f64(sob, "first", first, "1")
    f64(sob, "total", total, "1")
    f64(sob, "first_ci", np.stack([first - 0.05, first + 0.05], axis=2), "1")
    f64(sob, "total_ci", np.stack([total - 0.05, total + 0.05], axis=2), "1")

with h5py.File(f"{d}/bench.h5", "w") as f:
    f.attrs["format"] = "tyche-bench"
    f.attrs["format_version"] = np.int32(1)
    g = f.create_group("bench").create_group("scaling")
    g.attrs["model"] = "ukraine-2014-bench"
    g.attrs["machine"] = "synthetic 16-core test machine"
    g.create_dataset("threads", data=np.array([1, 2, 4, 8, 16], np.int32)).attrs["units"] = "threads"
    f64(g, "samples_per_second", [2.0e7, 3.9e7, 7.6e7, 1.45e8, 2.6e8], "samples/s")

# Error cases from a real file: a newer format version, missing groups.
for name, edit in (("v2", lambda f: f.attrs.modify("format_version", np.int32(3))),
                   ("nooutcomes", lambda f: f.__delitem__("runs/baseline/outcomes")),
                   ("noscenario", lambda f: f.__delitem__("scenario"))):
    shutil.copy(f"{d}/base.h5", f"{d}/{name}.h5")
    with h5py.File(f"{d}/{name}.h5", "r+") as f:
        edit(f)

# An older tyche's histograms: no underflow or overflow, the values beyond
# the edges added to the first and last bins.
shutil.copy(f"{d}/base.h5", f"{d}/old.h5")
with h5py.File(f"{d}/old.h5", "r+") as f:
    for h in f["runs/baseline/histograms"].values():
        c = h["counts"][()]
        c[0] += h["underflow"][()]
        c[-1] += h["overflow"][()]
        h["counts"][...] = c
        del h["underflow"], h["overflow"]
