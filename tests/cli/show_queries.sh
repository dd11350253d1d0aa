#!/usr/bin/env bash
# `tyche show` of result files with each outcome's spread and queries
# (docs/results.md; issue 16), written here with h5py into real run and
# batch files in the spec's layout: outcomes/spread, queries/ and, in a
# batch variant, queries/difference/. And the same files without them (as an
# older tyche wrote them) print no spread and no queries, in the table and
# in --json.
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
S=$root/scenarios/release-deadline.yaml
B=$root/scenarios/release-deadline-options.yaml

"$tyche" run "$S" -n 4000 -o "$work/r.h5" --quiet || bad "tyche run"
"$tyche" batch "$B" -n 4000 -o "$work/b.h5" --quiet || bad "tyche batch"

for m in strip add; do
  $py "$root/tests/plots/add_queries.py" "$work/r.h5" "$work/r-$m.h5" $m || bad "add.py r $m"
  $py "$root/tests/plots/add_queries.py" "$work/b.h5" "$work/b-$m.h5" $m || bad "add.py b $m"
done

# Without spread and queries: what tyche printed before them.
for f in r b; do
  "$tyche" show "$work/$f-strip.h5" >"$work/t" 2>"$work/err" && [ ! -s "$work/err" ] \
    && ! grep -qE 'sampled worlds|^  query|Monte Carlo error' "$work/t" && ok \
    || bad "show $f-strip.h5 prints a spread or queries: $(cat "$work/err" "$work/t")"
  "$tyche" show "$work/$f-strip.h5" --json >"$work/j" 2>"$work/err" \
    && $py -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert all("queries" not in r and all("spread" not in o for o in r["outcomes"]) for r in d["runs"].values())' "$work/j" \
    && ok || bad "show --json $f-strip.h5 has spread or queries: $(cat "$work/err")"
done

"$tyche" show "$work/r-add.h5" >"$work/t" 2>"$work/err" || bad "show r-add.h5: $(cat "$work/err")"
grep -qF "  on_time   90% of sampled worlds: 1.0% to 24% (median 12%)" "$work/t" && ok || bad "no spread line: $(cat "$work/t")"
grep -qF "(95% interval: Monte Carlo error" "$work/t" && ok || bad "no spread legend"
grep -qF "  not_late         probability 43.21% [42.82%, 43.60%]          On time or cancelled" "$work/t" \
  && ok || bad "no probability query line"
grep -qF "  slack_if_on_time mean        2.5 [2.48, 2.52]                 | given on_time (P = 40%)" "$work/t" \
  && ok || bad "no mean query line"
grep -qx "  weeks_range      quantiles   3.5 / 5.25 / 6 / 7 / 9.75" "$work/t" && ok || bad "no quantiles line"
awk 'length > 100 { exit 1 }' "$work/t" && ok || bad "a line over 100 columns"

"$tyche" show "$work/b-add.h5" >"$work/t" 2>"$work/err" || bad "show b-add.h5: $(cat "$work/err")"
[ "$(grep -c '^  query vs baseline' "$work/t")" -ge 1 ] \
  && grep -qF "  not_late               +1.23%  [+1.03%, +1.43%]         4.0x" "$work/t" \
  && grep -qF "  slack_if_on_time        -0.25  [-0.29, -0.21]           2.5x" "$work/t" && ok \
  || bad "no query differences in the batch: $(cat "$work/t")"

for f in r b; do
  "$tyche" show "$work/$f-add.h5" --json >"$work/j" 2>"$work/err" \
    && $py - "$work/j" <<'PY' && ok || bad "show --json $f-add.h5: $(cat "$work/err")"
import json, math, sys
d = json.load(open(sys.argv[1]))
for name, r in d["runs"].items():
    assert r["outcomes"][0]["spread"] == [0.01, 0.12, 0.24], r["outcomes"][0]
    q = {x["name"]: x for x in r["queries"]}
    assert q["not_late"]["kind"] == "probability" and q["not_late"]["value"] == 0.4321
    assert q["not_late"]["label"] == "On time or cancelled" and q["not_late"]["given"] is None
    assert q["slack_if_on_time"]["given"] == "on_time" and q["slack_if_on_time"]["given_share"] == 0.4
    assert q["weeks_range"]["quantiles"] == [3.5, 5.25, 6, 7, 9.75] and q["weeks_range"]["value"] is None
    assert q["not_late"]["quantiles"] is None
    assert ("difference" in q["not_late"]) == ("difference" in r["outcomes"][0]), name
PY
done
finish "show with spread and queries"
