#!/usr/bin/python3
"""harness.py - the measuring half of bench/run (which builds, prints the
machine and installs the Squiggle peer, then calls this). Not meant to be
run by hand; see bench/README.md.

Parts (--parts, comma-separated; default all):
  peers    tyche (1 thread, all threads) vs NumPy vs Squiggle on the bench model,
           with the agreement check (4 combined standard errors)
  scaling  strong scaling, N fixed, 1..all threads
  weak     weak scaling, N proportional to threads
  draws    ns per draw of the generator and samplers: bench_draws vs numpy_draws.py
  io       tyche run --save-samples vs a plain sequential write of as many bytes
  rss      peak RSS of tyche run at growing N
  sampling Latin hypercube vs random sampling, whole runs of the bench model and
           of the flagship scenario (correlated factors, beta/pert factors)
  ranks    ranks x threads under mpirun (the MPI build, --tyche-mpi): 1x1 and
           every R x T with R T = all cores; samples/s, the ratio to 1x1, and
           each file checked identical to 1x1's (skipped, with a note, without
           an MPI build or mpirun)
Every time is the whole process's wall-clock time (perf_counter around the
child), median over the repetitions, programs alternating within a repetition.
"""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "models", "ukraine-2014-bench.yaml")
PY = "/usr/bin/python3"
NUMPY_MODEL = os.path.join(HERE, "peers", "numpy_model.py")
NUMPY_DRAWS = os.path.join(HERE, "peers", "numpy_draws.py")
SQUIGGLE_RUN = os.path.join(HERE, "peers", "squiggle_run.mjs")
ALL_PARTS = ("peers", "scaling", "weak", "draws", "io", "rss", "sampling", "ranks")
COMPARE = os.path.join(HERE, "..", "tools", "compare-results")
FLAGSHIP = os.path.join(HERE, "..", "scenarios", "ukraine-2014.yaml")
# The generator and the samplers the bench model uses (bench_draws names).
MODEL_DRAWS = ("rng_fill_u64", "rng_fill_uniform", "uniform(0,1)", "normal(0,1)",
               "lognormal(0,1)", "beta(2,3)", "pert(10,20,50)", "bernoulli(0.3)",
               "normal(40000,8000)[15000,100000]")
