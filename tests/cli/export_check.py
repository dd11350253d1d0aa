#!/usr/bin/env python3
"""export_check.py TYCHE WORK - checks `tyche export` (docs/export.md) on the
result files that tests/cli/export.sh made in WORK: run.h5 (a plain run),
batch.h5 (a batch with sweeps), sens.h5 (sensitivity), upd.h5 (a run with
observations), time.h5 (a time scenario) and quote.h5 (names and labels with
commas, quotes and line breaks).

Each file is exported as CSV and as JSON. Every CSV is read with
pandas.read_csv (round-trip floats, only the empty field as missing) and
compared with `tyche show RESULT.h5 --json`, exactly: the same doubles,
strings and missing values, row by row in the scenario's order; the
histograms and convergence tables, which `show` does not print, with the
HDF5 file through h5py. The JSON files must hold the same rows with the same
columns in the same order. Then the raw bytes (no BOM, CRLF, quoting), the
default folder, --variant, and the errors and exit codes. Prints one line per
failure and a count; exit 1 when anything failed. Needs /usr/bin/python3
with pandas and h5py."""
import csv
import io
import json
import math
import os
import subprocess
import sys

import h5py
import pandas as pd

TYCHE, WORK = sys.argv[1], sys.argv[2]
passed, failed = 0, 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)
    return cond


def tyche(*args, cwd=WORK):
    return subprocess.run([TYCHE, *args], capture_output=True, text=True, cwd=cwd)


