#!/usr/bin/python3
"""xarray_check.py TYCHE [--fixture WRITE_FIXTURE] [--keep DIR] - every group
of a result file opens in xarray with named dimensions (docs/results.md,
"Opening in xarray").

Writes, with TYCHE and small runs, (a) a plain run, (b) a batch with sweeps,
(c) a sensitivity result, (d) a run with observations and queries, (e) a
time scenario and (f) a run with --save-samples (and, with --fixture, the
io fixture: an interrupted file, with resume/ groups), walks each file's
groups with h5py and opens every group that holds datasets with
xarray.open_dataset(path, group=..., engine="h5netcdf"). Each must open (a
dataset without dimension scales does not, without phony_dims), no
dimension may be a phony_dim_N (also asked with phony_dims="access"),
every dataset of the group is a variable with the dimension names of the
scales attached to it, the coordinates hold the names the file keeps
(outcomes/name, factors/name, time/step, ...), and sampled values of every
variable equal h5py's. Exit 0 when all hold, 1 with the problems.
Needs Debian's python3-xarray, python3-h5netcdf and python3-h5py (scripts/deps)."""
import os
import subprocess
import sys
import tempfile

try:
    import h5py
    import numpy as np
    import xarray as xr
    import h5netcdf  # noqa: F401  (the engine xarray is asked for)
except ImportError as e:
    print(f"xarray_check: {e} (scripts/deps installs python3-xarray, python3-h5netcdf, python3-h5py)")
    sys.exit(1)

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(HERE, "..", "..", "scenarios")
NOT_A_VARIABLE = b"This is a netCDF dimension but not a netCDF variable."

problems = []
seen_kinds = set()


def bad(msg):
    problems.append(msg)


def strs(d):
    """A string dataset's values as a list of str."""
    return [x.decode("utf-8") if isinstance(x, bytes) else str(x) for x in np.ravel(d[()])]


def is_bare_dim(d):
    """A dimension without coordinates (netCDF's 'not a variable')."""
    return NOT_A_VARIABLE in bytes(d.attrs.get("NAME", b""))


def scale_names(d):
    """The dimension names a netCDF reader gives d: the link name of the
    last scale attached to each dimension; a scale's own dimension is
    itself (a coordinate variable)."""
    if h5py.h5ds.is_scale(d.id):
        return [d.name.split("/")[-1]]
    out = []
    for dim in d.dims:
        out.append(dim[len(dim) - 1].name.split("/")[-1] if len(dim) else None)
    return out


def kind_of(path):
    """The group's kind, for the coordinate rules below: runs/V/outcomes ->
    'outcomes', runs/V/time/state/S -> 'state', sweeps/S -> 'sweep'."""
    parts = path.strip("/").split("/")
    if parts[0] == "sweeps":
        return "sweep_resume" if parts[-1] == "resume" else "sweep"
    if parts[0] == "scenario":
        return "scenario"
    rest = parts[2:]
    if not rest:
        return "run"
    if rest[0] in ("histograms", "histograms_prior"):
        return "histogram"
    if rest[0] == "time" and len(rest) > 1:
        return "state"
    if rest[-1] == "difference":
        return "query_difference" if rest[0] == "queries" else "difference"
    if rest[0] == "sensitivity":
        return "sensitivity" if len(rest) == 1 else rest[1]
    return rest[0]


