#!/usr/bin/env bash
# Every file under tests/malformed/ must make `tyche check` exit 3 with the
# errors its comment lines name. The first line, and any other full-line
# comment (put further ones at the end, so no position moves), may be
#   # expect: LINE:COL: FRAGMENT        an error at LINE:COL whose MESSAGE
#                                       (FILE:LINE:COL: error: MESSAGE)
#                                       holds FRAGMENT
#   # expect: LINE:COL: hint: FRAGMENT  an error at LINE:COL whose hint
#                                       line holds FRAGMENT
#   # errors: N                         exactly N errors in all (default:
#                                       at least 1)
# A fragment is never matched against the echoed source line, so it cannot
# pass by quoting the file back. The first error must show its source line
# and a caret.
set -uo pipefail
tyche=$1
dir=$(cd "$(dirname "$0")/../malformed" && pwd)

# The diagnostics as records, one a line: SEVERITY TAB WHERE TAB KIND TAB
# TEXT, WHERE being FILE:LINE:COL (or FILE), KIND msg or hint. A
# positioned diagnostic is followed by its source line and a caret line,
# skipped here; its hint, if any, comes after them.
records() {
  awk '
    function header(line,   m, sev, where) {
      if (match(line, /: (error|warning|note): /) == 0 || line ~ /^[ \t]/) return 0
      where = substr(line, 1, RSTART - 1)
      sev = substr(line, RSTART + 2); sub(/: .*/, "", sev)
      cur = sev "\t" where
      print cur "\tmsg\t" substr(line, RSTART + RLENGTH)
      skip = (where ~ /:[0-9]+:[0-9]+$/) ? 2 : 0
      return 1
    }
    {
      if (skip == 2) { skip = 1; next }                  # the source line
      if (skip == 1) { skip = 0; if ($0 ~ /^[ \t]*\^$/) next }   # the caret
      if (header($0)) next
      if (cur != "" && $0 ~ /^  hint: /) { print cur "\thint\t" substr($0, 9); next }
      cur = ""
    }'
}

pass=0 fail=0
for f in "$dir"/*.yaml; do
  name=$(basename "$f")
  err=$("$tyche" check "$f" 2>&1 >/dev/null); rc=$?
  if [ "$rc" != 3 ]; then
    fail=$((fail + 1)); echo "FAIL $name: exit $rc, want 3"; echo "$err" | head -5; continue
  fi
  recs=$(records <<<"$err")
  problems=()
  nexp=0
  while IFS= read -r spec; do
    nexp=$((nexp + 1))
    pos=${spec%%: *}; frag=${spec#*: }
    [ "$frag" = "$spec" ] && frag=""
    kind=msg
    case $frag in hint:\ *) kind=hint; frag=${frag#hint: } ;; esac
    # The records of errors at $f:$pos of this kind; the fragment in their text.
    if ! awk -F'\t' -v w="$f:$pos" -v k="$kind" -v s="$frag" \
         '$1 == "error" && $2 == w && $3 == k && index($4, s) { found = 1 } END { exit !found }' <<<"$recs"; then
      problems+=("no error at $pos with $kind '$frag'")
    fi
  done < <(sed -n 's/^# expect: //p' "$f")
  [ "$nexp" -ge 1 ] || problems+=("no '# expect: LINE:COL: FRAGMENT' line")
  nerr=$(awk -F'\t' '$1 == "error" && $3 == "msg"' <<<"$recs" | wc -l)
  want=$(sed -n 's/^# errors: *//p' "$f" | head -1)
  if [ -n "$want" ]; then
    [ "$nerr" = "$want" ] || problems+=("$nerr errors, want $want")
  else
    [ "$nerr" -ge 1 ] || problems+=("no error line")
  fi
  # The source line and a caret follow the first error.
  grep -q '^[[:space:]]*\^$' <<<"$err" || problems+=("no caret line")
  if [ ${#problems[@]} -gt 0 ]; then
    fail=$((fail + 1))
    printf 'FAIL %s: %s\n' "$name" "$(IFS=';'; echo "${problems[*]}")"
    echo "$err" | head -8
    continue
  fi
  pass=$((pass + 1))
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -ge 40 ]
