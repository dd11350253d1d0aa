#!/usr/bin/env bash
# Inputs are read once, bounded, whatever they are. Every verb that reads a
# scenario or batch file (run, batch, sensitivity, check) is given it as a
# pipe (/dev/stdin and '-'), a process substitution, a FIFO with a writer,
# and as the file a batch names; and is given /dev/zero, an endless pipe, a
# folder, an empty file and a huge (sparse) file. Each command runs under
# `timeout -k` (tyche handles SIGTERM; a hang that ignores it is killed),
# and the FIFOs' writers are bounded too, so a second read that hangs, or a
# FIFO never opened, fails the test instead of holding CTest for ever.
# Then batches whose `scenario:` names a file that is not a tyche scenario
# (/etc/passwd, a shadow-like file, binary, JSON, YAML without `tyche:`):
# one error at the batch's `scenario:` and no line of that file on stderr.
# Usage: bash inputs.sh TYCHE_BINARY. Takes a few seconds.
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
cd "$work" || exit 1
T=20   # seconds: every command here takes well under one

small_scenario inputs > s.yaml
cat > b.yaml <<'EOF'
tyche: 1
batch: inputs-batch
scenario: s.yaml
variants:
  base: {}
  shifted: {factors: {a: {dist: "normal(1, 1)"}}}
EOF

# Options each verb needs to be quick; $1 the verb, $2 the result path.
opts() {
  case $1 in
    run|batch) echo "-n 2000 -o $2 --quiet" ;;
    sensitivity) echo "-n 1000 --method tornado -o $2 --quiet" ;;
    check) echo "" ;;
  esac
}

# A verb reading its input through $how succeeded (label $3): exit 0 and,
# but for check, a result file that reads.
good() {
  local verb=$1 rc=$2 label=$3 out=$4
  if [ "$rc" != 0 ]; then bad "$label: exit $rc, want 0: $(head -c 300 err)"; return; fi
  if [ "$verb" = check ]; then
    grep -q '^\(scenario inputs\|batch inputs-batch\)' stdout && ok || bad "$label: no listing on stdout"
  else
    "$tyche" show "$out" >/dev/null 2>&1 && ok || bad "$label: $out does not read"
  fi
}

# ---- the same file, read through every kind of input ----------------------
for verb in run batch sensitivity check; do
  src=s.yaml; [ "$verb" = batch ] && src=b.yaml
  n=0
  for how in stdin dash procsub fifo; do
    n=$((n + 1)); out=$work/$verb-$n.h5
    case $how in
      stdin)   cat "$src" | timeout -k 5 $T "$tyche" $verb /dev/stdin $(opts $verb "$out") >stdout 2>err ;;
      dash)    timeout -k 5 $T "$tyche" $verb - $(opts $verb "$out") <"$src" >stdout 2>err ;;
      procsub) timeout -k 5 $T "$tyche" $verb <(cat "$src") $(opts $verb "$out") >stdout 2>err ;;
      fifo)    rm -f in.fifo; mkfifo in.fifo
               (timeout 60 sh -c 'cat "$1" > in.fifo' sh "$src" &)
               timeout -k 5 $T "$tyche" $verb in.fifo $(opts $verb "$out") >stdout 2>err ;;
    esac
    good $verb $? "$verb via $how" "$out"
  done
done

# A batch whose scenario is a FIFO: the batch names it, tyche reads it once.
rm -f s.fifo; mkfifo s.fifo
sed 's/^scenario: .*/scenario: s.fifo/' b.yaml > bf.yaml
(timeout 60 sh -c 'cat s.yaml > s.fifo' &)
timeout -k 5 $T "$tyche" batch bf.yaml -n 2000 -o bf.h5 --quiet >stdout 2>err
good batch $? "batch naming a FIFO" "$work/bf.h5"

