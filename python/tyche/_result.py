"""Result files (docs/results.md) as pandas tables: tyche.open and the
Result and Run classes. Everything is read at open (per-sample columns on
demand); the HDF5 file is not kept open."""

import io
import os

import h5py
import numpy as np
import pandas as pd

from ._errors import TycheError

# Per-run tables, in the order they are documented and listed.
TABLES = (
    "settings", "outcomes", "outcomes_prior", "factors", "factors_prior", "derived", "derived_prior",
    "queries", "query_differences", "observations", "observation_stats", "differences", "sensitivity",
    "convergence", "time", "states",
)
# Tables every run has (a DataFrame, maybe of no rows); the others are
# None when no run of the file has them.
ALWAYS = ("settings", "outcomes", "factors", "derived", "convergence")

_RUN_ATTRS = (
    ("label", str), ("seed", int), ("samples", int), ("samples_requested", int), ("sampling", str),
    ("block_size", int), ("threads", int), ("ranks", int), ("wall_seconds", float), ("complete", bool),
    ("stopped_early", bool), ("target_halfwidth", float), ("target_reached", bool), ("max_halfwidth", float),
)


# ---- reading HDF5 ----------------------------------------------------------

def _text(v):
    """An attribute or scalar string as str (fixed-length ones come as bytes)."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray) and v.shape == ():
        return _text(v[()])
    return str(v)


def _attr(obj, name, default=None):
    if name not in obj.attrs:
        return default
    v = obj.attrs[name]
    if isinstance(v, (bytes, str)):
        return _text(v)
    if isinstance(v, np.ndarray):
        if v.dtype.kind in "SO":
            return [_text(x) for x in v.ravel()]
        return v
    return v.item() if isinstance(v, np.generic) else v


def _values(d):
    """A dataset's values: str arrays for strings, numpy arrays otherwise."""
    if h5py.check_string_dtype(d.dtype) is not None:
        v = d.asstr(errors="replace")[()]
        return np.asarray(v, dtype=object) if d.shape != () else v
    return d[()]


def _column_frame(group, columns):
    """The 1-D datasets `columns` of group that exist, as a DataFrame."""
    data = {c: _values(group[c]) for c in columns if c in group and group[c].ndim == 1}
    return pd.DataFrame(data)


def _matrix_columns(frame, group, name, prefix, levels_default):
    """Adds the columns of the R x L matrix group[name] (one per level, named
    prefix + percent) to frame."""
    if name not in group:
        return
    m = group[name][()]
    levels = group[name].attrs.get("levels", levels_default)
    for j, level in enumerate(levels):
        frame[f"{prefix}{round(100 * float(level)):02d}"] = m[:, j] if m.ndim == 2 and m.shape[1] > j else np.nan


def _read_outcomes(g):
    t = _column_frame(g, ["name", "label", "probability", "stderr", "ci_low", "ci_high"])
    _matrix_columns(t, g, "spread", "spread_p", (0.05, 0.5, 0.95))
    return t


def _read_series(g, dist):
    cols = ["name", "label", "unit"] + (["dist"] if dist else []) + ["mean", "sd", "p05", "p50", "p95"]
    return _column_frame(g, cols)


def _read_queries(g):
    t = _column_frame(g, ["name", "label", "kind", "expr", "given", "value", "stderr", "ci_low", "ci_high"])
    _matrix_columns(t, g, "quantiles", "q", (0.05, 0.25, 0.5, 0.75, 0.95))
    if "given_share" in g:
        t["given_share"] = g["given_share"][()]
    return t


def _read_difference(g, names):
    t = _column_frame(g, ["diff", "stderr", "ci_low", "ci_high", "unpaired_stderr"])
    t.insert(0, "name", names[: len(t)])
    return t


def _read_observations(g):
    table = _column_frame(g, ["name", "label", "kind", "of", "expr", "value", "held"])
    stats = {a: float(_attr(g, a, np.nan)) for a in ("ess", "ess_fraction", "acceptance", "log_evidence", "pareto_k")}
    stats["warnings"] = list(_values(g["warnings"])) if "warnings" in g else []
    return table, pd.DataFrame([stats])


def _long(rows, row_name, cols, col_name, mats):
    """A long table of matrices (rows x cols each): one row per (row, col)."""
    R, C = len(rows), len(cols)
    out = {row_name: np.repeat(np.asarray(rows), C), col_name: np.tile(np.asarray(cols, dtype=object), R)}
    for name, m in mats.items():
        out[name] = np.asarray(m, dtype=float).reshape(R * C) if R * C else np.zeros(0)
    return pd.DataFrame(out)