# Environment for NumPy: as run-draws, without the OpenBLAS overrides.
NP_ENV = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def timed(cmd, env=None):
    """Run cmd; return (wall seconds, stdout). Fails loudly on a non-zero exit."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    t = time.perf_counter() - t0
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}")
    return t, p.stdout


def fmt_n(n):
    e = int(math.floor(math.log10(n)))
    m = n / 10 ** e
    if m == 1:
        return f"10^{e}"
    return f"{m:g}e{e}" if m == int(m) else f"{n:.3g}"


class Bench:
    def __init__(self, a):
        self.a = a
        self.tyche = a.tyche
        # bench/c_loop is built beside the engine: build/PRESET/bench/c_loop.
        self.c_loop = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(a.tyche))),
                                   "bench", "c_loop")
        self.nproc = os.cpu_count() or 1
        self.tmp = tempfile.mkdtemp(prefix="bench-", suffix=".tmp", dir=a.out)
        self.res = {}
        self.failures = []

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- tyche ------------------------------------------------------------
    def tyche_run(self, n, threads, extra=(), out="run.h5"):
        path = os.path.join(self.tmp, out)
        cmd = [self.tyche, "run", MODEL, "-n", str(int(n)), "--threads", str(threads),
               "-o", path, "--quiet", "--json", *extra]
        t, so = timed(cmd)
        doc = json.loads(so)["runs"]["baseline"]
        return t, doc, path

    # -- agreement --------------------------------------------------------
    def agree(self, name, a, b):
        """a, b: lists of {name, probability, stderr}. Record failures."""
        worst = 0.0
        for x, y in zip(a, b):
            if x["name"] != y["name"]:
                self.failures.append(f"{name}: outcome order differs ({x['name']} vs {y['name']})")
                return float("inf")
            se = math.hypot(x["stderr"], y["stderr"])
            z = abs(x["probability"] - y["probability"]) / se if se > 0 else float("inf")
            worst = max(worst, z)
            if not z <= 4.0:
                self.failures.append(
                    f"{name}: {x['name']} {x['probability']:.6f} vs {y['probability']:.6f} "
                    f"differ by {z:.2f} combined standard errors (> 4)")
        return worst

    # -- parts ------------------------------------------------------------
    def peers(self):
        a = self.a
        n = a.n
        reps = a.reps
        log(f"== peers: tyche vs NumPy at N = {n:g}, median of {reps}")
        tt1, ttp, tnp, tc1, tcp = [], [], [], [], []
        it1, itp, inp, ic1, icp = [], [], [], [], []
        dc = None
        d1 = dnp = None
        for r in range(reps):
            t, d1, _ = self.tyche_run(n, 1)
            tt1.append(t)
            it1.append(d1["wall_seconds"])
            if self.nproc > 1:
                t, dp, _ = self.tyche_run(n, self.nproc)
                ttp.append(t)
                itp.append(dp["wall_seconds"])
            t, so = timed([PY, NUMPY_MODEL, "-n", str(int(n))], env=NP_ENV)
            tnp.append(t)
            dnp = json.loads(so)
            inp.append(dnp["wall_seconds"])
            # The hand-written C + OpenMP loop (bench/c_loop.c): same
            # generator, samplers and streams, formulas written out in C.
            if os.path.exists(self.c_loop):
                t, so = timed([self.c_loop, "-n", str(int(n)), "--threads", "1"])
                dc = json.loads(so)
                tc1.append(t)
                ic1.append(dc["wall_seconds"])
                if self.nproc > 1:
                    t, so = timed([self.c_loop, "-n", str(int(n)), "--threads", str(self.nproc)])
                    tcp.append(t)
                    icp.append(json.loads(so)["wall_seconds"])
            log(f"  rep {r + 1}: tyche(1) {tt1[-1]:.2f} s"
                + (f", tyche({self.nproc}) {ttp[-1]:.2f} s" if ttp else "")
                + f", numpy {tnp[-1]:.2f} s   (load {loadavg()})")
        z_np = self.agree("numpy vs tyche", dnp["outcomes"], d1["outcomes"])
        med = statistics.median
        rows = [("tyche (1 thread)", n, n / med(tt1), med(tt1), reps, med(it1))]
        if ttp:
            rows.append((f"tyche ({self.nproc} threads)", n, n / med(ttp), med(ttp), reps, med(itp)))
        if tc1:
            rows.append(("c loop (1 thread)", n, n / med(tc1), med(tc1), reps, med(ic1)))
        if tcp:
            rows.append((f"c loop ({self.nproc} threads)", n, n / med(tcp), med(tcp), reps, med(icp)))
        rows.append(("numpy", n, n / med(tnp), med(tnp), reps, med(inp)))
        agreement = {"numpy": z_np}
        if dc:
            agreement["c loop"] = self.agree("c loop vs tyche", dc["outcomes"], d1["outcomes"])
        sq = self.squiggle(d1)
        if sq:
            rows.append(sq[0])
            agreement["squiggle"] = sq[1]
        self.res["peers"] = {"rows": rows, "agreement": agreement,
                             "tyche": d1["outcomes"], "numpy": dnp["outcomes"],
                             "numpy_version": dnp.get("numpy"),
                             "squiggle_version": sq[2] if sq else None}

    def squiggle(self, tyche_doc):
        a = self.a
        mods = os.path.join(a.peers_dir, "node_modules", "@quri", "squiggle-lang")
        if a.no_squiggle or not os.path.isdir(mods):
            log("  squiggle: skipped (" + ("--no-squiggle" if a.no_squiggle else
                f"@quri/squiggle-lang not installed under {a.peers_dir}") + ")")
            return None
        node = shutil.which("node")
        if not node:
            log("  squiggle: skipped (no node)")
            return None
        budget = a.squiggle_budget
        n = a.squiggle_start
        best = None
        log(f"== squiggle: growing N from {n:g} while a run fits in about {budget:g} s")
        while True:
            t, so = timed([node, SQUIGGLE_RUN, "-n", str(int(n)), "--modules",
                           os.path.join(a.peers_dir, "node_modules")])
            doc = json.loads(so)
            log(f"  N = {n:g}: {t:.2f} s ({n / t:,.0f} samples/s, load {loadavg()})")
            best = (n, t, doc)
            e = math.floor(math.log10(n) + 1e-9)
            nxt = 3 * 10 ** e if n < 2.5 * 10 ** e else 10 ** (e + 1)  # 1e4, 3e4, 1e5, 3e5, ...
            if t * nxt / n > budget or nxt > a.squiggle_max:
                break
            n = nxt
        n, t, doc = best
        times, inner = [t], [doc["wall_seconds"]]
        for _ in range(a.squiggle_reps - 1):
            t, so = timed([node, SQUIGGLE_RUN, "-n", str(int(n)), "--modules",
                           os.path.join(a.peers_dir, "node_modules")])
            times.append(t)
            inner.append(json.loads(so)["wall_seconds"])
        z = self.agree("squiggle vs tyche", doc["outcomes"], tyche_doc["outcomes"])
        tm = statistics.median(times)
        return (("squiggle", n, n / tm, tm, len(times), statistics.median(inner)), z,
                doc.get("squiggle_lang"))

    def threads_list(self):
        p = self.nproc
        if p <= 8:
            return list(range(1, p + 1))
        ts = [1]
        while ts[-1] * 2 < p:
            ts.append(ts[-1] * 2)
        return ts + [p]

    def scaling(self):
        a = self.a
        ts = self.threads_list()
        log(f"== strong scaling: N = {a.n:g}, threads {ts}, median of {a.reps}")
        times = {t: [] for t in ts}
        inner = {t: [] for t in ts}
        for r in range(a.reps):
            for t in ts:
                w, d, _ = self.tyche_run(a.n, t)
                times[t].append(w)
                inner[t].append(d["wall_seconds"])
            log(f"  rep {r + 1}: " + ", ".join(f"{t}: {times[t][-1]:.2f} s" for t in ts)
                + f"   (load {loadavg()})")
        med = [statistics.median(times[t]) for t in ts]
        imed = [statistics.median(inner[t]) for t in ts]
        self.res["scaling"] = {
            "threads": ts, "n": a.n, "seconds": med,
            "samples_per_second": [a.n / m for m in med],
            "efficiency": [med[0] / (t * m) for t, m in zip(ts, med)],
            "inner_efficiency": [imed[0] / (t * m) for t, m in zip(ts, imed)]}

    def weak(self):
        a = self.a
        ts = self.threads_list()
        log(f"== weak scaling: N = {a.weak_n:g} x threads, threads {ts}, median of {a.reps}")
        times = {t: [] for t in ts}
        for r in range(a.reps):
            for t in ts:
                w, _, _ = self.tyche_run(a.weak_n * t, t)
                times[t].append(w)
            log(f"  rep {r + 1}: " + ", ".join(f"{t}: {times[t][-1]:.2f} s" for t in ts)
                + f"   (load {loadavg()})")
        med = [statistics.median(times[t]) for t in ts]
        self.res["weak"] = {
            "threads": ts, "n_per_thread": a.weak_n, "seconds": med,
            "samples_per_second": [a.weak_n * t / m for t, m in zip(ts, med)],
            "efficiency": [med[0] / m for m in med]}

    def draws(self):
        a = self.a
        exe = a.bench_draws
        if not exe or not os.access(exe, os.X_OK):
            log(f"== draws: skipped (no bench_draws at {exe})")
            return
        names = subprocess.run([exe, "--list"], capture_output=True, text=True, check=True).stdout.split()
        if not a.full:
            names = [x for x in names if x in MODEL_DRAWS]
        log(f"== draws: {len(names)} cases, --time {a.draws_time} --reps {a.draws_reps}")
        opts = ["--quiet", "--time", str(a.draws_time), "--reps", str(a.draws_reps)]

        def row(so, name):
            for line in so.splitlines():
                f = line.split("\t")
                if line.startswith("#") or len(f) < 6 or f[0] != name:
                    continue
                return float(f[1]), float(f[5])
            return (float("nan"), float("nan"))
        out = []
        for name in names:
            _, so = timed([exe, "--only", name, *opts])
            ty = row(so, name)
            try:
                _, so = timed([PY, NUMPY_DRAWS, "--only", name, *opts], env=NP_ENV)
                npv = row(so, name)
            except RuntimeError:
                npv = (float("nan"), float("nan"))
            out.append((name, ty[0], npv[0], ty[1], npv[1]))
            log(f"  {name:34s} tyche {ty[0]:7.2f} ns   numpy {npv[0]:7.2f} ns")
        self.res["draws"] = out

    def io(self):
        a = self.a
        n = a.io_n
        t = self.nproc
        log(f"== io: --save-samples at N = {n:g} ({t} threads) vs a plain write, median of {a.reps}")
        ts, tn, tp = [], [], []
        size = 0
        block = np.random.default_rng(1).bytes(8 << 20)
        for r in range(a.reps):
            path = os.path.join(self.tmp, "io.h5")
            if os.path.exists(path):
                os.unlink(path)
            t0 = time.perf_counter()
            self.tyche_run(n, t, extra=["--save-samples"], out="io.h5")
            fd = os.open(path, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
            ts.append(time.perf_counter() - t0)
            size = os.path.getsize(path)
            os.unlink(path)
            w, _, p2 = self.tyche_run(n, t, out="io-nosave.h5")
            tn.append(w)
            # plain sequential write of the same number of bytes, 8 MiB blocks, fsync
            plain = os.path.join(self.tmp, "plain.bin")
            t0 = time.perf_counter()
            fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            left = size
            while left > 0:
                left -= os.write(fd, block[:min(left, len(block))])
            os.fsync(fd)
            os.close(fd)
            tp.append(time.perf_counter() - t0)
            os.unlink(plain)
            log(f"  rep {r + 1}: save-samples {ts[-1]:.2f} s, without {tn[-1]:.2f} s, "
                f"plain write {tp[-1]:.2f} s of {size / 1e6:.1f} MB   (load {loadavg()})")
        ms, mn, mp = (statistics.median(x) for x in (ts, tn, tp))
        extra = ms - mn
        self.res["io"] = {
            "n": n, "threads": t, "file_bytes": size,
            "payload_bytes": None,
            "tyche_seconds": ms, "tyche_nosave_seconds": mn, "plain_seconds": mp,
            "tyche_mb_per_s": size / ms / 1e6,
            "tyche_incremental_mb_per_s": size / extra / 1e6 if extra > 0 else float("inf"),
            "plain_mb_per_s": size / mp / 1e6}

    def rss(self):
        a = self.a
        t = self.nproc
        log(f"== rss: peak RSS of tyche run ({t} threads) at N = " + ", ".join(f"{n:g}" for n in a.rss_n))
        out = []
        tf = os.path.join(self.tmp, "time.txt")
        for n in a.rss_n:
            cmd = ["/usr/bin/time", "-f", "%M %e", "-o", tf, self.tyche, "run", MODEL,
                   "-n", str(int(n)), "--threads", str(t), "-o", os.path.join(self.tmp, "rss.h5"), "--quiet"]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            with open(tf) as f:
                kib, sec = f.read().split()[-2:]
            out.append((n, int(kib), float(sec)))
            log(f"  N = {n:g}: {int(kib)} KiB peak, {float(sec):.1f} s")
        self.res["rss"] = out


def _sampling(self):
    """Latin hypercube vs random sampling: the same runs side by side,
    alternating within each repetition, all threads."""
    a = self.a
    t = self.nproc
    n = a.sampling_n
    log(f"== sampling: lhs vs random at N = {n:g} ({t} threads), median of {a.reps}")
    rows = []
    for name, model in (("bench model", MODEL), ("ukraine-2014 (correlated)", FLAGSHIP)):
        tr, tl = [], []
        for r in range(a.reps):
            for mode, acc in (("random", tr), ("lhs", tl)):
                cmd = [self.tyche, "run", model, "-n", str(int(n)), "--threads", str(t), "--sampling", mode,
                       "-o", os.path.join(self.tmp, "sampling.h5"), "--quiet"]
                acc.append(timed(cmd)[0])
        mr, ml = statistics.median(tr), statistics.median(tl)
        log(f"  {name}: random {mr:.3f} s, lhs {ml:.3f} s, ratio {ml / mr:.2f}")
        rows.append((name, mr, ml))
    self.res["sampling"] = {"n": n, "threads": t, "rows": rows}


Bench.sampling = _sampling


def mpi_build(path):
    """Why path cannot run the ranks table, or None when it can."""
    if not path or not os.access(path, os.X_OK):
        return f"no MPI build of tyche at {path or '(none)'} (cmake --preset mpi && cmake --build --preset mpi)"
    libs = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    if "libmpi.so" not in libs:
        return f"{path} is not an MPI build (cmake --preset mpi)"
    if not shutil.which("mpirun"):
        return "no mpirun (scripts/deps --mpi installs openmpi-bin)"
    return None


def _ranks(self):
    """ranks x threads: 1x1, then R x T = all cores for every R dividing the
    core count, each under mpirun (1x1 too), median of the repetitions,
    combinations alternating within a repetition; every result file must
    be 1x1's but for the ranks and threads it records."""
    a = self.a
    why = mpi_build(a.tyche_mpi)
    if why:
        log(f"== ranks: skipped: {why}")
        self.res["ranks"] = {"skipped": why}
        return
    p = self.nproc
    combos = [(1, 1)] + [(r, p // r) for r in range(1, p + 1) if p % r == 0 and r * (p // r) > 1]
    n = a.n
    env = dict(os.environ)
    if os.geteuid() == 0:   # OpenMPI refuses root unless told
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    log(f"== ranks: ranks x threads {', '.join(f'{r}x{t}' for r, t in combos)} at N = {n:g}, "
        f"median of {a.reps}")
    times = {c: [] for c in combos}
    inner = {c: [] for c in combos}
    for rep in range(a.reps):
        for r, t in combos:
            path = os.path.join(self.tmp, f"ranks-{r}x{t}.h5")
            cmd = ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", str(r), a.tyche_mpi, "run", MODEL,
                   "-n", str(int(n)), "--threads", str(t), "-o", path, "--quiet", "--json"]
            w, so = timed(cmd, env=env)
            times[(r, t)].append(w)
            inner[(r, t)].append(json.loads(so)["runs"]["baseline"]["wall_seconds"])
        log(f"  rep {rep + 1}: " + ", ".join(f"{r}x{t}: {times[(r, t)][-1]:.2f} s" for r, t in combos)
            + f"   (load {loadavg()})")
    same = {}
    for r, t in combos:
        c = subprocess.run([PY, COMPARE, "--ignore", "ranks,threads,command_line,command_args",
                            os.path.join(self.tmp, "ranks-1x1.h5"), os.path.join(self.tmp, f"ranks-{r}x{t}.h5")],
                           capture_output=True, text=True)
        same[(r, t)] = c.returncode == 0
        if c.returncode != 0:
            self.failures.append(f"ranks: {r}x{t}'s result file differs from 1x1's: {c.stdout.strip()[:300]}")
    med = {c: statistics.median(times[c]) for c in combos}
    imed = {c: statistics.median(inner[c]) for c in combos}
    base, ibase = med[(1, 1)], imed[(1, 1)]
    self.res["ranks"] = {
        "n": n, "ranks": [r for r, _ in combos], "threads": [t for _, t in combos],
        "seconds": [med[c] for c in combos], "samples_per_second": [n / med[c] for c in combos],
        "ratio": [base / med[c] for c in combos], "inner_ratio": [ibase / imed[c] for c in combos],
        "identical": [same[c] for c in combos]}


Bench.ranks = _ranks


def write_h5(path, b, meta):
    res = b.res
    tmp = path + ".tmp"
    s = h5py.string_dtype()
    with h5py.File(tmp, "w") as f:
        # Self-describing, as plots/tyche-plot expects (plots/README.md).
        f.attrs["format"] = "tyche-bench"
        f.attrs["format_version"] = 1
        g = f.create_group("bench")
        for k, v in meta.items():
            g.attrs[k] = v
        if "scaling" in res:
            r = res["scaling"]
            h = g.create_group("scaling")
            h["threads"] = np.array(r["threads"], dtype=np.int32)
            h["samples_per_second"] = np.array(r["samples_per_second"])
            h["efficiency"] = np.array(r["efficiency"])
            h["seconds"] = np.array(r["seconds"])
            h["inner_efficiency"] = np.array(r["inner_efficiency"])
            h.attrs["model"] = "ukraine-2014-bench"
            h.attrs["machine"] = meta["machine"]
            h.attrs["n"] = int(r["n"])
        if "weak" in res:
            r = res["weak"]
            h = g.create_group("weak")
            h["threads"] = np.array(r["threads"], dtype=np.int32)
            h["samples_per_second"] = np.array(r["samples_per_second"])
            h["efficiency"] = np.array(r["efficiency"])
            h["seconds"] = np.array(r["seconds"])
            h.attrs["model"] = "ukraine-2014-bench"
            h.attrs["machine"] = meta["machine"]
            h.attrs["n_per_thread"] = int(r["n_per_thread"])
        if "peers" in res:
            r = res["peers"]
            h = g.create_group("peers")
            h["name"] = np.array([x[0] for x in r["rows"]], dtype=s)
            h["n"] = np.array([int(x[1]) for x in r["rows"]], dtype=np.int64)
            h["samples_per_second"] = np.array([x[2] for x in r["rows"]])
            h["seconds"] = np.array([x[3] for x in r["rows"]])
            h["reps"] = np.array([x[4] for x in r["rows"]], dtype=np.int32)
            # the program's own timing of sampling + estimation (no start-up, no result file)
            h["compute_seconds"] = np.array([x[5] for x in r["rows"]])
            h.attrs["model"] = "ukraine-2014-bench"
            h.attrs["machine"] = meta["machine"]
            for k, z in r["agreement"].items():
                h.attrs[f"max_z_{k}"] = z
        if "draws" in res:
            r = res["draws"]
            h = g.create_group("draws")
            h["name"] = np.array([x[0] for x in r], dtype=s)
            h["tyche_ns_per_draw"] = np.array([x[1] for x in r])
            h["numpy_ns_per_draw"] = np.array([x[2] for x in r])
            h["tyche_cpu_ns_per_draw"] = np.array([x[3] for x in r])
            h["numpy_cpu_ns_per_draw"] = np.array([x[4] for x in r])
        if "io" in res:
            r = res["io"]
            h = g.create_group("io")
            for k in ("tyche_mb_per_s", "plain_mb_per_s", "tyche_incremental_mb_per_s",
                      "tyche_seconds", "tyche_nosave_seconds", "plain_seconds"):
                h[k] = r[k]
            h.attrs["n"] = int(r["n"])
            h.attrs["threads"] = int(r["threads"])
            h.attrs["file_bytes"] = int(r["file_bytes"])
        if "sampling" in res:
            r = res["sampling"]
            h = g.create_group("sampling")
            h["model"] = np.array([x[0] for x in r["rows"]], dtype=s)
            h["random_seconds"] = np.array([x[1] for x in r["rows"]])
            h["lhs_seconds"] = np.array([x[2] for x in r["rows"]])
            h.attrs["n"] = int(r["n"])
            h.attrs["threads"] = int(r["threads"])
        if "ranks" in res and "skipped" not in res["ranks"]:
            r = res["ranks"]
            h = g.create_group("ranks")
            h["ranks"] = np.array(r["ranks"], dtype=np.int32)
            h["threads"] = np.array(r["threads"], dtype=np.int32)
            h["samples_per_second"] = np.array(r["samples_per_second"])
            h["seconds"] = np.array(r["seconds"])
            h["ratio"] = np.array(r["ratio"])
            h["inner_ratio"] = np.array(r["inner_ratio"])
            h["identical"] = np.array(r["identical"], dtype=np.int8)
            h.attrs["model"] = "ukraine-2014-bench"
            h.attrs["machine"] = meta["machine"]
            h.attrs["n"] = int(r["n"])
        if "rss" in res:
            r = res["rss"]
            h = g.create_group("rss")
            h["samples"] = np.array([int(x[0]) for x in r], dtype=np.int64)
            h["peak_rss_kib"] = np.array([x[1] for x in r], dtype=np.int64)
            h["seconds"] = np.array([x[2] for x in r])
    os.replace(tmp, path)


def verdict(ok):
    return "met" if ok else "missed"


def write_md(path, b, meta, cmdline):
    res = b.res
    L = ["# tyche benchmark: the bench model (ukraine-2014-bench)", ""]
    L.append(f"- run: {meta['date']}, commit {meta['commit']}, `{cmdline}`")
    L.append(f"- CPU: {meta['machine']} ({meta['cores']} logical CPUs); "
             f"load average before/after: {meta['load_before']} / {meta['load_after']}")
    L.append(f"- compiler: {meta['compiler']}; flags: `{meta['flags']}`")
    L.append(f"- times: whole-process wall clock, median of {meta['reps']} repetitions "
             f"(programs alternating within a repetition)")
    L.append("")
    targets = []
    if "peers" in res:
        r = res["peers"]
        L += ["## Peers (samples per second; higher is better)", "",
              "| implementation | N | reps | median s | samples/s | ratio tyche(1) / this "
              "| compute-only s | ratio, compute only |",
              "|---|--:|--:|--:|--:|--:|--:|--:|"]
        base = r["rows"][0][2]
        ibase = r["rows"][0][1] / r["rows"][0][5]
        for name, n, sps, sec, reps, inner in r["rows"]:
            L.append(f"| {name} | {fmt_n(n)} | {reps} | {sec:.2f} | {sps:,.0f} | {base / sps:.1f}x "
                     f"| {inner:.2f} | {ibase / (n / inner):.1f}x |")
        L.append("")
        L.append("median s: the whole process (start-up, model, result file); compute-only s: the "
                 "program's own timing of sampling and estimation (tyche's wall_seconds, the peers' "
                 "timers after their imports). Squiggle runs at the largest N of 10^4, 3e4, 1e5, ... "
                 "whose run fits in about a minute.")
        L.append("Agreement with tyche (largest |difference| over the five outcomes, in combined "
                 "standard errors; must be <= 4): "
                 + ", ".join(f"{k} {z:.2f}" for k, z in r["agreement"].items()))
        if "squiggle" not in r["agreement"]:
            L.append("")
            L.append("Squiggle: not measured in this run (see the log: npm could not install "
                     "@quri/squiggle-lang, or --no-squiggle).")
        L.append("")
        rows = {x[0]: x for x in r["rows"]}
        np_r = base / rows["numpy"][2]
        targets.append(("tyche vs NumPy, 1 thread", ">= 2.5x", f"{np_r:.1f}x", verdict(np_r >= 2.5)))
        if "c loop (1 thread)" in rows:
            c_r = rows["c loop (1 thread)"][2] / base
            targets.append(("tyche within 1.3x of the hand-written C loop, 1 thread", "<= 1.3x",
                            f"{c_r:.2f}x", verdict(c_r <= 1.3)))
        if "squiggle" in rows:
            sq_r = base / rows["squiggle"][2]
            targets.append(("tyche vs Squiggle", ">= 100x", f"{sq_r:.0f}x", verdict(sq_r >= 100)))
    if "scaling" in res:
        r = res["scaling"]
        L += [f"## Strong scaling (N = {fmt_n(r['n'])})", "",
              "| threads | median s | samples/s | efficiency T1/(p Tp) | efficiency by tyche's own wall_seconds |",
              "|--:|--:|--:|--:|--:|"]
        for t, sec, sps, e, ie in zip(r["threads"], r["seconds"], r["samples_per_second"],
                                      r["efficiency"], r["inner_efficiency"]):
            L.append(f"| {t} | {sec:.2f} | {sps:,.0f} | {100 * e:.0f}% | {100 * ie:.0f}% |")
        L.append("")
        if 2 in r["threads"]:
            e2 = r["efficiency"][r["threads"].index(2)]
            targets.append(("parallel efficiency, 2 threads", ">= 90%", f"{100 * e2:.0f}%", verdict(e2 >= 0.9)))
    if "weak" in res:
        r = res["weak"]
        L += [f"## Weak scaling (N = {fmt_n(r['n_per_thread'])} per thread)", "",
              "| threads | N | median s | samples/s | efficiency T1/Tp |", "|--:|--:|--:|--:|--:|"]
        for t, sec, sps, e in zip(r["threads"], r["seconds"], r["samples_per_second"], r["efficiency"]):
            L.append(f"| {t} | {fmt_n(r['n_per_thread'] * t)} | {sec:.2f} | {sps:,.0f} | {100 * e:.0f}% |")
        L.append("")
    if "draws" in res:
        L += ["## Generator and samplers (ns per draw, 1 thread; lower is better)", "",
              "| distribution | tyche ns/draw | NumPy ns/draw | speed-up | speed-up by CPU time |",
              "|---|--:|--:|--:|--:|"]
        for name, t, n, tc, nc in res["draws"]:
            sp = f"{n / t:.1f}x" if t > 0 and n == n else "-"
            spc = f"{nc / tc:.1f}x" if tc > 0 and nc == nc else "-"
            ns = f"{n:.2f}" if n == n else "-"
            L.append(f"| {name} | {t:.2f} | {ns} | {sp} | {spc} |")
        L.append("")
    if "io" in res:
        r = res["io"]
        L += [f"## --save-samples (N = {fmt_n(r['n'])}, {r['threads']} threads, "
              f"{r['file_bytes'] / 1e6:.1f} MB file)", "",
              "| writer | median s | MB/s |", "|---|--:|--:|",
              f"| tyche run --save-samples, whole run + fsync | {r['tyche_seconds']:.2f} | {r['tyche_mb_per_s']:.1f} |",
              f"| (the same run without --save-samples) | {r['tyche_nosave_seconds']:.2f} | - |",
              f"| tyche, bytes / time added by --save-samples | {r['tyche_seconds'] - r['tyche_nosave_seconds']:.2f} | {r['tyche_incremental_mb_per_s']:.1f} |",
              f"| plain sequential write + fsync, same bytes, same disk | {r['plain_seconds']:.2f} | {r['plain_mb_per_s']:.1f} |",
              ""]
        # The target is about the HDF5 writing: the bytes over the time that
        # --save-samples adds to the run (the whole-run rate, which also
        # counts the sampling, is in the table above).
        q = r["tyche_incremental_mb_per_s"] / r["plain_mb_per_s"]
        targets.append(("--save-samples writing vs plain write", ">= 50%", f"{100 * q:.0f}%", verdict(q >= 0.5)))
    if "ranks" in res:
        r = res["ranks"]
        L += ["## Ranks x threads under MPI (bench model, this machine)", ""]
        if "skipped" in r:
            L += [f"Skipped: {r['skipped']}.", ""]
        else:
            L += [f"N = {fmt_n(r['n'])}, `mpirun --bind-to none -np R tyche run --threads T`, every "
                  "combination under mpirun (1x1 too); ratio: 1x1's time over this one's.", "",
                  "| ranks x threads | median s | samples/s | ratio to 1x1 | ratio by tyche's own wall_seconds "
                  "| result file = 1x1's |",
                  "|---|--:|--:|--:|--:|---|"]
            for rk, t, sec, sps, q, iq, same in zip(r["ranks"], r["threads"], r["seconds"], r["samples_per_second"],
                                                    r["ratio"], r["inner_ratio"], r["identical"]):
                L.append(f"| {rk} x {t} | {sec:.2f} | {sps:,.0f} | {q:.2f}x | {iq:.2f}x | {'yes' if same else 'NO'} |")
            L.append("")
    if "rss" in res:
        r = res["rss"]
        L += ["## Peak RSS of `tyche run` (all threads)", "",
              "| samples | peak RSS (MiB) | s |", "|--:|--:|--:|"]
        for n, kib, sec in r:
            L.append(f"| {fmt_n(n)} | {kib / 1024:.1f} | {sec:.1f} |")
        L.append("")
        ks = [x[1] for x in r]
        growth = max(ks) / min(ks)
        targets.append(("peak RSS flat in N", "max/min <= 1.25",
                        f"{growth:.2f} over {fmt_n(r[0][0])}..{fmt_n(r[-1][0])}", verdict(growth <= 1.25)))
    if "sampling" in res:
        r = res["sampling"]
        L += [f"## Latin hypercube vs random sampling (N = {fmt_n(r['n'])}, {r['threads']} threads, "
              "whole process, seconds)", "",
              "| model | random | lhs | lhs / random |", "|---|--:|--:|--:|"]
        worst = 0
        for name, mr, ml in r["rows"]:
            L.append(f"| {name} | {mr:.3f} | {ml:.3f} | {ml / mr:.2f}x |")
            worst = max(worst, ml / mr)
        L.append("")
        targets.append(("Latin hypercube within 2x of random sampling", "<= 2x", f"{worst:.2f}x",
                        verdict(worst <= 2)))
    if targets:
        L += ["## Against the targets", "", "| target | wanted | measured | verdict |", "|---|--:|--:|---|"]
        for t in targets:
            L.append(f"| {t[0]} | {t[1]} | {t[2]} | {t[3]} |")
        L.append("")
    if b.failures:
        L += ["## AGREEMENT FAILURES", ""] + [f"- {x}" for x in b.failures] + [""]
    with open(path, "w") as f:
        f.write("\n".join(L))
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tyche", required=True)
    ap.add_argument("--bench-draws", default="")
    ap.add_argument("--tyche-mpi", default="")
    ap.add_argument("--out", required=True)
    ap.add_argument("--parts", default=",".join(ALL_PARTS))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--no-squiggle", action="store_true")
    ap.add_argument("--peers-dir", default=os.path.join(HERE, ".peers"))
    ap.add_argument("--n", type=float, default=None)
    ap.add_argument("--meta", default="{}")
    ap.add_argument("--cmdline", default="bench/run")
    a = ap.parse_args()
    q = a.quick
    a.n = int(a.n or (2e5 if q else 1e7))
    a.weak_n = int(5e5 if q else 5e6)
    a.io_n = int(1e5 if q else 1e6)
    a.rss_n = [int(x) for x in ((1e5, 1e6) if q else (1e6, 1e7, 1e8) + ((1e9,) if a.full else ()))]
    a.sampling_n = int(2e5 if q else 2e6)
    a.draws_time = 0.02 if q else 0.25
    a.draws_reps = min(a.reps, 3) if q else a.reps
    a.squiggle_start = 1e4
    a.squiggle_budget = 5.0 if q else 60.0
    a.squiggle_max = 1e4 if q else 1e7
    a.squiggle_reps = 1
    parts = [p for p in a.parts.split(",") if p]
    for p in parts:
        if p not in ALL_PARTS:
            sys.exit(f"harness: unknown part '{p}' (parts: {', '.join(ALL_PARTS)})")
    os.makedirs(a.out, exist_ok=True)
    meta = json.loads(a.meta)
    meta.setdefault("machine", "unknown")
    meta.setdefault("cores", os.cpu_count())
    meta["reps"] = a.reps
    meta["mode"] = "quick" if q else ("full" if a.full else "default")
    meta["load_before"] = loadavg()
    b = Bench(a)
    try:
        for p in ALL_PARTS:
            if p in parts:
                getattr(b, p)()
    finally:
        b.close()
    meta["load_after"] = loadavg()
    meta.setdefault("date", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    for k in ("commit", "compiler", "flags"):
        meta.setdefault(k, "unknown")
    write_h5(os.path.join(a.out, "bench.h5"), b, meta)
    md = write_md(os.path.join(a.out, "bench.md"), b, meta, a.cmdline)
    print(md)
    print(f"written to {os.path.join(a.out, 'bench.h5')} and {os.path.join(a.out, 'bench.md')}")
    if b.failures:
        for x in b.failures:
            log(f"bench: AGREEMENT FAILED: {x}")
        sys.exit(1)


if __name__ == "__main__":
    main()
