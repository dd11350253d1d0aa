#!/usr/bin/python3
"""add_queries.py IN OUT MODE - OUT is a copy of the tyche result file IN
with, for MODE "add", each outcome's spread (outcomes/spread) and three
queries (queries/: a probability with a label, a mean with a condition, a
quantiles query) in every run, in docs/results.md's layout, and
queries/difference/ in each run that has a difference/ (a batch variant);
for MODE "strip", with neither (as a file of an older tyche). The numbers
are made up: tests/cli/show_queries.sh and tests/cli/plots.sh check what is
printed and drawn from them."""
import shutil, sys
import h5py
import numpy as np
from h5util import fixed_str, f64

src, dst, mode = sys.argv[1:4]
shutil.copyfile(src, dst)

nan = float("nan")
with h5py.File(dst, "r+") as f:
    for v in f["runs"]:
        run = f["runs"][v]
        if "outcomes/spread" in run: del run["outcomes/spread"]
        if "queries" in run: del run["queries"]
        if mode == "strip":
            continue
        K = run["outcomes/name"].shape[0]
        sp = f64(run["outcomes"], "spread", [[0.01, 0.12, 0.24]] + [[0.5, 0.81, 0.97]] * (K - 1))
        sp.attrs["levels"] = np.array([0.05, 0.5, 0.95])
        q = run.create_group("queries")
        fixed_str(q, "name", ["not_late", "slack_if_on_time", "weeks_range"])
        fixed_str(q, "label", ["On time or cancelled", "", ""])
        fixed_str(q, "kind", ["probability", "mean", "quantiles"])
        fixed_str(q, "expr", ["on_time + cancelled", "slack", "weeks_needed"])
        fixed_str(q, "given", ["", "on_time", ""])
        f64(q, "value", [0.4321, 2.5, nan]); f64(q, "stderr", [0.002, 0.01, nan])
        f64(q, "ci_low", [0.4282, 2.48, nan]); f64(q, "ci_high", [0.436, 2.52, nan])
        qq = f64(q, "quantiles", [[nan] * 5, [nan] * 5, [3.5, 5.25, 6, 7, 9.75]])
        qq.attrs["levels"] = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
        f64(q, "given_share", [1, 0.4, 1])
        if "difference" in run:
            d = q.create_group("difference")
            for n, vals in (("diff", [0.0123, -0.25, nan]), ("stderr", [0.001, 0.02, nan]),
                            ("ci_low", [0.0103, -0.29, nan]), ("ci_high", [0.0143, -0.21, nan]),
                            ("unpaired_stderr", [0.004, 0.05, nan])):
                f64(d, n, vals)