def _read_convergence(g, outcomes):
    if "samples" not in g:
        return pd.DataFrame(columns=["samples", "outcome", "probability", "halfwidth"])
    return _long(g["samples"][()], "samples", outcomes, "outcome",
                 {"probability": g["probability"][()], "halfwidth": g["halfwidth"][()]})


def _read_time(g, outcomes):
    steps = g["step"][()]
    curves = _long(steps, "step", outcomes, "outcome",
                   {k: g[k][()] for k in ("cumulative", "ci_low", "ci_high") if k in g})
    curves.attrs.update(steps=int(_attr(g, "steps", 0)), unit=_attr(g, "unit", ""),
                        percentile_samples=int(_attr(g, "percentile_samples", 0)))
    parts = []
    if "state" in g:
        for name, sg in g["state"].items():
            part = pd.DataFrame({"state": name, "step": steps})
            for k in ("mean", "p05", "p50", "p95", "mean_running", "p05_running", "p50_running", "p95_running"):
                if k in sg:
                    part[k] = sg[k][()]
            part["label"] = _attr(sg, "label", "")
            part["unit"] = _attr(sg, "unit", "")
            parts.append(part)
    states = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["state", "step", "mean"])
    return curves, states


def _read_sensitivity(g):
    targets = list(_values(g["targets"]))
    factors = list(_values(g["factors"]))
    mats = {}
    if "tornado" in g:
        t = g["tornado"]
        T, F = len(targets), len(factors)
        mats["tornado_low"] = t["low"][()]
        mats["tornado_high"] = t["high"][()]
        mats["tornado_baseline"] = np.repeat(t["baseline"][()], F).reshape(T, F)
        mats["value_low"] = np.tile(t["value_low"][()], T).reshape(T, F)
        mats["value_high"] = np.tile(t["value_high"][()], T).reshape(T, F)
    if "spearman" in g:
        mats["spearman"] = g["spearman"][()]
    if "sobol" in g:
        s = g["sobol"]
        for k in ("first", "total"):
            mats[f"sobol_{k}"] = s[k][()]
            ci = s[f"{k}_ci"][()]
            mats[f"sobol_{k}_low"] = ci[..., 0]
            mats[f"sobol_{k}_high"] = ci[..., 1]
    t = _long(targets, "target", factors, "factor", mats)
    t.attrs.update({k: _attr(g, k) for k in g.attrs})
    t["target_is_outcome"] = np.repeat(np.arange(len(targets)) < int(_attr(g, "outcome_targets", 0)), len(factors))
    return t


def _read_histograms(g):
    hists = {}
    for name, h in g.items():
        hists[name] = {
            "edges": h["edges"][()], "counts": h["counts"][()],
            "underflow": int(h["underflow"][()]) if "underflow" in h else None,
            "overflow": int(h["overflow"][()]) if "overflow" in h else None,
            "weighted": bool(_attr(g, "weighted", 0)),
        }
    return hists


_KEY_COLUMNS = {"outcomes": "outcome", "outcomes_prior": "outcome", "differences": "outcome",
                "factors": "factor", "factors_prior": "factor", "derived": "derived", "derived_prior": "derived",
                "queries": "query", "query_differences": "query", "observations": "observation"}


def _read_run(name, g):
    """One /runs/<name> group: its tables (dict), histograms and whether it
    has per-sample columns."""
    settings = {"variant": name}
    for key, kind in _RUN_ATTRS:
        v = _attr(g, key)
        settings[key] = kind(v) if v is not None else None
    t = {"settings": pd.DataFrame([settings]).drop(columns="variant")}
    t["outcomes"] = _read_outcomes(g["outcomes"]) if "outcomes" in g else pd.DataFrame(columns=["name", "probability"])
    outcomes = list(t["outcomes"]["name"])
    if "outcomes_prior" in g:
        t["outcomes_prior"] = _column_frame(g["outcomes_prior"], ["name", "probability", "stderr", "ci_low", "ci_high"])
    for key, dist in (("factors", True), ("derived", False)):
        t[key] = _read_series(g[key], dist) if key in g else pd.DataFrame(columns=["name", "mean"])
        if key + "_prior" in g:
            t[key + "_prior"] = _read_series(g[key + "_prior"], dist)
    if "queries" in g:
        t["queries"] = _read_queries(g["queries"])
        if "difference" in g["queries"]:
            t["query_differences"] = _read_difference(g["queries/difference"], list(t["queries"]["name"]))
    if "observations" in g:
        t["observations"], t["observation_stats"] = _read_observations(g["observations"])
    if "difference" in g:
        t["differences"] = _read_difference(g["difference"], outcomes)
    if "sensitivity" in g:
        t["sensitivity"] = _read_sensitivity(g["sensitivity"])
    t["convergence"] = _read_convergence(g["convergence"], outcomes) if "convergence" in g else \
        _read_convergence({}, outcomes)
    if "time" in g:
        t["time"], t["states"] = _read_time(g["time"], outcomes)
    # Each table's key column is named for what it lists, as in `tyche export`'s
    # CSV files (the file's datasets call it `name`).
    for key, column in _KEY_COLUMNS.items():
        if key in t and "name" in t[key].columns:
            t[key] = t[key].rename(columns={"name": column})
    hists = {"": _read_histograms(g["histograms"]) if "histograms" in g else {},
             "prior": _read_histograms(g["histograms_prior"]) if "histograms_prior" in g else {}}
    return t, hists, "samples" in g


