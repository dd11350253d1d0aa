#!/usr/bin/env bash
# The main verbs under valgrind's memcheck: run (1 and 2 threads, with
# --save-samples), batch, sensitivity (all methods), check (a valid and an
# invalid scenario), show, export, and an interrupted run resumed. Each must give
# its usual exit status with zero memcheck errors (invalid reads and
# writes, uninitialised values, bad frees) and zero leaks, definite,
# indirect or possible. "Still reachable" blocks are not counted: they are
# what libgomp (its thread pool), HDF5 (its per-thread contexts) and the C
# library hold until the process ends, not memory tyche lost. The one
# "possible" leak that is not ours, libgomp's pool threads' TLS, is
# suppressed in tests/valgrind.supp, where each suppression says why.
# Needs a build valgrind can run: no AVX-512, so not -march=native (the
# `valgrind` preset: make test-valgrind).
# Usage: bash valgrind.sh TYCHE_BINARY. Takes about a minute.
set -uo pipefail
tyche=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
command -v valgrind >/dev/null || { echo "FAIL: valgrind is not installed (scripts/deps)"; exit 1; }

sc=$root/scenarios
vg=(valgrind -q --tool=memcheck --error-exitcode=97 --leak-check=full
    --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible
    --suppressions="$root/tests/valgrind.supp" --num-callers=30 --track-origins=yes)

# check LABEL WANT_EXIT ARGS...: runs tyche ARGS under memcheck in $work.
check() {
  local label=$1 want=$2; shift 2
  (cd "$work" && "${vg[@]}" --log-file="$work/vg.log" "$tyche" "$@" >/dev/null 2>"$work/err"); local rc=$?
  if [ $rc = 97 ] || [ -s "$work/vg.log" ]; then
    bad "$label: memcheck reports:"; sed 's/^/    /' "$work/vg.log" | head -60
  elif [ $rc != "$want" ]; then
    bad "$label: exit $rc, expected $want: $(head -c 300 "$work/err")"
  else ok; fi
}

check "run, 1 thread" 0 run "$sc/geneva-2014.yaml" -n 5000 --threads 1 -o r1.h5
check "run, 2 threads, --save-samples" 0 run "$sc/ukraine-2014.yaml" -n 5000 --threads 2 --save-samples -o r2.h5
check "run --json" 0 run "$sc/geneva-2014.yaml" -n 2000 --threads 2 --json -o r3.h5
check "batch" 0 batch "$sc/release-deadline-options.yaml" -n 2000 --threads 2 -o b.h5
check "run, time scenario" 0 run "$sc/ukraine-2014-time.yaml" -n 3000 --threads 2 -o t.h5
check "sensitivity" 0 sensitivity "$sc/geneva-2014.yaml" -n 500 --method all --threads 2 -o s.h5
check "check" 0 check "$sc/ukraine-2014.yaml"
sed 's/^\( *dist: \)normal(/\1norml(/' "$sc/ukraine-2014.yaml" > "$work/bad.yaml"
check "check, invalid scenario" 3 check "$work/bad.yaml"
check "show" 0 show "$work/r2.h5"
check "show --json" 0 show "$work/b.h5" --json
check "export csv, a batch" 0 export "$work/b.h5" --format csv -o "$work/b-csv"
check "export json, a time run" 0 export "$work/t.h5" --format json -o "$work/t-json"
# An interrupted run (the test hook stops it after its first round), resumed.
(cd "$work" && TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=1 "$tyche" run "$sc/geneva-2014.yaml" -n 40000 \
  --threads 1 -o int.h5 --quiet >/dev/null 2>&1)
[ $? = 130 ] && ok || bad "the interrupted run to resume did not exit 130"
check "run --resume" 0 run --resume "$work/int.h5" --threads 2
check "bad usage" 2 run "$sc/geneva-2014.yaml" --threads

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
