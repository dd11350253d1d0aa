#!/usr/bin/env bash
# faults.sh - every verb that writes a result file (run, run --save-samples,
# run --resume, batch, sensitivity), refused by the disk at every stage of
# its write: the temporary file's creation, the samples' appends, the
# schema, the flush and the close. Two real refusals, no fault injection:
#  - a file size limit (RLIMIT_FSIZE, unprivileged): at each of many byte
#    counts, from 0 to past the whole file, write(2) fails with EFBIG
#    (SIGXFSZ is ignored by tyche, so it is an error, not a kill);
#  - a full disk: a small tmpfs in a user and mount namespace (`unshare
#    -rm`), filled to leave each of many amounts of free space, where
#    write(2) fails with ENOSPC. Skipped (said so) where namespaces are not
#    allowed, as on some CI runners.
# At each level: exit 1 with exactly one line on stderr naming the cause
# ("...: error: cannot write: File too large", "... No space left on
# device"), or exit 0 with a whole new file once the level allows it; no
# temporary file left; the older file of that name byte-identical after a
# failure; no crash (under ASan a report would be more than one line).
# Usage: bash faults.sh TYCHE_BINARY [DATA_DIR]. About 20 s (release).
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
bench=$root/bench/models/ukraine-2014-bench.yaml

# A batch of our own: two variants and a sweep of three points on the bench
# model (a smaller file than the flagship policy batch).
cat >"$work/batch.yaml" <<EOF
tyche: 1
batch: faults
scenario: $bench
variants:
  baseline: {}
  more:
    factors: {troops: {dist: "normal(60000, 8000)"}}
sweeps:
  buildup: {factor: troops, param: mean, values: [30000, 50000, 70000]}
EOF

# The verbs: label, then the arguments (OUT stands for the output path).
verbs=(
  "run|run $bench -n 20000 --seed 7 --threads 1 -o OUT --quiet"
  "samples|run $bench -n 30000 --seed 7 --save-samples --threads 1 -o OUT --quiet"
  "batch|batch $work/batch.yaml -n 5000 --seed 7 --threads 1 -o OUT --quiet"
  "sensitivity|sensitivity $bench -n 2000 --seed 7 --ignore-correlations --threads 1 -o OUT --quiet"
  "resume|run --resume OUT --threads 1 --quiet"
)

# tyche with the arguments of verb line $1 (OUT replaced by $2), the
# output limited by the prefix in ${limit[@]} (empty: none); sets rc and err.
run_verb() {
  local args=${1#*|}
  args=${args//OUT/$2}
  # shellcheck disable=SC2086
  err=$("${limit[@]}" "$tyche" $args 2>&1 >/dev/null); rc=$?
}

# The older file of that name: a run with another seed, or for --resume an
# interrupted run (256 of its 274 blocks) that the resume continues.
make_old() {
  case $1 in
    resume) TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=1 "$tyche" run "$bench" -n 280000 --seed 7 -o "$2" --quiet >/dev/null 2>&1 ;;
    *) "$tyche" run "$bench" -n 3000 --seed 99 -o "$2" --quiet >/dev/null 2>&1 ;;
  esac
}

# One level: verb line $1 into folder $2 (holding old.h5, a copy of the
# older file, and nothing else of ours), the level named $3, the cause the
# error must name $4. Counts the outcome in nfail/nok.
check_level() {
  local label=${1%%|*} dir=$2 what="$label at $3" out=$2/res.h5
  cp "$dir/old.h5" "$out"
  run_verb "$1" "$out"
  local tmp
  tmp=$(ls -A "$dir" | grep -E '^\.res\.h5\.tmp-' || true)
  [ -z "$tmp" ] && ok || bad "$what: temporary files left: $tmp"
  if [ "$rc" = 0 ]; then
    nok=$((nok + 1))
    [ -z "$err" ] && ok || bad "$what: exit 0 but stderr: $err"
    "$tyche" show "$out" >/dev/null 2>&1 && ok || bad "$what: exit 0 but the new file does not read"
    return
  fi
  nfail=$((nfail + 1))
  [ "$rc" = 1 ] && ok || bad "$what: exit $rc, not 1"
  local lines
  lines=$(printf '%s\n' "$err" | grep -c .)
  [ "$lines" = 1 ] && ok || bad "$what: $lines lines on stderr, not one: $(printf '%s' "$err" | head -5)"
  [[ $err == *"$4"* && ( $err == "$out: error: "* || $err == "tyche: error: "* ) ]] && ok \
    || bad "$what: the message does not name the file and '$4': $err"
  cmp -s "$dir/old.h5" "$out" && ok || bad "$what: the older file changed"
}

# ---- a file size limit at many byte counts ----------------------------------
# prlimit sets the limit in bytes; without it, ulimit -f (1 KiB blocks).
if command -v prlimit >/dev/null; then
  limit_to() { limit=(prlimit --fsize="$1:$1" --); }
else
  limit_to() { limit=(bash -c 'ulimit -f $(( $0 / 1024 )) && exec "$@"' "$1"); }
fi
# Does the OpenMP runtime itself die under a limit below 1 KiB? A run that
# cannot write its 100-byte limit's file fails in tyche with one message;
# libomp fails first, with its own "OMP: Error" lines.
omp_dies_below_1k=0
ldd "$tyche" 2>/dev/null | grep -q 'libomp\.so' && omp_dies_below_1k=1
if [ -z "${TYCHE_FAULTS_TMPFS:-}" ]; then
  limit_to 100
  probe=$("${limit[@]}" "$tyche" run "$bench" -n 2000 --seed 1 --threads 2 -o "$work/probe.h5" --quiet 2>&1 >/dev/null)
  [[ $probe == *"OMP: "* ]] && omp_dies_below_1k=1
  rm -f "$work/probe.h5" "$work"/.probe.h5.tmp-*