def _read_sweep(g, fallback_outcomes):
    outcomes = list(_values(g["outcome"])) if "outcome" in g else list(fallback_outcomes)
    values = g["values"][()]
    t = _long(values, "value", outcomes, "outcome",
              {k: g[k][()] for k in ("probability", "ci_low", "ci_high")})
    t.attrs.update(factor=_attr(g, "factor", ""), param=_attr(g, "param", ""), label=_attr(g, "label", ""),
                   complete=bool(_attr(g, "complete", 1)))
    return t


def _open_h5(source):
    return h5py.File(io.BytesIO(source) if isinstance(source, bytes) else source, "r")


def _read_file(source, name):
    try:
        f = _open_h5(source)
    except (OSError, ValueError) as e:
        raise TycheError(f"{name}: error: cannot read: {e}") from None
    with f:
        if _attr(f, "format") != "tyche-result":
            raise TycheError(f"{name}: error: not a tyche result file (no format = 'tyche-result' at the root)")
        meta = {k: _attr(f, k) for k in f.attrs}
        scen = f["scenario"] if "scenario" in f else {}
        info = {
            "name": _attr(scen, "name", "") if scen else "",
            "title": _attr(scen, "title", "") if scen else "",
            "source": _attr(scen, "source", "") if scen else "",
            "scenario_text": _values(scen["source_text"]) if scen and "source_text" in scen else None,
            "batch_text": _values(scen["batch_text"]) if scen and "batch_text" in scen else None,
        }
        runs = {}
        for vname, g in (f["runs"].items() if "runs" in f else ()):
            runs[vname] = _read_run(vname, g)
        first_outcomes = next(iter(runs.values()))[0]["outcomes"]["outcome"] if runs else []
        sweeps = {s: _read_sweep(g, first_outcomes) for s, g in (f["sweeps"].items() if "sweeps" in f else ())}
    return meta, info, runs, sweeps


# ---- the public classes ----------------------------------------------------

class Run:
    """One run of a result file (``/runs/<variant>``): a plain run's
    ``baseline``, or one variant of a batch.

    Its tables are those of :class:`Result` without the ``variant``
    column: ``settings`` (a dict here), ``outcomes``, ``outcomes_prior``,
    ``factors``, ``factors_prior``, ``derived``, ``derived_prior``,
    ``queries``, ``query_differences``, ``observations``,
    ``observation_stats`` (a dict here), ``differences``, ``sensitivity``,
    ``convergence``, ``time``, ``states``. An optional table the run lacks
    is None.
    """

    def __init__(self, result, variant, tables, histograms, has_samples):
        self._result = result
        self.variant = variant
        self._tables = tables
        self._hists = histograms
        self._has_samples = has_samples
        self.settings = tables["settings"].iloc[0].to_dict()
        self.label = self.settings.get("label", "")
        stats = tables.get("observation_stats")
        self.observation_stats = stats.iloc[0].to_dict() if stats is not None else None

    def __repr__(self):
        return f"<tyche.Run {self.variant!r} of {self._result.name!r}: {self.settings.get('samples')} samples>"

    def table(self, name):
        """The table called name (one of tyche.TABLES), or None."""
        if name not in TABLES:
            raise KeyError(f"no table {name!r}; the tables are {', '.join(TABLES)}")
        return self._tables.get(name)

    def histogram(self, name, prior=False):
        """The histogram of factor or derived value `name` (prior=True: the
        unweighted one of a run with observations) as a DataFrame with the
        columns left, right, count (bin i is [left, right), the last bin
        closed); attrs holds underflow, overflow (None in files of an older
        tyche) and weighted (counts are weighted samples: normalise them)."""
        hists = self._hists["prior" if prior else ""]
        if name not in hists:
            have = ", ".join(sorted(hists)) or "none"
            raise KeyError(f"run {self.variant!r} has no {'prior ' if prior else ''}histogram {name!r} (it has {have})")
        h = hists[name]
        t = pd.DataFrame({"left": h["edges"][:-1], "right": h["edges"][1:], "count": h["counts"]})
        t.attrs.update(underflow=h["underflow"], overflow=h["overflow"], weighted=h["weighted"])
        return t

    def samples(self):
        """The per-sample values saved with ``tyche run --save-samples``
        (one column per factor, derived value and outcome, and log_weight
        in a run with observations), read from the file now; None when
        the run has none. Needs the file (a Result of tyche.run without
        output keeps its bytes)."""
        if not self._has_samples:
            return None
        with _open_h5(self._result._source) as f:
            g = f["runs"][self.variant]["samples"]
            return pd.DataFrame({k: g[k][()] for k in g})


