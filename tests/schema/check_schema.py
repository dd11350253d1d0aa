#!/usr/bin/python3
"""check_schema.py RESULT.h5 - checks a tyche result file against docs/results.md
with h5py: every group, dataset and attribute that applies, their
shapes and dtypes, UTF-8 strings (fixed-length and NUL-terminated in format
version 2, variable-length in version 1), units/description attributes, and
the dimension scales of convergence/ and sweeps/. Exit 0 when it conforms, 1
with a list of problems (also when h5py is missing: scripts/deps installs it)."""
import sys

try:
    import h5py
    import numpy as np
except ImportError:
    print("h5py is not installed (Debian's python3-h5py; scripts/deps installs it)")
    sys.exit(1)

problems = []
VERSION = 2   # the file's format_version, read first in main()


def bad(msg):
    problems.append(msg)


def is_utf8_str(dt, tid=None):
    """A UTF-8 string type of the file's version: fixed-length and
    NUL-terminated (tid: the HDF5 type, to check the padding) in version 2,
    variable-length in version 1."""
    info = h5py.check_string_dtype(dt)
    if info is None or info.encoding != "utf-8":
        return False
    if VERSION == 1:
        return info.length is None
    return info.length is not None and (tid is None or tid.get_strpad() == h5py.h5t.STR_NULLTERM)


def text(v):
    """A string attribute's value as str (h5py gives bytes for fixed-length)."""
    return v.decode("utf-8") if isinstance(v, bytes) else v


def sattr(obj, name, default=None):
    return text(obj.attrs.get(name, default))


def attr(obj, name, kind):
    if name not in obj.attrs:
        bad(f"{obj.name}: missing attribute {name}")
        return None
    a = obj.attrs.get_id(name)
    dt, shape = a.dtype, a.shape
    if shape not in ((), None):
        bad(f"{obj.name}@{name}: not scalar (shape {shape})")
    if kind == "str" and not is_utf8_str(dt, a.get_type()):
        bad(f"{obj.name}@{name}: not a UTF-8 string of format version {VERSION} ({dt})")
    elif kind in ("i", "u", "f") and dt.kind != kind:
        bad(f"{obj.name}@{name}: dtype {dt}, expected kind {kind}")
    return text(obj.attrs[name])


def dataset(group, name, kind, shape):
    if name not in group:
        bad(f"{group.name}/{name}: missing dataset")
        return None
    d = group[name]
    if not isinstance(d, h5py.Dataset):
        bad(f"{d.name}: not a dataset")
        return None
    if kind == "str":
        if not is_utf8_str(d.dtype, d.id.get_type()):
            bad(f"{d.name}: not UTF-8 strings of format version {VERSION} ({d.dtype})")
    elif d.dtype.kind != kind or d.dtype.itemsize != 8:
        bad(f"{d.name}: dtype {d.dtype}, expected 8-byte kind {kind}")
    if shape is not None and d.shape != tuple(shape):
        bad(f"{d.name}: shape {d.shape}, expected {tuple(shape)}")
    if "units" not in d.attrs and "description" not in d.attrs:
        bad(f"{d.name}: neither a units nor a description attribute")
    for a in ("units", "description"):
        if a in d.attrs and not is_utf8_str(d.attrs.get_id(a).dtype, d.attrs.get_id(a).get_type()):
            bad(f"{d.name}@{a}: not a UTF-8 string")
    return d


def group(parent, name):
    if name not in parent or not isinstance(parent[name], h5py.Group):
        bad(f"{parent.name}/{name}: missing group".replace("//", "/"))
        return None
    return parent[name]


def check_scale(axis, datasets, dim=0):
    if axis is None:
        return
    if not h5py.h5ds.is_scale(axis.id):
        bad(f"{axis.name}: not a dimension scale")
    for d in datasets:
        if d is not None and not h5py.h5ds.is_attached(d.id, axis.id, dim):
            bad(f"{d.name}: dimension {dim} has no scale {axis.name}")


