#!/usr/bin/env bash
# Atomic result files end to end: `tyche run -o PATH` killed with SIGKILL
# while it streams --save-samples into its temporary file, and at each step
# of the final write (TYCHE_TEST_KILL_AT, the test hook of
# engine/src/io/io_file.c: the process raises SIGKILL at that step). Up to
# and including the step before the rename, the older file at PATH stays
# byte-identical; the killed run's temporary file
# .NAME.h5.tmp-TAG-PID-XXXXXXXX stays behind (kill -9 cannot clean up), and
# the next write of the same result removes it, since its process is gone
# (README "Result files"), leaving no temporary file at all. After the
# rename ("dirsync") the new file is whole at PATH. The removal rule itself:
# only names of this result, of this machine's TAG, of a process that no
# longer exists, regular files; a live process's file (two tyches writing
# the same result at once: both succeed), another machine's or an older
# tyche's names, other results' names, links and folders are never touched.
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
# killed process's own, left behind; returns its name in $left and this
# machine's tag in $tag.
tag=""
check_left() {
  left=$(tmps)
  if [ "$(printf '%s\n' "$left" | grep -c .)" = 1 ] && [[ $left =~ ^\.res\.h5\.tmp-([0-9a-f]{8})-$1-[0-9a-f]{8}$ ]]; then
    ok; tag=${BASH_REMATCH[1]}
  else bad "$2: expected the killed run's temporary file .res.h5.tmp-TAG-$1-* left behind, found: '$left'"; left=""; fi
}

# The older file is byte-identical and still reads (label $1).
check_old() {
  cmp -s "$work/ref/old.h5" "$out" && ok || bad "$1: the older file changed"
  "$tyche" show "$out" >/dev/null 2>&1 && ok || bad "$1: the older file no longer reads"
}

# A later run to the same path succeeds and leaves no temporary file at
# all: not its own, and not the killed run's, whose process is gone. Then
# the older file is put back.
check_later() {
  "$tyche" run "$bench" -n 20000 --save-samples -o "$out" --quiet >/dev/null; local rc=$?
  [ $rc = 0 ] && ok || bad "$1: a later run to the same path exits $rc"
  "$tyche" show "$out" >/dev/null 2>&1 && ok || bad "$1: the later run's file does not read"
  [ -z "$(tmps)" ] && ok || bad "$1: after the later run the temporary files are '$(tmps)', not none"
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

# ---- the removal rule, on names made by hand ---------------------------------
# A dead PID: a process that has exited (and was reaped).
sh -c 'exit 0' & dead=$!; wait $dead
sleep 60 & live=$!
if [ -n "$tag" ]; then
  other=$(printf '%08x' $(( (0x$tag + 1) % 4294967296 )))
  mkdir "$work/out/.res.h5.tmp-$tag-$dead-00000003"          # a folder
  ln -s "$work/ref/old.h5" "$work/out/.res.h5.tmp-$tag-$dead-00000004"   # a link
  for keep in ".res.h5.tmp-$tag-$live-00000001" ".res.h5.tmp-$other-$dead-00000002" \
              ".res.h5.tmp-$dead-00000005" ".other.h5.tmp-$tag-$dead-00000006" \
              ".res.h5.tmp-$tag-$dead-0000007" ".res.h5.tmp-$tag-$dead-00000008x" \
              ".res.h5.tmp-$tag-x$dead-00000009"; do
    echo x >"$work/out/$keep"
  done
  echo x >"$work/out/.res.h5.tmp-$tag-$dead-0000000a"        # the only stale one
  echo x >"$work/out/.res.h5.tmp-$tag-$dead-0000000b"        # and another
  kept_before=$(ls -A "$work/out" | grep -v -E -- "-$dead-0000000[ab]$" | sort)
  "$tyche" run "$bench" -n 20000 -o "$out" --quiet >/dev/null; rc=$?
  [ $rc = 0 ] && ok || bad "the removal rule: the run exits $rc"
  [ "$(ls -A "$work/out" | sort)" = "$kept_before" ] && ok \
    || bad "the removal rule: the folder holds '$(ls -A "$work/out" | tr '\n' ' ')', not '$(echo $kept_before)'"
  [ -e "$work/ref/old.h5" ] && ok || bad "the removal rule: the link's target was removed"
  rm -rf "$work/out"/.res.h5.tmp-* "$work/out"/.other.h5.tmp-*
else
  bad "the removal rule: no tag learnt from a killed run's temporary file"
fi
kill $live 2>/dev/null; wait $live 2>/dev/null

# ---- two tyches writing the same result at once -------------------------------
# A streams a large file; while its temporary file exists, B writes the same
# path and ends: B must not remove A's file (A is alive), and A must then
# finish as well, its file replacing B's.
cp "$work/ref/old.h5" "$out"
"$tyche" run "$bench" -n 2000000 --threads 1 --save-samples -o "$out" --quiet >/dev/null 2>"$work/a.err" & pid=$!
for _ in $(seq 1 1000); do [ -n "$(tmps)" ] && break; sleep 0.01; done
a_tmp=$(tmps)
"$tyche" run "$bench" -n 20000 --threads 1 -o "$out" --quiet >/dev/null; rc=$?
[ $rc = 0 ] && ok || bad "two writers: the second exits $rc"
[ -n "$a_tmp" ] && [ -e "$work/out/$a_tmp" ] && ok || bad "two writers: the first's temporary file '$a_tmp' was removed"
wait $pid; rc=$?; pid=""
[ $rc = 0 ] && ok || bad "two writers: the first exits $rc: $(cat "$work/a.err")"
[ -z "$(tmps)" ] && ok || bad "two writers: temporary files left: $(tmps)"
/usr/bin/python3 -c 'import h5py,sys; f=h5py.File(sys.argv[1],"r"); assert f["runs/baseline/samples/troops"].shape==(2000000,)' "$out" 2>/dev/null \
  && ok || bad "two writers: the file at the path is not the first writer's, which finished last"

# With the hook unset nothing is killed (the later runs above), and an unknown
# point is ignored.
TYCHE_TEST_KILL_AT=nowhere "$tyche" run "$bench" -n 20000 -o "$out" --quiet >/dev/null; rc=$?
[ $rc = 0 ] && [ -z "$(tmps)" ] && ok || bad "an unknown TYCHE_TEST_KILL_AT point: exit $rc, temporary files '$(tmps)'"

echo "atomic.sh: $pass passed, $fail failed"
[ $fail = 0 ]
