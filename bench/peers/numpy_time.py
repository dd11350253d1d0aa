#!/usr/bin/python3
"""The time benchmark model (bench/models/time-26.yaml) in vectorised NumPy.

Simulates N paths of 26 weekly steps with tyche's semantics (docs/format.md,
'Time'): at each step the shocks are drawn afresh for every path, the
states are updated in order (a state sees the new values of those listed
before it), then each event fires with probability clamp(hazard, 0, 1)
independently; the first listed that fires wins and the path stops there,
its states frozen. Reports what tyche's run reports for it: the final
outcome shares with their standard errors, the cumulative probability of
each outcome by step (last column: no event yet), and each state's mean by
step over all paths (ended ones holding their last state) and over the
paths alive during the step.

    /usr/bin/python3 bench/peers/numpy_time.py -n 1000000 [--seed 2014]
        [--mode compact|mask] [--chunk 65536]

How it is vectorised (each path is one element of an array; the Python loop
runs over the 26 steps, never over paths):

  compact (the default, and the faster here): the arrays hold only the live
      paths; after each step's events the ended ones are dropped from every
      per-path array with one boolean index (x = x[keep]), so a step costs
      what its live paths cost.
  mask: the arrays hold every path for the whole horizon; an `alive` mask
      keeps ended paths' states frozen (np.copyto(..., where=alive)) and
      their events off, so every step costs all N paths.

On this model (about 44% of the paths end by week 26; 1.5-2.5% a step) the
compacting version was 1.3x faster than the masking one (bench/README.md,
'bench/run-time'). Paths are processed in chunks (default 2^16: the dozen
per-path arrays of a chunk stay in the L2 cache; 2^18 and 2^20 were 8-25%
slower). Loop invariants are hoisted as a NumPy user would: the parts of
each update that depend only on the factors are computed once per path, not
once per step (tyche evaluates the expressions as written every step, so
this favours NumPy). Random numbers: Generator(PCG64DXSM(seed)),
standard_normal and random into reused buffers; the truncated normal factor
by rejection (redraw the rejected ones), as bench/peers/numpy_model.py.

Writes one JSON document on stdout:

    {"implementation": "numpy", "samples": N, "steps": 26, "seed": S,
     "mode": MODE, "chunk": C, "wall_seconds": T, "live_path_steps": L,
     "outcomes": [{"name", "probability", "stderr"}, ...],
     "cumulative": [[...K] x 26], "states": [{"name", "mean", "sd",
     "mean_running", "sd_running", "running"}], "numpy": VERSION}

and a short human summary on stderr (unless --quiet). wall_seconds covers
the simulation only (not the interpreter's start or `import numpy`);
bench/run-time times the whole process itself. live_path_steps is the
number of (path, step) pairs actually simulated: sum over steps of the
paths alive during the step.
"""
import argparse
import json
import sys
import time

import numpy as np

T = 26
EVENTS = ("invasion", "deal", "collapse")
OUTCOMES = EVENTS + ("ongoing",)
STATES = ("tension", "pressure", "fatigue")


def truncated_normal(rng, mean, sd, lo, hi, n):
    """Normal(mean, sd) restricted to [lo, hi] by rejection: redraw rejects."""
    out = rng.normal(mean, sd, n)
    bad = np.flatnonzero((out < lo) | (out > hi))
    while bad.size:
        redraw = rng.normal(mean, sd, bad.size)
        out[bad] = redraw
        bad = bad[(redraw < lo) | (redraw > hi)]
    return out


def factors(rng, n):
    """The factors and the loop invariants derived from them, per path."""
    troops = truncated_normal(rng, 40000.0, 8000.0, 15000.0, 100000.0, n)
    talks = rng.random(n) < 0.8
    resolve = rng.beta(2.0, 3.0, n)
    force_ratio = troops / 40000.0
    # tension: tension + 0.02 (force_ratio - 1) - 0.005 talks + incident
    drift = 0.02 * (force_ratio - 1.0) - 0.005 * talks
    # pressure: 0.9 pressure + 0.1 resolve + 0.05 tension + news
    pull = 0.1 * resolve
    # deal: 0.02 talks (1 - tension) (0.5 + fatigue)
    dealc = 0.02 * talks
    return drift, pull, dealc


