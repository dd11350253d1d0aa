#!/usr/bin/env bash
# `tyche show` end to end on files the fixture writer makes: the table, the
# JSON document, and exit 1 with a one-line error for missing, non-HDF5,
# foreign and newer files; usage errors exit 2.
set -uo pipefail
tyche=$1 writer=$2
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/tyche-show-XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT

"$writer" "$dir/r.h5" && ok || bad "fixture writer failed"
out=$("$tyche" show "$dir/r.h5"); rc=$?
[ "$rc" = 0 ] && ok || bad "show exit $rc"
grep -q "^scenario ukraine-2014" <<<"$out" && ok || bad "no scenario line: $out"
grep -qE "invasion +[0-9.]+%  \[[0-9.e+-]+%, [0-9.e+-]+%\]" <<<"$out" && ok || bad "no invasion row: $out"
grep -q "INCOMPLETE (interrupted; resume with tyche batch --resume" <<<"$out" && ok || bad "no INCOMPLETE line"
grep -q "Kerry–Lavrov" <<<"$out" && ok || bad "UTF-8 label lost"
grep -q "sweep troop_buildup: troops.mean over 5 points" <<<"$out" && ok || bad "no sweep table"

json=$("$tyche" show "$dir/r.h5" --json); rc=$?
[ "$rc" = 0 ] && ok || bad "show --json exit $rc"
if [ -x /usr/bin/python3 ]; then
  /usr/bin/python3 - "$json" <<'PY' && ok || bad "JSON document: $json"
import json, sys
d = json.loads(sys.argv[1])
assert d["scenario"] == "ukraine-2014" and d["complete"] is False
b = d["runs"]["baseline"]
assert b["samples"] == 1000000 and b["seed"] == 18446744073709551615
o = b["outcomes"][0]
assert set(["name", "probability", "stderr", "ci_low", "ci_high"]) <= set(o)
assert o["name"] == "invasion" and abs(o["probability"] - 1/3) < 1e-15
assert d["runs"]["sanctions_now"]["label"].startswith("West imposes")
assert len(d["sweeps"]["troop_buildup"]["probability"]) == 5
PY
fi

expect_fail() {
  local msg=$1; shift
  err=$("$tyche" show "$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" = 1 ] && grep -qF -- "$msg" <<<"$err" && [ "$(wc -l <<<"$err")" = 1 ] && ok \
    || bad "show $* -> rc=$rc, '$err' (want 1, '$msg')"
}
expect_fail "No such file or directory" "$dir/missing.h5"
printf 'tyche: 1\n' >"$dir/text.h5"
expect_fail "not an HDF5 file" "$dir/text.h5"
"$writer" "$dir/foreign.h5" foreign
expect_fail "not a tyche result file" "$dir/foreign.h5"
"$writer" "$dir/newer.h5" newer
expect_fail "format version 3 is newer than this tyche reads" "$dir/newer.h5"

err=$("$tyche" show 2>&1); [ $? = 2 ] && grep -q "missing RESULT.h5" <<<"$err" && ok || bad "no-file usage"
err=$("$tyche" show --bogus "$dir/r.h5" 2>&1); [ $? = 2 ] && grep -q "unknown option" <<<"$err" && ok || bad "bad option"
"$tyche" help show | grep -q "tyche show RESULT.h5" && ok || bad "help show"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
