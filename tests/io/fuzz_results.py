#!/usr/bin/python3
"""fuzz_results.py TYCHE [--fixture WRITER] [--count N] [--seed S] [--jobs J] [--kinds K,...] [--keep DIR]

Hostile result files through `tyche show` (and `--json`) and `tyche run
--resume`: from a few real result files (a run, an interrupted run, a batch
with a sweep, a sensitivity analysis; with --fixture, also the synthetic
file of tests/io/write_fixture.c, whose runs have the outcomes' spread,
queries/ with difference/, resume/query_group_sums, observations/ with the
prior's outcomes_prior/, factors_prior/, derived_prior/, histograms_prior/
and weighted histograms/ that a run of the engine may not write) it makes damaged copies, from a fixed seed, of five
kinds:

  systematic  each attribute and dataset that `tyche show` reads, changed
            once so it no longer fits (an array for a scalar, the other
            type, a missing element, an extra dimension): exit 1 with one
            line naming it
  truncate  the file cut at an offset (spread over the whole file)
  bitflip   1 to 8 random bits flipped
  byteflip  1 to 16 random bytes overwritten
  crafted   one object replaced with h5py: an attribute made an array, an
            empty or huge string, a string where a number belongs, another
            integer width, negative or huge or NaN; a dataset of the wrong
            length, rank or type, with empty, duplicate or '/' names, NaN or
            negative values; a group deleted, replaced, or given extra members;
            soft and external links in place of objects.

Each file goes through the binary; a failure is an exit code other than
0 or 1 (show) or 0, 1, 2, 3 (resume: usage, or a damaged stored scenario),
any sanitizer or HDF5 report on stderr, an exit 1 with no message, or a
timeout (20 s). Exits 1 listing the failures (seed and index reproduce
each; --keep DIR keeps the failing files), else 0 with counts per kind.

--count N is the number of files per blind kind, 3 N crafted (default 40: about a minute under
the asan preset on two cores, the ctest io/fuzz); for a long run, e.g.

    /usr/bin/python3 tests/io/fuzz_results.py build/asan/engine/tyche --count 20000 --seed 7 --keep fuzz-failures

(hours; a new --seed gives new files). --base DIR damages the base-*.h5
files of DIR (e.g. files of an older tyche) instead of making new ones.
Needs Debian's python3-h5py (run with /usr/bin/python3).
"""
import argparse
import concurrent.futures as cf
import os
import random
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCEN = os.path.join(ROOT, "scenarios", "release-deadline.yaml")
BATCH = os.path.join(ROOT, "scenarios", "release-deadline-options.yaml")
TIMEOUT = 20
HDF5_LEAKS = []   # one entry per command in which only libhdf5's own leaks were found
REPORTS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "HDF5-DIAG", "UndefinedBehavior")


def env():
    e = dict(os.environ)
    # Full stacks on malloc (libhdf5 has no frame pointers), so that
    # lsan_hdf5.supp can tell libhdf5's own leaks by the function.
    e["ASAN_OPTIONS"] = e.get("ASAN_OPTIONS", "detect_leaks=1") + ":exitcode=86:fast_unwind_on_malloc=0"
    e["UBSAN_OPTIONS"] = e.get("UBSAN_OPTIONS", "print_stacktrace=1") + ":halt_on_error=1:exitcode=87"
    e["LSAN_OPTIONS"] = "suppressions=" + os.path.join(os.path.dirname(os.path.abspath(__file__)), "lsan_hdf5.supp")
    e.pop("TYCHE_TEST_INTERRUPT_AFTER_ROUNDS", None)
    return e


def make_bases(tyche, work, fixture=None):
    """The real files damaged below (and the fixture writer's): name -> path."""
    q = ["--quiet", "--threads", "1"]
    bases = {
        "run": [tyche, "run", SCEN, "-n", "3000"] + q,
        "resume": [tyche, "run", SCEN, "-n", "40000"] + q,
        "batch": [tyche, "batch", BATCH, "-n", "2048"] + q,
        "sens": [tyche, "sensitivity", SCEN, "-n", "512", "--ignore-correlations"] + q,
    }
    out = {}
    for name, cmd in bases.items():
        path = os.path.join(work, f"base-{name}.h5")
        e = env()
        if name == "resume":
            e["TYCHE_TEST_INTERRUPT_AFTER_ROUNDS"] = "1"
        r = subprocess.run(cmd + ["-o", path], env=e, capture_output=True, text=True)
        if r.returncode not in (0, 130) or not os.path.exists(path):
            sys.exit(f"making the {name} file failed ({r.returncode}): {r.stderr}")
        out[name] = path
    if fixture:
        path = os.path.join(work, "base-fixture.h5")
        r = subprocess.run([fixture, path, "plain"], env=env(), capture_output=True, text=True)
        if r.returncode != 0 or not os.path.exists(path):
            sys.exit(f"making the fixture file failed ({r.returncode}): {r.stderr}")
        out["fixture"] = path
    return out


