#!/usr/bin/env bash
# Result paths tyche must not write, as a class: a table of bad targets
# (devices, a folder, a FIFO, a socket, symbolic links, the inputs
# themselves and hard links to them, a missing folder, a file used as a
# folder, a folder it cannot write in, names and paths too long) crossed
# with every verb that writes (run, batch, sensitivity). Each command asks
# for 10^9 samples, minutes of work, under a 20 s `timeout`: it must exit 1
# at once with one line naming the path, before any sampling, and leave the
# target exactly as it was and no temporary file behind.
# Devices are made here with mknod (as root) rather than taken from /dev:
# a regression must not replace the machine's /dev/null.
# Usage: bash paths.sh TYCHE_BINARY. Takes a few seconds.
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
cd "$work" || exit 1
chmod 755 "$work"   # the unprivileged rows read s.yaml here
T=20

small_scenario paths > s.yaml
cat > b.yaml <<'EOF'
tyche: 1
batch: paths-batch
scenario: s.yaml
variants:
  base: {}
EOF
"$tyche" run s.yaml -n 1000 -o old.h5 --quiet || { echo "FAIL: the reference run"; exit 1; }

# ---- the targets -----------------------------------------------------------
mkdir adir ro
chmod 555 ro
echo text > plain.txt
mkfifo fifo
/usr/bin/python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$work/sock"
ln -s /dev/null ln-null
ln -s "$work/old.h5" ln-reg
ln -s "$work/nowhere.h5" ln-dangling
ln s.yaml hard-s.yaml
ln b.yaml hard-b.yaml
ln -s s.yaml ln-s.yaml
long=$(printf 'n%.0s' $(seq 1 240)).h5
deep=$work$(printf '/%s' $(for i in $(seq 1 20); do printf 'd%.0s' $(seq 1 250); echo; done))/r.h5
devices=0
if mknod dev-null c 1 3 2>/dev/null && mknod dev-full c 1 7 2>/dev/null; then devices=1
else echo "note: mknod not permitted; the device rows use a symbolic link to /dev/null only"; fi

# TARGET | FRAGMENT of the one error line (the path is checked separately)
rows=(
  "adir|the result path is a folder"
  "adir/|needs a file name"
  ".|needs a file name"
  "fifo|is a named pipe (FIFO)"
  "sock|is a socket"
  "ln-null|is a symbolic link (to '/dev/null')"
  "ln-reg|is a symbolic link"
  "ln-dangling|is a symbolic link"
  "nope/r.h5|folder 'nope' does not exist"
  "plain.txt/r.h5|folder 'plain.txt' is not a folder"
  "$long|the file name is too long"
  "$deep|too long"
)
[ $devices = 1 ] && rows+=("dev-null|is a character device" "dev-full|is a character device")

# What is at path $1 now: kind, inode, size, time, and a regular file's sum.
state() {
  if [ -L "$1" ]; then echo "link $(readlink "$1")"
  elif [ -e "$1" ]; then stat -c '%F %i %s %Y' "$1"; [ -f "$1" ] && md5sum < "$1"
  else echo absent; fi
}

# The command of verb $1 writing to $2, asking for minutes of sampling.
cmd() {
  case $1 in
    run) echo "run s.yaml -n 1e9 -o" ;;
    batch) echo "batch b.yaml -n 1e9 -o" ;;
    sensitivity) echo "sensitivity s.yaml -n 1e9 --method tornado -o" ;;
    sens-batch) echo "sensitivity b.yaml -n 1e9 --method tornado -o" ;;
  esac
}

