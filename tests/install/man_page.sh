#!/usr/bin/env bash
# The manual page says what the command does: every verb of `tyche --help`
# has a section ".SS tyche VERB" in docs/man/tyche.1 that names each option
# `tyche help VERB` lists, and the page has no verb the command lacks.
# The page also renders without a groff warning.
# Usage: man_page.sh TYCHE MAN_PAGE
set -euo pipefail
tyche=$1 page=$2
fail=0

# The page as text: roff's escapes and font changes removed.
text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' "$page")
verbs=$("$tyche" --help | sed -nE 's/^  tyche ([a-z]+) .*/\1/p' | sort -u)
[ -n "$verbs" ] || { echo "FAIL: no verbs read from tyche --help"; exit 1; }
page_verbs=$(printf '%s\n' "$text" | sed -nE 's/^\.SS tyche ([a-z]+)$/\1/p' | sort -u)

for v in $verbs; do
    section=$(printf '%s\n' "$text" | awk -v v="$v" '
        /^\.S[SH] / { on = ($0 == ".SS tyche " v) ; next } on')
    if [ -z "$section" ]; then echo "FAIL: verb '$v' has no section '.SS tyche $v'"; fail=1; continue; fi
    opts=$("$tyche" help "$v" | grep -oE -- '(^|[[ |])--?[a-zA-Z][a-zA-Z-]*' | sed -E 's/^[[ |]//' | sort -u || true)
    n=0
    for o in $opts; do
        n=$((n + 1))
        # The option as a word: -n is not found inside --count.
        if ! printf '%s\n' "$section" | grep -qE -- "(^|[^a-zA-Z-])$o([^a-zA-Z-]|$)"; then
            echo "FAIL: tyche help $v names $o; the man page's '$v' section does not"
            fail=1
        fi
    done
    echo "ok: $v ($n options)"
done
for v in $page_verbs; do
    printf '%s\n' "$verbs" | grep -qx "$v" || { echo "FAIL: the man page documents '$v', which tyche --help lacks"; fail=1; }
done
if command -v groff >/dev/null; then
    warn=$(groff -man -Tutf8 -ww -z "$page" 2>&1 || true)
    [ -z "$warn" ] || { echo "FAIL: groff warns:"; echo "$warn"; fail=1; }
fi
[ $fail = 0 ] && echo "PASS: the man page covers every verb and option of tyche --help"
exit $fail
