#!/usr/bin/env bash
# `tyche rng` end to end: NumPy known answers through --state/--inc, the hex
# and raw formats agree, --count, and usage errors exit 2 with a message.
set -uo pipefail
tyche=$1 data=$2
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# First case of the NumPy known-answer file.
want=$(awk '/^case/{n++} n==3 && /^out/{print $2}' "$data/pcg64dxsm_kat.txt")
state=$(awk '/^case/{n++; if (n==3) print $2}' "$data/pcg64dxsm_kat.txt")
inc=$(awk '/^case/{n++; if (n==3) print $3}' "$data/pcg64dxsm_kat.txt")
got=$("$tyche" rng --state "0x$state" --inc "$inc" --count 16)
[ "$got" = "$want" ] && ok || bad "hex output differs from NumPy for case 3"

# raw = the same numbers as little-endian bytes
raw=$("$tyche" rng --state "0x$state" --inc "$inc" --count 16 --format raw | od -An -v -tx8 | tr -s ' ' '\n' | grep -v '^$')
[ "$raw" = "$want" ] && ok || bad "raw output differs from hex"

[ "$("$tyche" rng --seed 5 | wc -l)" = 10 ] && ok || bad "default count is not 10"
[ "$("$tyche" rng --seed 5 --count 0 | wc -c)" = 0 ] && ok || bad "--count 0 printed something"
[ "$("$tyche" rng --seed 5 --count 3)" != "$("$tyche" rng --seed 5 --stream 1 --count 3)" ] && ok || bad "streams equal"
# endless raw output stops quietly when the reader goes away
n=$("$tyche" rng --format raw | head -c 1000000 | wc -c); rc=${PIPESTATUS[0]}
[ "$n" = 1000000 ] && [ "$rc" = 0 ] && ok || bad "raw | head: n=$n rc=$rc"

expect_usage() {
  local msg=$1; shift
  err=$("$tyche" "$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" = 2 ] && grep -qF -- "$msg" <<<"$err" && ok || bad "tyche $* -> rc=$rc, '$err' (want 2, '$msg')"
}
expect_usage "--state and --inc go together" rng --state 0x1
expect_usage "is not a hex number of up to 32 digits" rng --state 0xzz --inc 1
expect_usage "is not a hex number of up to 32 digits" rng --state 123456789012345678901234567890123 --inc 1
expect_usage "is not one of raw, hex" rng --format bin
expect_usage "is not a 64-bit unsigned integer" rng --seed -3
expect_usage "is not a 64-bit unsigned integer" rng --seed 18446744073709551616
expect_usage "unknown option '--bogus'" rng --bogus
expect_usage "needs a value" rng --count
expect_usage "exclude each other" rng --seed 1 --state 1 --inc 1
expect_usage "unknown verb 'frobnicate'" frobnicate
"$tyche" --version | grep -q '^tyche [0-9]' && ok || bad "--version"
"$tyche" help rng | grep -q -- '--format raw' && ok || bad "help rng"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
