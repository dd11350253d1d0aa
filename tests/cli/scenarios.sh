#!/usr/bin/env bash
# The shipped scenarios under scenarios/, found dynamically: each checks
# clean; each scenario runs and its probabilities sum to 1; each batch runs
# and its result file holds every variant and every sweep with probability
# datasets of the right shapes. Then common random numbers on the flagship:
# a variant that changes nothing gives bit-identical numbers to the
# baseline, one that changes a factor gives other numbers, and a variant
# that changes only one factor leaves every other factor's per-sample
# values untouched.
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"

# A batch file has a top-level `batch:` key; everything else is a scenario.
is_batch() { grep -q '^batch:' "$1"; }

# Expected names from `tyche check` (tyche's own reading of the file):
# "NAME" per variant, "NAME POINTS" per sweep, and the outcome count.
check_variants() { sed -n '/^variants (/,/^sweeps (/p' | sed -n 's/^- \([A-Za-z0-9_-]*\).*/\1/p'; }
check_sweeps()   { sed -n '/^sweeps (/,$p' | sed -n 's/^- \([A-Za-z0-9_-]*\): .* over \([0-9]*\) points.*/\1 \2/p'; }
check_outcomes() { sed -n 's/^outcomes (\([0-9]*\),.*/\1/p'; }

files=$(find "$root/scenarios" -name '*.yaml' | sort)
[ -n "$files" ] && ok || bad "no scenario files found under scenarios/"
nscen=0 nbatch=0
for f in $files; do
  rel=${f#"$root"/}
  out=$("$tyche" check "$f" 2>&1); rc=$?
  [ $rc = 0 ] && ok || { bad "check $rel: exit $rc"; echo "$out" | head -5; continue; }
  base=$(basename "$f" .yaml)
  if is_batch "$f"; then
    nbatch=$((nbatch + 1))
    scen=$(sed -n '1s/.*(\(.*\))$/\1/p' <<<"$out")
    nout=$("$tyche" check "$scen" 2>/dev/null | check_outcomes)
    variants=$(check_variants <<<"$out" | tr '\n' ' ')
    sweeps=$(check_sweeps <<<"$out" | tr '\n' ',')
    [ -n "$nout" ] && [ -n "$variants" ] && ok || { bad "$rel: no outcomes or variants in 'tyche check' output"; continue; }
    "$tyche" batch "$f" -n 5000 -o "$work/$base.h5" --quiet >/dev/null 2>"$work/err"; rc=$?
    [ $rc = 0 ] && ok || { bad "batch $rel: exit $rc $(cat "$work/err")"; continue; }
    $py - "$work/$base.h5" "$nout" "$variants" "$sweeps" <<'EOF' && ok || bad "batch $rel: result file content"
import sys, h5py, numpy as np
path, nout, variants, sweeps = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), [s for s in sys.argv[4].split(',') if s]
f = h5py.File(path, 'r')
errs = []
for v in variants:
    g = f.get('runs/' + v)
    if g is None:
        errs.append('no /runs/%s' % v); continue
    p = g['outcomes/probability'][:]
    if p.shape != (nout,): errs.append('/runs/%s probability shape %s' % (v, p.shape))
    elif abs(p.sum() - 1) > 1e-9: errs.append('/runs/%s probabilities sum to %r' % (v, p.sum()))
    if g['outcomes/stderr'].shape != (nout,): errs.append('/runs/%s stderr shape' % v)
if set(f['runs']) != set(variants): errs.append('runs %s, expected %s' % (sorted(f['runs']), sorted(variants)))
for s in sweeps:
    name, points = s.split(); points = int(points)
    g = f.get('sweeps/' + name)
    if g is None:
        errs.append('no /sweeps/%s' % name); continue
    p = g['probability'][:]
    if p.shape != (points, nout): errs.append('/sweeps/%s probability shape %s, expected %s' % (name, p.shape, (points, nout)))
    elif not np.allclose(p.sum(axis=1), 1, atol=1e-9): errs.append('/sweeps/%s rows do not sum to 1' % name)
    if g['values'].shape != (points,): errs.append('/sweeps/%s values shape' % name)