class Tally:
    """Per-step sums over a run: events, states over all paths and over
    the paths alive in the step (with squares, for standard errors)."""

    def __init__(self):
        self.events = np.zeros((T, len(EVENTS)))
        self.st_all = np.zeros((T, len(STATES)))
        self.st_all2 = np.zeros((T, len(STATES)))
        self.st_live = np.zeros((T, len(STATES)))
        self.st_live2 = np.zeros((T, len(STATES)))
        self.live = np.zeros(T)


def chunk_compact(rng, n, tl):
    """n paths; the per-path arrays hold only the live ones."""
    drift, pull, dealc = factors(rng, n)
    tension = np.full(n, 0.4)
    pressure = np.full(n, 0.2)
    fatigue = np.zeros(n)
    frozen = np.zeros(3)      # the states of the paths that ended, summed
    frozen2 = np.zeros(3)
    z = np.empty(n)
    u = np.empty(3 * n)
    h = np.empty(3 * n)
    a = np.empty(n)
    for t in range(T):
        m = tension.size
        if m == 0:
            tl.st_all[t:] += frozen
            tl.st_all2[t:] += frozen2
            break
        zt, at = z[:m], a[:m]
        ut, ht = u[:3 * m].reshape(3, m), h[:3 * m].reshape(3, m)   # contiguous
        # tension = clamp(tension + drift + incident, 0, 1)
        rng.standard_normal(out=zt)
        zt *= 0.03
        tension += drift
        tension += zt
        np.clip(tension, 0.0, 1.0, out=tension)
        # pressure = clamp(0.9 pressure + pull + 0.05 tension + news, 0, 1)
        rng.standard_normal(out=zt)
        zt *= 0.05
        pressure *= 0.9
        pressure += pull
        np.multiply(tension, 0.05, out=at)
        pressure += at
        pressure += zt
        np.clip(pressure, 0.0, 1.0, out=pressure)
        # fatigue += 0.04 (1 - tension)
        np.subtract(1.0, tension, out=at)          # at = 1 - tension, used below too
        fatigue += 0.04 * at
        # hazards
        h0, h1, h2 = ht
        np.multiply(tension, tension, out=h0)          # 0.002 + 0.06 t^2 (1 - 0.5 p)
        np.multiply(pressure, -0.03, out=h1)
        h1 += 0.06
        h0 *= h1
        h0 += 0.002
        np.add(fatigue, 0.5, out=h1)                   # dealc (1 - t) (0.5 + f)
        h1 *= at
        h1 *= dealc
        np.multiply(pressure, fatigue, out=h2)         # 0.03 p f
        h2 *= 0.03
        # states of the paths running in the step
        for j, x in enumerate((tension, pressure, fatigue)):
            s = x.sum()
            s2 = np.dot(x, x)
            tl.st_live[t, j] += s
            tl.st_live2[t, j] += s2
            tl.st_all[t, j] += s + frozen[j]
            tl.st_all2[t, j] += s2 + frozen2[j]
        tl.live[t] += m
        # events: u < h fires (h <= 0 never, h >= 1 always); the first wins
        rng.random(out=ut)
        fired = np.less(ut, ht)
        f0, f1, f2 = fired
        ended = f0 | f1 | f2
        e1 = f1 & ~f0
        e2 = f2 & ~(f0 | f1)
        c0 = np.count_nonzero(f0)
        c1 = np.count_nonzero(e1)
        c2 = np.count_nonzero(e2)
        tl.events[t] += (c0, c1, c2)
        if c0 + c1 + c2:
            for j, x in enumerate((tension, pressure, fatigue)):
                xe = x[ended]
                frozen[j] += xe.sum()
                frozen2[j] += np.dot(xe, xe)
            keep = ~ended
            tension = tension[keep]
            pressure = pressure[keep]
            fatigue = fatigue[keep]
            drift = drift[keep]
            pull = pull[keep]
            dealc = dealc[keep]