def check_series(run, name, want=None):
    """factors/ or derived/ (or factors_prior/, derived_prior/, whose names
    must be want, the posterior's); returns the names."""
    g = group(run, name)
    if g is None:
        return []
    names = dataset(g, "name", "str", None if want is None else (len(want),))
    n = names.shape[0] if names is not None and len(names.shape) == 1 else 0
    if want is not None and names is not None and [text(x) for x in names[()]] != list(want):
        bad(f"{names.name}: {[text(x) for x in names[()]]}, expected the run's {list(want)}")
    for col in ("unit", "label") + (("dist",) if name.startswith("factors") else ()):
        dataset(g, col, "str", (n,))
    for col in ("mean", "sd", "p05", "p50", "p95"):
        dataset(g, col, "f", (n,))
    return [s.decode() if isinstance(s, bytes) else s for s in (names[()] if names is not None else [])]


def check_run(run, file_complete):
    for a, kind in (("seed", "u"), ("samples", "u"), ("samples_requested", "u"), ("block_size", "u"),
                    ("threads", "i"), ("ranks", "i"), ("wall_seconds", "f"), ("complete", "i"),
                    ("stopped_early", "i"), ("sampling", "str"), ("label", "str"),
                    ("target_halfwidth", "f"), ("target_reached", "i"), ("max_halfwidth", "f")):
        attr(run, a, kind)
    sampling = sattr(run, "sampling")
    if sampling not in ("random", "lhs"):
        bad(f"{run.name}@sampling: {sampling!r} is not random or lhs")
    o = group(run, "outcomes")
    k = 0
    if o is not None:
        names = dataset(o, "name", "str", None)
        k = names.shape[0] if names is not None else 0
        dataset(o, "label", "str", (k,))
        for col in ("probability", "stderr", "ci_low", "ci_high"):
            dataset(o, col, "f", (k,))
        p = o.get("probability")
        if p is not None and sattr(p, "units") != "1":
            bad(f"{p.name}@units: {sattr(p, 'units')!r}, expected '1'")
        if "spread" in o:   # absent from files of an older tyche
            d = dataset(o, "spread", "f", (k, 3))
            if d is not None:
                check_levels(d, [0.05, 0.5, 0.95])
                if sattr(d, "units") != "1":
                    bad(f"{d.name}@units: {sattr(d, 'units')!r}, expected '1'")
    nq = check_queries(run["queries"]) if "queries" in run else 0
    if "difference" in run:   # batch variants paired with the baseline
        g = run["difference"]
        for col in ("diff", "stderr", "ci_low", "ci_high", "unpaired_stderr"):
            d = dataset(g, col, "f", (k,))
            if d is not None and sattr(d, "units") != "1":
                bad(f"{d.name}@units: {sattr(d, 'units')!r}, expected '1'")
        lo, hi, df = g.get("ci_low"), g.get("ci_high"), g.get("diff")
        if lo is not None and hi is not None and df is not None and lo.shape == hi.shape == df.shape:
            if not all(a <= b <= c for a, b, c in zip(lo[()], df[()], hi[()])):
                bad(f"{g.name}: diff outside its own interval")
    if "time" in run:   # time scenarios only
        check_time(run["time"], k)
    factors, derived = check_series(run, "factors"), check_series(run, "derived")
    series = factors + derived
    nobs = check_observations(run["observations"], series) if "observations" in run else 0
    prior = ("outcomes_prior", "factors_prior", "derived_prior", "histograms_prior")
    if nobs:
        op = group(run, "outcomes_prior")
        if op is not None:
            names = dataset(op, "name", "str", (k,))
            if names is not None and o is not None and "name" in o and \
                    [text(x) for x in names[()]] != [text(x) for x in o["name"][()]]:
                bad(f"{names.name}: not the names of outcomes/name")
            for col in ("probability", "stderr", "ci_low", "ci_high"):
                d = dataset(op, col, "f", (k,))
                if d is not None and sattr(d, "units") != "1":
                    bad(f"{d.name}@units: {sattr(d, 'units')!r}, expected '1'")
        check_series(run, "factors_prior", factors)
        check_series(run, "derived_prior", derived)
        hp = group(run, "histograms_prior")
        if hp is not None:
            check_histograms(hp, series, False)
            if hp.attrs.get("weighted", 0) != 0:
                bad(f"{hp.name}@weighted: the prior's counts are not weighted")
    else:
        for name in prior:
            if name in run:
                bad(f"{run.name}/{name}: present in a run without observations")
    c = group(run, "convergence")
    if c is not None:
        s = dataset(c, "samples", "u", None)
        m = s.shape[0] if s is not None else 0
        p = dataset(c, "probability", "f", (m, k))
        h = dataset(c, "halfwidth", "f", (m, k))
        check_scale(s, [p, h])
    hg = group(run, "histograms")
    if hg is not None:
        # A run with observations has weighted counts: weighted = 1.
        weighted = 0
        if "weighted" in hg.attrs:
            weighted = attr(hg, "weighted", "i")
            if weighted not in (0, 1):
                bad(f"{hg.name}@weighted: {weighted}, not 0 or 1")
        if weighted != (1 if nobs else 0):
            bad(f"{hg.name}@weighted: {weighted}, expected {1 if nobs else 0} in a run "
                f"{'with' if nobs else 'without'} observations")
        check_histograms(hg, series, weighted == 1)
    if "samples" in run:
        sg = run["samples"]
        sizes = set()
        for name in sg:
            d = dataset(sg, name, "f", None)
            if d is None:
                continue
            sizes.add(d.shape)
            # Compression is optional (--compress LEVEL): deflate costs far
            # more time than it saves space on random doubles.
            if d.chunks is None or d.maxshape != (None,):
                bad(f"{d.name}: not chunked and extendible")
            weighted = "observations" in run
            if name == "log_weight" and not weighted:
                bad(f"{d.name}: log-weights in a run without observations")
            elif name != "log_weight" and name not in series and name not in [
                    x.decode() if isinstance(x, bytes) else x for x in o["name"][()]]:
                bad(f"{d.name}: not a factor, derived value or outcome")
        if len(sizes) > 1:
            bad(f"{sg.name}: columns of different lengths {sizes}")
    if "sensitivity" in run:
        check_sensitivity(run["sensitivity"], k, series)
    # resume/: an incomplete run's state; in a file that is not complete,
    # any run's paired-difference groups as well (a resumed batch pairs
    # its variants with them). None in a complete file.
    complete = run.attrs.get("complete")
    if complete == 0 or (not file_complete and "resume" in run):
        r = group(run, "resume")
        if r is not None:
            if complete == 0:
                attr(r, "blocks_done", "u")
                dataset(r, "real", "f", None)
                dataset(r, "count", "u", None)
            elif any(n in r or n in r.attrs for n in ("blocks_done", "real", "count")):
                bad(f"{r.name}: the state of an incomplete run in a complete run")
            if "group_sums" in r or "group_units" in r.attrs or "group_weights" in r:
                attr(r, "group_units", "u")
                w = dataset(r, "group_weights", "f", None)
                g = w.shape[0] if w is not None else 0
                dataset(r, "group_sums", "f", (g, k))
                if nq:
                    dataset(r, "query_group_sums", "f", (g, nq, 2))
            if "query_group_sums" in r and not nq:
                bad(f"{r.name}/query_group_sums: in a run without queries")
    elif "resume" in run:
        bad(f"{run.name}/resume: present in a complete run of a complete file")


