#!/usr/bin/env bash
# The command line, table-driven: every verb and every option of each verb,
# with good values, bad values, missing values, unknown options and files
# that are missing, invalid or of the wrong kind. Each row of cli_table.txt
# runs one `tyche` command and checks its exit status and a fragment of
# its output:
#
#   STATUS | WHERE | ARGUMENTS | FRAGMENT
#
# STATUS   the exit status; STATUS+INT sends SIGINT once the command's
#          temporary result file appears in $W (the run is under way).
# WHERE    err or out: the stream FRAGMENT must appear in; quiet: both
#          streams must be empty (FRAGMENT is then '-').
# ARGUMENTS  shell words after `tyche` (quotes work), with
#          $S the teaching scenario, $B its batch, $P a scenario without
#          correlations, $M tests/malformed, $W the work folder (the cwd).
# FRAGMENT fixed text (grep -F), $W and the others replaced as in ARGUMENTS;
#          ~REGEX for an extended regex; '-' for none.
#
# Rows run in order, and a row may use a file an earlier row wrote. Blank
# lines and lines starting with '#' are ignored.
#   usage: bash cli_table.sh TYCHE_BINARY [DATA_DIR]
set -uo pipefail
tyche=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
table=$here/cli_table.txt
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
S=$root/scenarios/release-deadline.yaml
B=$root/scenarios/release-deadline-options.yaml
M=$root/tests/malformed
P=$W/plain.yaml
cd "$W" || exit 1

# Fixtures: a scenario without correlations (Sobol runs without
# --ignore-correlations), text and an HDF5 file that is not a tyche result.
cat > "$P" <<'EOF'
tyche: 1
name: plain
factors:
  a: {dist: "normal(0, 1)"}
  b: {dist: "uniform(0, 2)"}
derived:
  ab: a * b
outcomes:
  model: rules
  up: {when: ab > 0.5}
  down: {otherwise: true}
EOF
echo "not a result" > "$W/text.h5"
/usr/bin/python3 -c 'import h5py, sys; h5py.File(sys.argv[1], "w")["x"] = 1' "$W/other.h5" \
  || echo "note: no h5py under /usr/bin/python3; the rows reading other.h5 will fail"

pass=0 fail=0 n=0
while IFS= read -r line || [ -n "$line" ]; do
  case $line in ''|'#'*) continue ;; esac
  n=$((n + 1))
  want=${line%% | *}; rest=${line#* | }
  where=${rest%% | *}; rest=${rest#* | }
  args=${rest%% | *}; frag=${rest#* | }
  want=${want// /}; where=${where// /}
  # An empty ARGUMENTS field leaves "| FRAGMENT": no separator left to cut.
  if [ "$args" = "$rest" ]; then args=""; frag=${rest#|}; frag=${frag# }; fi
  for v in W S B P M; do frag=${frag//\$$v/${!v}}; done
  intr=0
  case $want in *+INT) intr=1; want=${want%+INT} ;; esac
  if ! eval "set -- $args"; then
    fail=$((fail + 1)); echo "FAIL row $n: cannot split the arguments: $args"; continue
  fi
  rm -f "$W"/.*.tmp-* "$W/stdout" "$W/stderr"
  if [ $intr = 1 ]; then
    timeout -k 5 120 "$tyche" "$@" >"$W/stdout" 2>"$W/stderr" & pid=$!
    for _ in $(seq 1 1000); do compgen -G "$W/.*.tmp-*" >/dev/null && break; sleep 0.01; done
    kill -INT $pid 2>/dev/null
    wait $pid; rc=$?
  else
    timeout -k 5 120 "$tyche" "$@" >"$W/stdout" 2>"$W/stderr"; rc=$?
  fi
  problem=""
  if [ "$rc" != "$want" ]; then
    problem="exit $rc, want $want"
  elif [ "$where" = quiet ]; then
    [ -s "$W/stdout" ] || [ -s "$W/stderr" ] && problem="output where none was wanted"
  elif [ "$where" != out ] && [ "$where" != err ]; then
    problem="WHERE must be out, err or quiet, not '$where'"
  elif [ "$frag" != - ]; then
    file=$W/std$where
    if [ "${frag:0:1}" = "~" ]; then
      grep -qE -- "${frag:1}" "$file" || problem="no match for /${frag:1}/ on std$where"
    else
      grep -qF -- "$frag" "$file" || problem="no '$frag' on std$where"
    fi
  fi
  if [ -n "$problem" ]; then
    fail=$((fail + 1))
    echo "FAIL row $n: tyche $args: $problem"
    head -c 600 "$W/stderr" | sed 's/^/  stderr: /'
    head -c 300 "$W/stdout" | tr -d '\000' | sed 's/^/  stdout: /'; echo
  else
    pass=$((pass + 1))
  fi
done < "$table"
echo "$pass passed, $fail failed ($n rows)"
[ "$fail" = 0 ] && [ "$n" -ge 100 ]