# Per kind: coordinate -> where its values come from (a dataset relative to
# the group, or an absolute one under the run: "RUN/outcomes/name"), and the
# dimensions some datasets must have.
COORDS = {
    "outcomes": {"outcome": "name"},
    "outcomes_prior": {"outcome": "name"},
    "factors": {"factor": "name"}, "factors_prior": {"factor": "name"},
    "derived": {"derived": "name"}, "derived_prior": {"derived": "name"},
    "queries": {"query": "name"},
    "query_difference": {"query": "RUN/queries/name"},
    "observations": {"observation": "name", "warnings": "warnings"},
    "convergence": {"outcome": "RUN/outcomes/name", "samples": "samples"},
    "time": {"outcome": "RUN/outcomes/name", "step": "step"},
    "state": {"step": "RUN/time/step"},
    "difference": {"outcome": "RUN/outcomes/name"},
    "histogram": {"edges": "edges"},
    "sensitivity": {"target": "targets", "factor": "factors"},
    "tornado": {"target": "RUN/sensitivity/targets", "factor": "RUN/sensitivity/factors"},
    "sobol": {"target": "RUN/sensitivity/targets", "factor": "RUN/sensitivity/factors"},
    "sweep": {"values": "values"},
    "resume": {},
    "sweep_resume": {},
    "samples": {},
    "run": {},
    "scenario": {},
}
DIMS = {
    "outcomes": {"probability": ("outcome",), "spread": ("outcome", "quantile"), "name": ("outcome",)},
    "outcomes_prior": {"probability": ("outcome",)},
    "factors": {"mean": ("factor",), "dist": ("factor",)},
    "derived": {"p50": ("derived",)},
    "queries": {"value": ("query",), "quantiles": ("query", "quantile")},
    "query_difference": {"diff": ("query",)},
    "observations": {"value": ("observation",), "warnings": ("warnings",)},
    "convergence": {"probability": ("samples", "outcome"), "halfwidth": ("samples", "outcome")},
    "time": {"cumulative": ("step", "outcome"), "ci_high": ("step", "outcome")},
    "state": {"mean": ("step",), "p95": ("step",)},
    "difference": {"diff": ("outcome",), "unpaired_stderr": ("outcome",)},
    "histogram": {"counts": ("bin",), "edges": ("edges",)},
    "sensitivity": {"spearman": ("target", "factor"), "targets": ("target",), "factors": ("factor",)},
    "tornado": {"low": ("target", "factor"), "baseline": ("target",), "value_low": ("factor",)},
    "sobol": {"first": ("target", "factor"), "total_ci": ("target", "factor", "bound")},
    "sweep": {"probability": ("values", "outcome"), "ci_low": ("values", "outcome")},
    "resume": {"group_sums": ("group", "outcome"), "query_group_sums": ("group", "query", "sum")},
}


