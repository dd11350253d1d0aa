#!/usr/bin/python3
"""numpy_check.py TYCHE - a time scenario simulated by tyche and by an
independent NumPy simulation, compared step by step.

The model (docs/format.md, 'Time'): a random walk x and a state y that
follows it,

    x_0 = 0,  x_t = x_{t-1} + eps_t,  eps_t ~ normal(0, 1) (a shock)
    y_0 = 0,  y_t = 0.5 y_{t-1} + x_t        (x's new value: states in order)

and two events, each firing at step t with its hazard independently, the
first listed winning a step where both fire; a path stops at its first
event, its states frozen:

    cross: hazard  x > 2 ? 0.5 : 0.02        (depends on the state)
    quit:  hazard  0.03                      (constant)
    none:  otherwise

tyche runs it (`tyche run -n 200000 --seed 20261202 --threads 2 -o TMP`);
NumPy simulates 200000 paths of its own (Generator(PCG64(7)), every path
masked at every step: written independently of tyche and of
bench/peers/numpy_time.py). At steps 1, 2, 3, 5, 8, 12, 16 and 20 the
script compares

    - each outcome's cumulative probability (cross, quit, and none: no
      event yet), binomial standard errors from each side's estimate;
    - the mean of x and of y over all paths (ended ones holding their last
      state), and over the paths alive during the step (mean_running); the
      standard deviation is NumPy's for both sides (the same distribution
      if the two agree), the counts each side's own;

with a two-sample z test, z = (a - b) / sqrt(se_a^2 + se_b^2), and fails if
any |z| > 4.5. M = 8 steps x (3 + 4) = 56 comparisons; each would exceed 4.5
by chance with probability 6.8e-6, so a false failure has probability
about M x 6.8e-6 = 3.8e-4 (the seeds are fixed, so a given build passes or
fails every time). The check is sensitive to the semantics: a hazard that
saw x's old value, a tie won by quit, or states that kept moving after
their path ended each shift some comparison by well over 4.5 standard
errors at these sizes.

It also checks the result file's shape: step = 1..20, each cumulative row
summing to 1, the last row equal to the outcome table.

Exit 0 on pass; 1 on failure, with one line per failed comparison (or
tyche's own error when the run fails); 2 on bad usage. Takes about a second
(tyche and NumPy each a few tenths).

    /usr/bin/python3 tests/time/numpy_check.py build/release/engine/tyche
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

N = 200000
STEPS = 20
SEED_TYCHE = 20261202
SEED_NUMPY = 7
CHECK_STEPS = (1, 2, 3, 5, 8, 12, 16, 20)
Z_MAX = 4.5
OUTCOMES = ("cross", "quit", "none")
STATES = ("x", "y")

SCENARIO = f"""\
tyche: 1
name: numpy-check
title: A random walk with a state-dependent hazard (tests/time/numpy_check.py)
time: {{steps: {STEPS}, unit: step}}
factors:
  a: {{dist: "uniform(0, 1)"}}
shocks:
  eps: normal(0, 1)
state:
  x: {{init: 0, next: x + eps}}
  y: {{init: 0, next: 0.5*y + x}}
outcomes:
  model: events
  cross: {{hazard: "x > 2 ? 0.5 : 0.02"}}
  quit: {{hazard: 0.03}}
  none: {{otherwise: true}}