# A FIFO nobody writes to: the open waits, as cat's does, and SIGTERM ends
# the wait (run, batch and sensitivity: "interrupted", exit 130; check has
# no handler and dies of it).
rm -f idle.fifo; mkfifo idle.fifo
for verb in run batch check sensitivity; do
  timeout -k 10 --preserve-status -s TERM 1 "$tyche" $verb idle.fifo $(opts $verb "$work/r.h5") >stdout 2>err; rc=$?
  case $verb in
    run|batch|sensitivity) [ "$rc" = 130 ] && grep -qE "idle.fifo: error: interrupted while waiting for input|sensitivity: interrupted" err && ok \
                 || bad "$verb on an idle FIFO, SIGTERM: exit $rc: $(head -c 300 err)" ;;
    *) [ "$rc" = 143 ] && ok || bad "$verb on an idle FIFO, SIGTERM: exit $rc, want 143" ;;
  esac
done

# A signal that comes before the wait starts (here raised by a test hook as
# soon as the handlers are in) is not lost: the wait for a writer ends at
# once. It hung for ever when the signal fell between the flag's last check
# and a blocking open.
for verb in run batch sensitivity; do
  TYCHE_TEST_SIGNAL_WHILE_LOADING=1 timeout -k 5 $T "$tyche" $verb idle.fifo $(opts $verb "$work/r.h5") >stdout 2>err; rc=$?
  [ "$rc" = 130 ] && grep -qE "idle.fifo: error: interrupted while waiting for input|sensitivity: interrupted" err \
    && [ ! -e "$work/r.h5" ] && ok || bad "$verb, a signal before the wait: exit $rc: $(head -c 300 err)"
  # The same signal with a regular file: loaded, then honoured after the first round (exit 130).
  in=s.yaml; [ "$verb" = batch ] && in=b.yaml
  TYCHE_TEST_SIGNAL_WHILE_LOADING=1 timeout -k 5 $T "$tyche" $verb $in $(opts $verb "$work/r2.h5") >stdout 2>err; rc=$?
  [ "$rc" = 130 ] && ok || bad "$verb $in, a signal while loading: exit $rc, want 130: $(head -c 300 err)"
  rm -f "$work/r.h5" "$work/r2.h5"
done

# ---- inputs that cannot be a scenario: the error, not a hang ---------------
# $1 verb, $2 input, $3 the exit status, $4 a fragment of the message.
refused() {
  local verb=$1 input=$2 want=$3 frag=$4
  timeout -k 5 $T "$tyche" $verb "$input" $(opts $verb "$work/r.h5") >stdout 2>err; local rc=$?
  [ "$rc" = "$want" ] && ok || bad "$verb $input: exit $rc, want $want: $(head -c 300 err)"
  grep -qF -- "$frag" err && ok || bad "$verb $input: no '$frag' in: $(head -c 300 err)"
  [ ! -e "$work/r.h5" ] && ok || { bad "$verb $input: wrote a result"; rm -f "$work/r.h5"; }
}
mkdir folder
: > empty.yaml
truncate -s 6G huge.yaml   # sparse: no disk used
for verb in run batch sensitivity check; do
  refused $verb /dev/zero 3 "longer than 4194304 bytes"
  refused $verb folder 1 "folder: error: is a folder, not a file"
  refused $verb empty.yaml 3 "empty.yaml"
  refused $verb huge.yaml 3 "the file is 6442450944 bytes; tyche reads at most 4194304"
  refused $verb no-such.yaml 1 "no-such.yaml: error: cannot open: No such file"
  # An endless pipe: stops at the bound.
  yes 'tyche: 1' | timeout -k 5 $T "$tyche" $verb /dev/stdin $(opts $verb "$work/r.h5") >stdout 2>err; rc=$?
  [ "$rc" = 3 ] && grep -qF "longer than 4194304 bytes" err && ok || bad "$verb on an endless pipe: exit $rc: $(head -c 300 err)"
done

