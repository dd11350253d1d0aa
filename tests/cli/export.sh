#!/usr/bin/env bash
# `tyche export` (docs/export.md): a plain run, a batch with sweeps, a
# sensitivity result, a run with observations, a time scenario and a
# scenario whose labels hold commas, quotes and line breaks, each exported
# as CSV and JSON and checked by export_check.py against `tyche show
# --json` and the HDF5 file (pandas and h5py under /usr/bin/python3), with
# --variant, the default folder, and the errors and exit codes. Small -n:
# well under a minute.
#   usage: bash export.sh TYCHE_BINARY [DATA_DIR]
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
S=$root/scenarios
cd "$work" || exit 1

cat > quote.yaml <<'YAML'
tyche: 1
name: quoting
title: 'A title, with "quotes"'
run: {samples: 2000, seed: 1}
factors:
  a: {dist: "normal(0, 1)", unit: 'km, "roughly"', label: "first, \"a\""}
  b: {dist: "uniform(0, 1)", label: "two\nlines"}
derived:
  ab: {expr: "a * b", unit: "m,s"}
outcomes:
  model: logit
  up: {score: a + b, label: 'Up, "way" up'}
  down: {score: 0, label: "Down\r\nand out"}
queries:
  big: {probability: "a > 1", label: "a, \"big\""}
YAML

made() { "$@" --quiet && ok || bad "$*"; }
made "$tyche" run "$S/ukraine-2014.yaml" -n 3000 -o run.h5
made "$tyche" batch "$S/ukraine-2014-policy.yaml" -n 2000 -o batch.h5
made "$tyche" sensitivity "$S/ukraine-2014.yaml" -n 256 --ignore-correlations -o sens.h5
made "$tyche" run "$S/ukraine-2014-update.yaml" -n 3000 -o upd.h5
made "$tyche" run "$S/ukraine-2014-time.yaml" -n 1000 -o time.h5
made "$tyche" run quote.yaml -o quote.h5

$py "$root/tests/cli/export_check.py" "$tyche" "$work" && ok || bad "export_check.py"
finish "export"
