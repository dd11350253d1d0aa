#!/usr/bin/env bash
# --resume of batches (and the stored command it reads), end to end.
#
# 1. Identity: a batch interrupted after N rounds (TYCHE_TEST_INTERRUPT_AFTER_ROUNDS,
#    engine/cli/runner.c: as SIGINT, deterministically) and resumed with
#    `tyche batch --resume` is the uninterrupted batch's file, dataset by
#    dataset and attribute by attribute (tools/compare-results), the stored
#    command included; only `threads` (and created, host, wall_seconds) may
#    differ. Two batches: A (4 variants, one with a seed of its own so it is
#    not paired, a 3-point sweep), at every N from 1 up to the round that
#    finishes the batch (which must exit 0, complete); B (lhs and random
#    variants, two sweeps, --target-halfwidth with --max-samples, so runs
#    stop early), at every 3rd N up to the first past its end. The interrupted run uses
#    1, 2, 3 or 7 threads (OMP_NUM_THREADS, so the stored command is the
#    same), the resume another count. Chains: interrupted, resumed and
#    interrupted again (in a variant, across into a sweep, in a sweep), then
#    resumed; one resumed after its batch and scenario files on disk were
#    changed and removed (the stored texts are used).
# 2. The stored command: argument values with quotes, spaces, a newline,
#    UTF-8 and an empty string are stored one per element of command_args
#    as given, command_line reads back into the same words in bash, and the
#    batch resumes. A missing, empty or damaged command_args (another type,
#    rank, a foreign verb, --resume inside, an unknown option) is a clear
#    error with exit 1, never a crash.
# 3. Errors: --resume of a complete batch, of a run's file with batch (and
#    of a batch's with run, of a sensitivity file), with other options, of a
#    missing file; a stored scenario or batch text this tyche rejects is
#    reported as `RESULT.h5 (stored scenario):LINE:COL: error: ...` with the
#    stored line, exit 3; a stored batch whose variants no longer fit the
#    runs in the file is an error, exit 3. The interrupted and resumed
#    files pass tests/schema/check_schema.py.
# Deterministic (no timing, no raced signals): a failure is a real
# difference. About 25 s on 2 shared cores.
# Usage: bash resume.sh TYCHE_BINARY DATA_DIR
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
unset TYCHE_TEST_INTERRUPT_AFTER_ROUNDS OMP_NUM_THREADS OMP_DYNAMIC OMP_THREAD_LIMIT
compare=("$py" "$root/tools/compare-results" --ignore threads)
mkdir -p "$work/pairs/a" "$work/pairs/b"
npairs=0
# pair A B ID: A and B must be identical (checked once, at the end).
pair() { ln -s "$1" "$work/pairs/a/$3.h5"; ln -s "$2" "$work/pairs/b/$3.h5"; npairs=$((npairs + 1)); }
schema=()   # files to check against the schema

cp "$root/scenarios/release-deadline.yaml" "$work/rd.yaml"
cat > "$work/a.yaml" <<'EOF'
tyche: 1
batch: resume-a
scenario: rd.yaml
variants:
  baseline: {}
  faster:
    factors:
      velocity: {dist: "normal(1.8, 0.4)"}
  lhs:
    run: {sampling: lhs}
  own_seed:
    run: {seed: 99}
sweeps:
  scope_mode:
    factor: scope
    param: mode
    values: [10, 12, 14]
EOF
cat > "$work/b.yaml" <<'EOF'
tyche: 1
batch: resume-b
scenario: rd.yaml
variants:
  baseline:
    run: {sampling: lhs}
  smaller:
    factors:
      scope: {dist: "triangular(6, 10, 18)"}
sweeps:
  scope_mode:
    factor: scope
    param: mode
    values: [10, 14]
  speed:
    factor: velocity
    param: mean
    values: [1.2, 1.6, 2.0]
EOF
declare -A opts=([a]="-n 6000" [b]="--target-halfwidth 0.03 --max-samples 40000")

