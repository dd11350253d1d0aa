#!/usr/bin/python3
"""add_observations.py IN OUT - OUT is a copy of the tyche result file IN
(of scenarios/ukraine-2014.yaml or its policy batch) with observations in
docs/results.md's layout (issue 17), as the engine will write them:
runs/<v>/observations/ (a reading of the factor troops, one of the derived
value force_ratio, an exact reading of the discrete factor crimea_secure, a
`when` and a `loglik`), outcomes_prior/, factors_prior/, derived_prior/ and
histograms_prior/ (the run's own), and posterior histograms/ (attribute
weighted = 1) that are the prior's counts times the readings' likelihood at
each bin's centre, in units of 1/65536 of the largest weight (the
others' counts times 32768, as if every sample weighed half of it), with
factors/ and derived/ summaries to match; the posterior outcomes are the
prior ones shifted. In a batch the last run keeps no observations (a
variant that drops them all), and a second run, if there are three or
more, has too few effective samples and a large k-hat (its warnings). The
numbers are made up: tests/cli/plots.sh checks what is drawn from them."""
import shutil
import sys

import h5py
import numpy as np
from h5util import fixed_str, f64

src, dst = sys.argv[1:3]
shutil.copyfile(src, dst)
SCALE = 65536.0


def normal_lik(x, value, sd):
    return np.exp(-0.5 * ((value - x) / sd) ** 2)


def lognormal_lik(x, value, s):
    """reading = true * error, error lognormal(0, s)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(x > 0, np.exp(-0.5 * (np.log(value / np.where(x > 0, x, 1)) / s) ** 2), 0.0)
    return r


nan = float("nan")
OBS = [  # name, kind, of, expr, label, value, held, likelihood of the true value
    ("satellite_count", "reading", "troops", "normal(0, 5000)", "Satellite count of troops near Donetsk, 1 April",
     52000.0, nan, lambda x: normal_lik(x, 52000.0, 5000.0)),
    ("ratio_report", "reading", "force_ratio", "lognormal(0, 0.2)", "", 0.9, nan,
     lambda x: lognormal_lik(x, 0.9, 0.2)),
    ("crimea_report", "reading", "crimea_secure", "", "Crimea reported secure", 1.0, nan,
     lambda x: (np.abs(x - 1.0) < 0.5).astype(float)),
    ("talks_held", "when", "", "talks == 1", "Talks were held", nan, 0.8, None),
    ("deadline_missed", "loglik", "", "log(0.2 + 0.6*squeeze_value)", "", nan, nan, None),
]


def summary(x, cnt):
    """mean, sd, p05, p50, p95 of a histogram's values (x: the value each bin holds)."""
    t = cnt.sum()
    m = float(np.sum(cnt * x) / t)
    sd = float(np.sqrt(np.sum(cnt * (x - m) ** 2) / t))
    cum = np.cumsum(cnt) / t
    q = [float(x[min(int(np.searchsorted(cum, p)), len(x) - 1)]) for p in (0.05, 0.5, 0.95)]
    return [m, sd] + q


with h5py.File(dst, "r+") as f:
    names = list(f["runs"])
    for j, v in enumerate(names):
        run = f["runs"][v]
        if len(names) > 1 and j == len(names) - 1:
            continue   # a variant that drops every observation
        warn = len(names) > 2 and j == 1
        N = int(run.attrs["samples"])
        # The prior: the run's own groups, copied.
        for grp in ("factors", "derived", "histograms"):
            f.copy(run[grp], run, name=f"{grp}_prior")
        op = run.create_group("outcomes_prior")
        for col in ("name", "probability", "stderr", "ci_low", "ci_high"):
            f.copy(run[f"outcomes/{col}"], op, name=col)
        # The posterior histograms: the prior's counts weighted by each reading of them.
        hist = run["histograms"]
        hist.attrs["weighted"] = np.int32(1)
        read = {o[2] for o in OBS if o[1] == "reading"}
        for n in hist:   # the others: as if every sample weighed half the largest weight
            if n not in read:
                for dset in ("counts", "underflow", "overflow"):
                    h = hist[n][dset]
                    h[...] = np.round(h[()] * 0.5 * SCALE).astype(h.dtype)
        for of in read:
            h = hist[of]
            e = h["edges"][()]
            # A discrete factor's bin [v, v + 1) holds v; a continuous one's, about its centre.
            x = e[:-1] if np.all(np.diff(e) == 1) else (e[:-1] + e[1:]) / 2

            def lik(xs, of=of):
                w = np.ones_like(xs)
                for o in OBS:
                    if o[2] == of:
                        w = w * o[7](xs)
                return w
            w = lik(x)
            w_under, w_over = lik(e[[0, -1]])   # the values beyond the edges, weighted as the edges
            wmax = w.max()
            counts = np.round(h["counts"][()] * w / wmax * SCALE).astype(np.uint64)
            under = int(round(int(h["underflow"][()]) * w_under / wmax * SCALE))
            over = int(round(int(h["overflow"][()]) * w_over / wmax * SCALE))
            for dset, val in (("counts", counts), ("underflow", np.uint64(under)), ("overflow", np.uint64(over))):
                attrs = dict(h[dset].attrs)
                del h[dset]
                h.create_dataset(dset, data=val)
                h[dset].attrs.update(attrs)
                h[dset].attrs["units"] = "weight x 65536"
            kind = "factors" if of in run["factors/name"].asstr()[()] else "derived"
            i = list(run[f"{kind}/name"].asstr()[()]).index(of)
            for col, val in zip(("mean", "sd", "p05", "p50", "p95"), summary(x, counts.astype(float))):
                run[f"{kind}/{col}"][i] = val
        # The posterior outcomes: the prior's, shifted, with wider intervals (fewer effective samples).
        ess = 42.0 if warn else 0.2062 * N
        p0 = run["outcomes/probability"][()]
        p = p0 * np.array([1.8, 0.85, 1.3, 1.6, 0.4])[:len(p0)]
        p = p / p.sum()
        se = np.sqrt(p * (1 - p) / ess)
        for col, val in (("probability", p), ("stderr", se), ("ci_low", np.clip(p - 1.96 * se, 0, 1)),
                         ("ci_high", np.clip(p + 1.96 * se, 0, 1))):
            run[f"outcomes/{col}"][...] = val
        g = run.create_group("observations")
        for i, col in ((0, "name"), (1, "kind"), (2, "of"), (3, "expr"), (4, "label")):
            fixed_str(g, col, [o[i] for o in OBS])
        f64(g, "value", [o[5] for o in OBS], "same as the factor or derived value read")
        f64(g, "held", [o[6] for o in OBS])
        stats = {"ess": ess, "ess_fraction": ess / N, "acceptance": 0.8, "log_evidence": -2.345,
                 "pareto_k": 0.93 if warn else 0.31}
        for key, val in stats.items():
            g.attrs[key] = np.float64(val)
        fixed_str(g, "warnings", [
            f"the effective sample size is 42 ({100 * ess / N:.3g}% of {N} samples), under 100: the observations "
            "leave few samples that matter, and the estimates rest on them; run more samples, or check that the "
            "observations fit the factors' distributions",
            "the largest weights have Pareto k-hat 0.93, above 0.7: a few samples carry most of the weight and "
            "the intervals may be too narrow; the observations are far from what the factors' distributions "
            "expect"] if warn else [])
