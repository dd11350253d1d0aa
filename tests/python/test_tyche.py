"""test_tyche.py - the Python package `tyche` (python/tyche) against the
tyche command: every table tyche.open reads equals the command's --json
document of the same file; tyche.run (libtyche through ctypes) gives the
command's numbers bit for bit, with set= and observe= as --set and
--observe; errors are TycheErrors with the command's messages; to_xarray's
Datasets hold the tables' numbers; the library is found as documented.

Run with Debian's python (numpy, pandas, h5py, xarray, h5netcdf):
    TYCHE_LIBRARY=build/release/engine/libtyche.so.0 PYTHONPATH=python \\
        /usr/bin/python3 tests/python/test_tyche.py
TYCHE_CLI names the tyche command (default: `tyche` beside the library).
Small runs, fixed seeds: under a minute.
"""

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import warnings

import h5py
import numpy as np
import pandas as pd

import tyche
from tyche import _library

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCENARIOS = os.path.join(ROOT, "scenarios")
LIBRARY = os.environ.get("TYCHE_LIBRARY", "")
CLI = os.environ.get("TYCHE_CLI") or os.path.join(os.path.dirname(LIBRARY), "tyche")

# What the run settings table holds that two runs of the same numbers may
# differ in: the time taken and the threads used.
VOLATILE = ("wall_seconds", "threads")


def scenario(name):
    return os.path.join(SCENARIOS, name)