def norm(v):
    """None for a missing value (NaN, null, an empty field)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item"):          # numpy scalars
        v = v.item()
    return v


def same(a, b):
    a, b = norm(a), norm(b)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return int(a) == int(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b) and (not isinstance(a, int) or not isinstance(b, int) or a == b)
    return a == b


def read_csv(path):
    """As docs/export.md says to read them."""
    df = pd.read_csv(path, float_precision="round_trip", keep_default_na=False, na_values=[""])
    return list(df.columns), [{k: norm(v) for k, v in r.items()} for r in df.to_dict("records")]


def export(h5, fmt, out, *extra):
    p = tyche("export", h5, "--format", fmt, "-o", out, "--quiet", *extra)
    check(p.returncode == 0 and p.stdout == "" and p.stderr == "",
          f"export {h5} --format {fmt} {extra}: rc {p.returncode}: {p.stderr}")
    return p


def load(h5, *extra, tag=""):
    """Exports h5 both ways; checks the two agree and the CSV bytes; returns
    {table: rows} from the CSV files."""
    base = os.path.join(WORK, os.path.basename(h5)[:-3] + tag)
    export(h5, "csv", base + "-csv", *extra)
    export(h5, "json", base + "-json", *extra)
    csvs = sorted(f[:-4] for f in os.listdir(base + "-csv"))
    jsons = sorted(f[:-5] for f in os.listdir(base + "-json"))
    check(csvs == jsons, f"{h5}: csv tables {csvs} != json tables {jsons}")
    tables = {}
    for name in csvs:
        path = os.path.join(base + "-csv", name + ".csv")
        raw = open(path, "rb").read()
        check(not raw.startswith(b"\xef\xbb\xbf"), f"{path}: a byte-order mark")
        text = raw.decode("utf-8")
        check(text.endswith("\r\n") and "\r\n" in text.split("\n")[0] + "\n"
              and text.split("\n")[0].endswith("\r"), f"{path}: not CRLF")
        cols, rows = read_csv(path)
        check(len(rows) > 0, f"{path}: no rows (an absent table must write no file)")
        plain = list(csv.reader(io.StringIO(text, newline="")))
        check(plain[0] == cols and len(plain) == len(rows) + 1, f"{path}: csv module and pandas disagree")
        jpath = os.path.join(base + "-json", name + ".json")
        if os.path.exists(jpath):
            j = json.load(open(jpath, encoding="utf-8"))
            ok = isinstance(j, list) and len(j) == len(rows)
            ok = ok and all(list(jr.keys()) == cols for jr in j)
            ok = ok and all(same(jr[k], r[k]) for jr, r in zip(j, rows) for k in cols)
            check(ok, f"{jpath}: not the rows of {name}.csv")
        tables[name] = rows
    check(not [f for f in os.listdir(base + "-csv") if f.startswith(".")], f"{base}-csv: a temporary file left")
    return tables


def show(h5):
    p = tyche("show", h5, "--json")
    check(p.returncode == 0, f"show {h5}: {p.stderr}")
    return json.loads(p.stdout)


def rows_of(t, table, variant):
    return [r for r in t.get(table, []) if r.get("variant", variant) == variant]


def match(rows, want, what):
    """rows (dicts) against want (a list of {column: value}), in order."""
    ok = len(rows) == len(want)
    bad = None
    for r, w in zip(rows, want):
        for k, v in w.items():
            if not same(r.get(k), v):
                ok, bad = False, (k, r.get(k), v)
                break
        if not ok:
            break
    check(ok, f"{what}: {len(rows)} rows, {len(want)} wanted; first difference {bad}")


def check_run(t, variant, R, h5file, where):
    """Every per-run table of variant against show's run R and the file."""
    outs = R["outcomes"]
    match(rows_of(t, "outcomes", variant),
          [dict(outcome=o["name"], label=o["label"], probability=o["probability"], stderr=o["stderr"],
                ci_low=o["ci_low"], ci_high=o["ci_high"],
                **{f"spread_p{p}": (o["spread"][i] if "spread" in o else None)
                   for i, p in enumerate(("05", "50", "95"))}) for o in outs], f"{where} outcomes")
    match(rows_of(t, "differences", variant),
          [dict(outcome=o["name"], **o["difference"]) for o in outs if "difference" in o], f"{where} differences")
    match(rows_of(t, "outcomes_prior", variant),
          [dict(outcome=o["name"], label=o["label"], **o["prior"]) for o in outs if "prior" in o],
          f"{where} outcomes_prior")
    qs = R.get("queries", [])
    match(rows_of(t, "queries", variant),
          [dict(query=q["name"], label=q["label"], kind=q["kind"], expr=q["expr"], given=q["given"],
                value=q["value"], stderr=q["stderr"], ci_low=q["ci_low"], ci_high=q["ci_high"],
                given_share=q["given_share"],
                **{c: (q["quantiles"][i] if q["quantiles"] else None)
                   for i, c in enumerate(("q05", "q25", "q50", "q75", "q95"))}) for q in qs], f"{where} queries")
    match(rows_of(t, "query_differences", variant),
          [dict(query=q["name"], kind=q["kind"], **q["difference"]) for q in qs
           if "difference" in q and q["kind"] != "quantiles"], f"{where} query_differences")
    for table, key, col in (("factors", "factors", "factor"), ("derived", "derived", "derived"),
                            ("factors_prior", "factors_prior", "factor"),
                            ("derived_prior", "derived_prior", "derived")):
        match(rows_of(t, table, variant),
              [{col: s["name"], "unit": s["unit"], "mean": s["mean"], "sd": s["sd"], "p05": s["p05"],
                "p50": s["p50"], "p95": s["p95"]} for s in R.get(key, [])], f"{where} {table}")
    ob = R.get("observations")
    match(rows_of(t, "observations", variant),
          [dict(observation=o["name"], kind=o["kind"], of=o["of"], expr=o["expr"], label=o["label"],
                value=o["value"], held=o["held"]) for o in (ob["list"] if ob else [])], f"{where} observations")
    match(rows_of(t, "observation_stats", variant),
          [dict(samples=R["samples"], ess=ob["ess"], ess_fraction=ob["ess_fraction"],
                acceptance=ob["acceptance"], log_evidence=ob["log_evidence"], pareto_k=ob["pareto_k"],
                warnings="\n".join(ob["warnings"]) or None)] if ob else [], f"{where} observation_stats")
    match([r for r in t["runs"] if r["variant"] == variant],
          [dict(label=R["label"], samples=R["samples"], samples_requested=R["samples_requested"], seed=R["seed"],
                sampling=R["sampling"], threads=R["threads"], ranks=R["ranks"], wall_seconds=R["wall_seconds"],
                complete=R["complete"], stopped_early=R["stopped_early"],
                time_steps=R["time"]["steps"] if "time" in R else None)], f"{where} runs")
    # time curves, long: step-major, then outcome (state)
    tm = R.get("time")
    want, states = [], []
    if tm:
        for i, step in enumerate(tm["step"]):
            for k, o in enumerate(outs):
                want.append(dict(step=step, outcome=o["name"], cumulative=tm["cumulative"][i][k],
                                 ci_low=tm["ci_low"][i][k], ci_high=tm["ci_high"][i][k]))
            for x in tm["states"]:
                states.append(dict(step=step, state=x["name"], label=x["label"], unit=x["unit"],
                                   **{c: x[c][i] if c in x else None
                                      for c in ("mean", "p05", "p50", "p95", "mean_running", "p05_running",
                                                "p50_running", "p95_running")}))
    match(rows_of(t, "time_outcomes", variant), want, f"{where} time_outcomes")
    match(rows_of(t, "time_states", variant), states, f"{where} time_states")
    # sensitivity, long: target, factor, then the measures
    s = R.get("sensitivity")
    want = []
    if s:
        F = s["factors"]
        for i, tg in enumerate(s["targets"]):
            kind = "outcome" if i < s["outcome_targets"] else "derived"
            for f, fac in enumerate(F):
                base = dict(target=tg, target_kind=kind, factor=fac)
                if "tornado" in s:
                    tor = s["tornado"]
                    for side in ("low", "high"):
                        want.append(dict(base, measure="tornado_" + side, value=tor[side][i][f], ci_low=None,
                                         ci_high=None, factor_value=tor["value_" + side][f],
                                         baseline=tor["baseline"][i]))
                if "spearman" in s:
                    want.append(dict(base, measure="spearman", value=s["spearman"][i][f], ci_low=None,
                                     ci_high=None, factor_value=None, baseline=None))
                if "sobol" in s:
                    for m in ("first", "total"):
                        ci = s["sobol"][m + "_ci"][i][f]
                        want.append(dict(base, measure="sobol_" + m, value=s["sobol"][m][i][f], ci_low=ci[0],
                                         ci_high=ci[1], factor_value=None, baseline=None))
    match(rows_of(t, "sensitivity", variant), want, f"{where} sensitivity")
    if s:
        match(rows_of(t, "sensitivity_settings", variant),
              [dict(methods=",".join(s["method"]), samples=s["samples"], seed=s["seed"],
                    ignore_correlations=s["ignore_correlations"])], f"{where} sensitivity_settings")
    # histograms and convergence, against the file itself
    g = h5file["runs"][variant]
    want = []
    for kind, key in (("factor", "factors"), ("derived", "derived")):
        for name in [x.decode() for x in g[key]["name"][()]] if key in g else []:
            h = g["histograms"][name]
            e, c = h["edges"][()], h["counts"][()]
            for b in range(len(c)):
                want.append(dict(kind=kind, series=name, bin_low=e[b], bin_high=e[b + 1], count=c[b]))
            if "underflow" in h:
                want.append(dict(kind=kind, series=name, bin_low=None, bin_high=e[0], count=h["underflow"][()]))
                want.append(dict(kind=kind, series=name, bin_low=e[-1], bin_high=None, count=h["overflow"][()]))
    match(rows_of(t, "histograms", variant), want, f"{where} histograms")
    cv = g["convergence"]
    want = [dict(samples=n, outcome=o["name"], probability=cv["probability"][i][k],
                 halfwidth=cv["halfwidth"][i][k])
            for i, n in enumerate(cv["samples"][()]) for k, o in enumerate(outs)]
    match(rows_of(t, "convergence", variant), want, f"{where} convergence")