def check_time(g, k):
    """time/: step (R, uint64, a dimension scale, increasing, the last the
    steps attribute); cumulative, ci_low, ci_high (R, K) holding each other
    and summing to 1 by row; state/<name>/{mean, p05, p50, p95,
    mean_running} (R); attributes steps, unit, percentile_samples."""
    steps = attr(g, "steps", "u")
    attr(g, "unit", "str")
    attr(g, "percentile_samples", "u")
    st = dataset(g, "step", "u", None)
    r = st.shape[0] if st is not None and len(st.shape) == 1 else 0
    if st is not None:
        v = st[()]
        if r == 0 or any(b <= a for a, b in zip(v, v[1:])) or (steps is not None and int(v[-1]) != int(steps)):
            bad(f"{st.name}: not increasing to the {steps} steps")
    ds = [dataset(g, c, "f", (r, k)) for c in ("cumulative", "ci_low", "ci_high")]
    check_scale(st, ds)
    if all(d is not None for d in ds):
        c, lo, hi = (d[()] for d in ds)
        if c.shape == (r, k) and r:
            for i in range(r):
                if abs(sum(c[i]) - 1) > 1e-9:
                    bad(f"{ds[0].name}: row {i} sums to {sum(c[i])}, not 1")
                    break
            if not all(lo[i][j] <= c[i][j] <= hi[i][j] for i in range(r) for j in range(k)):
                bad(f"{ds[0].name}: an estimate outside its interval")
    sg = group(g, "state")
    for name in (sg if sg is not None else []):
        for col in ("mean", "p05", "p50", "p95", "mean_running", "p05_running", "p50_running", "p95_running"):
            dataset(sg[name], col, "f", (r,))