def nums(values):
    """JSON numbers (null for NaN) as a float array."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def text(v):
    """JSON's null for absent text is the file's ""."""
    return "" if v is None else v


class Case(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tyche-py-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def cli(self, verb, input_path, *args, out=None):
        """Runs `tyche VERB INPUT -o OUT --json ARGS`; returns (OUT, the JSON document)."""
        out = out or self.path(f"{verb}-{len(os.listdir(self.tmp))}.h5")
        p = subprocess.run([CLI, verb, input_path, "-o", out, "--json", "--quiet", *args],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 0, f"tyche {verb} failed: {p.stderr}")
        return out, json.loads(p.stdout)

    # ---- comparisons ------------------------------------------------------

    def assertColumn(self, frame, column, expected, what):
        """frame[column] equals expected exactly (NaN equal to NaN)."""
        got = frame[column].to_numpy()
        if got.dtype == object or isinstance(expected[0] if len(expected) else 0, str):
            self.assertEqual(list(got), [text(e) for e in expected], f"{what}: {column}")
        else:
            np.testing.assert_array_equal(got.astype(float), nums(expected), err_msg=f"{what}: {column}")

    def assertRows(self, frame, rows, keys, what, rename=None):
        """frame's columns equal the JSON rows' keys, row by row."""
        rename = rename or {}
        self.assertEqual(len(frame), len(rows), f"{what}: rows")
        for k in keys:
            self.assertColumn(frame, rename.get(k, k), [r[k] for r in rows], what)

    def assertMatchesJson(self, res, doc):
        """Every table of res (tyche.open) equals the --json document doc."""
        self.assertEqual(res.name, doc["scenario"])
        self.assertEqual(res.title, text(doc["title"]))
        self.assertEqual(res.source, text(doc["source"]))
        self.assertEqual(res.meta["tyche_version"], doc["tyche_version"])
        self.assertEqual(res.meta["created"], doc["created"])
        self.assertEqual(res.complete, doc["complete"])
        self.assertEqual(res.variants, list(doc["runs"]))
        for v, jr in doc["runs"].items():
            self.assertRunMatchesJson(res[v], jr, f"run {v}")
        self.assertEqual(sorted(res.sweeps), sorted(doc["sweeps"]))
        for name, js in doc["sweeps"].items():
            self.assertSweepMatchesJson(res.sweeps[name], js, f"sweep {name}")
        self.assertTablesAreTheRuns(res)

    def assertRunMatchesJson(self, run, jr, what):
        s = run.settings
        for k in ("samples", "samples_requested", "seed", "sampling", "threads", "ranks", "wall_seconds",
                  "complete", "stopped_early"):
            self.assertEqual(s[k], jr[k], f"{what}: {k}")
        self.assertEqual(s["label"], text(jr["label"]))
        if "target_halfwidth" in jr:
            for k in ("target_halfwidth", "target_reached", "max_halfwidth"):
                self.assertEqual(s[k], jr[k], f"{what}: {k}")

        outs = jr["outcomes"]
        self.assertRows(run.outcomes, outs, ("name", "label", "probability", "stderr", "ci_low", "ci_high"),
                        what + " outcomes", {"name": "outcome"})
        if outs and "spread" in outs[0]:
            for j, c in enumerate(("spread_p05", "spread_p50", "spread_p95")):
                self.assertColumn(run.outcomes, c, [o["spread"][j] for o in outs], what)
        if outs and "difference" in outs[0]:
            self.assertColumn(run.differences, "outcome", [o["name"] for o in outs], what)
            self.assertRows(run.differences, [o["difference"] for o in outs],
                            ("diff", "stderr", "ci_low", "ci_high", "unpaired_stderr"), what + " difference")
        else:
            self.assertIsNone(run.differences, what)
        if outs and "prior" in outs[0]:
            self.assertRows(run.outcomes_prior, [dict(o["prior"], name=o["name"]) for o in outs],
                            ("name", "probability", "stderr", "ci_low", "ci_high"), what + " prior", {"name": "outcome"})
        else:
            self.assertIsNone(run.outcomes_prior, what)

        series = ("name", "unit", "mean", "sd", "p05", "p50", "p95")
        self.assertRows(run.factors, jr["factors"], series, what + " factors", {"name": "factor"})
        self.assertRows(run.derived, jr["derived"], series, what + " derived", {"name": "derived"})
        for key in ("factors_prior", "derived_prior"):
            if key in jr:
                self.assertRows(getattr(run, key), jr[key], series, f"{what} {key}",
                                {"name": "factor" if key == "factors_prior" else "derived"})
            else:
                self.assertIsNone(getattr(run, key), what)

        if "queries" in jr:
            qs = jr["queries"]
            self.assertRows(run.queries, qs, ("name", "label", "kind", "expr", "given", "value", "stderr",
                                              "ci_low", "ci_high", "given_share"), what + " queries",
                            {"name": "query"})
            for j, c in enumerate(("q05", "q25", "q50", "q75", "q95")):
                self.assertColumn(run.queries, c, [q["quantiles"][j] if q["quantiles"] else None for q in qs],
                                  what)
            if "difference" in qs[0]:
                self.assertRows(run.query_differences, [dict(q["difference"], name=q["name"]) for q in qs],
                                ("name", "diff", "stderr", "ci_low", "ci_high", "unpaired_stderr"), what,
                                {"name": "query"})
            else:
                self.assertIsNone(run.query_differences, what)
        else:
            self.assertIsNone(run.queries, what)

        if "observations" in jr:
            jo = jr["observations"]
            for k in ("ess", "ess_fraction", "acceptance", "log_evidence", "pareto_k"):
                self.assertTrue(run.observation_stats[k] == jo[k] or
                                (jo[k] is None and math.isnan(run.observation_stats[k])), f"{what}: {k}")
            self.assertEqual(run.observation_stats["warnings"], jo["warnings"])
            self.assertRows(run.observations, jo["list"], ("name", "kind", "of", "value", "expr", "label", "held"),
                            what + " observations", {"name": "observation"})
        else:
            self.assertIsNone(run.observations, what)
            self.assertIsNone(run.observation_stats, what)

        if "sensitivity" in jr:
            self.assertSensitivityMatchesJson(run.sensitivity, jr["sensitivity"], what)
        else:
            self.assertIsNone(run.sensitivity, what)
        if "time" in jr:
            self.assertTimeMatchesJson(run, jr, what)
        else:
            self.assertIsNone(run.time, what)
            self.assertIsNone(run.states, what)

    def assertSensitivityMatchesJson(self, t, js, what):
        T, F = len(js["targets"]), len(js["factors"])
        self.assertEqual(list(t["target"][::F]), js["targets"])
        self.assertEqual(list(t["factor"][:F]), js["factors"])
        flat = lambda m: [x for row in m for x in row]
        if "tornado" in js:
            tor = js["tornado"]
            self.assertColumn(t, "tornado_low", flat(tor["low"]), what)
            self.assertColumn(t, "tornado_high", flat(tor["high"]), what)
            self.assertColumn(t, "tornado_baseline", [b for b in tor["baseline"] for _ in range(F)], what)
            self.assertColumn(t, "value_low", tor["value_low"] * T, what)
            self.assertColumn(t, "value_high", tor["value_high"] * T, what)
        if "spearman" in js:
            self.assertColumn(t, "spearman", flat(js["spearman"]), what)
        if "sobol" in js:
            for k in ("first", "total"):
                self.assertColumn(t, f"sobol_{k}", flat(js["sobol"][k]), what)
                ci = flat(js["sobol"][f"{k}_ci"])
                self.assertColumn(t, f"sobol_{k}_low", [p[0] for p in ci], what)
                self.assertColumn(t, f"sobol_{k}_high", [p[1] for p in ci], what)
        self.assertEqual(list(t["target_is_outcome"][::F]), [i < js["outcome_targets"] for i in range(T)])

    def assertTimeMatchesJson(self, run, jr, what):
        jt = jr["time"]
        K = len(jr["outcomes"])
        t = run.time
        self.assertEqual(t.attrs["steps"], jt["steps"])
        self.assertEqual(t.attrs["unit"], text(jt["unit"]))
        self.assertEqual(t.attrs["percentile_samples"], jt["percentile_samples"])
        self.assertEqual(list(t["step"][::K]), jt["step"])
        self.assertEqual(list(t["outcome"][:K]), [o["name"] for o in jr["outcomes"]])
        for k in ("cumulative", "ci_low", "ci_high"):
            self.assertColumn(t, k, [x for row in jt[k] for x in row], what + " time")
        R = len(jt["step"])
        self.assertEqual(list(run.states["state"][::R]), [s["name"] for s in jt["states"]])
        for j, s in enumerate(jt["states"]):
            part = run.states.iloc[j * R:(j + 1) * R]
            self.assertEqual(list(part["step"]), jt["step"])
            self.assertEqual(part["label"].iloc[0], text(s["label"]))
            for k in ("mean", "p05", "p50", "p95", "mean_running", "p05_running", "p50_running", "p95_running"):
                if k in s:
                    self.assertColumn(part, k, s[k], f"{what} state {s['name']}")

    def assertSweepMatchesJson(self, t, js, what):
        K = len(js["outcomes"])
        self.assertEqual(t.attrs["factor"], js["factor"])
        self.assertEqual(t.attrs["param"], js["param"])
        self.assertEqual(list(t["outcome"][:K]), js["outcomes"])
        self.assertColumn(t, "value", [v for v in js["values"] for _ in range(K)], what)
        for k in ("probability", "ci_low", "ci_high"):
            self.assertColumn(t, k, [x for row in js[k] for x in row], what)

    def assertTablesAreTheRuns(self, res):
        """Each Result table is its runs' tables, each led by its variant."""
        for name in tyche.TABLES:
            parts = [(v, res[v].table(name)) for v in res.variants]
            parts = [(v, p) for v, p in parts if p is not None and name not in ("settings", "observation_stats")]
            whole = res.table(name)
            if name in ("settings", "observation_stats"):
                continue
            if not parts:
                if name in tyche._result.ALWAYS:
                    self.assertEqual(len(whole), 0, name)
                else:
                    self.assertIsNone(whole, name)
                continue
            expect = pd.concat([p.assign(variant=v)[["variant"] + list(p.columns)] for v, p in parts],
                               ignore_index=True)
            pd.testing.assert_frame_equal(whole, expect, check_exact=True, obj=name)

    def assertConvergenceMatchesFile(self, res, path):
        with h5py.File(path, "r") as f:
            for v in res.variants:
                g = f["runs"][v]["convergence"]
                c = res[v].convergence
                K = len(res[v].outcomes)
                np.testing.assert_array_equal(c["samples"][::K], g["samples"][()])
                np.testing.assert_array_equal(c["probability"].to_numpy(), g["probability"][()].ravel())
                np.testing.assert_array_equal(c["halfwidth"].to_numpy(), g["halfwidth"][()].ravel())
                for name in res[v].factors["factor"]:
                    h = res[v].histogram(name)
                    np.testing.assert_array_equal(h["count"], f["runs"][v]["histograms"][name]["counts"][()])

    def assertSameNumbers(self, a, b):
        """Two results of the same run: every table equal, bit for bit, but
        the time taken and the threads used."""
        self.assertEqual(a.variants, b.variants)
        self.assertEqual((a.name, a.title, a.source, a.scenario_text, a.batch_text),
                         (b.name, b.title, b.source, b.scenario_text, b.batch_text))
        for name in tyche.TABLES:
            x, y = a.table(name), b.table(name)
            if x is None or y is None:
                self.assertIs(x, y, name)
                continue
            if name == "settings":
                x, y = x.drop(columns=list(VOLATILE)), y.drop(columns=list(VOLATILE))
            pd.testing.assert_frame_equal(x, y, check_exact=True, obj=name)
        self.assertEqual(sorted(a.sweeps), sorted(b.sweeps))
        for s in a.sweeps:
            pd.testing.assert_frame_equal(a.sweeps[s], b.sweeps[s], check_exact=True, obj=s)