fi
limit=()
for v in "${verbs[@]}"; do
  [ -n "${TYCHE_FAULTS_TMPFS:-}" ] && break   # the inner part: the full disk only
  label=${v%%|*}
  dir=$work/fsize-$label
  mkdir "$dir"
  make_old "$label" "$dir/old.h5"
  # The whole new file's size, written without a limit.
  limit=()
  cp "$dir/old.h5" "$dir/full.h5"
  run_verb "$v" "$dir/full.h5"
  [ "$rc" = 0 ] || { bad "$label: the unlimited write exits $rc: $err"; continue; }
  size=$(stat -c %s "$dir/full.h5")
  rm -f "$dir/full.h5"
  # From nothing (the create) through the samples, the schema, the flush
  # and the close, to past the end: 0, small counts, then 12 even steps.
  levels="0 1 96 800 2048 4096"
  # LLVM's OpenMP runtime (libomp 14, the clang build's) registers itself
  # at its first parallel region in a 1 KiB shared-memory file and dies
  # (SIGBUS, "Can't set size of SHM") when the file size limit is below
  # that, before tyche can do anything: outside tyche, so the levels that
  # let the create pass and stop below 1 KiB are GCC-runtime only.
  # Known by what the runtime does, not only by what ldd lists (a CI
  # machine's ldd may be missing or show a different name).
  [ "$omp_dies_below_1k" = 1 ] && levels="0 1 2048 4096"
  for k in 1 2 3 4 5 6 7 8 9 10 11 12; do levels="$levels $((size * k / 12 - 1))"; done
  levels="$levels $((size + 65536))"
  nfail=0 nok=0
  for lim in $levels; do
    limit_to "$lim"
    check_level "$v" "$dir" "a file size limit of $lim bytes" "File too large"
  done
  # Most levels fail; past the whole file the write succeeds.
  [ "$nfail" -ge 10 ] && ok || bad "$label: only $nfail of the size limits failed the write (file $size bytes)"
  [ "$nok" -ge 1 ] && ok || bad "$label: no size limit let the write through (file $size bytes)"
done
limit=()

# ---- a full disk: a tmpfs in a user and mount namespace ----------------------
# The inner part runs this script again as root of a new user namespace
# (TYCHE_FAULTS_TMPFS set), which mounts the tmpfs, and reports its tally.
if [ -n "${TYCHE_FAULTS_TMPFS:-}" ]; then
  disk=$work/disk
  mkdir "$disk"
  mount -t tmpfs -o size=32m tmpfs "$disk" || { echo "cannot mount a tmpfs"; exit 1; }
  for v in "${verbs[@]}"; do
    label=${v%%|*}
    dir=$disk/$label
    mkdir "$dir"
    make_old "$label" "$dir/old.h5"
    cp "$dir/old.h5" "$dir/full.h5"
    run_verb "$v" "$dir/full.h5"
    size=$(stat -c %s "$dir/full.h5")
    rm -f "$dir/full.h5"
    nfail=0 nok=0
    # Free space left by a filler file: none, a few pages, then steps to
    # past the whole file (tmpfs counts whole 4 KiB pages).
    for free in 0 4096 12288 $((size / 8)) $((size / 3)) $((size / 2)) $((size * 4 / 5)) $((size + 1048576)); do
      rm -f "$disk/filler" "$dir/res.h5"
      avail=$(( $(stat -f -c '%a*%S' "$disk") ))
      # res.h5, a copy of the older file, takes its pages too.
      fill=$(( avail - free - $(stat -c %s "$dir/old.h5") - 4096 ))
      [ "$fill" -gt 0 ] && head -c "$fill" /dev/zero >"$disk/filler" 2>/dev/null
      [ -n "${TYCHE_FAULTS_DEBUG:-}" ] && echo "$label free $free avail $avail fill $fill now $(( $(stat -f -c '%a*%S' "$disk") ))"
      check_level "$v" "$dir" "$free bytes free" "No space left on device"
    done
    rm -f "$disk/filler"
    [ "$nfail" -ge 3 ] && ok || bad "$label: only $nfail of the free-space levels failed the write (file $size bytes)"
    [ "$nok" -ge 1 ] && ok || bad "$label: no free-space level let the write through"
    rm -rf "$dir"
  done
  umount "$disk"
  finish "full disk"
  exit
fi
if unshare -rm true 2>/dev/null; then
  inner=$(TYCHE_FAULTS_TMPFS=1 unshare -rm bash "$0" "$tyche" 2>&1); irc=$?
  printf '%s\n' "$inner" | grep '^FAIL' || true
  tally=$(printf '%s\n' "$inner" | tail -1)
  if [[ $tally =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    pass=$((pass + BASH_REMATCH[1])) fail=$((fail + BASH_REMATCH[2]))
    [ "$irc" = 0 ] || [ "${BASH_REMATCH[2]}" != 0 ] || bad "full disk: the inner script exits $irc"
  else
    bad "full disk: the inner script ended without its tally: $(printf '%s' "$inner" | tail -3)"
  fi
else
  echo "SKIP full disk (tmpfs): user namespaces are not allowed here; the size-limit part covers the write path"
fi

finish "faults"