def _run_table_property(name):
    doc = f"This run's {name} table (see tyche.Result.{name}); None when the run has none."
    return property(lambda self: self._tables.get(name), doc=doc)


for _name in TABLES:
    if _name not in ("settings", "observation_stats"):
        setattr(Run, _name, _run_table_property(_name))


class Result:
    """A tyche result file, read into memory (tyche.open, tyche.run).

    Attributes: ``path`` (None for a tyche.run result that was not kept),
    ``name``, ``title``, ``source`` (the scenario's; a batch's result is
    named by its scenario), ``complete`` (False for an interrupted run or
    batch), ``variants`` (run names in file order: ``["baseline"]`` for a
    plain run), ``sweeps`` (dict: sweep name -> DataFrame, empty when
    none), ``meta`` (the root attributes: format, format_version,
    tyche_version, created, command_line, command_args, host, complete),
    ``scenario_text`` and ``batch_text`` (the files, verbatim; None when
    absent).

    Tables: pandas DataFrames with one row per item per run, the first
    column ``variant`` naming the run (``result["cut_scope"]`` or
    ``result.variant("cut_scope")`` gives one run's tables without it).
    Absent text is ``""``, numbers that do not exist are NaN.
    ``settings``, ``outcomes``, ``factors``, ``derived`` and
    ``convergence`` are always DataFrames; the others are None when no run
    of the file has them. Rows keep the file's order (the scenario's).
    """

    def __init__(self, source, display_name=None, path=None):
        self._source = source
        self.path = path
        name = display_name or (path if path is not None else "<result>")
        meta, info, runs, sweeps = _read_file(source, name)
        self.meta = meta
        self.name = info["name"]
        self.title = info["title"]
        self.source = info["source"]
        self.scenario_text = info["scenario_text"]
        self.batch_text = info["batch_text"]
        self.complete = bool(meta.get("complete", 0))
        self.variants = list(runs)
        self._runs = {v: Run(self, v, *runs[v]) for v in runs}
        self.sweeps = sweeps
        self._tables = {}
        for t in TABLES:
            parts = [(v, runs[v][0][t]) for v in runs if runs[v][0].get(t) is not None]
            if not parts and t not in ALWAYS:
                self._tables[t] = None
                continue
            frames = []
            for v, frame in parts:
                frame = frame.copy()
                frame.insert(0, "variant", v)
                frames.append(frame)
            table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["variant"])
            if frames:
                table.attrs.update(parts[0][1].attrs)
            self._tables[t] = table

    def __repr__(self):
        kind = "batch" if self.batch_text is not None else "run"
        where = f" from {self.path}" if self.path else ""
        return f"<tyche.Result {self.name!r} ({kind}, {len(self.variants)} run(s)){where}>"

    def __getitem__(self, variant):
        return self.variant(variant)

    def __contains__(self, variant):
        return variant in self._runs

    def __iter__(self):
        """The runs (tyche.Run), in file order."""
        return iter(self._runs.values())

    def __len__(self):
        return len(self._runs)

    def variant(self, name):
        """The run called name (a batch's variant; "baseline" for a plain run)."""
        if name not in self._runs:
            raise KeyError(f"{self.name!r} has no run {name!r}; its runs are {', '.join(self.variants) or 'none'}")
        return self._runs[name]

    @property
    def baseline(self):
        """The run called "baseline", else the first run."""
        return self._runs.get("baseline") or (next(iter(self._runs.values())) if self._runs else None)

    def table(self, name):
        """The table called name (one of tyche.TABLES), or None."""
        if name not in TABLES:
            raise KeyError(f"no table {name!r}; the tables are {', '.join(TABLES)}")
        return self._tables[name]

    def histogram(self, name, variant=None, prior=False):
        """Run.histogram of the run called variant (None: the baseline)."""
        run = self.baseline if variant is None else self.variant(variant)
        return run.histogram(name, prior=prior)

    def samples(self, variant=None):
        """Run.samples of the run called variant (None: the baseline)."""
        run = self.baseline if variant is None else self.variant(variant)
        return run.samples()

    def to_xarray(self, group=None):
        """The file's groups as xarray Datasets, read through h5netcdf and
        loaded into memory: group names one ("runs/baseline/outcomes",
        "runs/cut_scope/time", "sweeps/velocity"); None gives a dict of
        every group that holds datasets (path -> Dataset), but resume/.
        Dimensions are named by the file's dimension scales. Variables keep
        the file's attributes (description, units, levels)."""
        import xarray

        def open_group(g):
            src = io.BytesIO(self._source) if isinstance(self._source, bytes) else self._source
            with xarray.open_dataset(src, group=g, engine="h5netcdf", phony_dims="access") as ds:
                return ds.load()

        if group is not None:
            return open_group(group.strip("/"))
        groups = []
        with _open_h5(self._source) as f:
            def visit(path, obj):
                if isinstance(obj, h5py.Group) and "resume" not in path.split("/") and \
                        any(isinstance(obj.get(k, getlink=True), h5py.HardLink) and isinstance(obj[k], h5py.Dataset)
                            for k in obj):
                    groups.append(path)
            f.visititems(visit)
        return {g: open_group(g) for g in groups}


