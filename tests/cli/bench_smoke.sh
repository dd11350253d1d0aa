#!/usr/bin/env bash
# bench/run's cheap parts as a smoke test: the NumPy peer of the bench model
# against tyche at N = 2e5 (agreement within 4 combined standard errors is
# checked by the harness, which exits 1 otherwise), peak RSS at 10^5 and
# 10^6, and the layout of the bench.h5 it writes. No npm, no network
# (--no-squiggle); results go to a temporary folder, not bench/results.
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"

if "$root/bench/run" --quick --no-squiggle --only peers,rss --tyche "$tyche" --out "$work" >"$work/log" 2>&1; then
  ok
else
  bad "bench/run --quick exited $?"; cat "$work/log"
fi
grep -q 'Agreement with tyche.*numpy' "$work/bench.md" 2>/dev/null && ok || bad "bench.md has no agreement line"
grep -q 'AGREEMENT FAILED' "$work/log" && bad "$(grep 'AGREEMENT FAILED' "$work/log")" || ok
# Layout that plots/ reads.
if $py - "$work/bench.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
p = f["/bench/peers"]
names = [x.decode() if isinstance(x, bytes) else x for x in p["name"][()]]
assert "numpy" in names and names[0] == "tyche (1 thread)", names
assert p["samples_per_second"].shape == p["n"].shape == (len(names),)
assert all(v > 0 for v in p["samples_per_second"][()])
assert p.attrs["max_z_numpy"] <= 4
r = f["/bench/rss"]
assert list(r["samples"][()]) == [100000, 1000000], r["samples"][()]
assert all(k > 0 for k in r["peak_rss_kib"][()])
assert "machine" in f["/bench"].attrs
PY
then ok; else bad "bench.h5 layout"; fi
# bench/run refuses an unknown option with exit 2.
"$root/bench/run" --bogus >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "unknown option not exit 2"

finish