if len(sweeps) != len(f.get('sweeps', {})): errs.append('sweeps %s, expected %s' % (sorted(f.get('sweeps', {})), sweeps))
for e in errs: print('  ' + e)
sys.exit(1 if errs else 0)
EOF
  else
    nscen=$((nscen + 1))
    json=$("$tyche" run "$f" -n 20000 -o "$work/x.h5" --quiet --json 2>"$work/err"); rc=$?
    [ $rc = 0 ] && ok || { bad "run $rel: exit $rc $(cat "$work/err")"; continue; }
    $py -c 'import json,sys; d=json.loads(sys.argv[1]); r=d["runs"]["baseline"]; p=[o["probability"] for o in r["outcomes"]]; assert r["samples"]==20000 and d["complete"] is True; assert len(p)>=2 and all(0<=x<=1 for x in p), p; assert abs(sum(p)-1)<1e-9, sum(p)' "$json" \
      && ok || bad "run $rel: probabilities do not sum to 1"
  fi
done
[ $nscen -ge 1 ] && [ $nbatch -ge 1 ] && ok || bad "found $nscen scenarios and $nbatch batches"

# Common random numbers on the flagship. `same` overrides only a label, so
# it is the baseline model and must give the baseline's numbers bit for bit;
# `troops_up` changes one factor (troops, in no correlation) and
# `sanctions_up` one that is in a correlation (sanctions ~ us_resolve).
cat > "$work/crn.yaml" <<EOF
tyche: 1
batch: crn-check
scenario: $root/scenarios/ukraine-2014.yaml
variants:
  baseline: {}
  same: {label: identical}
  troops_up:
    factors:
      troops: {dist: "normal(60000, 8000)"}
  sanctions_up:
    factors:
      sanctions: {dist: "pert(0.2, 0.5, 1)"}
EOF
"$tyche" batch "$work/crn.yaml" -n 20000 -o "$work/crn.h5" --quiet --save-samples >/dev/null 2>"$work/err" \
  && ok || bad "CRN batch: exit $? $(cat "$work/err")"
$py - "$work/crn.h5" <<'EOF' && ok || bad "CRN: a variant that changes nothing differs from the baseline"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r')
b, s = f['runs/baseline/outcomes'], f['runs/same/outcomes']
for d in ('probability', 'stderr'):
    x, y = b[d][:], s[d][:]
    if not (x.dtype == y.dtype and np.array_equal(x, y) and x.tobytes() == y.tobytes()):
        print('  %s: baseline %r, same %r' % (d, x, y)); sys.exit(1)
EOF
$py - "$work/crn.h5" <<'EOF' && ok || bad "CRN: changing a factor did not change the outcomes"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r')
b = f['runs/baseline/outcomes/probability'][:]
for v in ('troops_up', 'sanctions_up'):
    if np.array_equal(b, f['runs/%s/outcomes/probability' % v][:]): print('  ' + v); sys.exit(1)
EOF
for var in troops_up sanctions_up; do
  $py - "$work/crn.h5" "$var" <<'EOF' && ok || bad "CRN: variant $var changed the samples of other factors"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r'); v = sys.argv[2]
changed = {'troops_up': 'troops', 'sanctions_up': 'sanctions'}[v]
factors = [n.decode() if isinstance(n, bytes) else n for n in f['runs/baseline/factors/name'][:]]
base, var = f['runs/baseline/samples'], f['runs/%s/samples' % v]
errs = []
for n in factors:
    x, y = base[n][:], var[n][:]
    if x.shape != (20000,): errs.append('%s: shape %s' % (n, x.shape)); continue
    same = np.array_equal(x, y)
    if n == changed and same: errs.append('%s: unchanged' % n)
    if n != changed and not same: errs.append('%s: %d of %d samples differ' % (n, int((x != y).sum()), x.size))
for e in errs: print('  ' + e)
sys.exit(1 if errs else 0)
EOF
done

finish
