#!/usr/bin/env bash
# check_layers_selftest.sh ROOT - the layer check must not pass silently.
#
# Copies ROOT/engine into a temporary tree, checks that the untouched copy
# passes, then plants each kind of violation one at a time in a fresh copy
# and asserts the check fails (exit 1) printing exactly the expected line.
set -u
export LC_ALL=C

if [ $# -ne 1 ] || [ ! -d "$1/engine/src" ]; then
  echo "usage: check_layers_selftest.sh ROOT" >&2
  exit 2
fi
root=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
check="$here/check_layers.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

fresh() {
  rm -rf "$tmp/tree"
  mkdir -p "$tmp/tree"
  cp -R "$root/engine" "$tmp/tree/engine"
}

# plant PATH TEXT: append the line TEXT to PATH in the fresh tree. PATH is a
# file, or a folder meaning its first .c file (so that splitting a module's
# files does not break the selftest). Sets F (the file, relative to the tree)
# and N (the planted line's number).
plant() {
  local f="$tmp/tree/$1"
  if [ -d "$f" ]; then
    f=$(find "$f" -maxdepth 1 -name '*.c' | sort | head -n1)
  fi
  [ -n "$f" ] && [ -f "$f" ] ||
    { echo "selftest: nothing to plant into at $1; update the selftest" >&2; exit 2; }
  # make sure the planted text starts on a line of its own
  [ -z "$(tail -c1 "$f")" ] || echo >> "$f"
  echo "$2" >> "$f"
  F=${f#"$tmp/tree/"}
  N=$(wc -l < "$f" | tr -d ' ')
}

# expect NAME EXPECTED-LINE: the check fails with exactly that one line.
expect() {
  local out rc
  out=$(bash "$check" "$tmp/tree" 2>/dev/null); rc=$?
  if [ $rc -ne 1 ]; then
    fail "$1: exit status $rc, expected 1"
  fi
  if [ "$out" != "$2" ]; then
    fail "$1: expected exactly"
    echo "    $2"
    echo "  got:"
    printf '%s\n' "$out" | sed 's/^/    /'
  else
    echo "ok: $1 -> $2"
  fi
}

# 0. The untouched copy passes.
fresh
if out=$(bash "$check" "$tmp/tree" 2>&1); then
  echo "ok: untouched copy passes"
else
  fail "untouched copy fails:"; printf '%s\n' "$out" | sed 's/^/    /'
fi

# 1. An upward include: dist reaches up into sim.
fresh
plant engine/src/dist '#include "sim/block.h"'
expect "upward include" "$F:$N: module dist includes sim (above it)"

# 2. An upward include through a public header: dist.h includes run.h.
fresh
plant engine/include/tyche/dist.h '#include "run.h"'
expect "upward public include" "$F:$N: module dist includes sim (above it)"

# 3. yaml.h in io.
fresh
plant engine/src/io '#include <yaml.h>'
expect "yaml.h in io" "$F:$N: <yaml.h> belongs to scenario/ only (included from io)"

# 4. hdf5.h in sim.
fresh
plant engine/src/sim '#include <hdf5.h>'
expect "hdf5.h in sim" "$F:$N: <hdf5.h> belongs to io/ only (included from sim)"

# 5. An H5*.h header in cli.
fresh
plant engine/cli/cmd_show.c '#include <H5Fpublic.h>'
expect "H5*.h in cli" "$F:$N: <H5Fpublic.h> belongs to io/ only (included from cli)"

# 6. sqlite3.h and mpi.h outside their modules.
fresh
plant engine/src/io '#include <sqlite3.h>'
expect "sqlite3.h in io" "$F:$N: <sqlite3.h> belongs to ledger/ only (included from io)"
fresh
plant engine/src/sim '#include <mpi.h>'
expect "mpi.h in sim" "$F:$N: <mpi.h> belongs to mpi/, io/ only (included from sim)"

# 7. A cross-module bare include: sim uses dist's private header by bare name.
fresh
plant engine/src/sim '#include "specfun.h"'
expect "cross-module bare include" \
  "$F:$N: private header \"specfun.h\" of dist included without its folder prefix (write \"dist/specfun.h\")"

# 8. cli includes a private header of engine/src.
fresh
plant engine/cli/main.c '#include "util/vmath.h"'
expect "cli private include" \
  "$F:$N: cli includes private header \"util/vmath.h\" (cli uses the public API, tyche/*.h, only)"

# 9. An unknown module folder under engine/src.
fresh
mkdir "$tmp/tree/engine/src/plugins"
echo 'int plugin_x;' > "$tmp/tree/engine/src/plugins/x.c"
expect "unknown module folder" \
  "engine/src/plugins/: unknown module folder 'plugins' (not in the layer table of tests/structure/check_layers.sh)"

# 10. A wrong root is an error, never a pass.
bash "$check" "$tmp/nowhere" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && echo "ok: missing tree -> exit 2" || fail "missing tree: exit status $rc, expected 2"

if [ $failures -gt 0 ]; then
  echo "check_layers_selftest: $failures failure(s)"
  exit 1
fi
echo "check_layers_selftest: all passed"
