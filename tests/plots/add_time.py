#!/usr/bin/python3
"""add_time.py IN OUT [STEPS [UNIT]] - OUT is a copy of the tyche result
file IN with, in every run, the time/ group of a time scenario as the engine
will write it (docs/format.md, 'Time'), over STEPS steps (default 26) of
UNIT (default "week"; "" for none). The outcomes but the last are events
with constant hazards per step, the first listed winning a tie, and the
last is `otherwise` (no event by the horizon), so that every number is
known in closed form: with hazards h_1..h_E, a path ends with event k in a
step with a_k = h_k * prod_{j<k} (1 - h_j) and runs on with q = prod (1 -
h_j), so P(event k by step t) = a_k (1 - q^t) / (1 - q) and the share with
no event yet is q^t (each row sums to 1). Each run's hazards are the
baseline's times 1 + 0.3 j (j its index), so a batch's variants differ.
The 95% intervals are binomial over the run's samples. The outcomes/ (and a
variant's difference/) are rewritten to the values at the horizon, so the
other charts agree, and the scenario's source text says `model: events`.

Two state variables, each a skewed spread (p05 < p50 < mean < p95)
about a mean linear in t, wider with t: pressure (label "Military
pressure", unit "index") rising, and backlog (no label, no unit) falling;
mean_running moves away from the mean. STEPS over 1000 reports 1000 of
the steps, spread evenly over 1..STEPS (the layout asks only that they
increase and end at the horizon).
The numbers are made up: tests/cli/plots.sh checks what is drawn from them."""
import re
import shutil
import sys

import h5py
import numpy as np
from h5util import f64

src, dst = sys.argv[1:3]
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 26
unit = sys.argv[4] if len(sys.argv) > 4 else "week"
shutil.copyfile(src, dst)

HAZARDS = [0.012, 0.008, 0.005, 0.004, 0.003, 0.002, 0.001]
# The reported steps: all of them up to 1000, else 1000 of them ending at the horizon.
STEP = np.arange(1, steps + 1) if steps <= 1000 else \
    np.unique(np.round(np.linspace(1, steps, 1000)).astype(np.int64))


def cumulative(h, t):
    """[len(t), E + 1]: P(event k by step t) for each event, then q^t."""
    h = np.asarray(h, float)
    run_on = np.concatenate([[1.0], np.cumprod(1 - h)])   # no event among the first j events
    a, q = h * run_on[:-1], run_on[-1]
    qt = q ** np.asarray(t, float)[:, None]
    return np.hstack([a * (1 - qt) / (1 - q), qt])


def interval(p, n):
    se = np.sqrt(p * (1 - p) / n)
    return se, np.clip(p - 1.96 * se, 0, 1), np.clip(p + 1.96 * se, 0, 1)


def int_attr(g, key, v):
    g.attrs[key] = np.int64(v)


def rewrite_text(g, name, text):
    """Replaces the scalar string g[name] by text, of the same string type
    (tyche's: fixed-length, NUL-terminated UTF-8) and attributes."""
    d = g[name]
    attrs, t = dict(d.attrs), d.id.get_type().copy()
    data = text.encode()
    del g[name]
    if t.is_variable_str():
        g.create_dataset(name, data=text, dtype=h5py.string_dtype("utf-8"))
    else:
        t.set_size(len(data) + 1)
        h5py.h5d.create(g.id, name.encode(), t, h5py.h5s.create(h5py.h5s.SCALAR)).write(
            h5py.h5s.ALL, h5py.h5s.ALL, np.array(data, dtype=f"S{len(data) + 1}"), mtype=t)
    g[name].attrs.update(attrs)


with h5py.File(dst, "r+") as f:
    names = list(f["runs"])
    finals = {}
    for j, v in enumerate(names):
        run = f["runs"][v]
        k = run["outcomes/name"].shape[0]
        n = int(run.attrs["samples"])
        h = np.array([HAZARDS[i % len(HAZARDS)] for i in range(k - 1)]) * (1 + 0.3 * j)
        cum = cumulative(h, STEP)
        se, lo, hi = interval(cum, n)
        if "time" in run:
            del run["time"]
        tg = run.create_group("time")
        int_attr(tg, "steps", steps)
        tg.attrs["unit"] = unit
        int_attr(tg, "percentile_samples", min(n, 10000))
        d = tg.create_dataset("step", data=STEP.astype(np.int64))
        d.attrs["description"], d.attrs["units"] = "step", unit or "step"
        f64(tg, "cumulative", cum)
        f64(tg, "ci_low", lo)
        f64(tg, "ci_high", hi)
        u = STEP / steps   # the share of the horizon gone
        states = {"pressure": (10 + 20 * u, 1 + 4 * u, 8 * u, {"label": "Military pressure", "unit": "index"}),
                  "backlog": (200 - 140 * u, 5 + 20 * u, -30 * u, {})}
        for name, (mean, sd_, shift, attrs) in states.items():
            sg = tg.create_group(f"state/{name}")
            for key, val in attrs.items():
                sg.attrs[key] = val
            p50 = mean - 0.3 * sd_   # skewed: the mean above the median
            for key, val in (("mean", mean), ("p05", p50 - 1.5 * sd_), ("p50", p50), ("p95", p50 + 2 * sd_),
                             ("mean_running", mean + shift)):
                f64(sg, key, val, attrs.get("unit", "1"))
        # The run's outcomes: the values at the horizon.
        p = cum[-1]
        for col, val in zip(("probability", "stderr", "ci_low", "ci_high"), (p, se[-1], lo[-1], hi[-1])):
            run[f"outcomes/{col}"][...] = val
        finals[v] = (p, se[-1])
    base = finals.get("baseline", finals[names[0]])
    for v in names:
        if "difference" in f["runs"][v]:
            dg = f["runs"][v]["difference"]
            diff = finals[v][0] - base[0]
            se = np.sqrt(finals[v][1] ** 2 + base[1] ** 2)
            for col, val in (("diff", diff), ("stderr", se), ("ci_low", diff - 1.96 * se),
                             ("ci_high", diff + 1.96 * se)):
                if col not in dg:
                    continue
                dg[col][...] = val
    # The scenario's outcomes are events now.
    sc = f["scenario"]
    text = sc["source_text"][()]
    text = text.decode() if isinstance(text, bytes) else str(text)
    rewrite_text(sc, "source_text", re.sub(r"^(\s+)model:\s*\S+", r"\1model: events", text, count=1, flags=re.M))
