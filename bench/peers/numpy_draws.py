#!/usr/bin/python3
"""numpy_draws.py - the NumPy peer of bench_draws: ns per draw of the same
generator outputs and distributions with numpy.random.Generator(PCG64DXSM),
drawn 2^20 at a time, into a reused array wherever NumPy takes out=.

Output matches bench_draws: TSV on stdout (name, ns_per_draw, min_ns,
max_ns, draws_per_rep, cpu_ns_per_draw), a table on stderr. Each case uses NumPy's best
vectorised call; where NumPy has no such call (PERT, truncation) the
comment says what stands in. Run with Debian's /usr/bin/python3 (numpy 1.24).
"""
import argparse
import math
import sys
import time

import numpy as np

SIZE = 1 << 20
SEED = 2014


def make_cases(rng, size):
    """Returns [(name, draw)] where draw() makes `size` draws. Names match
    bench_draws.c; rng_next_u64 (an inlined per-output loop) has no NumPy
    counterpart and is left out."""
    bitgen = rng.bit_generator
    buf = np.empty(size, dtype=np.float64)

    def bernoulli(p):
        # A uniform compared with p, written back as 0.0/1.0 doubles as
        # tyche returns; faster than binomial(1, p).
        def draw():
            rng.random(out=buf)
            np.less(buf, p, out=buf)
        return draw

    def pert(lo, mode, hi):
        # PERT is a scaled beta: a = 1 + 4 (mode-lo)/(hi-lo), b = 1 + 4 (hi-mode)/(hi-lo).
        a = 1 + 4 * (mode - lo) / (hi - lo)
        b = 1 + 4 * (hi - mode) / (hi - lo)

        def draw():
            x = rng.beta(a, b, size)
            x *= hi - lo
            x += lo
        return draw

    def truncnormal_reject(mean, sd, lo, hi):
        # Mild truncation: draw normals in vectorised chunks sized by the
        # acceptance rate and keep those inside [lo, hi].
        acc = 0.5 * (math.erf((hi - mean) / (sd * math.sqrt(2)))
                     - math.erf((lo - mean) / (sd * math.sqrt(2))))

        def draw():
            filled = 0
            while filled < size:
                m = int((size - filled) / acc * 1.01) + 64
                x = rng.normal(mean, sd, m)
                x = x[(x >= lo) & (x <= hi)]
                k = min(x.size, size - filled)
                buf[filled:filled + k] = x[:k]
                filled += k
        return draw

    def truncnormal_tail(a, b):
        # Narrow tail of N(0,1) on [a, b], a > 0: plain rejection would keep
        # 3e-5 of the draws, and NumPy has no normal quantile (no scipy), so
        # use Robert's exponential proposal (C. P. Robert, "Simulation of
        # truncated normal variables", Stat. Comput. 5, 1995, p. 121):
        # x = a + E/lam with lam = (a + sqrt(a^2+4))/2, accepted with
        # probability exp(-(x-lam)^2/2) and x <= b, in vectorised chunks.
        lam = (a + math.sqrt(a * a + 4)) / 2
        acc = 0.9  # below the true rate for a = 4, so one chunk usually fills

        def draw():
            filled = 0
            while filled < size:
                m = int((size - filled) / acc) + 64
                x = rng.standard_exponential(m)
                x /= lam
                x += a
                u = rng.random(m)
                t = x - lam
                t *= t
                t *= -0.5
                keep = (np.log(u) <= t) & (x <= b)
                x = x[keep]
                k = min(x.size, size - filled)
                buf[filled:filled + k] = x[:k]
                filled += k
        return draw

    values = np.array([1.0, 2, 3, 4, 5])
    weights = np.array([0.1, 0.2, 0.3, 0.25, 0.15])
    return [
        ("rng_fill_u64", lambda: bitgen.random_raw(size)),
        ("rng_fill_uniform", lambda: rng.random(out=buf)),
        ("uniform(0,1)", lambda: rng.uniform(0.0, 1.0, size)),
        ("normal(0,1)", lambda: rng.standard_normal(out=buf)),
        ("lognormal(0,1)", lambda: rng.lognormal(0.0, 1.0, size)),
        ("beta(2,3)", lambda: rng.beta(2.0, 3.0, size)),
        ("beta(0.5,0.5)", lambda: rng.beta(0.5, 0.5, size)),
        ("gamma(2,1)", lambda: rng.standard_gamma(2.0, out=buf)),
        ("gamma(0.5,1)", lambda: rng.standard_gamma(0.5, out=buf)),
        ("triangular(10,20,50)", lambda: rng.triangular(10.0, 20.0, 50.0, size)),
        ("pert(10,20,50)", pert(10.0, 20.0, 50.0)),
        ("bernoulli(0.3)", bernoulli(0.3)),
        ("binomial(20,0.3)", lambda: rng.binomial(20, 0.3, size)),
        ("binomial(1000,0.4)", lambda: rng.binomial(1000, 0.4, size)),
        ("poisson(3)", lambda: rng.poisson(3.0, size)),
        ("poisson(100)", lambda: rng.poisson(100.0, size)),
        ("discrete(5)", lambda: rng.choice(values, size, p=weights)),
        # student_t: standard_t * scale + loc; loguniform: exp(uniform(log
        # min, log max)); exponential: scale = 1 / rate; weibull: NumPy's
        # has scale 1, so times the scale
        ("student_t(5,10,2)", lambda: rng.standard_t(5.0, size) * 2.0 + 10.0),
        ("loguniform(1,1000)", lambda: np.exp(rng.uniform(0.0, np.log(1000.0), size))),
        ("exponential(0.5)", lambda: rng.exponential(2.0, size)),
        ("weibull(1.5,3)", lambda: rng.weibull(1.5, size) * 3.0),
        ("normal(40000,8000)[15000,100000]", truncnormal_reject(40000.0, 8000.0, 15000.0, 100000.0)),
        ("normal(0,1)[4,5]", truncnormal_tail(4.0, 5.0)),
    ], buf


