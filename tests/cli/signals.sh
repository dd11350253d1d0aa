#!/usr/bin/env bash
# signals.sh - signals and a failing stdout, for every verb (README "Using
# tyche", exit status):
#  - stdout refused (/dev/full: ENOSPC; closed: EBADF; over a file size
#    limit: EFBIG, SIGXFSZ ignored): exit 1 and exactly one line on stderr,
#    "tyche: cannot write to standard output: REASON", for every verb and
#    help; a pipe whose reader is gone (EPIPE): exit 1 and nothing on
#    stderr, but `tyche rng`, whose stream the reader ends: exit 0;
#  - SIGINT, SIGTERM and SIGHUP to run, batch and sensitivity while they
#    sample: exit 130, no temporary file; run and batch write what was done
#    (complete = 0); sensitivity writes nothing and an older file stays;
#  - sensitivity stopped by the interrupt test hook after each number of
#    rounds (deterministic, no raced signal): exit 130, nothing written, or
#    exit 0 once the hook comes after the last round.
# Usage: bash signals.sh TYCHE_BINARY [DATA_DIR]. About 15 s (release).
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
bench=$root/bench/models/ukraine-2014-bench.yaml
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT

"$tyche" run "$bench" -n 3000 --threads 1 -o "$work/a.h5" --quiet || { echo "FAIL: the first run"; exit 1; }
cat >"$work/batch.yaml" <<EOF
tyche: 1
batch: signals
scenario: $bench
variants:
  baseline: {}
EOF

# ---- stdout refused -----------------------------------------------------------
# Each command (its output all on stdout; --quiet keeps the closing line off).
cmds=(
  "show $work/a.h5" "show $work/a.h5 --json" "check $bench" "check $work/batch.yaml"
  "run $bench -n 2000 --threads 1 -o $work/r.h5 --json --quiet"
  "batch $work/batch.yaml -n 2000 --threads 1 -o $work/b.h5 --json --quiet"
  "sensitivity $bench -n 200 --threads 1 --method tornado -o $work/s.h5 --json --quiet"
  "--help" "help run" "help" "--version" "rng --count 5" "rng --format raw --count 100000"
)
# $1: how stdout is refused (a label), $2: the reason expected; the command
# runs through run_out, which sets up stdout.
check_out() {
  for c in "${cmds[@]}"; do
    # shellcheck disable=SC2086
    err=$(run_out $c 2>&1); rc=$?
    [ "$rc" = 1 ] && ok || bad "$1: '$c' exits $rc, not 1"
    [ "$err" = "tyche: cannot write to standard output: $2" ] && ok \
      || bad "$1: '$c' says '$err', not the one line about standard output ($2)"
  done
}
run_out() { "$tyche" "$@" 2>&1 >/dev/full; }
check_out "stdout on /dev/full" "No space left on device"
run_out() { "$tyche" "$@" 2>&1 >&-; }
check_out "stdout closed" "Bad file descriptor"
if command -v prlimit >/dev/null; then
  run_out() { prlimit --fsize=16:16 -- "$tyche" "$@" 2>&1 >"$work/small.out"; }
  cmds=("show $work/a.h5" "--help" "rng --count 100")
  check_out "stdout over a file size limit" "File too large"
fi
# The command without a problem writes nothing on stderr (--quiet, to a file).
"$tyche" run "$bench" -n 2000 --threads 1 -o "$work/r.h5" --quiet >"$work/out.txt" 2>"$work/err.txt"
[ $? = 0 ] && [ ! -s "$work/err.txt" ] && ok || bad "a quiet run with a good stdout: $(cat "$work/err.txt")"

# A pipe with no reader: EPIPE on the first write, deterministically (the
# read end is closed before tyche starts).
nopipe() {
  /usr/bin/python3 - "$@" <<'PY'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
print(p.returncode, len(p.stderr))
PY
}
for c in "show $work/a.h5" "--help" "run $bench -n 2000 --threads 1 -o $work/r.h5 --json --quiet"; do
  # shellcheck disable=SC2086
  got=$(nopipe "$tyche" $c)
  [ "$got" = "1 0" ] && ok || bad "'$c' into a closed pipe: exit and stderr bytes '$got', not '1 0'"