# run CFG DIR [tyche args...]: `tyche batch ../CFG.yaml -o r.h5 OPTS` in
# $work/CFG/DIR, so that every file of a configuration stores the same command.
run() {
  local cfg=$1 dir=$work/$1/$2; shift 2
  mkdir -p "$dir"
  # shellcheck disable=SC2086
  (cd "$dir" && "$tyche" batch "../../$cfg.yaml" -o r.h5 ${opts[$cfg]} --quiet "$@" >/dev/null 2>err)
}
resume() { (cd "$work/$1/$2" && "$tyche" batch --resume r.h5 --quiet "${@:3}" >/dev/null 2>err); }

threads=(1 2 3 7)
for cfg in a b; do
  OMP_NUM_THREADS=1 run $cfg full || bad "$cfg: the uninterrupted batch: exit $? $(head -c 300 "$work/$cfg/full/err")"
  schema+=("$work/$cfg/full/r.h5")
  step=$([ $cfg = a ] && echo 1 || echo 3)
  n=1 last=0
  while [ $n -lt 400 ]; do
    t=${threads[$((n % 4))]} rt=${threads[$(((n + 1) % 4))]}
    OMP_NUM_THREADS=$t TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=$n run $cfg "k$n"; rc=$?
    if [ $rc = 0 ]; then   # the round that ends the batch: nothing left to stop
      last=$n
      pair "$work/$cfg/full/r.h5" "$work/$cfg/k$n/r.h5" "$cfg-interrupted-at-its-last-round-$n"
      break
    fi
    [ $rc = 130 ] && ok || bad "$cfg interrupted after $n rounds: exit $rc $(head -c 300 "$work/$cfg/k$n/err")"
    [ $((n % 8)) = 1 ] && { cp "$work/$cfg/k$n/r.h5" "$work/$cfg/k$n/interrupted.h5"; schema+=("$work/$cfg/k$n/interrupted.h5"); }
    resume $cfg "k$n" --threads "$rt" && ok || bad "$cfg resumed after $n rounds: exit $? $(head -c 300 "$work/$cfg/k$n/err")"
    pair "$work/$cfg/full/r.h5" "$work/$cfg/k$n/r.h5" "$cfg-interrupted-after-$n-rounds-t$t-resumed-t$rt"
    n=$((n + step))
  done
  [ "$last" -gt 10 ] && ok || bad "$cfg: no round ended the batch with exit 0 (last=$last)"
  echo "$cfg: $last rounds"
done

# Chains: interrupted after K1 rounds, resumed and interrupted after K2
# more, resumed again. A's runs take 4 rounds each (6 blocks: 1, 1, 2, 2):
# 2 then 3 crosses from the first variant into the second, 15 then 3 from
# the last variant into the sweep, 18 then 5 from one sweep point to the
# next.
for k in "2 3" "15 3" "18 5" "5 9"; do
  read -r k1 k2 <<<"$k"
  d=chain-$k1-$k2
  OMP_NUM_THREADS=3 TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=$k1 run a "$d"; rc=$?
  [ $rc = 130 ] || bad "chain $k1+$k2: first interrupt: exit $rc"
  TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=$k2 resume a "$d" --threads 7; rc=$?
  [ $rc = 130 ] && ok || bad "chain $k1+$k2: the resume interrupted again: exit $rc $(head -c 300 "$work/a/$d/err")"
  cp "$work/a/$d/r.h5" "$work/a/$d/twice.h5"
  schema+=("$work/a/$d/twice.h5")
  resume a "$d" --threads 2 && ok || bad "chain $k1+$k2: second resume: exit $? $(head -c 300 "$work/a/$d/err")"
  pair "$work/a/full/r.h5" "$work/a/$d/r.h5" "a-chain-$k1-then-$k2-rounds"
done
schema+=("$work/a/chain-5-9/r.h5")