def _table_property(name):
    doc = {
        "settings": "Each run's settings (the /runs/<variant> attributes): label, seed, samples, "
                    "samples_requested, sampling, block_size, threads, ranks, wall_seconds, complete, "
                    "stopped_early, target_halfwidth, target_reached, max_halfwidth.",
        "outcomes": "Each outcome's estimate: name, label, probability, stderr, ci_low, ci_high and its "
                    "spread across the sampled worlds, spread_p05, spread_p50, spread_p95 (absent in files "
                    "of an older tyche).",
        "outcomes_prior": "Runs with observations: each outcome's estimate without them (name, "
                          "probability, stderr, ci_low, ci_high).",
        "factors": "Each factor's summary: name, label, unit, dist (as resolved), mean, sd, p05, p50, p95.",
        "factors_prior": "Runs with observations: factors without them.",
        "derived": "Each derived value's summary: name, label, unit, mean, sd, p05, p50, p95.",
        "derived_prior": "Runs with observations: derived values without them.",
        "queries": "Each query's answer: name, label, kind, expr, given, value, stderr, ci_low, ci_high, "
                   "q05, q25, q50, q75, q95 (quantile queries; NaN for the others), given_share.",
        "query_differences": "Batch variants: each query's paired difference from the baseline (name, diff, "
                             "stderr, ci_low, ci_high, unpaired_stderr).",
        "observations": "What was observed: name, label, kind (reading, when, loglik), of, expr, value, held.",
        "observation_stats": "Runs with observations: ess, ess_fraction, acceptance, log_evidence, "
                             "pareto_k and warnings (a list of lines).",
        "differences": "Batch variants but the baseline: each outcome's (name's) paired difference from "
                       "the baseline: diff, stderr, ci_low, ci_high, unpaired_stderr.",
        "sensitivity": "tyche sensitivity results, one row per target and factor: target, factor, and "
                       "per method run tornado_low, tornado_high, tornado_baseline, value_low, value_high; "
                       "spearman; sobol_first, sobol_first_low, sobol_first_high, sobol_total, "
                       "sobol_total_low, sobol_total_high; target_is_outcome. attrs: the group's attributes.",
        "convergence": "The convergence trace: samples (a checkpoint), outcome, probability, halfwidth.",
        "time": "A time scenario's curves: step, outcome, cumulative (P(ended in outcome by step); for the "
                "last outcome the share with no event yet), ci_low, ci_high. attrs: steps, unit, "
                "percentile_samples.",
        "states": "A time scenario's states by step: state, step, mean, p05, p50, p95, mean_running, "
                  "p05_running, p50_running, p95_running, label, unit.",
    }[name]
    return property(lambda self: self._tables[name], doc=doc)


for _name in TABLES:
    setattr(Result, _name, _table_property(_name))


def open(path):  # noqa: A001 - tyche.open, as the package's reader
    """Reads the tyche result file at path (docs/results.md) into a Result.

    Raises TycheError for a file that cannot be read or is not a tyche
    result, FileNotFoundError for a missing one."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(2, "No such file or directory", path)
    return Result(path, display_name=path, path=path)