# The new objects of the fixture file that the engine's files may lack:
# only these are changed systematically there (the rest is the same as in
# the real files).
FIXTURE_ONLY = ("/outcomes/spread", "/queries", "/observations", "/outcomes_prior", "/factors_prior",
                "/derived_prior", "/histograms_prior")
# ... and the attributes of the fixture only (histograms/@weighted of a run
# with observations).
FIXTURE_ONLY_ATTRS = ("weighted",)


# ---- damage -----------------------------------------------------------------

def truncate(data, rng):
    return data[: rng.randrange(0, len(data))]


def bitflip(data, rng):
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(b) * 8)
        b[i // 8] ^= 1 << (i % 8)
    return bytes(b)


def byteflip(data, rng):
    b = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def objects(f):
    """(groups, datasets, attributes) of f: paths and (path, attribute name)."""
    groups, dsets, attrs = ["/"], [], [("/", a) for a in f.attrs]
    def visit(name, obj):
        p = "/" + name
        (groups if isinstance(obj, h5py.Group) else dsets).append(p)
        attrs.extend((p, a) for a in obj.attrs if a not in ("DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME"))
    f.visititems(visit)
    return groups, dsets, attrs


VLEN = h5py.string_dtype("utf-8")


def attr_values(old, rng):
    """Replacements for an attribute whose value was old."""
    arr = np.asarray(old)
    num = arr.dtype.kind in "iuf"
    vals = [
        ("array", np.array([old, old, old]) if num else np.array(["a", "b", "c"], dtype=VLEN)),
        ("empty-array", np.zeros(0, dtype=arr.dtype if num else VLEN)),
        ("2d", np.zeros((2, 2))),
        ("empty-string", np.array("", dtype=VLEN)),
        ("number-string", np.array("12", dtype=VLEN)),
        ("huge-string", np.array("x" * 60000, dtype=VLEN)),
        ("fixed-bytes", np.bytes_(b"lhs")),
        ("bad-utf8", np.bytes_(b"\xff\xfe\x80")),
        ("int8", np.int8(-3)), ("uint8", np.uint8(200)), ("int16", np.int16(-1)),
        ("int64-neg", np.int64(-1)), ("uint64-huge", np.uint64(2**64 - 1)),
        ("int64-huge", np.int64(2**62)), ("float32", np.float32(1.5)),
        ("nan", np.float64("nan")), ("inf", np.float64("inf")), ("neg-float", np.float64(-7.25)),
        ("zero", np.int32(0)), ("big-int32", np.int32(2**31 - 1)),
        ("empty", h5py.Empty("f8")), ("compound", np.zeros(1, dtype=[("a", "i4"), ("b", "f8")])[0]),
        ("delete", None),
    ]
    return vals


def dset_values(d, rng):
    """Replacements for a dataset d (its value read first)."""
    old = d[()]
    arr = np.asarray(old)
    isstr = h5py.check_string_dtype(d.dtype) is not None
    n = arr.shape[0] if arr.ndim else 1
    out = [("delete", None), ("scalar", np.float64(1.0)), ("empty", np.zeros(0)),
           ("2d", np.zeros((2, max(n, 1)))), ("3d", np.zeros((1, 1, max(n, 1))))]
    if arr.ndim >= 1:
        out += [("shorter", arr[:-1]), ("longer", np.concatenate([arr, arr[:1]]) if n else arr),
                ("transposed", arr.T if arr.ndim == 2 else arr.reshape(1, -1))]
    if isstr:
        strs = [x.decode() if isinstance(x, bytes) else str(x) for x in np.ravel(arr)] or ["x"]
        out += [("floats", np.zeros(len(strs))),
                ("empty-name", np.array([""] + strs[1:], dtype=VLEN)),
                ("duplicate", np.array(strs[:1] * len(strs) + ([] if len(strs) > 1 else strs), dtype=VLEN)),
                ("slash", np.array(["a/b"] + strs[1:], dtype=VLEN)),
                ("dot", np.array(["."] + strs[1:], dtype=VLEN)),
                ("long", np.array(["y" * 100000] + strs[1:], dtype=VLEN)),
                ("fixed", np.array([s.encode() for s in strs], dtype="S")),
                ("bad-utf8", np.array([b"\xff\xfe"] * len(strs), dtype="S3")),
                ("scalar-string", np.array("x", dtype=VLEN))]
    else:
        shape = arr.shape
        out += [("nan", np.full(shape, np.nan)), ("neg", np.full(shape, -1, dtype="i8")),
                ("huge", np.full(shape, 2**63, dtype="u8")), ("inf", np.full(shape, np.inf)),
                ("strings", np.array(["1"] * max(n, 1), dtype=VLEN)),
                ("int8", arr.astype("i1")), ("float32", arr.astype("f4")),
                ("one-bigger", np.ones(shape) * 1e300)]
    return out


def crafted(path, rng, tmp):
    """Applies one crafted change to the file at path; returns its name."""
    with h5py.File(path, "r+", libver="latest") as f:
        groups, dsets, attrs = objects(f)
        kind = rng.choice(["attr"] * 4 + ["dset"] * 4 + ["group"] * 2)
        if kind == "attr" and attrs:
            p, a = rng.choice(attrs)
            obj = f[p]
            name, v = rng.choice(attr_values(obj.attrs[a], rng))
            del obj.attrs[a]
            if v is not None:
                obj.attrs[a] = v
            return f"attr {p}@{a}: {name}"
        if kind in ("attr", "dset") and dsets:
            p = rng.choice(dsets)
            d = f[p]
            name, v = rng.choice(dset_values(d, rng))
            keep = {k: d.attrs[k] for k in d.attrs if k in ("units", "description")}
            parent, base = f[os.path.dirname(p) or "/"], os.path.basename(p)
            del parent[base]
            if v is not None:
                parent[base] = v
                for k, x in keep.items():
                    parent[base].attrs[k] = x
            return f"dataset {p}: {name}"
        p = rng.choice(groups)
        g = f[p]
        what = rng.choice(["delete", "extra-group", "extra-dataset", "as-dataset", "soft-loop",
                           "dangling", "external", "empty"])
        base = os.path.basename(p)
        parent = f[os.path.dirname(p) or "/"]
        if p == "/" and what in ("delete", "as-dataset", "empty"):
            what = "extra-group"
        if what == "delete":
            del parent[base]
        elif what == "extra-group":
            g.create_group("zz_extra").attrs["samples"] = -5
        elif what == "extra-dataset":
            g["zz_extra"] = np.arange(7)
        elif what == "as-dataset":
            del parent[base]
            parent[base] = np.arange(3)
        elif what == "empty":
            for k in list(g.keys()):
                del g[k]
        elif what == "soft-loop":
            members = list(g.keys())
            victim = rng.choice(members) if members else "x"
            if victim in g:
                del g[victim]
            g[victim] = h5py.SoftLink(p)
        elif what == "dangling":
            members = list(g.keys())
            victim = rng.choice(members) if members else "x"
            if victim in g:
                del g[victim]
            g[victim] = h5py.SoftLink("/nowhere/at/all")
        else:
            members = list(g.keys())
            victim = rng.choice(members) if members else "x"
            if victim in g:
                del g[victim]
            g[victim] = h5py.ExternalLink(os.path.join(tmp, "base-run.h5"), "/runs")
        return f"group {p}: {what}"


# ---- systematic: every object the reader reads, once -------------------------

UNREAD_ATTRS = {("/runs/baseline/sensitivity/sobol", "evaluations"),
                ("/runs/baseline/sensitivity/sobol", "ignore_correlations"),
                ("/runs/baseline/sensitivity/sobol", "samples"),
                ("/runs/baseline/sensitivity/tornado", "samples")}


# The dimension scales written for xarray only (docs/results.md, "Opening
# in xarray"): copies of names the reader reads elsewhere, levels, and
# dimensions without data; `tyche show` reads none of them, nor the
# _Encoding attribute of the string datasets.
XARRAY_ONLY = {"outcome", "quantile", "query", "observation", "factor", "derived", "target", "bound",
               "bin", "sample", "group", "sum", "column"}


def xarray_only(p):
    parts = p.strip("/").split("/")
    if parts[0] == "sweeps":   # sweeps/NAME/outcome holds the columns' names: read
        return parts[-1] == "column"
    return parts[-1] in XARRAY_ONLY or (parts[-1] == "step" and "/time/state/" in p)


def systematic_cases(bases):
    """(base, kind, path, attribute or None, change number) for every
    attribute and dataset of the base files that `tyche show` reads."""
    cases = []
    for base in ("batch", "sens", "resume", "fixture"):
        if base not in bases:
            continue
        with h5py.File(bases[base], "r") as f:
            groups, dsets, attrs = objects(f)
            wanted = (lambda p: any(x in p for x in FIXTURE_ONLY)) if base == "fixture" else (lambda p: True)
            for n, (p, a) in enumerate(attrs):
                if a not in ("units", "description", "_Encoding") and (p, a) not in UNREAD_ATTRS and \
                        (wanted(p) or (base == "fixture" and a in FIXTURE_ONLY_ATTRS)):
                    cases.append((base, "attr", p, a, n))
            for n, p in enumerate(dsets):
                if "/resume/" not in p and wanted(p) and not xarray_only(p):   # resume/: checked by --resume
                    cases.append((base, "dset", p, None, n))
    return cases


def systematic_one(tyche, case, bases, tmp, i):
    """Changes one object so that it no longer fits: an attribute becomes
    an array, a value of the other type (a string for a number, a number
    for a string) or an empty array; a dataset loses an element, gains a
    dimension or becomes text. `tyche show` must exit 1 with one line naming
    the attribute, or the dataset's group."""
    base, kind, p, a, n = case
    path = os.path.join(tmp, f"systematic-{i}.h5")
    shutil.copyfile(bases[base], path)
    with h5py.File(path, "r+") as f:
        if kind == "attr":
            obj = f[p]
            old = obj.attrs[a]
            isnum = np.asarray(old).dtype.kind in "iuf"
            change = ["array", "other-type", "empty-array"][n % 3]
            v = {"array": np.array([old, old]) if isnum else np.array(["x", "y"], dtype=VLEN),
                 "other-type": np.array("12", dtype=VLEN) if isnum else np.float64(12),
                 "empty-array": np.zeros(0)}[change]
            del obj.attrs[a]
            obj.attrs[a] = v
            what, want = f"{base}: attribute {p}@{a} {change}", f"'{a}' of {p}"
        else:
            d = f[p]
            old = d[()]
            isstr = h5py.check_string_dtype(d.dtype) is not None
            arr = np.asarray(old)
            change = ["shorter", "rank", "other-type"][n % 3]
            if change == "shorter" and (arr.ndim == 0 or arr.shape[0] == 0):
                change = "rank"
            v = {"shorter": arr[:-1] if arr.ndim else arr,
                 "rank": np.zeros((1,) * (arr.ndim + 1)),
                 "other-type": np.zeros(arr.shape) if isstr else np.array(["x"] * arr.size, dtype=VLEN).reshape(arr.shape)}[change]
            parent, name = f[os.path.dirname(p)], os.path.basename(p)
            del parent[name]
            parent[name] = v
            what, want = f"{base}: dataset {p} {change}", os.path.dirname(p)
    why, info = check([tyche, "show", path], (1,))
    if not why and (want not in info or len(info.strip().splitlines()) != 1):
        why = f"message does not name {want!r} in one line"
    os.remove(path)
    return what, why, info


# ---- running ------------------------------------------------------------------

def check(cmd, allowed):
    """None when cmd behaved, else why not."""
    try:
        r = subprocess.run(cmd, env=env(), capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"timeout after {TIMEOUT} s", None
    err = r.stderr.decode("utf-8", "replace")
    if "Suppressions used:" in err:   # only libhdf5's own leaks (lsan_hdf5.supp) were found
        err = err[: err.index("Suppressions used:")]
        HDF5_LEAKS.append(1)
    for word in REPORTS:
        if word in err:
            return f"{word} report (exit {r.returncode})", err
    if r.returncode not in allowed:
        return f"exit {r.returncode}", err
    if r.returncode == 1 and not err.strip():
        return "exit 1 without a message", err
    return None, err if allowed == (1,) else r.returncode


def run_one(tyche, kind, i, seed, bases, tmp):
    rng = random.Random(f"{seed}:{kind}:{i}")
    base = rng.choice(sorted(bases))
    path = os.path.join(tmp, f"{kind}-{i}.h5")
    what = base
    if kind == "crafted":
        shutil.copyfile(bases[base], path)
        try:
            what += ", " + crafted(path, rng, tmp)
        except Exception as e:   # h5py refused the change: the file is still worth reading
            what += f", crafted change refused by h5py ({type(e).__name__})"
    else:
        with open(bases[base], "rb") as fh:
            data = fh.read()
        damaged = {"truncate": truncate, "bitflip": bitflip, "byteflip": byteflip}[kind](data, rng)
        with open(path, "wb") as fh:
            fh.write(damaged)
    results = []
    cmds = [([tyche, "show", path], (0, 1)), ([tyche, "show", path, "--json"], (0, 1))]
    if base == "resume":
        cmds.append(([tyche, "run", "--resume", path, "--quiet", "--threads", "1"], (0, 1, 2, 3)))
    for cmd, allowed in cmds:
        why, info = check(cmd, allowed)
        if why:
            results.append((why, " ".join(cmd[1:]), info))
        else:
            results.append((None, " ".join(cmd[1:]), info))
    return kind, i, base, what, path, results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tyche")
    ap.add_argument("--count", type=int, default=40, help="files per kind (default 40)")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--kinds", default="systematic,truncate,bitflip,byteflip,crafted")
    ap.add_argument("--keep", help="copy failing files into this folder")
    ap.add_argument("--fixture", help="tests/io/write_fixture: its file is damaged too")
    ap.add_argument("--base", help="damage the result files in this folder (base-*.h5) instead of new ones")
    a = ap.parse_args()
    tyche = os.path.abspath(a.tyche)
    tmp = tempfile.mkdtemp(prefix="tyche-fuzz-")
    try:
        if a.base:
            bases = {}
            for n in ("run", "resume", "batch", "sens", "fixture"):
                p = os.path.join(a.base, f"base-{n}.h5")
                if os.path.exists(p):
                    shutil.copyfile(p, os.path.join(tmp, f"base-{n}.h5"))
                    bases[n] = os.path.join(tmp, f"base-{n}.h5")
        else:
            bases = make_bases(tyche, tmp, a.fixture and os.path.abspath(a.fixture))
        kinds = a.kinds.split(",")
        failures = []
        if "systematic" in kinds:
            kinds.remove("systematic")
            cases = systematic_cases(bases)
            with cf.ThreadPoolExecutor(a.jobs) as ex:
                done = list(ex.map(lambda x: systematic_one(tyche, x[1], bases, tmp, x[0]), enumerate(cases)))
            for what, why, info in done:
                if why:
                    failures.append(("systematic", 0, what, "show", why, info))
            print(f"systematic: {len(cases)} files (each attribute and dataset that show reads, changed "
                  f"once), {sum(1 for d in done if d[1])} failed")
        tally = {k: {"files": 0, "runs": 0, "failed": 0, "codes": {}} for k in kinds}
        with cf.ThreadPoolExecutor(a.jobs) as ex:
            # Crafted files aim at the reader's checks one object at a time,
            # so they get three times the count of the blind kinds.
            futs = [ex.submit(run_one, tyche, k, i, a.seed, bases, tmp)
                    for k in kinds for i in range(a.count * (3 if k == "crafted" else 1))]
            for fu in cf.as_completed(futs):
                kind, i, base, what, path, results = fu.result()
                t = tally[kind]
                t["files"] += 1
                bad = False
                for why, cmd, info in results:
                    t["runs"] += 1
                    if why:
                        bad = True
                        failures.append((kind, i, what, cmd, why, info))
                    else:
                        t["codes"][info] = t["codes"].get(info, 0) + 1
                if bad:
                    t["failed"] += 1
                    if a.keep:
                        os.makedirs(a.keep, exist_ok=True)
                        shutil.copyfile(path, os.path.join(a.keep, f"{kind}-{i}.h5"))
                if os.path.exists(path):
                    os.remove(path)
        for kind, i, what, cmd, why, info in sorted(failures, key=lambda x: (x[0], x[1])):
            print(f"FAIL {kind} #{i} ({what}): {cmd}: {why}")
            if info:
                print("    " + "\n    ".join(info.strip().splitlines()[:12]))
        for k in kinds:
            t = tally[k]
            codes = ", ".join(f"exit {c}: {n}" for c, n in sorted(t["codes"].items()))
            print(f"{k}: {t['files']} files, {t['runs']} commands, {t['failed']} files failed ({codes})")
        if HDF5_LEAKS:
            print(f"{len(HDF5_LEAKS)} commands leaked inside libhdf5 only (suppressed: lsan_hdf5.supp)")
        print(f"seed {a.seed}: {sum(t['failed'] for t in tally.values())} of "
              f"{sum(t['files'] for t in tally.values())} files failed")
        return 1 if failures else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