# The stored texts, not the files on disk: the batch's own file changed and
# its scenario removed before the resume.
mkdir -p "$work/moved/sub/x"
cp "$work/a.yaml" "$work/rd.yaml" "$work/moved/"
(cd "$work/moved/sub/x" && TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=7 "$tyche" batch ../../a.yaml -o r.h5 ${opts[a]} \
  --quiet >/dev/null 2>&1); rc=$?
[ $rc = 130 ] || bad "moved: interrupt: exit $rc"
sed -i 's/normal(1.8, 0.4)/normal(2.5, 0.1)/' "$work/moved/a.yaml"
rm "$work/moved/rd.yaml"
(cd "$work/moved/sub/x" && "$tyche" batch --resume r.h5 --quiet >/dev/null 2>err) && ok \
  || bad "resume after the batch file changed and its scenario went: exit $? $(head -c 300 "$work/moved/sub/x/err")"
# Same command (../../a.yaml -o r.h5), same texts: the uninterrupted file.
pair "$work/a/full/r.h5" "$work/moved/sub/x/r.h5" "a-resumed-from-the-stored-texts"

# ---- 2. the stored command ----------------------------------------------------
# A folder and file names with quotes, spaces, a newline and UTF-8, and an
# option given twice (the later -o wins). An empty argument cannot reach a
# result file: every option refuses an empty value (-o "" is exit 2).
wd=$work/$'we ird "q" \'s\'\n ü'
mkdir -p "$wd/u" "$wd/i"
cp "$work/rd.yaml" "$wd/"
cp "$work/a.yaml" "$wd/b \"q\" ü.yaml"
out=$'out "q" \'s\'\n é.h5'
args=(batch "../b \"q\" ü.yaml" -n 3000 -o first.h5 -o "$out" --quiet)
(cd "$wd/u" && "$tyche" "${args[@]}" >/dev/null 2>err) || bad "weird names: the uninterrupted batch: exit $?"
(cd "$wd/i" && TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=4 "$tyche" "${args[@]}" >/dev/null 2>err); rc=$?
[ $rc = 130 ] && ok || bad "weird names: interrupt: exit $rc $(head -c 300 "$wd/i/err")"
printf '%s\0' "$tyche" "${args[@]}" > "$work/argv"
"$py" - "$wd/i/$out" "$work/argv" <<'PY' && ok || bad "weird names: the stored command_args / command_line (above)"
import subprocess, sys, h5py
want = open(sys.argv[2], "rb").read().decode().split("\0")[:-1]
with h5py.File(sys.argv[1], "r") as f:
    got = [x.decode() if isinstance(x, bytes) else x for x in f.attrs["command_args"]]
    line = f.attrs["command_line"]
assert got == want, (got, want)
# command_line is for people, but a shell reads it back into the same words.
words = subprocess.run(["bash", "-c", 'eval "set -- $1"; printf "%s\\0" "$@"', "x", line],
                       capture_output=True, check=True).stdout.decode().split("\0")[:-1]
assert words == want, (line, words, want)
PY
(cd "$wd/i" && "$tyche" batch --resume "$out" --quiet >/dev/null 2>err) && ok \
  || bad "weird names: resume: exit $? $(head -c 300 "$wd/i/err")"
pair "$wd/u/$out" "$wd/i/$out" "weird-names-resumed"

# Damaged command_args in copies of an interrupted file: exit 1, a message
# naming the file, never a crash.
OMP_NUM_THREADS=2 TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=5 run a dmg-src; src=$work/a/dmg-src/r.h5
"$py" - "$src" "$work/dmg" <<'PY' || bad "making the damaged files"
import os, shutil, sys, h5py, numpy as np
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
s = h5py.string_dtype("utf-8", 256)   # fixed-length, as tyche writes strings
with h5py.File(src, "r") as f:
    args = [x.decode() if isinstance(x, bytes) else x for x in f.attrs["command_args"]]
