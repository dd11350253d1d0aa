#!/usr/bin/env bash
# Every file under tests/malformed/ must make `tyche check` exit 3 with an
# error at the exact position its first line names:
#   # expect: LINE:COL: message fragment
# (the fragment may be empty: then only the position is checked).
set -uo pipefail
tyche=$1
dir=$(cd "$(dirname "$0")/../malformed" && pwd)
pass=0 fail=0
for f in "$dir"/*.yaml; do
  spec=$(head -1 "$f" | sed -n 's/^# expect: //p')
  pos=${spec%%: *}; frag=${spec#*: }
  [ "$frag" = "$spec" ] && frag=""
  err=$("$tyche" check "$f" 2>&1 >/dev/null); rc=$?
  if [ "$rc" != 3 ]; then
    fail=$((fail + 1)); echo "FAIL $(basename "$f"): exit $rc, want 3"; echo "$err" | head -5; continue
  fi
  # The error at that position, and the fragment in its message or hint.
  if ! grep -qF -- "$f:$pos: error: " <<<"$err" || ! grep -qF -- "$frag" <<<"$err"; then
    fail=$((fail + 1)); echo "FAIL $(basename "$f"): want '$pos: error: $frag', got:"; echo "$err" | head -6; continue
  fi
  # The source line and a caret follow the first error.
  if ! grep -q '^ *\^$' <<<"$err"; then
    fail=$((fail + 1)); echo "FAIL $(basename "$f"): no caret line"; continue
  fi
  pass=$((pass + 1))
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -ge 40 ]