done
got=$(nopipe "$tyche" rng --format raw)
[ "$got" = "0 0" ] && ok || bad "rng into a closed pipe: exit and stderr bytes '$got', not '0 0'"

# ---- SIGINT, SIGTERM, SIGHUP while sampling ---------------------------------
tmps() { ls -A "$work/sig" | grep -E '\.tmp-' || true; }
complete_attr() { /usr/bin/python3 -c 'import h5py,sys; print(int(h5py.File(sys.argv[1],"r").attrs["complete"]))' "$1" 2>/dev/null; }
mkdir "$work/sig"
for sig in INT TERM HUP; do
  for verb in run batch sensitivity; do
    out=$work/sig/$verb.h5
    rm -f "$out"
    case $verb in
      run) args=(run "$bench" -n 1e12 --threads 1) ;;
      batch) args=(batch "$work/batch.yaml" -n 1e12 --threads 1) ;;
      sensitivity) cp "$work/a.h5" "$out"; args=(sensitivity "$bench" -n 1e9 --method tornado --threads 1) ;;
    esac
    "$tyche" "${args[@]}" -o "$out" --quiet >/dev/null 2>"$work/sig.err" & pid=$!
    # The temporary file appears once the handlers are in place (they come
    # first); then the run is sampling (1e12 samples: for hours).
    for _ in $(seq 1 1000); do [ -n "$(tmps)" ] && break; sleep 0.01; done
    kill -"$sig" $pid
    wait $pid; rc=$?; pid=""
    what="SIG$sig to $verb"
    [ $rc = 130 ] && ok || bad "$what: exit $rc, not 130: $(cat "$work/sig.err")"
    [ -z "$(tmps)" ] && ok || bad "$what: temporary files left: $(tmps)"
    if [ $verb = sensitivity ]; then
      cmp -s "$work/a.h5" "$out" && ok || bad "$what: the older file changed"
      [ "$(grep -c . "$work/sig.err")" = 1 ] && grep -q interrupted "$work/sig.err" && ok \
        || bad "$what: not one line saying it was interrupted: $(cat "$work/sig.err")"
    else
      [ "$(complete_attr "$out")" = 0 ] && ok || bad "$what: no result marked incomplete (complete=$(complete_attr "$out"))"
      [ ! -s "$work/sig.err" ] && ok || bad "$what: stderr with --quiet: $(cat "$work/sig.err")"
    fi
  done
done

# ---- sensitivity: the interrupt hook after each number of rounds ------------
# -n 2000, all methods: 1 round of the main pass, 1 of Sobol's design, 16
# of bootstrap replicates (32 each), then 1 of the baseline run: 19 in all.
out=$work/sig/sens.h5
for k in 1 2 3 10 18 19 20; do
  cp "$work/a.h5" "$out"
  TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=$k "$tyche" sensitivity "$bench" -n 2000 --ignore-correlations \
    --threads 1 -o "$out" --quiet >/dev/null 2>"$work/sig.err"; rc=$?
  [ -z "$(tmps)" ] && ok || bad "sensitivity hook $k: temporary files left: $(tmps)"
  if [ $k -le 19 ]; then
    [ $rc = 130 ] && ok || bad "sensitivity hook $k: exit $rc, not 130: $(cat "$work/sig.err")"
    cmp -s "$work/a.h5" "$out" && ok || bad "sensitivity hook $k: the older file changed"
  else
    [ $rc = 0 ] && ok || bad "sensitivity hook $k (after the last round): exit $rc: $(cat "$work/sig.err")"
    [ "$(complete_attr "$out")" = 1 ] && ok || bad "sensitivity hook $k: the new file is not complete"
  fi
done

finish signals
