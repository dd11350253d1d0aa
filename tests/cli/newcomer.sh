#!/usr/bin/env bash
# What a new user hits first, end to end: --quiet is silent on success for
# every verb that takes it; the closing "tyche: wrote" line comes after the
# table in a shared pipe; sensitivity without -o keeps the run's result; a
# rules model without 'otherwise' warns (exit 0); discrete without weights
# means equal weights; derived values' long form carries unit and label to
# check, --json and the result file; ci90 names the family it resolves to;
# an outcome named like a factor is refused by check (not at --save-samples).
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
scen=$root/scenarios/ukraine-2014.yaml
batch=$root/scenarios/ukraine-2014-policy.yaml

# --quiet: nothing on stdout or stderr on success, for every verb taking it.
quiet() {   # NAME COMMAND...
  local name=$1; shift
  "$@" >"$work/q.out" 2>"$work/q.err"; local rc=$?
  [ $rc = 0 ] && [ ! -s "$work/q.out" ] && [ ! -s "$work/q.err" ] && ok \
    || bad "$name --quiet: exit $rc, stdout '$(head -c 200 "$work/q.out")', stderr '$(head -c 200 "$work/q.err")'"
}
quiet run "$tyche" run "$scen" -n 2000 -o "$work/q1.h5" --quiet
quiet batch "$tyche" batch "$batch" -n 2000 -o "$work/q2.h5" --quiet
quiet sensitivity "$tyche" sensitivity "$scen" -n 500 --method tornado -o "$work/q3.h5" --quiet
# --quiet --json: the document still goes to stdout (asked for), stderr empty.
"$tyche" run "$scen" -n 2000 -o "$work/q4.h5" --quiet --json >"$work/q.out" 2>"$work/q.err"
$py -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/q.out" && [ ! -s "$work/q.err" ] && ok \
  || bad "--quiet --json: stdout not one JSON document or stderr not empty: $(cat "$work/q.err")"
"$tyche" help run | grep -q -- "--json still prints" && ok || bad "tyche help run does not say what --quiet --json does"

# Piped together, "tyche: wrote" is the last line, after the table.
for verb in run batch sensitivity; do
  case $verb in
    run) args=("$scen" -n 2000) ;;
    batch) args=("$batch" -n 2000) ;;
    sensitivity) args=("$scen" -n 500 --method tornado) ;;
  esac
  out=$("$tyche" $verb "${args[@]}" -o "$work/p-$verb.h5" 2>&1 | cat)
  last=$(tail -n 1 <<<"$out")
  [ "$last" = "tyche: wrote $work/p-$verb.h5" ] && [ "$(grep -c '^tyche: wrote' <<<"$out")" = 1 ] && ok \
    || bad "$verb 2>&1 | ...: last line is '$last'"
done

# sensitivity without -o: results/<name>-sensitivity.h5, the run's file untouched.
mkdir "$work/cwd"
( cd "$work/cwd" && "$tyche" run "$scen" -n 3000 --quiet ) || bad "run in a temp dir"
before=$(md5sum < "$work/cwd/results/ukraine-2014.h5")
( cd "$work/cwd" && "$tyche" sensitivity "$scen" -n 500 --method tornado --quiet ) || bad "sensitivity in a temp dir"
[ -s "$work/cwd/results/ukraine-2014.h5" ] && [ "$(md5sum < "$work/cwd/results/ukraine-2014.h5")" = "$before" ] && ok || bad "sensitivity overwrote the run's result"
[ -f "$work/cwd/results/ukraine-2014-sensitivity.h5" ] && ok || bad "no results/ukraine-2014-sensitivity.h5: $(ls "$work/cwd/results")"
"$tyche" help sensitivity | grep -q -- "-sensitivity.h5" && ok || bad "help sensitivity names the old default"

# A rules model without 'otherwise': a warning at 'outcomes', exit 0, for
# check, run (before sampling, even with --quiet) and a batch over it.
cat > "$work/rules.yaml" <<'EOF'
tyche: 1
name: rules-no-otherwise
factors:
  a: {dist: "normal(0, 1)"}
outcomes:
  model: rules
  up: {when: a > 0}
  down: {when: a <= 0}
EOF
"$tyche" check "$work/rules.yaml" >"$work/out" 2>"$work/err"; rc=$?
want="$work/rules.yaml:5:1: warning: a sample that matches no rule stops the run; add a last outcome with 'otherwise: true'"
[ $rc = 0 ] && grep -qF "$want" "$work/err" && grep -q "^ *\^$" "$work/err" && grep -q "hint:" "$work/err" && ok \
  || bad "check of rules without otherwise: exit $rc, stderr: $(cat "$work/err")"
[ "$(grep -c warning: "$work/err")" = 1 ] && ok || bad "the warning is repeated: $(cat "$work/err")"
"$tyche" run "$work/rules.yaml" -n 1000 -o "$work/rules.h5" --quiet >"$work/out" 2>"$work/err"; rc=$?
[ $rc = 0 ] && [ "$(cat "$work/err")" != "" ] && grep -qF "$want" "$work/err" && [ ! -s "$work/out" ] && ok \
  || bad "run --quiet of rules without otherwise: exit $rc, stderr: $(cat "$work/err")"