# The file a batch names, when it is not a file that can be read.
for target in /dev/zero folder huge.yaml empty.yaml no-such.yaml; do
  sed "s|^scenario: .*|scenario: $target|" b.yaml > bt.yaml
  for verb in batch check sensitivity; do
    timeout -k 5 $T "$tyche" $verb bt.yaml $(opts $verb "$work/r.h5") >stdout 2>err; rc=$?
    [ "$rc" = 3 ] && ok || bad "batch naming $target ($verb): exit $rc, want 3: $(head -c 300 err)"
    grep -qE "^bt.yaml:3:11: error: (cannot read the scenario '$target' named here|'$target' is not a tyche scenario file)" err \
      && ok || bad "batch naming $target ($verb): no error at bt.yaml:3:11: $(head -c 400 err)"
  done
done

# ---- sample counts tyche cannot run: refused on every path -----------------
# Near 2^64 must never become an empty "complete" result: the command line
# (exit 2), the scenario's run block and a batch variant's (exit 3).
for n in 0 18446744073709551615 18446744073709551616 1e19 1.8e19 1125899906842625 -1 1e300 nan; do
  for verb in run batch sensitivity; do
    in=s.yaml; [ "$verb" = batch ] && in=b.yaml
    timeout -k 5 $T "$tyche" $verb $in -n "$n" -o r.h5 >stdout 2>err; rc=$?
    [ "$rc" = 2 ] && grep -qF -- "-n: '$n' is not a whole number" err && [ ! -e r.h5 ] && ok \
      || bad "$verb -n $n: exit $rc: $(head -c 200 err)"
  done
  timeout -k 5 $T "$tyche" run s.yaml -n 1000 --max-samples "$n" -o r.h5 >stdout 2>err; rc=$?
  [ "$rc" = 2 ] && grep -qF -- "--max-samples: '$n'" err && ok || bad "--max-samples $n: exit $rc"
  for key in samples max_samples; do
    sed "s/^run: .*/run: {$key: $n}/" s.yaml > n.yaml
    timeout -k 5 $T "$tyche" run n.yaml -o r.h5 >stdout 2>err; rc=$?
    [ "$rc" = 3 ] && grep -qF "n.yaml:3:" err && ok || bad "run.$key: $n: exit $rc: $(head -c 200 err)"
    printf 'tyche: 1\nbatch: nb\nscenario: s.yaml\nvariants:\n  v:\n    run: {%s: %s}\n' $key "$n" > nb.yaml
    timeout -k 5 $T "$tyche" batch nb.yaml -o r.h5 >stdout 2>err; rc=$?
    [ "$rc" = 3 ] && grep -qF "nb.yaml:6:" err && ok || bad "batch variant run.$key: $n: exit $rc: $(head -c 200 err)"
  done
done
# Sobol keeps every row: more than 2^22 is a usage error, not a limit hit later.
timeout -k 5 $T "$tyche" sensitivity s.yaml -n 4194305 -o r.h5 >stdout 2>err; rc=$?
[ "$rc" = 2 ] && grep -qF "more than the 4194304 samples Sobol" err && ok || bad "sensitivity -n 2^22+1: exit $rc"
# The largest count is taken, and stopping it early gives an incomplete result.
TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=1 timeout -k 5 $T "$tyche" run s.yaml -n 1125899906842624 -o big.h5 --quiet >/dev/null 2>err; rc=$?
[ "$rc" = 130 ] && ok || bad "-n 2^50 interrupted: exit $rc: $(head -c 200 err)"
"$tyche" show big.h5 --json > big.json 2>err
grep -qE '"complete": *false' big.json && grep -qE '"samples": *[1-9]' big.json && ok \
  || bad "-n 2^50 interrupted: not an incomplete result with samples: $(head -c 300 big.json)"