def check_result(name, expect_tables):
    h5 = os.path.join(WORK, name + ".h5")
    t = load(h5)
    S = show(h5)
    check(set(t) == set(expect_tables), f"{name}: tables {sorted(t)}, wanted {sorted(expect_tables)}")
    multi = len(S["runs"]) > 1
    for table, rows in t.items():
        if table in ("result", "runs", "sweeps") or table.startswith("sweep-"):
            continue
        check(("variant" in rows[0]) == multi, f"{name} {table}: variant column {'missing' if multi else 'present'}")
    match(t["result"], [dict(scenario=S["scenario"], title=S["title"], source=S["source"],
                             tyche_version=S["tyche_version"], created=S["created"], complete=S["complete"])],
          f"{name} result")
    with h5py.File(h5, "r") as f:
        for v, R in S["runs"].items():
            check_run(t, v, R, f, f"{name} [{v}]")
    want, sweeps = [], S["sweeps"]
    for sw, d in sweeps.items():
        match(t.get("sweep-" + sw, []),
              [dict(value=x, outcome=o, probability=d["probability"][p][k], ci_low=d["ci_low"][p][k],
                    ci_high=d["ci_high"][p][k]) for p, x in enumerate(d["values"]) for k, o in enumerate(d["outcomes"])],
              f"{name} sweep-{sw}")
        want.append(dict(sweep=sw, factor=d["factor"], param=d["param"], points=len(d["values"])))
    match(t.get("sweeps", []), want, f"{name} sweeps")
    return t, S