def check_histograms(hg, series, weighted):
    """histograms/ or histograms_prior/: NAME/edges, counts (and underflow,
    overflow) for factors and derived values; weighted counts' units are
    'weighted samples'."""
    units = "weighted samples" if weighted else "samples"
    for name in hg:
        if name not in series:
            bad(f"{hg.name}/{name}: no factor or derived value of that name")
        h = hg[name]
        e = dataset(h, "edges", "f", None)
        cnt = dataset(h, "counts", "u", None)
        if e is not None and cnt is not None and e.shape[0] != cnt.shape[0] + 1:
            bad(f"{h.name}: {e.shape[0]} edges for {cnt.shape[0]} bins")
        if e is not None and e.shape[0] > 1 and not np.all(np.diff(e[()]) > 0):
            bad(f"{e.name}: not increasing")
        if cnt is not None and sattr(cnt, "units") != units:
            bad(f"{cnt.name}@units: {sattr(cnt, 'units')!r}, expected {units!r}")
        # The values below and above the edges, counted apart from the
        # bins (format version 1 files of an older tyche lack both).
        if ("underflow" in h) != ("overflow" in h):
            bad(f"{h.name}: underflow and overflow must come together")
        for col in ("underflow", "overflow"):
            if col in h:
                d = dataset(h, col, "u", ())
                if d is not None and sattr(d, "units") != units:
                    bad(f"{d.name}@units: {sattr(d, 'units')!r}, expected {units!r}")


def check_observations(g, series):
    """observations/: name, kind, of, expr, label (str, O), value, held
    (float64, O), warnings (str, W, may be absent); attributes ess,
    ess_fraction, acceptance, log_evidence, pareto_k (float64). Returns O."""
    for a in ("ess", "ess_fraction", "acceptance", "log_evidence", "pareto_k"):
        attr(g, a, "f")
    for a in ("ess", "ess_fraction"):
        v = g.attrs.get(a)
        if v is not None and np.asarray(v).dtype.kind == "f" and v < 0:
            bad(f"{g.name}@{a}: {v}, negative")
    acc = g.attrs.get("acceptance")
    if acc is not None and np.asarray(acc).dtype.kind == "f" and not (np.isnan(acc) or 0 <= acc <= 1):
        bad(f"{g.name}@acceptance: {acc}, not within [0, 1]")
    names = dataset(g, "name", "str", None)
    n = names.shape[0] if names is not None and len(names.shape) == 1 else 0
    if n == 0:
        bad(f"{g.name}: present without observations")
    for col in ("kind", "of", "expr", "label"):
        dataset(g, col, "str", (n,))
    value = dataset(g, "value", "f", (n,))
    held = dataset(g, "held", "f", (n,))
    if held is not None and sattr(held, "units") != "1":
        bad(f"{held.name}@units: {sattr(held, 'units')!r}, expected '1'")
    if "warnings" in g:
        w = dataset(g, "warnings", "str", None)
        if w is not None and len(w.shape) != 1:
            bad(f"{w.name}: shape {w.shape}, expected 1-D")
    if any(c not in g for c in ("kind", "of", "expr", "value", "held")) or value is None or held is None:
        return n
    kinds = [text(x) for x in g["kind"][()]]
    ofs = [text(x) for x in g["of"][()]]
    exprs = [text(x) for x in g["expr"][()]]
    if not (len(kinds) == len(ofs) == len(exprs) == n and value.shape == held.shape == (n,)):
        return n
    v, h = value[()], held[()]
    for i, kd in enumerate(kinds):
        where = f"{g.name}: entry {i + 1}"
        if kd not in ("reading", "when", "loglik"):
            bad(f"{g.name}/kind: entry {i + 1}, {kd!r}, is not reading, when or loglik")
        if kd == "reading":
            if ofs[i] not in series:
                bad(f"{where}: a reading of {ofs[i]!r}, not a factor or derived value")
            if not np.isfinite(v[i]):
                bad(f"{where}: a reading whose value is {v[i]}")
        else:
            if ofs[i]:
                bad(f"{where}: a {kd} with of = {ofs[i]!r}")
            if not exprs[i]:
                bad(f"{where}: a {kd} without its expression")
            if not np.isnan(v[i]):
                bad(f"{where}: a {kd} with a value ({v[i]}), not NaN")
        if kd == "when":
            if not (0 <= h[i] <= 1):
                bad(f"{where}: a when held in a share {h[i]}, not within [0, 1]")
        elif not np.isnan(h[i]):
            bad(f"{where}: a {kd} with held = {h[i]}, not NaN")
    return n