class TestOpen(Case):
    """tyche.open against the command's --json document of the same file."""

    def test_run_with_observations_and_queries(self):
        out, doc = self.cli("run", scenario("ukraine-2014-update.yaml"), "-n", "3000", "--seed", "11")
        res = tyche.open(out)
        self.assertMatchesJson(res, doc)
        self.assertConvergenceMatchesFile(res, out)
        self.assertEqual(res.path, out)
        self.assertEqual(res.variants, ["baseline"])
        self.assertIsNotNone(res.observations)
        self.assertIsNotNone(res.queries)
        self.assertIn(" --json --quiet", res.meta["command_line"])
        self.assertIn("tyche: 1", res.scenario_text)
        self.assertIsNone(res.batch_text)
        # a prior histogram beside the weighted one
        self.assertTrue(res.histogram("troops").attrs["weighted"])
        self.assertFalse(res.histogram("troops", prior=True).attrs["weighted"])

    def test_batch_with_variants_and_sweep(self):
        out, doc = self.cli("batch", scenario("release-deadline-options.yaml"), "-n", "4000", "--seed", "3")
        res = tyche.open(out)
        self.assertMatchesJson(res, doc)
        self.assertConvergenceMatchesFile(res, out)
        self.assertEqual(res.variants, ["baseline", "cut_scope"])
        self.assertEqual(list(res.outcomes["variant"].unique()), ["baseline", "cut_scope"])
        self.assertIs(res["cut_scope"], res.variant("cut_scope"))
        self.assertEqual(res["cut_scope"].label, "Cut the three least important features")
        self.assertIsNone(res["baseline"].differences)
        self.assertEqual(list(res.differences["variant"].unique()), ["cut_scope"])
        self.assertIn("batch: release-deadline-options", res.batch_text)
        self.assertEqual(list(res.sweeps), ["velocity"])
        with self.assertRaisesRegex(KeyError, "its runs are baseline, cut_scope"):
            res["nope"]

    def test_batch_with_observations(self):
        out, doc = self.cli("batch", scenario("ukraine-2014-update-batch.yaml"), "-n", "2000", "--seed", "5")
        res = tyche.open(out)
        self.assertMatchesJson(res, doc)
        self.assertIsNone(res["prior"].observations)   # the variant that drops them all
        self.assertIsNotNone(res.query_differences)

    def test_time_scenario_curves(self):
        out, doc = self.cli("run", scenario("ukraine-2014-time.yaml"), "-n", "2000", "--seed", "5")
        res = tyche.open(out)
        self.assertMatchesJson(res, doc)
        t = res.time
        K = len(res.outcomes)
        self.assertEqual(len(t), 26 * K)
        # each step's row of cumulative probabilities sums to 1, the last is the outcomes'
        sums = t.groupby("step")["cumulative"].sum()
        np.testing.assert_allclose(sums, 1.0, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(t["cumulative"].to_numpy()[-K:], res.outcomes["probability"])

    def test_time_batch(self):
        out, doc = self.cli("batch", scenario("ukraine-2014-time-batch.yaml"), "-n", "1024", "--seed", "5")
        self.assertMatchesJson(tyche.open(out), doc)

    def test_sensitivity(self):
        out, doc = self.cli("sensitivity", scenario("release-deadline.yaml"), "-n", "1000",
                            "--ignore-correlations")
        res = tyche.open(out)
        self.assertMatchesJson(res, doc)
        self.assertEqual(res.sensitivity.attrs["method"], "tornado,spearman,sobol")

    def test_not_a_result(self):
        with self.assertRaises(FileNotFoundError):
            tyche.open(self.path("missing.h5"))
        with open(self.path("text.h5"), "w") as f:
            f.write("not hdf5\n")
        with self.assertRaisesRegex(tyche.TycheError, "text.h5: error: cannot read"):
            tyche.open(self.path("text.h5"))
        with h5py.File(self.path("other.h5"), "w") as f:
            f["x"] = [1, 2]
        with self.assertRaisesRegex(tyche.TycheError, "other.h5: error: not a tyche result file"):
            tyche.open(self.path("other.h5"))


class TestRun(Case):
    """tyche.run through libtyche against the command."""

    def test_same_numbers_as_the_command(self):
        out, _ = self.cli("run", scenario("release-deadline.yaml"), "-n", "5000", "--seed", "3", "--threads", "2")
        res = tyche.run(scenario("release-deadline.yaml"), samples=5000, seed=3, threads=1)
        self.assertSameNumbers(res, tyche.open(out))
        self.assertIsNone(res.path)
        self.assertEqual(res.settings["threads"][0], 1)
        self.assertEqual(res.meta["command_line"],
                         f"python: tyche.run({scenario('release-deadline.yaml')!r}, samples=5000, seed=3, threads=1)")
        self.assertEqual(res.meta["command_args"], [])
        self.assertEqual(res.meta["tyche_version"], tyche.__version__)
        self.assertRegex(res.meta["created"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_file_settings_when_not_given(self):
        out, _ = self.cli("run", scenario("hazard-teaching.yaml"))
        self.assertSameNumbers(tyche.run(scenario("hazard-teaching.yaml")), tyche.open(out))

    def test_set_and_observe_as_the_command(self):
        s = scenario("ukraine-2014-update.yaml")
        out, _ = self.cli("run", s, "-n", "3000", "--seed", "4", "--set", "troops.mean=50000",
                          "--set", "talks.p=0.6", "--observe", "satellite_count=52000")
        res = tyche.run(s, samples=3000, seed=4, set={"troops.mean": 50000, "talks.p": 0.6},
                        observe={"satellite_count": 52000})
        self.assertSameNumbers(res, tyche.open(out))
        self.assertEqual(res.observations.set_index("observation")["value"]["satellite_count"], 52000)
        self.assertEqual(res.factors.set_index("factor")["dist"]["troops"].split(" in ")[0],
                         "normal(mean=50000, sd=8000)")
        # and they change the numbers
        plain = tyche.run(s, samples=3000, seed=4)
        self.assertFalse(np.array_equal(plain.outcomes["probability"], res.outcomes["probability"]))

    def test_prior_as_the_command(self):
        s = scenario("ukraine-2014-update.yaml")
        out, _ = self.cli("run", s, "-n", "2000", "--seed", "4", "--prior")
        res = tyche.run(s, samples=2000, seed=4, prior=True)
        self.assertSameNumbers(res, tyche.open(out))
        self.assertIsNone(res.observations)

    def test_batch(self):
        b = scenario("release-deadline-options.yaml")
        out, _ = self.cli("batch", b, "-n", "3000", "--seed", "8", "--threads", "1")
        res = tyche.run(b, samples=3000, seed=8)
        self.assertSameNumbers(res, tyche.open(out))
        self.assertEqual(res.variants, ["baseline", "cut_scope"])
        self.assertIsNotNone(res["cut_scope"].differences)
        self.assertIn("velocity", res.sweeps)
        # observe= in a batch, as --observe
        ub = scenario("ukraine-2014-update-batch.yaml")
        out, _ = self.cli("batch", ub, "-n", "1024", "--seed", "8", "--observe", "satellite_count=45000")
        self.assertSameNumbers(tyche.run(ub, samples=1024, seed=8, observe={"satellite_count": 45000}),
                               tyche.open(out))

    def test_output_is_kept(self):
        out = self.path("kept.h5")
        res = tyche.run(scenario("release-deadline.yaml"), samples=2000, seed=1, output=out)
        self.assertEqual(res.path, out)
        self.assertSameNumbers(res, tyche.open(out))
        self.assertEqual(os.listdir(self.tmp), ["kept.h5"])   # no temporary file left

    def test_warnings(self):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            tyche.run(scenario("ukraine-2014-update.yaml"), samples=2000, seed=1,
                      observe={"satellite_count": 200000})
        lines = [str(x.message) for x in w if issubclass(x.category, tyche.TycheWarning)]
        self.assertTrue(any(re.match(r"tyche: warning: baseline: the effective sample size is", m) for m in lines),
                        lines)
        # a warning in the file: one TycheWarning with its line, caret and hint
        path = self.path("warn.yaml")
        with open(path, "w") as f:
            f.write('tyche: 1\nname: warn\nfactors:\n  x: {dist: "normal(0, 1)"}\n'
                    'outcomes:\n  model: rules\n  up: {when: x > 0}\n  down: {when: x <= 0}\n')
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            tyche.run(path, samples=1024)
        self.assertEqual([str(x.message).splitlines()[::2] for x in w], [[
            f"{path}:5:1: warning: a sample that matches no rule stops the run; add a last outcome with "
            "'otherwise: true'", "  ^"]])
        self.assertIn("  hint: ", str(w[0].message))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            tyche.run(scenario("release-deadline.yaml"), samples=1024, seed=1)   # none

    def assertFails(self, status, pattern, *args, **kwargs):
        out = self.path("never.h5")
        with self.assertRaises(tyche.TycheError) as c:
            tyche.run(*args, output=out, **kwargs)
        self.assertEqual(c.exception.status_name, status, c.exception.message)
        self.assertRegex(c.exception.message, pattern)
        self.assertEqual(str(c.exception), c.exception.message)
        self.assertFalse(os.path.exists(out))
        self.assertEqual([p for p in os.listdir(self.tmp) if p.startswith(".never.h5")], [])   # no temporary file
        return c.exception

    def test_errors(self):
        missing = self.path("missing.yaml")
        self.assertFails("TY_ERR_IO", f"^{re.escape(missing)}: error: cannot open: No such file or directory$",
                         missing)
        bad = self.path("bad.yaml")
        with open(bad, "w") as f:
            f.write('tyche: 1\nname: bad\nfactors:\n  x: {dist: "nromal(0, 1)"}\n'
                    'outcomes:\n  a: {score: x}\n  b: {score: 0}\n')
        e = self.assertFails("TY_ERR_INVALID", "unknown distribution 'nromal'", bad)
        self.assertEqual(e.status, 1)
        self.assertEqual(e.message.splitlines(), [
            f"{bad}:4:14: error: unknown distribution 'nromal'",
            '    x: {dist: "nromal(0, 1)"}',
            "               ^",
            "  hint: did you mean 'normal'?"])
        s = scenario("release-deadline.yaml")
        self.assertFails("TY_ERR_INVALID", r"^tyche: error: set 'velocty.mean=3': scenario 'release-deadline' "
                         r"has no factor 'velocty'\n  hint: did you mean 'velocity'\?$", s, set={"velocty.mean": 3})
        self.assertFails("TY_ERR_INVALID", r"set 'velocity.mena=1.5': factor 'velocity' is normal\(mean, sd\), "
                         r"which has no parameter 'mena'\n  hint: did you mean 'mean'\?$", s, set={"velocity.mena": 1.5})
        self.assertFails("TY_ERR_INVALID", r"set 'velocity.sd=-1': .*sd", s, set={"velocity.sd": -1})
        self.assertFails("TY_ERR_INVALID", r"set 'velocity.mean=nan': the value is not a finite number", s,
                         set={"velocity.mean": float("nan")})
        self.assertFails("TY_ERR_INVALID", r"set 'velocity=1': 'velocity' is not FACTOR.PARAM", s,
                         set={"velocity": 1})
        self.assertFails("TY_ERR_INVALID", r"set applies to a scenario", scenario("release-deadline-options.yaml"),
                         set={"velocity.mean": 1})
        u = scenario("ukraine-2014-update.yaml")
        self.assertFails("TY_ERR_INVALID", r"observe 'satelite_count=1': .*\n  hint: did you mean 'satellite_count'",
                         u, observe={"satelite_count": 1})
        self.assertFails("TY_ERR_INVALID", r"prior ignores every observation", u, observe={"satellite_count": 1},
                         prior=True)
        with self.assertRaisesRegex(tyche.TycheError, r"^/nonexistent-folder/x.h5: error: .*nonexistent-folder"):
            tyche.run(s, samples=1024, output="/nonexistent-folder/x.h5")
        good = self.path("good.yaml")
        shutil.copy(s, good)
        os.symlink(good, self.path("link.yaml"))
        with self.assertRaisesRegex(tyche.TycheError, f"the result path '{re.escape(good)}' is the scenario file"):
            tyche.run(self.path("link.yaml"), samples=1024, output=good)
        # arguments of the wrong type or range are Python's errors
        with self.assertRaises(TypeError):
            tyche.run(s, samples="100")
        with self.assertRaises(ValueError):
            tyche.run(s, samples=0)
        with self.assertRaises(ValueError):
            tyche.run(s, seed=-1)
        with self.assertRaises(TypeError):
            tyche.run(s, set={"velocity.mean": "fast"})
        with self.assertRaises(TypeError):
            tyche.run(s, set=["velocity.mean"])


class TestXarray(Case):
    """to_xarray: the file's groups as Datasets holding the tables' numbers."""

    def assertDatasetsMatch(self, res):
        groups = res.to_xarray()
        for v in res.variants:
            run = res[v]
            ds = groups[f"runs/{v}/outcomes"]
            np.testing.assert_array_equal(ds["probability"].values, run.outcomes["probability"])
            self.assertEqual(list(ds["name"].values), list(run.outcomes["outcome"]))
            np.testing.assert_array_equal(ds["spread"].values[:, 1], run.outcomes["spread_p50"])
            ds = groups[f"runs/{v}/factors"]
            np.testing.assert_array_equal(ds["mean"].values, run.factors["mean"])
            ds = groups[f"runs/{v}/convergence"]
            np.testing.assert_array_equal(ds["probability"].values.ravel(), run.convergence["probability"])
            if run.time is not None:
                ds = groups[f"runs/{v}/time"]
                np.testing.assert_array_equal(ds["cumulative"].values.ravel(), run.time["cumulative"])
                np.testing.assert_array_equal(np.repeat(ds["step"].values, len(run.outcomes)), run.time["step"])
            if run.differences is not None:
                ds = groups[f"runs/{v}/difference"]
                np.testing.assert_array_equal(ds["diff"].values, run.differences["diff"])
        for name, t in res.sweeps.items():
            ds = res.to_xarray(f"sweeps/{name}")
            np.testing.assert_array_equal(ds["probability"].values.ravel(), t["probability"])
            np.testing.assert_array_equal(np.repeat(ds["values"].values, ds["probability"].shape[1]), t["value"])
        self.assertFalse(any("/resume" in g for g in groups))

    def test_time_run(self):
        out, _ = self.cli("run", scenario("hazard-teaching.yaml"), "-n", "2000", "--seed", "2")
        self.assertDatasetsMatch(tyche.open(out))

    def test_batch_in_memory(self):
        res = tyche.run(scenario("release-deadline-options.yaml"), samples=2048, seed=2)
        self.assertIsNone(res.path)   # the Datasets come from the bytes kept
        self.assertDatasetsMatch(res)
        ds = res.to_xarray("/runs/baseline/outcomes")
        self.assertEqual(ds["probability"].attrs["units"], "1")


class TestLibrary(unittest.TestCase):
    """Finding libtyche (tyche/_library.py), and the version."""

    def python(self, code, env_extra, pythonpath):
        env = {k: v for k, v in os.environ.items() if k not in ("TYCHE_LIBRARY", "PYTHONPATH")}
        env.update(env_extra, PYTHONPATH=pythonpath, LD_LIBRARY_PATH="")
        p = subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        return p.returncode, p.stdout.strip(), p.stderr

    def package_copy(self, tmp, where):
        dest = os.path.join(tmp, where, "tyche")
        shutil.copytree(os.path.dirname(tyche.__file__), dest,
                        ignore=shutil.ignore_patterns("__pycache__", "_install.py"))
        return dest

    def test_version(self):
        with open(os.path.join(ROOT, "engine", "include", "tyche", "version.h")) as f:
            header = re.search(r'#define TY_VERSION_STRING "([^"]+)"', f.read()).group(1)
        self.assertEqual(tyche.__version__, header)
        self.assertEqual(_library.version(), header)
        self.assertEqual(tyche._FALLBACK_VERSION, header)
        self.assertEqual(os.path.realpath(tyche.library_path()), os.path.realpath(LIBRARY))

    def test_search_order(self):
        lib = os.path.realpath(LIBRARY)
        with tempfile.TemporaryDirectory() as tmp:
            # TYCHE_LIBRARY naming no file: a clear error, nothing else tried
            pkg = self.package_copy(tmp, "a/python")
            rc, out, err = self.python("import tyche; tyche.library_path()",
                                       {"TYCHE_LIBRARY": os.path.join(tmp, "nothing.so")}, os.path.dirname(pkg))
            self.assertNotEqual(rc, 0)
            self.assertIn(f"cannot load libtyche from {os.path.join(tmp, 'nothing.so')}", err)
            # ... but tyche.__version__ falls back to the package's own
            rc, out, _ = self.python("import tyche; print(tyche.__version__)",
                                     {"TYCHE_LIBRARY": os.path.join(tmp, "nothing.so")}, os.path.dirname(pkg))
            self.assertEqual((rc, out), (0, tyche._FALLBACK_VERSION))
            # the build tree above the package, build/release first
            for build in ("debug", "release"):
                d = os.path.join(tmp, "a", "build", build, "engine")
                os.makedirs(d)
                os.symlink(lib, os.path.join(d, "libtyche.so.0"))
            rc, out, err = self.python("import tyche; print(tyche.library_path())", {}, os.path.dirname(pkg))
            self.assertEqual((rc, out), (0, os.path.join(tmp, "a", "build", "release", "engine", "libtyche.so.0")),
                             err)
            # _install.py's LIBDIR_RELATIVE comes before the build tree
            libdir = os.path.join(tmp, "prefix", "lib")
            os.makedirs(libdir)
            os.symlink(lib, os.path.join(libdir, "libtyche.so.0"))
            with open(os.path.join(pkg, "_install.py"), "w") as f:
                f.write(f"LIBDIR_RELATIVE = {os.path.relpath(libdir, pkg)!r}\n")
            rc, out, err = self.python("import tyche; print(tyche.library_path())", {}, os.path.dirname(pkg))
            self.assertEqual((rc, os.path.normpath(out)), (0, os.path.join(libdir, "libtyche.so.0")), err)
            # none of them: the error says how to point TYCHE_LIBRARY at it
            pkg = self.package_copy(tmp, "b/python")
            rc, out, err = self.python("import tyche; tyche.run('x.yaml')", {}, os.path.dirname(pkg))
            self.assertNotEqual(rc, 0)
            if "cannot find libtyche" in err:   # unless the system has one installed
                self.assertIn("TYCHE_LIBRARY=", err)


if __name__ == "__main__":
    if not LIBRARY or not os.path.exists(CLI):
        sys.exit("test_tyche.py: set TYCHE_LIBRARY to libtyche.so.0 (and TYCHE_CLI to the tyche command "
                 "when it is not beside the library)")
    unittest.main()