BASE = {"result", "runs", "outcomes", "factors", "derived", "queries", "convergence", "histograms"}
check_result("run", BASE)
batch, bshow = check_result("batch", BASE | {"differences", "query_differences", "sweeps"}
                            | {"sweep-" + s for s in ("troop_buildup", "sanctions_pressure", "us_resolve",
                                                      "resistance")})
check_result("sens", BASE | {"sensitivity", "sensitivity_settings"})
check_result("upd", BASE | {"observations", "observation_stats", "outcomes_prior", "factors_prior",
                            "derived_prior", "histograms_prior"})
check_result("time", BASE | {"time_outcomes", "time_states"})
quote, _ = check_result("quote", {"result", "runs", "outcomes", "factors", "derived", "queries", "convergence",
                                  "histograms"})

# Quoting: the raw fields, and what pandas reads back.
raw = open(os.path.join(WORK, "quote-csv", "outcomes.csv"), "rb").read().decode()
check('up,"Up, ""way"" up",' in raw, "outcome label with a comma and quotes not quoted as RFC 4180 says")
check('down,"Down\r\nand out",' in raw, "label with a line break not quoted")
check([r["label"] for r in quote["outcomes"]] == ['Up, "way" up', "Down\r\nand out"], "labels read back")
check(quote["factors"][0]["unit"] == 'km, "roughly"' and quote["factors"][1]["label"] == "two\nlines"
      and quote["factors"][1]["unit"] is None, f"factor units and labels read back: {quote['factors']}")
check(quote["result"][0]["title"] == 'A title, with "quotes"', "title read back")
check(quote["queries"][0]["label"] == 'a, "big"', "query label read back")

# --variant: that run alone, without the variant column and the sweeps.
one = load(os.path.join(WORK, "batch.h5"), "--variant", "us_accepts", tag="-us_accepts")
check(not any(k.startswith("sweep") for k in one), f"--variant exported sweeps: {sorted(one)}")
check("variant" not in one["outcomes"][0], "--variant kept the variant column")
for table in ("outcomes", "differences", "queries", "factors", "derived", "histograms", "convergence"):
    want = [{k: v for k, v in r.items() if k != "variant"} for r in rows_of(batch, table, "us_accepts")]
    check(one[table] == want, f"--variant us_accepts: {table} is not the batch's rows of us_accepts")
one = load(os.path.join(WORK, "batch.h5"), "--variant", "baseline", tag="-baseline")
check("differences" not in one, "the baseline has differences")

# The default folder: beside the result, NAME-export.
p = tyche("export", "run.h5", "--format", "json")
check(p.returncode == 0 and "wrote" in p.stderr and "run-export" in p.stderr and p.stdout == "",
      f"default folder: rc {p.returncode} {p.stderr}")
check(sorted(os.listdir(os.path.join(WORK, "run-export"))) == sorted(os.listdir(os.path.join(WORK, "run-json"))),
      "default folder: not the same files")
os.makedirs(os.path.join(WORK, "sub"), exist_ok=True)
os.rename(os.path.join(WORK, "time.h5"), os.path.join(WORK, "sub", "t.h5"))
p = tyche("export", "sub/t.h5", "--format", "csv", "--quiet")
check(p.returncode == 0 and os.path.isfile(os.path.join(WORK, "sub", "t-export", "time_states.csv")),
      f"default folder of sub/t.h5: {p.stderr}")
