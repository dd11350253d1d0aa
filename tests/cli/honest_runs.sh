#!/usr/bin/env bash
# What a run says about its own precision, end to end: a --target-halfwidth
# that is not reached is said in the table, on stderr (even with --quiet),
# in --json and in the result file; one that is reached stops the run from
# 8 blocks on, never before; a batch variant that cannot be paired with the
# baseline is a warning at its position, not a silently missing difference;
# a batch of sweeps only writes a valid file whose sweeps name their outcomes.
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
scen=$root/scenarios/release-deadline.yaml

# A target out of reach within the budget.
"$tyche" run "$scen" -n 20000 --target-halfwidth 0.0001 -o "$work/t.h5" >"$work/t.out" 2>"$work/t.err"
[ $? = 0 ] && ok || bad "unreached target: exit status"
grep -q "TARGET NOT REACHED" "$work/t.out" && ok || bad "table does not say the target was missed"
grep -q "warning: baseline: target half-width 0.0001 not reached" "$work/t.err" && ok || bad "no stderr warning: $(cat "$work/t.err")"
"$tyche" run "$scen" -n 20000 --target-halfwidth 0.0001 -o "$work/t.h5" --quiet --json >"$work/tj.out" 2>"$work/tj.err"
grep -q "not reached" "$work/tj.err" && ok || bad "--quiet hid the warning"
$py - "$work/tj.out" "$work/t.h5" <<'PY' && ok || bad "json or result file"
import json, sys, h5py
d = json.load(open(sys.argv[1]))["runs"]["baseline"]
assert d["target_reached"] is False and d["target_halfwidth"] == 0.0001, d
assert d["max_halfwidth"] > 0.0001, d
with h5py.File(sys.argv[2]) as f:
    a = f["runs/baseline"].attrs
    assert a["target_reached"] == 0 and a["target_halfwidth"] == 0.0001 and a["max_halfwidth"] > 0.0001
PY

# A target within reach: stops at a checkpoint of 8 blocks or more, and says so.
"$tyche" run "$scen" -n 4000000 --target-halfwidth 0.02 -o "$work/r.h5" --quiet --json >"$work/r.out" 2>/dev/null
$py - "$work/r.out" <<'PY' && ok || bad "a reached target must stop at >= 8 blocks"
import json, sys
d = json.load(open(sys.argv[1]))["runs"]["baseline"]
assert d["stopped_early"] is True and d["target_reached"] is True, d
assert d["samples"] == 8 * 1024, d["samples"]   # 0.02 is reached at once: the rule waits for 8 blocks
PY

# A variant with its own seed cannot be paired: a warning at its position.
cat >"$work/b.yaml" <<EOB
tyche: 1
batch: unpaired
scenario: $scen
variants:
  baseline: {}
  other_seed: {run: {seed: 9}}
EOB
"$tyche" batch "$work/b.yaml" -n 5000 -o "$work/b.h5" --quiet >/dev/null 2>"$work/b.err"
[ $? = 0 ] && ok || bad "unpaired batch: exit status"
grep -q "b.yaml:6:3: warning: variant 'other_seed' cannot be paired with 'baseline'" "$work/b.err" && ok \
  || bad "no warning for the unpaired variant: $(cat "$work/b.err")"

# A batch of sweeps only: a valid result file whose sweeps name their
# outcomes (show prints them, not "outcome 1") and keep their label.
cat >"$work/s.yaml" <<EOB
tyche: 1
batch: sweeps_only
scenario: $scen
sweeps:
  velocity: {label: Team velocity, factor: velocity, param: mean, values: [1, 2]}
EOB
"$tyche" batch "$work/s.yaml" -n 3000 -o "$work/s.h5" --quiet && ok || bad "sweeps-only batch failed"
"$tyche" show "$work/s.h5" | grep -q "on_time" && ok || bad "show does not name the sweep's outcomes"
$py "$root/tests/schema/check_schema.py" "$work/s.h5" >/dev/null && ok || bad "sweeps-only file fails the schema"
$py - "$work/s.h5" <<'PY' && ok || bad "sweep label or outcome names not stored"
import sys, h5py
with h5py.File(sys.argv[1]) as f:
    g = f["sweeps/velocity"]
    assert g.attrs["label"].decode() == "Team velocity"
    assert [x.decode() for x in g["outcome"][()]] == ["on_time", "late", "cancelled"]
PY

# The result file names the family each factor resolved to (ci90 chooses
# lognormal or normal by the sign of its low end).
cat >"$work/c.yaml" <<'EOB'
tyche: 1
name: families
factors:
  pos: {dist: "ci90(5, 40)"}
  neg: {dist: "ci90(-5, 40)"}
outcomes:
  a: {score: pos / 40}
  b: {score: neg / 40}
EOB
"$tyche" run "$work/c.yaml" -n 2000 -o "$work/c.h5" --quiet && $py - "$work/c.h5" <<'PY' && ok || bad "factors/dist does not name the family"
import sys, h5py
with h5py.File(sys.argv[1]) as f:
    d = [x.decode() for x in f["runs/baseline/factors/dist"][()]]
assert "-> lognormal(" in d[0] and "-> normal(" in d[1], d
PY

# Hints send the reader to the format reference in the repository, to a
# section that exists (never to a document a clone does not have).
for f in factor_flow_comma derived_ternary_unquoted; do
  err=$("$tyche" check "$root/tests/malformed/$f.yaml" 2>&1)
  sec=$(grep -o "docs/format.md, '[^']*'" <<<"$err" | head -1 | sed "s/.*, '//; s/'$//")
  if [ -n "$sec" ] && grep -q "^##* $sec\$" "$root/docs/format.md"; then ok
  else bad "$f: hint does not point at a section of docs/format.md: $(grep hint <<<"$err")"; fi
done
grep -rn "DESIGN" "$root/engine" "$root/README.md" "$root/docs" "$root/scenarios" "$root/plots" >/dev/null \
  && bad "a user-facing file refers to DESIGN.md, which a clone does not have" || ok

finish
