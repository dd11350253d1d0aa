#!/usr/bin/env bash
# Fault injection end to end, SQLite-style: each command below is run once
# to count its allocations and result-file I/O operations
# (TYCHE_FAULT_REPORT), then once per fault point N with the Nth allocation
# failing (TYCHE_FAULT_ALLOC=N) and once per N with the Nth I/O operation
# failing (TYCHE_FAULT_IO=N: a dataset or attribute write, the flush, close,
# fsync, rename or folder fsync). Needs the `fault` preset's binary (ASan,
# UBSan and LSan; engine/src/util/fault.c). For every N it checks:
#   - the exit status is the documented one: 1 (out of memory, I/O), or 3
#     for the invalid scenario (its error may come before the failure);
#     never 0 (every allocation and write is needed: a fault that does not
#     fail the command was swallowed);
#   - no sanitizer report (memory error, undefined behaviour, leak) and no
#     crash (no signal);
#   - stderr has one message (one line, with the quoted source line and
#     caret where it has a position) that names the cause: "out of memory",
#     or the injected I/O fault;
#   - the older result file at the output path is byte-identical, or, for a
#     failure after the rename (the folder's fsync, printing the report), the
#     new file is whole (tyche show reads it); no temporary file is left.
# Commands: run, run --save-samples, run --threads 2, run with observations, a time scenario's run
# (--save-samples: the log-weights too), batch, sensitivity
# (all methods), check (valid and invalid), show, export, run --resume.
#
# Usage: bash fault_loop.sh TYCHE [--stride S] [--io-stride S] [--persist] [--jobs J]
#   --stride S     allocation points 1, 1+S, 1+2S, ... and the last S (default 1)
#   --io-stride S  the same for I/O writes; flush, close, fsync, rename and
#                  the folder fsync are always each tried (default 1)
#   --persist      also fail every allocation after the Nth (TYCHE_FAULT_ALLOC=N+)
#   --jobs J       runs at once (default 2)
#   --only NAME    only the case NAME (run, run-samples, ..., resume)
#   --all-fails    print every failure (default: the first 20 of each case)
# ctest runs it with strides (label fault, a few minutes); stride 1 with
# --persist is the long run of docs/testing.md.
set -uo pipefail
tyche=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); shift
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
stride=1 io_stride=1 persist=0 jobs=2 only="" shown=20
while [ $# -gt 0 ]; do
  case $1 in
    --stride) stride=$2; shift 2 ;;
    --io-stride) io_stride=$2; shift 2 ;;
    --persist) persist=1; shift ;;
    --jobs) jobs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --all-fails) shown=1000000; shift ;;
    *) echo "fault_loop.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=exitcode=99
unset TYCHE_FAULT_ALLOC TYCHE_FAULT_IO TYCHE_FAULT_REPORT TYCHE_FAULT_STACK TYCHE_TEST_INTERRUPT_AFTER_ROUNDS

sc=$root/scenarios
rules=$sc/geneva-2014.yaml          # rules model
logit=$sc/ukraine-2014.yaml         # logit model, correlations, mixtures
batch=$sc/release-deadline-options.yaml

# The inputs: an older result file (what each output path holds before the
# command), a result to show, an interrupted run to resume, a bad scenario.
mkdir -p "$work/in"
"$tyche" run "$logit" -n 1000 --seed 7 --threads 1 -o "$work/in/old.h5" --quiet >/dev/null \
  || { echo "FAIL: the older result file"; exit 1; }
"$tyche" run "$logit" -n 2000 --threads 1 --save-samples -o "$work/in/show.h5" --quiet >/dev/null \
  || { echo "FAIL: the file to show"; exit 1; }
TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=1 "$tyche" run "$rules" -n 40000 --threads 1 \
  -o "$work/in/int.h5" --quiet >/dev/null 2>&1