def check_levels(d, want):
    """The attribute levels of d: the float64 levels of its last dimension."""
    if "levels" not in d.attrs:
        bad(f"{d.name}: missing attribute levels")
        return
    v = np.asarray(d.attrs["levels"])
    if v.dtype.kind != "f" or v.shape != (len(want),) or list(v) != want:
        bad(f"{d.name}@levels: {v!r}, expected {want}")


def check_queries(g):
    """queries/: name, label, kind, expr, given (str, Q); value, stderr,
    ci_low, ci_high, given_share (float64, Q); quantiles (Q x 5) with its
    levels (NaN rows for probability and mean queries); difference/ (Q)
    when present. Returns Q."""
    names = dataset(g, "name", "str", None)
    q = names.shape[0] if names is not None and len(names.shape) == 1 else 0
    if q == 0:
        bad(f"{g.name}: present without queries")
    for col in ("label", "kind", "expr", "given"):
        dataset(g, col, "str", (q,))
    for col in ("value", "stderr", "ci_low", "ci_high", "given_share"):
        dataset(g, col, "f", (q,))
    d = dataset(g, "quantiles", "f", (q, 5))
    if d is not None:
        check_levels(d, [0.05, 0.25, 0.5, 0.75, 0.95])
    if "kind" in g:
        kinds = [text(x) for x in g["kind"][()]]
        for i, kd in enumerate(kinds):
            if kd not in ("probability", "mean", "quantiles"):
                bad(f"{g.name}/kind: entry {i + 1}, {kd!r}, is not probability, mean or quantiles")
        if d is not None and d.shape == (q, 5) and len(kinds) == q:
            v = d[()]
            for i, kd in enumerate(kinds):
                if kd != "quantiles" and not np.all(np.isnan(v[i])):
                    bad(f"{d.name}: row {i + 1} of a {kd} query is not NaN")
    if "difference" in g:
        for col in ("diff", "stderr", "ci_low", "ci_high", "unpaired_stderr"):
            dataset(g["difference"], col, "f", (q,))
    return q


def check_sensitivity(g, k, series):
    """sensitivity/: targets[T] (the K outcomes, then derived values),
    factors[F], tornado/, spearman[T,F], sobol/ for the methods run."""
    method = attr(g, "method", "str")
    for a, kind in (("samples", "u"), ("seed", "u"), ("ignore_correlations", "i"), ("outcome_targets", "u")):
        attr(g, a, kind)
    t = dataset(g, "targets", "str", None)
    f = dataset(g, "factors", "str", None)
    T = t.shape[0] if t is not None else 0
    F = f.shape[0] if f is not None else 0
    if g.attrs.get("outcome_targets") != k:
        bad(f"{g.name}@outcome_targets: {g.attrs.get('outcome_targets')}, expected {k} (the outcomes)")
    if t is not None:
        for name in [x.decode() if isinstance(x, bytes) else x for x in t[()]][k:]:
            if name not in series:
                bad(f"{t.name}: target {name!r} is not a derived value")
    methods = set((method or "").split(","))
    if not methods <= {"tornado", "spearman", "sobol"} or not method:
        bad(f"{g.name}@method: {method!r} is not a list of tornado, spearman, sobol")
    for m in ("tornado", "spearman", "sobol"):
        if (m in g) != (m in methods):
            bad(f"{g.name}/{m}: {'present' if m in g else 'missing'} with method {method!r}")
    if "tornado" in g:
        tg = g["tornado"]
        for a in ("low_quantile", "high_quantile"):
            attr(tg, a, "f")
        dataset(tg, "baseline", "f", (T,))
        for m in ("low", "high"):
            dataset(tg, m, "f", (T, F))
        for v in ("value_low", "value_high"):
            dataset(tg, v, "f", (F,))
    if "spearman" in g:
        d = dataset(g, "spearman", "f", (T, F))
        if d is not None:
            attr(d, "samples", "u")
            v = d[()]
            v = v[np.isfinite(v)]
            if v.size and (v.min() < -1 or v.max() > 1):
                bad(f"{d.name}: a rank correlation outside [-1, 1]")
    if "sobol" in g:
        sg = g["sobol"]
        for a, kind in (("samples", "u"), ("evaluations", "u"), ("bootstrap", "u"), ("ignore_correlations", "i")):
            attr(sg, a, kind)
        for m in ("first", "total"):
            dataset(sg, m, "f", (T, F))
            dataset(sg, m + "_ci", "f", (T, F, 2))