def median(xs):
    xs = sorted(xs)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else 0.5 * (xs[mid - 1] + xs[mid])


def time_case(draw, size, target_s, reps):
    """Wall ns per draw (median, min, max) over reps repetitions of about
    target_s each, after one warm-up call and a calibration call, plus the
    median thread CPU ns per draw (lower than wall time on a busy machine)."""
    draw()
    t0 = time.perf_counter()
    draw()
    per_call = max(time.perf_counter() - t0, 1e-9)
    calls = max(1, int(target_s / per_call + 0.5))
    ns, cpu_ns = [], []
    for _ in range(reps):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        for _ in range(calls):
            draw()
        ns.append((time.perf_counter() - t0) * 1e9 / (calls * size))
        cpu_ns.append((time.thread_time() - c0) * 1e9 / (calls * size))
    return median(ns), min(ns), max(ns), calls * size, median(cpu_ns)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--time", type=float, default=0.25, help="seconds per repetition (0.25)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions; the median is reported (5)")
    ap.add_argument("--size", type=int, default=SIZE, help="draws per call (2^20)")
    ap.add_argument("--only", metavar="NAME", help="run only the case called NAME")
    ap.add_argument("--quiet", "-q", action="store_true", help="no table on stderr")
    args = ap.parse_args()
    if not (0 < args.time < 100) or not (1 <= args.reps <= 101) or args.size < 1:
        ap.error("--time in (0, 100), --reps in [1, 101], --size >= 1")

    rng = np.random.Generator(np.random.PCG64DXSM(SEED))
    cases, buf = make_cases(rng, args.size)
    print("name\tns_per_draw\tmin_ns\tmax_ns\tdraws_per_rep\tcpu_ns_per_draw", flush=True)
    if not args.quiet:
        print("%-34s %12s %10s %10s %14s %12s"
              % ("draw", "ns/draw", "min", "max", "draws/rep", "cpu ns/draw"), file=sys.stderr)
    for name, draw in cases:
        if args.only is not None and args.only != name:
            continue
        med, lo, hi, n, cpu = time_case(draw, args.size, args.time, args.reps)
        print("%s\t%.3f\t%.3f\t%.3f\t%d\t%.3f" % (name, med, lo, hi, n, cpu), flush=True)
        if not args.quiet:
            print("%-34s %12.3f %10.3f %10.3f %14d %12.3f" % (name, med, lo, hi, n, cpu),
                  file=sys.stderr)
    print("# numpy\t%s" % np.__version__)
    if not args.quiet:
        print("numpy %s, %d draws per call, median of %d repetitions of ~%.2f s each"
              % (np.__version__, args.size, args.reps, args.time), file=sys.stderr)


if __name__ == "__main__":
    main()