p = tyche("help", "export")
check(p.returncode == 0 and "-export" in p.stdout and "--format csv|json" in p.stdout, "help export")

# Errors and exit codes.
def fails(args, rc, *fragments, same_as_show=False):
    p = tyche(*args)
    ok = p.returncode == rc and all(f in p.stderr for f in fragments) and p.stdout == ""
    if same_as_show:
        s = tyche("show", args[1])
        ok = ok and s.stderr == p.stderr
    check(ok, f"tyche {' '.join(args)}: rc {p.returncode} (want {rc}), stderr {p.stderr!r}")

fails(["export", "batch.h5", "--format", "csv", "--variant", "us_acepts", "-o", "x1"], 2,
      "no variant 'us_acepts'", "baseline, us_accepts,", "did you mean 'us_accepts'?", "tyche help export")
fails(["export", "run.h5", "--format", "csv", "--variant", "zzz", "-o", "x1"], 2, "variants: baseline)")
check(not os.path.exists(os.path.join(WORK, "x1")), "a usage error made the folder")
open(os.path.join(WORK, "text.h5"), "w").write("not a result\n")
with h5py.File(os.path.join(WORK, "other.h5"), "w") as f:
    f["x"] = 1
fails(["export", "text.h5", "--format", "csv", "-o", "x2"], 1, "not an HDF5 file", same_as_show=True)
fails(["export", "other.h5", "--format", "csv", "-o", "x2"], 1, "not a tyche result file", same_as_show=True)
fails(["export", "missing.h5", "--format", "csv", "-o", "x2"], 1, "cannot open: No such file or directory",
      same_as_show=True)
check(not os.path.exists(os.path.join(WORK, "x2")), "a failed read made the folder")
fails(["export", "run.h5", "--format", "csv", "-o", "text.h5"], 1, "text.h5: error: not a folder")
fails(["export", "run.h5", "--format", "csv", "-o", "nowhere/deeper"], 1,
      "nowhere/deeper: error: cannot create the folder: its parent folder does not exist")
fails(["export", "run.h5", "--format", "csv", "-o", "text.h5/sub"], 1,
      "text.h5/sub: error: cannot use this folder: Not a directory")
fails(["export", "run.h5", "--format", "csv", "-o", "/proc/tyche-export-test"], 1, "/proc/tyche-export-test: error:")
fails(["export", "run.h5", "--format", "csv", "-o", "/proc"], 1, "/proc/result.csv: error: cannot create a file")
if os.geteuid() != 0:
    ro = os.path.join(WORK, "readonly")
    os.makedirs(ro)
    os.chmod(ro, 0o555)
    fails(["export", "run.h5", "--format", "csv", "-o", ro], 1, "cannot write in this folder: Permission denied")
fails(["export", "run.h5"], 2, "missing --format csv|json")
fails(["export", "--format", "csv"], 2, "missing RESULT.h5")
fails(["export", "run.h5", "--format", "xml"], 2, "--format: 'xml' is not csv or json")
fails(["export", "run.h5", "--format"], 2, "option '--format' needs a value")
fails(["export", "run.h5", "--format", "csv", "--json"], 2, "unknown option '--json'")
fails(["export", "run.h5", "batch.h5", "--format", "csv"], 2, "one file at a time")
fails(["export", "run.h5", "--format", "csv", "-o", ""], 2, "-o: the folder is empty")

# All or nothing: a final name taken by a folder fails the export before
# any rename; the older files stay as they were and no temporary file is left.
old = os.path.join(WORK, "old")
export(os.path.join(WORK, "run.h5"), "csv", old)
before = {f: open(os.path.join(old, f), "rb").read() for f in os.listdir(old)}
os.remove(os.path.join(old, "queries.csv"))
os.mkdir(os.path.join(old, "queries.csv"))
fails(["export", "batch.h5", "--format", "csv", "-o", "old"], 1,
      "old/queries.csv: error: is a folder; tyche export replaces only regular files")
after = {f: open(os.path.join(old, f), "rb").read() for f in os.listdir(old) if f != "queries.csv"}
check(after == {f: b for f, b in before.items() if f != "queries.csv"}, "a failed export changed older files")
check(not [f for f in os.listdir(old) if f.startswith(".")], "a failed export left a temporary file")

print(f"export_check: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