printf 'tyche: 1\nbatch: b\nscenario: rules.yaml\nvariants:\n  base: {}\n  more: {factors: {a: {dist: "normal(1, 1)"}}}\n' > "$work/rb.yaml"
"$tyche" batch "$work/rb.yaml" -n 1000 -o "$work/rb.h5" --quiet 2>"$work/err"; rc=$?
[ $rc = 0 ] && [ "$(grep -c warning: "$work/err")" = 1 ] && ok || bad "batch over rules without otherwise: exit $rc, $(cat "$work/err")"
"$tyche" check "$root/scenarios/geneva-2014.yaml" >/dev/null 2>"$work/err" && [ ! -s "$work/err" ] && ok \
  || bad "a rules model with otherwise warns: $(cat "$work/err")"

# discrete without weights: equal weights.
cat > "$work/disc.yaml" <<'EOF'
tyche: 1
name: disc
factors:
  level: {dist: "discrete([1, 2, 3])"}
outcomes:
  high: {score: level - 2}
  low: {score: 0}
EOF
"$tyche" check "$work/disc.yaml" >"$work/out" 2>&1 && grep -q "discrete(values=\[1, 2, 3\])" "$work/out" && ok \
  || bad "check of discrete without weights: $(cat "$work/out")"
"$tyche" run "$work/disc.yaml" -n 60000 -o "$work/disc.h5" --save-samples --quiet || bad "run of discrete without weights"
$py -c '
import h5py, sys
x = h5py.File(sys.argv[1])["runs/baseline/samples/level"][:]
for v in (1, 2, 3):
    f = (x == v).mean()
    assert abs(f - 1/3) < 0.01, (v, f)
assert len(x) == 60000 and set(x.tolist()) == {1.0, 2.0, 3.0}
' "$work/disc.h5" && ok || bad "discrete without weights: values not 1/3 each"

# Derived values: the long form's unit and label reach check, --json and the file.
cat > "$work/derived.yaml" <<'EOF'
tyche: 1
name: derived-long
factors:
  dist_km: {dist: "ci90(-5, 40)", unit: km}
  hours: {dist: "uniform(1, 2)", unit: h}
derived:
  speed:
    expr: dist_km / hours
    unit: km/h
    label: Average speed
    bounds: [-10, 50]
  double: dist_km * 2
outcomes:
  fast: {score: speed / 10}
  slow: {score: 0}
EOF
"$tyche" check "$work/derived.yaml" >"$work/out" 2>&1 || bad "check of derived long form: $(cat "$work/out")"
grep -q "speed .*= dist_km / hours  \[km/h\]" "$work/out" && grep -q "Average speed" "$work/out" && ok \
  || bad "check does not show the derived unit and label: $(cat "$work/out")"
grep -qF "ci90(lo=-5, hi=40) -> normal(mean=17.5, sd=13.68)" "$work/out" && ok \
  || bad "check does not name ci90's family: $(cat "$work/out")"
"$tyche" check "$scen" | grep -q "ci90(.*) -> lognormal(mu=" && ok || bad "check does not name ci90's lognormal"
"$tyche" run "$work/derived.yaml" -n 5000 -o "$work/derived.h5" --json --quiet --save-samples > "$work/d.json" \
  || bad "run of derived long form"
$py -c '
import json, sys
d = json.load(open(sys.argv[1]))["runs"]["baseline"]["derived"]
d = d if isinstance(d, list) else [dict(v, name=k) for k, v in d.items()]
s = [x for x in d if x["name"] == "speed"][0]
assert s["unit"] == "km/h", s
' "$work/d.json" && ok || bad "--json lacks the derived unit: $(head -c 300 "$work/d.json")"
$py -c '
import h5py, sys
g = h5py.File(sys.argv[1])["runs/baseline/derived"]
names = [n.decode() if isinstance(n, bytes) else n for n in g["name"][:]]
unit = [u.decode() if isinstance(u, bytes) else u for u in g["unit"][:]]
label = [u.decode() if isinstance(u, bytes) else u for u in g["label"][:]]
i = names.index("speed")
assert unit[i] == "km/h" and label[i] == "Average speed", (names, unit, label)
assert unit[names.index("double")] == ""
' "$work/derived.h5" && ok || bad "derived/unit or derived/label in the file"

# An outcome named like a factor is a check error, not a --save-samples failure.
printf 'tyche: 1\nname: clash\nfactors:\n  troops: {dist: "normal(0, 1)"}\noutcomes:\n  troops: {score: 1}\n  other: {score: 0}\n' > "$work/clash.yaml"
"$tyche" check "$work/clash.yaml" >/dev/null 2>"$work/err"; rc=$?
[ $rc = 3 ] && grep -qF "clash.yaml:6:3: error: name 'troops' is already used by a factor (line 4)" "$work/err" && ok \
  || bad "outcome named like a factor: exit $rc $(cat "$work/err")"

finish
