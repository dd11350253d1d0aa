#!/usr/bin/python3
"""The reference benchmark model (shared/bench-model/MODEL.md) in vectorised NumPy.

Computes, for each of the five outcomes of `ukraine-2014-bench`, the mean of
the logit probability p_k over N samples with its standard error, the way
tyche's `run` does, so bench/run can compare speed and check agreement.

    /usr/bin/python3 bench/peers/numpy_model.py -n 10000000 [--seed 2014] [--chunk 1048576]

Generator(PCG64DXSM(seed)); samples are drawn in chunks of 2^20 (the last one
shorter); truncation is by rejection (redraw the rejected ones until every
slot lies inside the bounds); PERT(min, mode, max) is min + (max - min) *
Beta(a, b). Writes one JSON document on stdout:

    {"implementation": "numpy", "samples": N, "seed": S, "wall_seconds": T,
     "outcomes": [{"name", "probability", "stderr"}, ...], "numpy": VERSION}

wall_seconds covers the sampling and estimation only (not the interpreter's
start or `import numpy`); bench/run times the whole process itself.
"""
import argparse
import json
import sys
import time

import numpy as np

OUTCOMES = ("invasion", "squeeze", "federal_deal", "showdown", "withdrawal")


def truncated_normal(rng, mean, sd, lo, hi, n):
    """Normal(mean, sd) restricted to [lo, hi] by rejection: redraw rejects."""
    out = rng.normal(mean, sd, n)
    bad = np.flatnonzero((out < lo) | (out > hi))
    while bad.size:
        redraw = rng.normal(mean, sd, bad.size)
        out[bad] = redraw
        keep = (redraw < lo) | (redraw > hi)
        bad = bad[keep]
    return out


def pert(rng, lo, mode, hi, n):
    a = 1.0 + 4.0 * (mode - lo) / (hi - lo)
    b = 1.0 + 4.0 * (hi - mode) / (hi - lo)
    x = rng.beta(a, b, n)
    x *= hi - lo
    x += lo
    return x


def bernoulli(rng, p, n):
    u = rng.random(n)
    return np.less(u, p, out=u)  # 1.0 / 0.0 doubles, in place


def chunk_probs(rng, n):
    """The model for n samples: a (5, n) array of outcome probabilities."""
    troops = truncated_normal(rng, 40000.0, 8000.0, 15000.0, 100000.0, n)
    resistance = rng.beta(6.0, 4.0, n)
    sanctions = pert(rng, 0.05, 0.25, 0.8, n)
    talks = bernoulli(rng, 0.8, n)
    us_resolve = rng.beta(2.0, 3.0, n)
    territory = rng.lognormal(0.0, 0.25, n)
    squeeze_value = rng.uniform(0.3, 0.9, n)
    crimea_secure = bernoulli(rng, 0.9, n)

    # force_needed = 30000 * territory * (0.5 + resistance); force_ratio = troops / force_needed
    force_ratio = resistance + 0.5
    force_ratio *= territory
    force_ratio *= 30000.0
    np.divide(troops, force_ratio, out=force_ratio)
    # sanction_cost = sanctions * (1 - 0.5 * talks)
    sanction_cost = talks * -0.5
    sanction_cost += 1.0
    sanction_cost *= sanctions

    s = np.empty((5, n))
    # invasion = -3 + 2 fr - 2.5 res - 2 sc - 1.5 sq + 0.5 (1 - cs)
    #          = -2.5 + 2 fr - 2.5 res - 2 sc - 1.5 sq - 0.5 cs
    x = s[0]
    np.multiply(force_ratio, 2.0, out=x)
    x -= 2.5
    x -= 2.5 * resistance
    x -= 2.0 * sanction_cost
    x -= 1.5 * squeeze_value
    x -= 0.5 * crimea_secure
    # squeeze = 0.5 + 1.5 sq + talks
    x = s[1]
    np.multiply(squeeze_value, 1.5, out=x)
    x += 0.5
    x += talks
    # federal_deal = -1 + 1.5 talks (1 - us)
    x = s[2]
    np.subtract(1.0, us_resolve, out=x)
    x *= talks
    x *= 1.5
    x -= 1.0
    # showdown = -1.5 + 2 us + sanctions - 0.5 talks
    x = s[3]
    np.multiply(us_resolve, 2.0, out=x)
    x -= 1.5
    x += sanctions
    x -= 0.5 * talks
    # withdrawal = -2.5 + 2 sc + (1 - sq) - 0.5 cs = -1.5 + 2 sc - sq - 0.5 cs
    x = s[4]
    np.multiply(sanction_cost, 2.0, out=x)
    x -= 1.5
    x -= squeeze_value
    x -= 0.5 * crimea_secure

    # p_k = exp(s_k) / sum_j exp(s_j), shifted by the max for safety
    s -= s.max(axis=0)
    np.exp(s, out=s)
    s /= s.sum(axis=0)
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--samples", type=float, default=1e7)
    ap.add_argument("--seed", type=int, default=2014)
    ap.add_argument("--chunk", type=int, default=1 << 20)
    args = ap.parse_args()
    n_total = int(args.samples)
    if n_total < 2:
        sys.exit("numpy_model: need at least 2 samples")

    t0 = time.perf_counter()
    rng = np.random.Generator(np.random.PCG64DXSM(args.seed))
    count = 0
    mean = np.zeros(5)
    m2 = np.zeros(5)
    while count < n_total:
        n = min(args.chunk, n_total - count)
        p = chunk_probs(rng, n)
        # Chan et al.'s pairwise combination of (count, mean, M2)
        cm = p.mean(axis=1)
        p -= cm[:, None]
        cm2 = np.einsum("ij,ij->i", p, p)
        tot = count + n
        delta = cm - mean
        mean += delta * (n / tot)
        m2 += cm2 + delta * delta * (count * n / tot)
        count = tot
    wall = time.perf_counter() - t0

    var = m2 / (count - 1)
    se = np.sqrt(var / count)
    doc = {
        "implementation": "numpy",
        "samples": count,
        "seed": args.seed,
        "wall_seconds": wall,
        "outcomes": [
            {"name": k, "probability": float(mean[i]), "stderr": float(se[i])}
            for i, k in enumerate(OUTCOMES)
        ],
        "numpy": np.__version__,
    }
    json.dump(doc, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