[ $? = 130 ] || { echo "FAIL: the interrupted run to resume"; exit 1; }
sed 's/^\( *dist: \)normal(/\1norml(/' "$logit" > "$work/in/bad.yaml"
"$tyche" check "$work/in/bad.yaml" >/dev/null 2>&1
[ $? = 3 ] || { echo "FAIL: bad.yaml is not an invalid scenario"; exit 1; }

# name | expected exit statuses under a fault | arguments (OUT: the output
# path, which holds the older file first; IN: the input folder)
cases=(
  "run|1|run $rules -n 2000 --threads 1 -o OUT"
  "run-samples|1|run $logit -n 2000 --threads 1 --save-samples -o OUT"
  "run-threads2|1|run $logit -n 3000 --threads 2 -o OUT"
  "run-observe|1|run $sc/ukraine-2014-update.yaml -n 2000 --threads 1 --save-samples -o OUT"
  "run-time|1|run $sc/ukraine-2014-time.yaml -n 2000 --threads 1 -o OUT"
  "batch|1|batch $batch -n 2000 --threads 1 -o OUT"
  "sensitivity|1|sensitivity $rules -n 500 --method all --threads 1 -o OUT"
  "check|1|check $logit"
  "check-invalid|1 3|check IN/bad.yaml"
  "show|1|show IN/show.h5 --json"
  "export|1|export IN/show.h5 --format csv -o ."
  "resume|1|run --resume OUT --threads 1"
)

# Allocations whose failure tyche tolerates by design (exit 0, the same
# results), by a function they are made in: keeping a file's text for quoting its lines in
# diagnostics (without it an error lacks only the quoted line);
# print_sensitivity's ranking of the factors (without it the rows keep the
# scenario's order, numbers unchanged).
tolerated="ty_diag_source print_sensitivity"