def same_values(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        return bool(np.array_equal(a.astype(float), b.astype(float), equal_nan=True))
    return bool(np.array_equal(a, b))


def sample_index(shape):
    """A few positions of an array of shape: first, middle, last."""
    if not shape:
        return [()]
    picks = []
    for frac in (0, 0.5, 1):
        picks.append(tuple(min(int(frac * (n - 1)), n - 1) if n else 0 for n in shape))
    return [p for p in dict.fromkeys(picks) if all(n > 0 for n in shape)]


def check_group(path, f, gpath):
    g = f[gpath]
    kind = kind_of(gpath)
    seen_kinds.add(kind)
    where = f"{os.path.basename(path)}:{gpath}"
    try:
        ds = xr.open_dataset(path, group=gpath, engine="h5netcdf")
    except Exception as e:   # noqa: BLE001 (any failure to open is the finding)
        bad(f"{where}: xarray cannot open it: {type(e).__name__}: {e}")
        return
    with ds:
        for d in ds.dims:
            if str(d).startswith("phony_dim"):
                bad(f"{where}: phony dimension {d}")
        with xr.open_dataset(path, group=gpath, engine="h5netcdf", phony_dims="access") as dp:
            for d in dp.dims:
                if str(d).startswith("phony_dim"):
                    bad(f"{where}: phony dimension {d} (phony_dims='access')")
        run = "/".join(gpath.strip("/").split("/")[:2])
        for name, d in g.items():
            if not isinstance(d, h5py.Dataset) or is_bare_dim(d):
                continue
            if name not in ds.variables:
                bad(f"{where}/{name}: not a variable in xarray")
                continue
            v = ds.variables[name]
            want = scale_names(d)
            if None in want:
                bad(f"{where}/{name}: dimension {want.index(None)} has no dimension scale")
            if tuple(v.dims) != tuple(want):
                bad(f"{where}/{name}: xarray dims {v.dims}, the scales say {tuple(want)}")
            exp = DIMS.get(kind, {}).get(name)
            if exp and tuple(v.dims) != exp:
                bad(f"{where}/{name}: dims {v.dims}, expected {exp}")
            # sampled values equal h5py's
            raw = d[()]
            for ix in sample_index(d.shape):
                a, b = np.asarray(v.values)[ix], np.asarray(raw)[ix]
                if h5py.check_string_dtype(d.dtype):
                    b = b.decode("utf-8") if isinstance(b, bytes) else b
                    if not isinstance(a, str):
                        bad(f"{where}/{name}: xarray gives {type(a).__name__}, not str")
                    elif a != b:
                        bad(f"{where}/{name}{list(ix)}: xarray {a!r}, h5py {b!r}")
                elif not same_values(a, b):
                    bad(f"{where}/{name}{list(ix)}: xarray {a!r}, h5py {b!r}")
        for coord, src in COORDS[kind].items():
            if coord == "warnings" and "warnings" not in g:
                continue
            if coord not in ds.coords:
                bad(f"{where}: no coordinate {coord} (coordinates: {list(ds.coords)})")
                continue
            sp = src.replace("RUN", "/" + run) if src.startswith("RUN") else gpath + "/" + src
            if sp not in f:
                bad(f"{where}: the coordinate {coord}'s source {sp} is missing")
                continue
            s = f[sp]
            want = strs(s) if h5py.check_string_dtype(s.dtype) else s[()]
            got = ds.coords[coord].values
            if h5py.check_string_dtype(s.dtype):
                if [str(x) for x in got] != want:
                    bad(f"{where}: coordinate {coord} = {list(got)}, the file says {want}")
            elif not same_values(got, want):
                bad(f"{where}: coordinate {coord} = {got}, {sp} = {want}")
        if kind in ("outcomes", "queries"):
            q = g["spread" if kind == "outcomes" else "quantiles"] if (
                "spread" in g or kind == "queries") else None
            if q is not None and not same_values(ds.coords["quantile"].values, q.attrs["levels"]):
                bad(f"{where}: quantile {ds.coords['quantile'].values}, levels {q.attrs['levels']}")
        if kind == "sobol" and [str(x) for x in ds.coords["bound"].values] != ["low", "high"]:
            bad(f"{where}: bound {ds.coords['bound'].values}")
        if kind == "samples":   # as long as the run's dimension sample (and, in tyche's files, samples)
            n = f["/" + run + "/sample"].shape[0] if "sample" in f["/" + run] else -1
            if os.path.basename(path) != "fixture.h5" and n != int(f["/" + run].attrs["samples"]):
                bad(f"{where}: dimension sample of {n}, the run has {f['/' + run].attrs['samples']} samples")
            for name, v in ds.data_vars.items():
                if v.dims != ("sample",) or v.shape != (n,):
                    bad(f"{where}/{name}: dims {v.dims} shape {v.shape}, expected ('sample',) ({n},)")


def check_file(path):
    with h5py.File(path, "r") as f:
        groups = ["/"]
        f.visititems(lambda n, o: groups.append("/" + n) if isinstance(o, h5py.Group) else None)
        opened = 0
        for gpath in groups:
            if any(isinstance(o, h5py.Dataset) for o in f[gpath].values()):
                check_group(path, f, gpath)
                opened += 1
        if opened == 0:
            bad(f"{path}: no group with datasets")


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        bad(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
        return False
    return True


def main(argv):
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    tyche, fixture, keep = argv[0], None, None
    rest = argv[1:]
    while rest:
        opt = rest.pop(0)
        if opt == "--fixture" and rest:
            fixture = rest.pop(0)
        elif opt == "--keep" and rest:
            keep = rest.pop(0)
        else:
            print(__doc__, file=sys.stderr)
            return 2
    sc = lambda name: os.path.join(SCENARIOS, name)
    with tempfile.TemporaryDirectory() as tmp:
        out = keep or tmp
        os.makedirs(out, exist_ok=True)
        o = lambda name: os.path.join(out, name)
        cases = [
            ("plain.h5", [tyche, "run", sc("ukraine-2014.yaml"), "-n", "20000"]),
            ("batch.h5", [tyche, "batch", sc("ukraine-2014-policy.yaml"), "-n", "20000"]),
            ("sensitivity.h5", [tyche, "sensitivity", sc("ukraine-2014.yaml"), "-n", "2000",
                                "--ignore-correlations"]),
            ("observations.h5", [tyche, "run", sc("ukraine-2014-update.yaml"), "-n", "20000"]),
            ("time.h5", [tyche, "run", sc("ukraine-2014-time.yaml"), "-n", "20000"]),
            ("samples.h5", [tyche, "run", sc("ukraine-2014.yaml"), "-n", "20000", "--save-samples"]),
        ]
        files = []
        for name, cmd in cases:
            if run(cmd + ["-o", o(name)]):
                files.append(o(name))
        if fixture and run([fixture, o("fixture.h5")]):
            files.append(o("fixture.h5"))
        for p in files:
            check_file(p)
    want = {"outcomes", "outcomes_prior", "factors", "factors_prior", "derived", "derived_prior",
            "queries", "observations", "convergence", "time", "state", "difference", "histogram",
            "sensitivity", "tornado", "sobol", "sweep", "samples", "scenario", "run"}
    if fixture:
        want |= {"resume", "query_difference"}
    for k in sorted(want - seen_kinds):
        bad(f"no group of kind {k} was checked")
    for p in problems:
        print(p)
    print(f"xarray_check: {len(files)} files, {len(seen_kinds)} kinds of group: "
          f"{'ok' if not problems else str(len(problems)) + ' problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
