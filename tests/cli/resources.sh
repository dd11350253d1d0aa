#!/usr/bin/env bash
# Resources in proportion to the work (issue 14): a --save-samples file
# grows with samples x columns, whatever chunk size suits huge runs (the
# samples/ chunks of a small run are no larger than its samples, rounded up
# to a power of two). For several sample counts and two column counts the
# bytes --save-samples adds stay within 16 bytes a value (8 of data, the
# rest rounding) plus 4 KiB a column (its dataset header and description)
# plus 64 KiB; before the fix a 1-sample run added 512 KiB a column. And
# --threads far above the blocks of work runs in the memory of one thread
# (peak RSS within 2x that of --threads 1, when /usr/bin/time exists).
# Usage: bash resources.sh TYCHE_BINARY DATA_DIR. Takes a few seconds.
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"

# A scenario with nf factors (and nf derived values, two outcomes): 2 nf + 2 columns.
scenario() {
    local nf=$1 f=$work/s$1.yaml
    { echo "tyche: 1"; echo "name: cols$nf"; echo "factors:"
      for ((i = 0; i < nf; i++)); do echo "  x$i: {dist: \"normal(0, 1)\"}"; done
      echo "derived:"
      for ((i = 0; i < nf; i++)); do echo "  d$i: x$i * 2"; done
      echo "outcomes:"; echo "  up: {score: x0}"; echo "  down: {score: -x0}"; } > "$f"
    echo "$f"
}

for nf in 20 150; do
    s=$(scenario $nf)
    cols=$((2 * nf + 2))
    for n in 1 7 1000 5000; do
        "$tyche" run "$s" -n $n --seed 1 -o "$work/plain.h5" --quiet || { bad "run -n $n ($nf factors)"; continue; }
        "$tyche" run "$s" -n $n --seed 1 --save-samples -o "$work/saved.h5" --quiet || { bad "run -n $n --save-samples"; continue; }
        plain=$(stat -c %s "$work/plain.h5") saved=$(stat -c %s "$work/saved.h5")
        added=$((saved - plain)) bound=$((16 * n * cols + 4096 * cols + 65536))
        [ "$added" -le "$bound" ] && ok || bad "$nf factors, -n $n: --save-samples added $added bytes > $bound (16 x $n x $cols + 4096 x $cols + 64 KiB)"
    done
done
# The samples are all there and right: a 7-sample file reads back 7 values a column.
"$tyche" run "$(scenario 20)" -n 7 --seed 1 --save-samples -o "$work/seven.h5" --quiet
$py - "$work/seven.h5" <<'PY' && ok || bad "7-sample columns"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1]) as f:
    g = f["runs/baseline/samples"]
    assert len(g) == 42, len(g)
    for name in g:
        assert g[name].shape == (7,), (name, g[name].shape)
    assert np.allclose(g["d3"][()], 2 * g["x3"][()])
PY

if [ -x /usr/bin/time ]; then
    s=$(scenario 150)
    rss() { /usr/bin/time -f %M "$tyche" run "$s" -n "$1" --threads "$2" -o "$work/t.h5" --quiet 2>&1 >/dev/null | tail -n 1; }
    for n in 1 3000; do
        one=$(rss $n 1) many=$(rss $n 4096)
        [ "$many" -le $((2 * one)) ] && ok || bad "-n $n --threads 4096: peak RSS $many KiB > 2 x $one KiB (--threads 1)"
    done
    # Sensitivity holds per-thread workspaces for all its passes: the same cap.
    srss() { /usr/bin/time -f %M "$tyche" sensitivity "$s" -n "$1" --method all --threads "$2" -o "$work/ts.h5" --quiet 2>&1 >/dev/null | tail -n 1; }
    for n in 256 3000; do
        one=$(srss $n 1) many=$(srss $n 4096)
        [ "$many" -le $((2 * one)) ] && ok || bad "sensitivity -n $n --threads 4096: peak RSS $many KiB > 2 x $one KiB (--threads 1)"
    done
fi
finish