def main(path):
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        print(f"{path}: cannot open: {e}")
        return 1
    global VERSION
    with f:
        version = attr(f, "format_version", "i")
        if version not in (1, 2):
            bad(f"/@format_version is {version}, not 1 or 2")
        else:
            VERSION = int(version)
        if attr(f, "format", "str") != "tyche-result":
            bad("/@format is not tyche-result")
        for a in ("tyche_version", "created", "command_line", "host"):
            attr(f, a, "str")
        created = sattr(f, "created", "")
        if not (len(created) == 20 and created[10] == "T" and created.endswith("Z")):
            bad(f"/@created {created!r} is not ISO 8601 UTC")
        attr(f, "complete", "i")
        # command_args: the command's argv, one UTF-8 string per argument
        # (--resume reads it), a 1-D attribute; empty when no command wrote
        # the file.
        if "command_args" not in f.attrs:
            bad("/: missing attribute command_args")
        else:
            a = f.attrs.get_id("command_args")
            if len(a.shape or ()) != 1 or not is_utf8_str(a.dtype):
                bad(f"/@command_args: not a 1-D array of UTF-8 strings ({a.dtype}, shape {a.shape})")
        s = group(f, "scenario")
        if s is not None:
            for a in ("name", "title", "source"):
                attr(s, a, "str")
            d = s.get("source_text")
            if d is None or not is_utf8_str(d.dtype, d.id.get_type()) or d.shape != ():
                bad("/scenario/source_text: missing or not a scalar UTF-8 string")
            b = s.get("batch_text")
            if b is not None and (not is_utf8_str(b.dtype, b.id.get_type()) or b.shape != ()):
                bad("/scenario/batch_text: not a scalar UTF-8 string")
        runs = group(f, "runs")
        if runs is not None:
            if len(runs) == 0 and len(f.get("sweeps", {})) == 0:
                bad("/runs: no runs (and no sweeps)")
            for name in runs:
                check_run(runs[name], f.attrs.get("complete") == 1)
        if "sweeps" in f:
            for name in f["sweeps"]:
                g = f["sweeps"][name]
                attr(g, "factor", "str")
                attr(g, "param", "str")
                v = dataset(g, "values", "f", None)
                n = v.shape[0] if v is not None else 0
                p = dataset(g, "probability", "f", None)
                k = p.shape[1] if p is not None and len(p.shape) == 2 else 0
                if p is not None and p.shape != (n, k):
                    bad(f"{p.name}: shape {p.shape}, expected ({n}, K)")
                lo = dataset(g, "ci_low", "f", (n, k))
                hi = dataset(g, "ci_high", "f", (n, k))
                dataset(g, "outcome", "str", (k,))
                attr(g, "label", "str")
                check_scale(v, [p, lo, hi])
                # The sweep an interrupted batch was running: complete = 0,
                # the points done, and resume/ the state of the next.
                if "complete" in g.attrs:
                    c = attr(g, "complete", "i")
                    if c != 0:
                        bad(f"{g.name}@complete: {c}, expected 0 (only a partial sweep has it)")
                    if f.attrs.get("complete") != 0:
                        bad(f"{g.name}: a partial sweep in a complete file")
                    r = group(g, "resume")
                    if r is not None:
                        attr(r, "blocks_done", "u")
                        dataset(r, "real", "f", None)
                        dataset(r, "count", "u", None)
                elif "resume" in g:
                    bad(f"{g.name}/resume: present in a whole sweep")
    if problems:
        print(f"{path}: {len(problems)} schema problems:")
        for p in problems:
            print("  " + p)
        return 1
    print(f"{path}: conforms to the tyche-result schema, format version {VERSION}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: check_schema.py RESULT.h5")
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