# Runs tyche ($1: a label; then the arguments, the last being the target)
# and checks: exit 1 before any sampling, one line naming the target and
# holding $FRAG, the target unchanged, no temporary file left.
refused() {
  local label=$1; shift
  local target=${!#} before after rc lines
  before=$(state "$target"; state "$(dirname "$target")/nowhere.h5"; state old.h5)
  timeout -k 5 $T $RUNAS "$tyche" "$@" >stdout 2>err; rc=$?
  after=$(state "$target"; state "$(dirname "$target")/nowhere.h5"; state old.h5)
  lines=$(wc -l < err)
  [ "$rc" = 1 ] && ok || bad "$label: exit $rc, want 1 (124: it sampled until the timeout)"
  [ "$lines" = 1 ] && ok || bad "$label: $lines lines on stderr, want 1: $(head -c 300 err)"
  grep -qF -- "$FRAG" err && ok || bad "$label: no '$FRAG' in: $(head -c 300 err)"
  grep -qF -- "${target:0:200}" err && ok || bad "$label: the path is not named: $(head -c 300 err)"
  [ ! -s stdout ] && ok || bad "$label: printed results"
  [ "$before" = "$after" ] && ok || bad "$label: the target changed: '$before' -> '$after'"
  local tmp
  tmp=$(ls -A "$(dirname "$target")" 2>/dev/null | grep -E '\.tmp-[0-9]+-' || true)
  [ -z "$tmp" ] && ok || bad "$label: left a temporary file: $tmp"
}

RUNAS=""
for verb in run batch sensitivity sens-batch; do
  for row in "${rows[@]}"; do
    target=${row%%|*} FRAG=${row#*|}
    refused "$verb -o $target" $(cmd $verb) "$target"
  done
  # The results/ folder, when it is a file (the default path).
  mkdir -p "rf-$verb" && echo x > "rf-$verb/results"
  (cd "rf-$verb" && timeout -k 5 $T "$tyche" ${verb/sens-batch/sensitivity} \
     ../$( [ $verb = batch ] || [ $verb = sens-batch ] && echo b || echo s).yaml -n 1e9 \
     $( [ $verb = sensitivity ] || [ $verb = sens-batch ] && echo --method tornado) >/dev/null 2>../err); rc=$?
  [ "$rc" = 1 ] && grep -qF "folder 'results' is not a folder" err && ok \
    || bad "$verb with results/ a file: exit $rc: $(head -c 300 err)"
done

# ---- an output that is one of the inputs -------------------------------------
# VERB-COMMAND | TARGET | FRAGMENT
inputs=(
  "run|s.yaml|is the scenario file"
  "run|hard-s.yaml|is the scenario file 's.yaml'"
  "run|ln-s.yaml|is the scenario file 's.yaml'"
  "batch|b.yaml|is the batch file"
  "batch|hard-b.yaml|is the batch file 'b.yaml'"
  "batch|s.yaml|is the scenario file of the batch"
  "batch|hard-s.yaml|is the scenario file of the batch"
  "sensitivity|s.yaml|is the scenario file"
  "sensitivity|hard-s.yaml|is the scenario file"
  "sens-batch|b.yaml|is the batch file"
  "sens-batch|s.yaml|is the scenario file of the batch"
)
for row in "${inputs[@]}"; do
  IFS='|' read -r verb target FRAG <<<"$row"
  refused "$verb -o $target (an input)" $(cmd $verb) "$target"
done

# The scenario given on standard input is still the file it comes from.
FRAG="is the scenario file '-'"
refused "run - < s.yaml -o s.yaml" run - -n 1e9 -o s.yaml < s.yaml

# ---- a folder it cannot write in (as an unprivileged user when root) -------
RUNAS=""
if [ "$(id -u)" = 0 ]; then
  if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups "$tyche" --version >/dev/null 2>&1; then
    RUNAS="setpriv --reuid=65534 --regid=65534 --clear-groups"
  else
    RUNAS=skip; echo "note: cannot run tyche as an unprivileged user; the read-only folder rows are skipped"
  fi
fi
if [ "$RUNAS" != skip ]; then
  FRAG="cannot write in folder 'ro'"
  for verb in run batch sensitivity; do refused "$verb -o ro/r.h5" $(cmd $verb) ro/r.h5; done
fi
RUNAS=""

# ---- a path taken during the run ----------------------------------------------
# What is put at the result path after the check and before the rename (a
# FIFO, a folder, a link) is not replaced: exit 1, one line, left as it is.
# The run is stopped (SIGSTOP) as soon as its temporary file exists, the
# object made, and the run let go: no race with the run's end.
for kind in fifo folder link; do
  rm -rf late.h5
  "$tyche" run s.yaml -n 1e8 --threads 1 -o late.h5 --quiet >/dev/null 2>err & pid=$!
  for _ in $(seq 500); do ls -A | grep -q '^\.late\.h5\.tmp-' && break; sleep 0.01; done
  kill -STOP $pid
  case $kind in fifo) mkfifo late.h5 ;; folder) mkdir late.h5 ;; link) ln -s old.h5 late.h5 ;; esac
  kill -CONT $pid
  wait $pid; rc=$?
  if [ $rc = 1 ] && [ "$(wc -l < err)" = 1 ] && grep -q "late.h5: error: the result path became" err; then ok
  else bad "$kind put at the path during the run: exit $rc: $(head -c 300 err)"; fi
  case $kind in fifo) [ -p late.h5 ] ;; folder) [ -d late.h5 ] ;; link) [ -L late.h5 ] ;; esac \
    && ok || bad "$kind put at the path during the run was replaced"
  [ -z "$(ls -A | grep -E '^\.late\.h5\.tmp-' || true)" ] && ok || bad "$kind: temporary file left"
done
rm -rf late.h5

# ---- what still works --------------------------------------------------------
# A regular file is replaced; a hard link's other name keeps the old file.
cp old.h5 keep.h5 && ln keep.h5 keep-link.h5
before=$(md5sum < keep.h5)
"$tyche" run s.yaml -n 1000 --seed 9 -o keep.h5 --quiet && ok || bad "replacing a regular file"
[ "$(md5sum < keep-link.h5)" = "$before" ] && [ "$(md5sum < keep.h5)" != "$before" ] && ok \
  || bad "replacing keep.h5: its hard link changed, or it did not"
# A symbolic link in the folder part of the path is followed.
ln -s adir dirlink
"$tyche" run s.yaml -n 1000 -o dirlink/r.h5 --quiet && [ -f adir/r.h5 ] && ok || bad "a linked folder"
# --resume writes the file it resumes (its own input), as intended.
TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=1 "$tyche" run s.yaml -n 200000 -o part.h5 --quiet >/dev/null 2>&1
"$tyche" run --resume part.h5 --quiet >/dev/null 2>err && ok || bad "--resume: $(head -c 300 err)"

finish