cases = {
    "missing": None,
    "empty": np.array([], dtype=s),
    "ints": np.arange(5, dtype=np.int32),
    "scalar": "tyche batch a.yaml",
    "two-d": np.array([args[:2], args[:2]], dtype=s),
    "vlen": np.array(args, dtype=h5py.string_dtype()),   # variable-length strings: refused in format version 2
    "one": np.array(args[:1], dtype=s),
    "other-verb": np.array(args[:1] + ["run"] + args[2:], dtype=s),
    "resume-inside": np.array(args[:2] + ["--resume", "x.h5"], dtype=s),
    "unknown-option": np.array(args + ["--bogus"], dtype=s),
    "no-input": np.array(args[:2] + ["-n", "5"], dtype=s),
}
for name, v in cases.items():
    p = f"{out}/{name}.h5"
    shutil.copy(src, p)
    with h5py.File(p, "r+") as f:
        del f.attrs["command_args"]
        if v is not None:
            f.attrs.create("command_args", v) if not isinstance(v, str) else f.attrs.create("command_args", v, dtype=s)
PY
for f in "$work"/dmg/*.h5; do
  name=$(basename "$f" .h5)
  "$tyche" batch --resume "$f" --quiet >/dev/null 2>"$work/err"; rc=$?
  if [ $rc = 1 ] && grep -q "$f" "$work/err" && grep -qi "command" "$work/err"; then ok
  else bad "damaged command_args '$name': exit $rc (expected 1 and a message on the stored command): $(head -c 400 "$work/err")"; fi
done
grep -q "holds no stored command" <("$tyche" batch --resume "$work/dmg/missing.h5" 2>&1) && ok \
  || bad "a missing command_args should say so"

# ---- 3. errors ------------------------------------------------------------
# expect RC PATTERN LABEL -- command...: exit RC and PATTERN on stderr.
expect() {
  local want=$1 pat=$2 label=$3; shift 4
  "$@" >/dev/null 2>"$work/err"; local rc=$?
  if [ $rc = "$want" ] && grep -qE -- "$pat" "$work/err"; then ok
  else bad "$label: exit $rc (expected $want and /$pat/): $(head -c 400 "$work/err")"; fi
}
full=$work/a/full/r.h5
"$tyche" run "$work/rd.yaml" -n 5000 -o "$work/run-done.h5" --quiet >/dev/null
TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=2 "$tyche" run "$work/rd.yaml" -n 5000 -o "$work/run-part.h5" --quiet >/dev/null 2>&1
"$tyche" sensitivity "$work/rd.yaml" -n 256 --method tornado -o "$work/sens.h5" --quiet >/dev/null
part=$src
expect 2 "complete; nothing to resume" "batch --resume of a complete batch" -- "$tyche" batch --resume "$full"
expect 2 "result of a 'tyche run'.*tyche run --resume" "batch --resume of a run's file" -- "$tyche" batch --resume "$work/run-part.h5"
expect 2 "result of a 'tyche run'" "batch --resume of a complete run's file" -- "$tyche" batch --resume "$work/run-done.h5"
expect 2 "result of a 'tyche batch'.*tyche batch --resume" "run --resume of a batch's file" -- "$tyche" run --resume "$part"
expect 2 "result of a 'tyche sensitivity'" "batch --resume of a sensitivity file" -- "$tyche" batch --resume "$work/sens.h5"
expect 2 "result of a 'tyche sensitivity'" "run --resume of a sensitivity file" -- "$tyche" run --resume "$work/sens.h5"
for extra in "-n 100" "--seed 3" "-o $work/x.h5" "--sampling lhs" "--target-halfwidth 0.1" "--max-samples 9" \
             "--save-samples" "--compress 1" "--set velocity.mean=2"; do
  # shellcheck disable=SC2086
  expect 2 "takes only --threads" "batch --resume with $extra" -- "$tyche" batch --resume "$part" $extra
done
expect 2 "takes no scenario file" "batch --resume with a batch file too" -- "$tyche" batch --resume "$part" "$work/a.yaml"
expect 1 "cannot open" "batch --resume of a missing file" -- "$tyche" batch --resume "$work/none.h5"
expect 1 "not an HDF5 file" "batch --resume of a YAML file" -- "$tyche" batch --resume "$work/a.yaml"
[ -f "$work/x.h5" ] && bad "a refused --resume wrote -o's file" || ok
cmp -s "$part" "$work/a/dmg-src/r.h5" && ok || bad "a refused --resume changed the interrupted file"

# A stored scenario or batch text that this tyche rejects: the error points
# at the stored text (its name says so) and shows its line.
"$py" - "$part" "$work/run-part.h5" "$work/txt" <<'PY' || bad "making the files with rejected texts"
import os, shutil, sys, h5py
part, run, out = sys.argv[1:4]
os.makedirs(out)
def put(src, dst, name, edit):
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        g = f["scenario"]
        text = g[name].asstr()[()]
        del g[name]
        b = edit(text).encode()   # fixed-length UTF-8, as tyche writes text
        g.create_dataset(name, data=b, dtype=h5py.string_dtype("utf-8", len(b) + 1))
def insert(text, after, line):   # line inserted after the first line starting with `after`
    lines = text.split("\n")
    i = next(i for i, l in enumerate(lines) if l.startswith(after))
    return "\n".join(lines[:i + 1] + [line] + lines[i + 1:])
put(part, f"{out}/batch-bad-batch.h5", "batch_text", lambda t: insert(t, "batch:", "frobnicate: 1"))
put(part, f"{out}/batch-bad-scenario.h5", "source_text", lambda t: insert(t, "name:", "frobnicate: 2"))
put(run, f"{out}/run-bad-scenario.h5", "source_text", lambda t: insert(t, "name:", "frobnicate: 3"))
put(part, f"{out}/batch-renamed-variant.h5", "batch_text", lambda t: t.replace("  faster:", "  quicker:"))
PY
check_stored() {   # verb file what key dataset
  "$tyche" "$1" --resume "$2" >/dev/null 2>"$work/err"; local rc=$?
  local line
  line=$("$py" -c 'import sys, h5py
t = h5py.File(sys.argv[1], "r")["scenario"][sys.argv[2]].asstr()[()]
print(t.split("\n").index(sys.argv[3]) + 1)' "$2" "$5" "frobnicate: $4")
  if [ $rc = 3 ] && grep -qF "$2 (stored $3):$line:1: error:" "$work/err" && grep -q "^  frobnicate: $4$" "$work/err" \
     && ! grep -qE "$(printf '%s' "$2" | sed 's/[.[\*^$/]/\\&/g'):[0-9]" "$work/err"; then ok
  else bad "$1 --resume of a file whose stored $3 is rejected: exit $rc (expected 3, '$2 (stored $3):$line:1: error:' and the line): $(head -c 500 "$work/err")"; fi
}
check_stored batch "$work/txt/batch-bad-batch.h5" batch 1 batch_text
check_stored batch "$work/txt/batch-bad-scenario.h5" scenario 2 source_text
check_stored run "$work/txt/run-bad-scenario.h5" scenario 3 source_text
expect 3 "does not fit its stored batch" "a stored batch whose variants do not fit the runs" -- \
  "$tyche" batch --resume "$work/txt/batch-renamed-variant.h5"

# ---- the checks gathered above ----------------------------------------------
for f in "${schema[@]}"; do
  "$py" "$root/tests/schema/check_schema.py" "$f" >"$work/schema" 2>&1 && ok \
    || { bad "schema of $f:"; head -20 "$work/schema"; }
done
if "${compare[@]}" "$work/pairs/a" "$work/pairs/b" > "$work/cmp" 2>&1; then ok
else bad "resumed files that differ from the uninterrupted batch:"; grep -v ': identical$' "$work/cmp" | head -40; fi
# Negative control: the comparison sees another seed.
(cd "$work/a/full" && "$tyche" batch ../../a.yaml -o r2.h5 ${opts[a]} --seed 5 --quiet >/dev/null 2>&1)
! "${compare[@]}" "$work/a/full/r.h5" "$work/a/full/r2.h5" >/dev/null 2>&1 && ok || bad "compare-results did not see another seed"
finish "$npairs resumed files compared"
