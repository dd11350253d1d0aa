#!/usr/bin/env bash
# `tyche sensitivity` end to end: every scenario (and batch) under scenarios/
# with each method at a small -n, the result file's sensitivity/ shapes and
# schema, --json, the same numbers for 1 and 3 threads, the exit codes
# (Sobol on a correlated scenario without --ignore-correlations: 3; a bad
# --target or --method: 2 with a hint), and --ignore-correlations recorded.
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
schema() { $py "$root/tests/schema/check_schema.py" "$1" >/dev/null && ok || bad "schema of $1: $($py "$root/tests/schema/check_schema.py" "$1")"; }

# Every file under scenarios/, each method and all of them.
for f in "$root"/scenarios/*.yaml; do
  b=$(basename "$f" .yaml)
  corr=$(grep -q '^correlations:' "$f" && echo 1 || echo 0)
  for m in tornado spearman sobol all; do
    extra=""
    [ "$m" = sobol ] || [ "$m" = all ] && extra="--ignore-correlations"
    "$tyche" sensitivity "$f" -n 3000 --method $m $extra -o "$work/$b-$m.h5" > "$work/out" 2>"$work/err" \
      && ok || { bad "$b --method $m: exit $? $(cat "$work/err")"; continue; }
    schema "$work/$b-$m.h5"
    grep -q "sensitivity (" "$work/out" && ok || bad "$b --method $m: no table"
  done
done

ukr=$root/scenarios/ukraine-2014.yaml
# Sobol on the correlated scenario: exit 3 with a clear message, no file.
"$tyche" sensitivity "$ukr" -n 2000 --method sobol -o "$work/no.h5" 2>"$work/err" >/dev/null; rc=$?
[ $rc = 3 ] && grep -q "Sobol indices assume independent factors" "$work/err" && grep -q -- "--ignore-correlations" "$work/err" \
  && [ ! -e "$work/no.h5" ] && ok || bad "correlated sobol: rc=$rc $(cat "$work/err")"
"$tyche" sensitivity "$ukr" -n 2000 -o "$work/no.h5" 2>/dev/null >/dev/null; rc=$?
[ $rc = 3 ] && ok || bad "correlated --method all (default) without --ignore-correlations: rc=$rc"

# A bad --target: usage error with a did-you-mean hint; a bad --method too.
der=force_needed   # the scenario's first derived value
"$tyche" sensitivity "$ukr" --target "${der}x" --method tornado -n 1000 -o "$work/no.h5" 2>"$work/err" >/dev/null; rc=$?
[ $rc = 2 ] && grep -q "did you mean '$der'" "$work/err" && ok || bad "bad --target: rc=$rc $(cat "$work/err")"
"$tyche" sensitivity "$ukr" --method sobel -o "$work/no.h5" 2>"$work/err" >/dev/null; rc=$?
[ $rc = 2 ] && ok || bad "bad --method: rc=$rc"

# --json, a derived target, --ignore-correlations recorded; the same numbers
# for 1 and 3 threads.
for t in 1 3; do
  "$tyche" sensitivity "$ukr" -n 4000 --target "$der" --ignore-correlations --threads $t -o "$work/j$t.h5" --json --quiet > "$work/j$t.json" \
    && ok || bad "--json --threads $t: exit $?"
done
$py - "$work/j1.json" "$work/j3.json" "$der" <<'PY' && ok || bad "json shape or thread dependence"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
der = sys.argv[3]
s = a["runs"]["baseline"]["sensitivity"]
K = len(a["runs"]["baseline"]["outcomes"])
T, F = len(s["targets"]), len(s["factors"])
assert s["method"] == ["tornado", "spearman", "sobol"], s["method"]
assert s["ignore_correlations"] is True and s["samples"] == 4000
assert T == K + 1 and s["targets"][-1] == der and s["outcome_targets"] == K
assert len(s["tornado"]["baseline"]) == T and len(s["tornado"]["low"]) == T and len(s["tornado"]["low"][0]) == F
assert len(s["spearman"]) == T and len(s["spearman"][0]) == F
for m in ("first", "total"):
    assert len(s["sobol"][m]) == T and len(s["sobol"][m][0]) == F
    assert len(s["sobol"][m + "_ci"][0][0]) == 2
strip = lambda d: {k: v for k, v in d["runs"]["baseline"].items() if k not in ("threads", "wall_seconds")}
assert strip(a) == strip(b), "threads 1 and 3 differ"
PY
$py - "$work/j1.h5" "$der" <<'PY' && ok || bad "HDF5 sensitivity/ shapes"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
g = f["/runs/baseline/sensitivity"]
K = f["/runs/baseline/outcomes/name"].shape[0]
T, F = g["targets"].shape[0], g["factors"].shape[0]
assert T == K + 1 and g["targets"][-1].decode() == sys.argv[2]
assert g.attrs["ignore_correlations"] == 1 and g["sobol"].attrs["ignore_correlations"] == 1
assert g.attrs["method"].decode() == "tornado,spearman,sobol" and g.attrs["samples"] == 4000
assert g["tornado/low"].shape == (T, F) and g["tornado/high"].shape == (T, F)
assert g["tornado/baseline"].shape == (T,) and g["tornado/value_low"].shape == (F,) and g["tornado/value_high"].shape == (F,)
assert g["spearman"].shape == (T, F)
assert g["sobol/first"].shape == (T, F) and g["sobol/total"].shape == (T, F)
assert g["sobol/first_ci"].shape == (T, F, 2) and g["sobol/total_ci"].shape == (T, F, 2)
for d in ("targets", "factors", "tornado/low", "spearman", "sobol/first_ci"):
    assert "description" in g[d].attrs
PY
schema "$work/j1.h5"
# show reads it back: the same sensitivity document.
"$tyche" show "$work/j1.h5" --json > "$work/show.json"
$py -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert a["runs"]["baseline"]["sensitivity"]==b["runs"]["baseline"]["sensitivity"]' "$work/j1.json" "$work/show.json" \
  && ok || bad "show --json differs from sensitivity --json"
"$tyche" show "$work/j1.h5" > "$work/show.txt"   # not piped into grep -q: no SIGPIPE under pipefail
grep -q "ST \[95%\]" "$work/show.txt" && ok || bad "show table lacks the sensitivity table"

finish