# One try: case $1 (index) with TYCHE_FAULT_$2=$3 in folder $4; $2=REPORT:
# a plain run that must succeed, its counts written to $4.counts. Prints
# one FAIL line per broken property.
try() {
  local name want args dir=$4 var=$2 val=$3
  IFS='|' read -r name want args <<< "${cases[$1]}"
  mkdir -p "$dir"
  local out=$dir/res.h5
  if [ "$name" = resume ]; then cp "$work/in/int.h5" "$out"; else cp "$work/in/old.h5" "$out"; fi
  local before; before=$(sha256sum < "$out")
  args=${args//OUT/$out}; args=${args//IN/$work/in}
  local label="$name $var=$val" rc
  if [ "$var" = REPORT ]; then
    want=0; [ "$name" = check-invalid ] && want=3
    (cd "$dir" && TYCHE_FAULT_REPORT=$dir.counts "$tyche" $args >/dev/null 2>"$dir/err"); rc=$?
  else
    (cd "$dir" && env "TYCHE_FAULT_$var=$val" TYCHE_FAULT_STACK=1 "$tyche" $args >/dev/null 2>"$dir/err"); rc=$?
  fi
  # The failed allocation's stack (the functions it was called from), then
  # stderr without it.
  local site
  for site in $(awk '/allocation [0-9]+ fails here/{s=1; next} s && /^$/{exit} s && / in /{print $4}' "$dir/err"); do
    [[ " $tolerated " == *" $site "* ]] && want="$want 0"
  done
  # With 2 threads the allocation count varies from run to run (each thread
  # makes its scratch when it first runs): an N past this run's last
  # allocation fails nothing (no "fails here" stack), and the command succeeds.
  [ "$var" = ALLOC ] && ! grep -q 'allocation [0-9]* fails here' "$dir/err" && want="$want 0"
  sed -i '/^tyche (fault build): allocation/,/^$/d' "$dir/err"
  local err; err=$(cat "$dir/err")
  local fails=()
  if grep -qE 'Sanitizer|runtime error:' "$dir/err"; then
    fails+=("sanitizer report: $(grep -m1 -E 'ERROR|runtime error' "$dir/err")")
  elif [ $rc -ge 99 ]; then
    fails+=("crashed or killed: exit $rc")
  elif [[ " $want " != *" $rc "* ]]; then
    fails+=("exit $rc, expected $want: ${err:0:300}")
  fi
  # (The invalid scenario's own errors come with their lines and hints.)
  if [ "$var" != REPORT ] && [ $rc != 0 ] && { [ "$name" != check-invalid ] || [ $rc = 1 ]; }; then
    [[ $err == *"out of memory"* || $err == *"injected fault"* ]] \
      || fails+=("stderr does not name the cause: '${err:0:300}'")
    # One message: one line that is not a quoted source line, caret or hint.
    [ "$name" = check-invalid ] || [ "$(printf '%s\n' "$err" | grep -c '^[^ ]')" = 1 ] \
      || fails+=("not one message on stderr: '${err:0:400}'")
  fi
  # The older file stays, or (a failure after the rename) the new one is whole.
  if [ "$var" != REPORT ] && [ "$(sha256sum < "$out")" != "$before" ]; then
    "$tyche" show "$out" >/dev/null 2>&1 || fails+=("the file at the output path is damaged")
  fi
  local left; left=$(ls -A "$dir" | grep -E '\.tmp-' || true)
  [ -z "$left" ] || fails+=("temporary file left: $left")
  local f
  for f in "${fails[@]}"; do echo "FAIL: $label: $f"; done
  rm -rf "$dir"
}

# The fault points of a count C at stride S: 1, 1+S, ..., and the last 8
# (the clean-up stage), each once.
points() {
  local c=$1 s=$2
  { seq 1 "$s" "$c"; seq $((c > 8 ? c - 7 : 1)) "$c"; } | sort -n | uniq
}

total=0 failed=0
summary=()
for i in "${!cases[@]}"; do
  IFS='|' read -r name _ _ <<< "${cases[$i]}"
  [ -z "$only" ] || [ "$name" = "$only" ] || continue
  d=$work/c$i
  mkdir -p "$d"
  out=$(unset TYCHE_FAULT_ALLOC; try "$i" REPORT - "$d/count" 2>&1)
  [ -n "$out" ] && { echo "$out"; failed=$((failed + 1)); }
  mv "$d/count.counts" "$d/counts"
  nalloc=$(awk '$1 == "alloc" {print $2}' "$d/counts")
  nwrite=$(awk '$1 == "io.write" {print $2}' "$d/counts")
  # The try list: ALLOC=N (and N+), IO=write:N, and each other I/O kind once.
  {
    for n in $(points "$nalloc" "$stride"); do
      echo "ALLOC $n"
      [ $persist = 1 ] && echo "ALLOC $n+"
    done
    if [ "$nwrite" -gt 0 ]; then
      for n in $(points "$nwrite" "$io_stride"); do echo "IO write:$n"; done
      for k in flush close fsync rename dirsync; do
        [ "$(awk -v k="io.$k" '$1 == k {print $2}' "$d/counts")" -gt 0 ] && echo "IO $k:1"
      done
    fi
  } > "$d/list"
  ntry=$(wc -l < "$d/list")
  # Run the list $jobs at a time; each try prints its FAIL lines.
  j=0
  while read -r var val; do
    try "$i" "$var" "$val" "$d/t$j" > "$d/r$j" 2>&1 &
    j=$((j + 1))
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  done < "$d/list"
  wait
  nbad=$(cat "$d"/r* 2>/dev/null | grep -c '^FAIL' || true)
  cat "$d"/r* 2>/dev/null | grep '^FAIL' | head -"$shown"
  total=$((total + ntry)); failed=$((failed + nbad))
  summary+=("$(printf '%-14s %5d allocations %4d I/O ops: %5d tries, %d failed' \
    "$name" "$nalloc" "$(awk '$1 == "io" {print $2}' "$d/counts")" "$ntry" "$nbad")")
done
printf '%s\n' "${summary[@]}"
echo "$total fault points tried, $failed failed (stride $stride, I/O stride $io_stride, persist $persist)"
[ "$failed" = 0 ]