"""


def run_tyche(tyche, tmp):
    path = os.path.join(tmp, "numpy-check.yaml")
    out = os.path.join(tmp, "numpy-check.h5")
    with open(path, "w") as f:
        f.write(SCENARIO)
    cmd = [tyche, "run", path, "-n", str(N), "--seed", str(SEED_TYCHE), "--threads", "2", "-o", out, "--quiet"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stdout + p.stderr)
        print(f"numpy_check: FAILED: `{' '.join(cmd)}` exited {p.returncode}")
        sys.exit(1)
    with h5py.File(out, "r") as f:
        g = f["runs/baseline/time"]
        names = [x.decode() if isinstance(x, bytes) else str(x) for x in f["runs/baseline/outcomes/name"][()]]
        res = {
            "names": names,
            "step": g["step"][()],
            "cumulative": g["cumulative"][()],
            "final": f["runs/baseline/outcomes/probability"][()],
            "mean": {s: g[f"state/{s}/mean"][()] for s in STATES},
            "mean_running": {s: g[f"state/{s}/mean_running"][()] for s in STATES},
        }
    return res


def run_numpy():
    """Every path kept in the arrays for the whole horizon; `alive` masks
    the ended ones (their states are not updated, their events off)."""
    rng = np.random.Generator(np.random.PCG64(SEED_NUMPY))
    x = np.zeros(N)
    y = np.zeros(N)
    alive = np.ones(N, dtype=bool)
    ended_in = np.full(N, 2)                      # 0 cross, 1 quit, 2 none yet
    cum = np.zeros((STEPS, 3))
    mean = {s: np.zeros(STEPS) for s in STATES}
    sd = {s: np.zeros(STEPS) for s in STATES}
    mean_run = {s: np.zeros(STEPS) for s in STATES}
    sd_run = {s: np.zeros(STEPS) for s in STATES}
    running = np.zeros(STEPS)
    for t in range(STEPS):
        eps = rng.standard_normal(N)
        x = np.where(alive, x + eps, x)
        y = np.where(alive, 0.5 * y + x, y)       # x's new value
        h_cross = np.where(x > 2, 0.5, 0.02)
        fire_cross = alive & (rng.random(N) < h_cross)
        fire_quit = alive & (rng.random(N) < 0.03) & ~fire_cross   # the first listed wins
        running[t] = np.count_nonzero(alive)
        for s, v in (("x", x), ("y", y)):
            mean[s][t] = v.mean()
            sd[s][t] = v.std(ddof=1)
            vl = v[alive]
            mean_run[s][t] = vl.mean()
            sd_run[s][t] = vl.std(ddof=1)
        ended_in[fire_cross] = 0
        ended_in[fire_quit] = 1
        alive &= ~(fire_cross | fire_quit)
        cum[t] = [np.mean(ended_in == 0), np.mean(ended_in == 1), np.mean(alive)]
    return {"cumulative": cum, "mean": mean, "sd": sd, "mean_running": mean_run, "sd_running": sd_run,
            "running": running}


def main():
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.split("\n\n")[0] + "\n\nusage: numpy_check.py TYCHE_BINARY", file=sys.stderr)
        sys.exit(2)
    tyche = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="numpy_check-") as tmp:
        ty = run_tyche(tyche, tmp)
    nump = run_numpy()

    failures = []
    # The file's shape.
    if ty["names"] != list(OUTCOMES):
        failures.append(f"outcomes are {ty['names']}, not {list(OUTCOMES)}")
    if list(ty["step"]) != list(range(1, STEPS + 1)):
        failures.append(f"time/step is {list(ty['step'])}, not 1..{STEPS}")
    cum_t = ty["cumulative"]
    if cum_t.shape != (STEPS, 3):
        failures.append(f"time/cumulative has shape {cum_t.shape}, not ({STEPS}, 3)")
    elif not np.allclose(cum_t.sum(axis=1), 1.0, atol=1e-12):
        failures.append("a row of time/cumulative does not sum to 1")
    elif not np.allclose(cum_t[-1], ty["final"], atol=1e-12):
        failures.append(f"the last row of time/cumulative {cum_t[-1]} is not the outcome table {ty['final']}")
    if failures:
        for f in failures:
            print(f"numpy_check: FAILED: {f}")
        sys.exit(1)

    # The comparisons.
    rows = []           # (what, step, tyche, numpy, z)

    def compare(what, t, a, b, se):
        z = (a - b) / se if se > 0 else (0.0 if a == b else float("inf"))
        rows.append((what, t, a, b, z))

    for t in CHECK_STEPS:
        i = t - 1
        # Paths running in step t, by tyche's result: no event by t - 1.
        run_t = N * (1.0 if t == 1 else cum_t[i - 1, 2])
        for k, name in enumerate(OUTCOMES):
            a, b = cum_t[i, k], nump["cumulative"][i, k]
            se = np.sqrt(a * (1 - a) / N + b * (1 - b) / N)
            compare(f"P({name} by step)" if name != "none" else "P(no event yet)", t, a, b, se)
        for s in STATES:
            se = nump["sd"][s][i] * np.sqrt(2.0 / N)
            compare(f"mean of {s}", t, ty["mean"][s][i], nump["mean"][s][i], se)
            se = nump["sd_running"][s][i] * np.sqrt(1.0 / run_t + 1.0 / nump["running"][i])
            compare(f"mean_running of {s}", t, ty["mean_running"][s][i], nump["mean_running"][s][i], se)

    worst = max(rows, key=lambda r: abs(r[4]))
    bad = [r for r in rows if not abs(r[4]) <= Z_MAX]
    for what, t, a, b, z in rows:
        flag = "  <-- FAIL" if not abs(z) <= Z_MAX else ""
        print(f"step {t:2d}  {what:22s} tyche {a:+.5f}  numpy {b:+.5f}  z {z:+6.2f}{flag}")
    if bad:
        for what, t, a, b, z in bad:
            print(f"numpy_check: FAILED: step {t}, {what}: tyche {a:.6f}, NumPy {b:.6f}: "
                  f"z = {z:+.2f} (|z| > {Z_MAX})")
        print(f"numpy_check: {len(bad)} of {len(rows)} comparisons failed")
        sys.exit(1)
    print(f"numpy_check: passed: {len(rows)} comparisons, largest |z| {abs(worst[4]):.2f} "
          f"({worst[0]} at step {worst[1]}), limit {Z_MAX}")


if __name__ == "__main__":
    main()
