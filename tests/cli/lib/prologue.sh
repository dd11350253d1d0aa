# prologue.sh - sourced by the end-to-end scripts in tests/cli/ (this folder
# is not itself a test): the tyche binary given as $1 (made absolute), the
# repository root, a work folder removed at exit, the system python with
# h5py, and the pass/fail tally with `finish`, which prints it and sets the
# script's status.
tyche=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
py=/usr/bin/python3
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
finish() { echo "$pass passed, $fail failed${1:+ ($1)}"; [ "$fail" = 0 ]; }

# small_scenario NAME: a quick two-factor logit scenario named NAME (2,000
# samples), on stdout, for tests about files and paths rather than numbers.
small_scenario() {
  cat <<YAML
tyche: 1
name: $1
run: {samples: 2000, seed: 1}
factors:
  a: {dist: "normal(0, 1)"}
  b: {dist: "uniform(0, 1)"}
outcomes:
  model: logit
  up: {score: a + b}
  down: {score: 0}
YAML
}