def chunk_mask(rng, n, tl):
    """n paths; every array holds all of them, `alive` masks the ended."""
    drift, pull, dealc = factors(rng, n)
    tension = np.full(n, 0.4)
    pressure = np.full(n, 0.2)
    fatigue = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    z = np.empty(n)
    u = np.empty((3, n))
    h = np.empty((3, n))
    a = np.empty(n)
    new = np.empty(n)
    for t in range(T):
        # tension
        rng.standard_normal(out=z)
        z *= 0.03
        np.add(tension, drift, out=new)
        new += z
        np.clip(new, 0.0, 1.0, out=new)
        np.copyto(tension, new, where=alive)
        # pressure
        rng.standard_normal(out=z)
        z *= 0.05
        np.multiply(pressure, 0.9, out=new)
        new += pull
        np.multiply(tension, 0.05, out=a)
        new += a
        new += z
        np.clip(new, 0.0, 1.0, out=new)
        np.copyto(pressure, new, where=alive)
        # fatigue
        np.subtract(1.0, tension, out=a)
        np.multiply(a, 0.04, out=new)
        new += fatigue
        np.copyto(fatigue, new, where=alive)
        # hazards
        h0, h1, h2 = h
        np.multiply(tension, tension, out=h0)
        np.multiply(pressure, -0.03, out=h1)
        h1 += 0.06
        h0 *= h1
        h0 += 0.002
        np.add(fatigue, 0.5, out=h1)
        h1 *= a
        h1 *= dealc
        np.multiply(pressure, fatigue, out=h2)
        h2 *= 0.03
        m = np.count_nonzero(alive)
        for j, x in enumerate((tension, pressure, fatigue)):
            tl.st_all[t, j] += x.sum()
            tl.st_all2[t, j] += np.dot(x, x)
            xl = np.where(alive, x, 0.0)
            tl.st_live[t, j] += xl.sum()
            tl.st_live2[t, j] += np.dot(xl, xl)
        tl.live[t] += m
        rng.random(out=u)
        fired = np.less(u, h)
        fired &= alive
        f0, f1, f2 = fired
        e1 = f1 & ~f0
        e2 = f2 & ~(f0 | f1)
        tl.events[t] += (np.count_nonzero(f0), np.count_nonzero(e1), np.count_nonzero(e2))
        alive &= ~(f0 | f1 | f2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--samples", type=float, default=1e6)
    ap.add_argument("--seed", type=int, default=2014)
    ap.add_argument("--mode", choices=("compact", "mask"), default="compact")
    ap.add_argument("--chunk", type=int, default=1 << 16)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    N = int(args.samples)
    if N < 2:
        sys.exit("numpy_time: need at least 2 samples")
    run_chunk = chunk_compact if args.mode == "compact" else chunk_mask

    t0 = time.perf_counter()
    rng = np.random.Generator(np.random.PCG64DXSM(args.seed))
    tl = Tally()
    done = 0
    while done < N:
        n = min(args.chunk, N - done)
        run_chunk(rng, n, tl)
        done += n
    wall = time.perf_counter() - t0

    cum = np.cumsum(tl.events, axis=0) / N
    cum = np.hstack([cum, 1.0 - cum.sum(axis=1, keepdims=True)])
    final = cum[-1]
    se = np.sqrt(final * (1 - final) / N)
    states = []
    for j, name in enumerate(STATES):
        mean = tl.st_all[:, j] / N
        sd = np.sqrt(np.maximum(tl.st_all2[:, j] / N - mean ** 2, 0) * N / (N - 1))
        with np.errstate(invalid="ignore", divide="ignore"):
            mr = tl.st_live[:, j] / tl.live
            sdr = np.sqrt(np.maximum(tl.st_live2[:, j] / tl.live - mr ** 2, 0) * tl.live / (tl.live - 1))
        states.append({"name": name, "mean": mean.tolist(), "sd": sd.tolist(),
                       "mean_running": [float(x) if np.isfinite(x) else None for x in mr],
                       "sd_running": [float(x) if np.isfinite(x) else None for x in sdr],
                       "running": tl.live.tolist()})
    doc = {
        "implementation": "numpy",
        "samples": N,
        "steps": T,
        "seed": args.seed,
        "mode": args.mode,
        "chunk": args.chunk,
        "wall_seconds": wall,
        "live_path_steps": int(tl.live.sum()),
        "outcomes": [{"name": k, "probability": float(final[i]), "stderr": float(se[i])}
                     for i, k in enumerate(OUTCOMES)],
        "cumulative": cum.tolist(),
        "states": states,
        "numpy": np.__version__,
    }
    json.dump(doc, sys.stdout)
    sys.stdout.write("\n")
    if not args.quiet:
        sys.stderr.write(f"numpy_time ({args.mode}, chunks of {args.chunk}): {N} paths x {T} steps in "
                         f"{wall:.3f} s: {N * T / wall:,.0f} path-steps/s by the horizon, "
                         f"{tl.live.sum() / wall:,.0f} live path-steps/s\n")
        for i, k in enumerate(OUTCOMES):
            sys.stderr.write(f"  {k:10s} {final[i]:.5f} +- {se[i]:.5f}\n")


if __name__ == "__main__":
    main()