# ---- a batch must not echo a file that is not a tyche scenario -------------
mkdir foreign
cat > foreign/passwd <<'EOF'
root:x:0:0:root-marker-1:/root:/bin/bash
daemon:x:1:1:daemon-marker-2:/usr/sbin:/usr/sbin/nologin
alice:x:1000:1000:Alice Marker-3,,,:/home/alice:/bin/bash
EOF
cat > foreign/shadow <<'EOF'
root:$6$saltmarker4$Qk1xHashMarker4abcdefghijklmnop:19000:0:99999:7:::
alice:$6$saltmarker5$ZZHashMarker5qrstuvwxyz0123456:19001:0:99999:7:::
EOF
printf 'PRIVATE-KEY-MARKER-6\n\x00\x01\x02\xff\xfe binary-marker-7 \x1b[31m\n' > foreign/binary.bin
cat > foreign/config.json <<'EOF'
{"token": "json-marker-8", "password": "json-marker-9"}
EOF
cat > foreign/compose.yaml <<'EOF'
services:
  db:
    image: postgres
    environment: {POSTGRES_PASSWORD: yaml-marker-10}
EOF
cat > foreign/list.yaml <<'EOF'
- yaml-marker-11
- yaml-marker-12: {broken
EOF
cat > foreign/ini.conf <<'EOF'
[credentials]
aws_secret_access_key = ini-marker-13
# tyche is not here either: ini-marker-14
EOF
cat > foreign/scalar.yaml <<'EOF'
just one line, yaml-marker-15
EOF
printf 'name: yaml-marker-16\nfactors: {x: 1}\n\xff\xfe bad byte yaml-marker-17\n' > foreign/bad-utf8.yaml
files=(foreign/passwd foreign/shadow foreign/binary.bin foreign/config.json foreign/compose.yaml
       foreign/list.yaml foreign/ini.conf foreign/scalar.yaml foreign/bad-utf8.yaml)
[ -r /etc/passwd ] && files+=(/etc/passwd)
for f in "${files[@]}"; do
  case $f in /*) rel=$f ;; *) rel=$work/$f ;; esac
  sed "s|^scenario: .*|scenario: $rel|" b.yaml > bx.yaml
  for verb in batch check sensitivity; do
    timeout -k 5 $T "$tyche" $verb bx.yaml $(opts $verb "$work/r.h5") >stdout 2>err; rc=$?
    [ "$rc" = 3 ] && ok || bad "batch naming $f ($verb): exit $rc, want 3"
    grep -qF "bx.yaml:3:11: error: '$rel' is not a tyche scenario file" err && ok \
      || bad "batch naming $f ($verb): not the one error: $(head -c 400 err)"
    [ "$(grep -c 'error:' err)" = 1 ] && ok || bad "batch naming $f ($verb): $(grep -c 'error:' err) errors"
    # No line of the file, and none of its markers, on stderr or stdout.
    leaked=""
    while IFS= read -r line; do
      [ ${#line} -ge 4 ] || continue
      grep -qaF -- "$line" err stdout && leaked="$line"
    done < <(tr -d '\000' < "$f")
    grep -qaiE 'marker-[0-9]+' err stdout && leaked="a marker"
    [ -z "$leaked" ] && ok || bad "batch naming $f ($verb): its content is on the output ($leaked)"
  done
done

# A batch naming a batch: one error, not the batch keys as unknown.
sed 's|^scenario: .*|scenario: b.yaml|' b.yaml > bb.yaml
timeout -k 5 $T "$tyche" check bb.yaml >stdout 2>err; rc=$?
[ "$rc" = 3 ] && grep -qF "bb.yaml:3:11: error: 'b.yaml' is a batch file" err && ok \
  || bad "batch naming a batch: exit $rc: $(head -c 300 err)"
# A tyche scenario with an error: its own errors, with its source line.
printf 'tyche: 1\nname: broken\nfactors:\n  a: {dist: "normal(0, -1)"}\noutcomes: {x: {score: a}, y: {score: 0}}\n' > broken.yaml
sed 's|^scenario: .*|scenario: broken.yaml|' b.yaml > bk.yaml
timeout -k 5 $T "$tyche" check bk.yaml >stdout 2>err; rc=$?
[ "$rc" = 3 ] && grep -qF "broken.yaml:4:" err && grep -qF 'normal(0, -1)' err && ok \
  || bad "batch naming a broken scenario: exit $rc: $(head -c 300 err)"

finish
