#!/usr/bin/env bash
# Atomic result files end to end: `tyche run -o PATH` killed with SIGKILL
# while it streams --save-samples into its temporary file, and at each step
# of the final write (TYCHE_TEST_KILL_AT, the test hook of
# engine/src/io/io_file.c: the process raises SIGKILL at that step). Up to
# and including the step before the rename, the older file at PATH stays
# byte-identical; the killed run's temporary file .NAME.h5.tmp-PID-XXXXXXXX
# stays behind (kill -9 cannot clean up; README "Result files": "A kill -9
# leaves the hidden .NAME.h5.tmp-* file behind; it can be deleted"); a later
# run to the same path succeeds and leaves no temporary file of its own.
# After the rename ("dirsync") the new file is whole at PATH.
# Usage: bash atomic.sh TYCHE_BINARY DATA_DIR. Takes a few seconds.
set -uo pipefail
tyche=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$root/bench/models/ukraine-2014-bench.yaml
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

mkdir "$work/ref" "$work/out"
out=$work/out/res.h5
# The older file: a plain run, kept aside to compare with.
"$tyche" run "$bench" -n 20000 -o "$work/ref/old.h5" --quiet >/dev/null || { echo "FAIL: the reference run"; exit 1; }

# The temporary files of res.h5 in the output folder, one a line.
tmps() { ls -A "$work/out" | grep -E '^\.res\.h5\.tmp-' || true; }

# After a kill -9 of process $1 (label $2): exactly one temporary file, the
# killed process's own, left behind as the README says; returns its name in
# $left.
check_left() {
  left=$(tmps)
  if [ "$(printf '%s\n' "$left" | grep -c .)" = 1 ] && [[ $left =~ ^\.res\.h5\.tmp-$1-[0-9a-f]{8}$ ]]; then ok
  else bad "$2: expected the killed run's temporary file .res.h5.tmp-$1-* left behind, found: '$left'"; left=""; fi
}

# The older file is byte-identical and still reads (label $1).
check_old() {
  cmp -s "$work/ref/old.h5" "$out" && ok || bad "$1: the older file changed"
  "$tyche" show "$out" >/dev/null 2>&1 && ok || bad "$1: the older file no longer reads"
}

# A later run to the same path succeeds and leaves no temporary file of its
# own: only the killed run's ($left, if any) remains. Then the stale one is
# deleted (as the README says one can) and the older file put back.
check_later() {
  "$tyche" run "$bench" -n 20000 --save-samples -o "$out" --quiet >/dev/null; local rc=$?
  [ $rc = 0 ] && ok || bad "$1: a later run to the same path exits $rc"
  "$tyche" show "$out" >/dev/null 2>&1 && ok || bad "$1: the later run's file does not read"
  [ "$(tmps)" = "$left" ] && ok || bad "$1: after the later run the temporary files are '$(tmps)', not '$left'"
  rm -f "$work/out"/.res.h5.tmp-*
  cp "$work/ref/old.h5" "$out"
}

# ---- kill -9 while --save-samples streams ----------------------------------
# 40 million samples (~5 GB of columns, half a minute or more): the kill lands
# long before the end. Wait for the temporary file, then for samples to reach
# the disk (past 1 MiB), then kill.
cp "$work/ref/old.h5" "$out"
"$tyche" run "$bench" -n 40000000 --threads 1 --save-samples -o "$out" --quiet >/dev/null & pid=$!
seen="" size=0
for _ in $(seq 1 1500); do
  seen=$(tmps)
  [ -n "$seen" ] && size=$(stat -c %s "$work/out/$seen" 2>/dev/null || echo 0)
  [ -n "$seen" ] && [ "$size" -gt 1048576 ] && break
  sleep 0.01
done
kill -9 $pid; wait $pid 2>/dev/null; rc=$?; spid=$pid; pid=""
[ -n "$seen" ] && ok || bad "streaming: no temporary file appeared in the folder within 15 s"
[ "$size" -gt 1048576 ] && ok || bad "streaming: the temporary file did not grow past 1 MiB (size $size)"
[ $rc = 137 ] && ok || bad "streaming: the run exited $rc, not killed by SIGKILL (137): it finished first?"
check_left $spid streaming
[ "$left" = "$seen" ] && ok || bad "streaming: the file left ('$left') is not the one seen ('$seen')"
check_old streaming
check_later streaming

# ---- kill -9 at each step of the write, deterministically --------------------
# append: during streaming, after a first block of samples was appended.
# flush, close, fsync, rename: the schema is written; the kill lands before
# H5Fflush, before H5Fclose, between the close and the fsync of the
# temporary file, and between its fsync and the rename.
for at in append flush close fsync rename rename:nosamples; do
  point=${at%%:*}
  flags=(--save-samples)
  [ "$at" = rename:nosamples ] && flags=()
  cp "$work/ref/old.h5" "$out"
  TYCHE_TEST_KILL_AT=$point "$tyche" run "$bench" -n 300000 --threads 1 "${flags[@]}" -o "$out" --quiet >/dev/null 2>&1 & pid=$!
  wait $pid 2>/dev/null; rc=$?; kpid=$pid; pid=""
  [ $rc = 137 ] && ok || bad "$at: exit $rc, not killed at the hook (137)"
  check_left $kpid "$at"
  # Closed and fsynced (or closed): the temporary file is the whole new file,
  # which is what the rename would have put in place.
  if [ -n "$left" ] && { [ $point = fsync ] || [ $point = rename ]; }; then
    "$tyche" show "$work/out/$left" >/dev/null 2>&1 && ok || bad "$at: the complete temporary file does not read"
  fi
  check_old "$at"
  check_later "$at"
done

# dirsync: killed after the rename, before the folder's fsync: the new file
# is whole at the path (the older one is gone) and nothing is left behind.
cp "$work/ref/old.h5" "$out"
TYCHE_TEST_KILL_AT=dirsync "$tyche" run "$bench" -n 300000 --threads 1 --save-samples -o "$out" --quiet >/dev/null 2>&1 & pid=$!
wait $pid 2>/dev/null; rc=$?; pid=""
[ $rc = 137 ] && ok || bad "dirsync: exit $rc, not killed at the hook (137)"
[ -z "$(tmps)" ] && ok || bad "dirsync: temporary files left after the rename: $(tmps)"
cmp -s "$work/ref/old.h5" "$out" && bad "dirsync: the older file is still at the path after the rename" || ok
/usr/bin/python3 -c 'import h5py,sys; f=h5py.File(sys.argv[1],"r"); assert f["runs/baseline/samples/troops"].shape==(300000,)' "$out" 2>/dev/null \
  && ok || bad "dirsync: the renamed file is not the whole new file"
left=""
check_later dirsync

# With the hook unset nothing is killed (the later runs above), and an unknown
# point is ignored.
TYCHE_TEST_KILL_AT=nowhere "$tyche" run "$bench" -n 20000 -o "$out" --quiet >/dev/null; rc=$?
[ $rc = 0 ] && [ -z "$(tmps)" ] && ok || bad "an unknown TYCHE_TEST_KILL_AT point: exit $rc, temporary files '$(tmps)'"

echo "atomic.sh: $pass passed, $fail failed"
[ $fail = 0 ]
