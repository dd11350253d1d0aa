#!/usr/bin/env bash
# check_layers.sh ROOT - the include-direction check (docs/architecture.md).
#
# Scans every .c/.h under ROOT/engine/src/<module>/, ROOT/engine/include/tyche/
# and ROOT/engine/cli/, maps each #include to the module that owns the header,
# and prints one line per violation:
#
#   FILE:LINE: module A includes B (above it)
#
# Exit status: 0 clean, 1 violations, 2 usage error (no engine/ under ROOT).
# Tested by check_layers_selftest.sh, which plants each kind of violation.
set -u
export LC_ALL=C

# ---------------------------------------------------------------------------
# THE LAYER TABLE - the one place to change when a module is added or moved.
# Bottom to top: a module may include its own headers and those of modules
# listed BEFORE it, never one listed after it. A folder under engine/src that
# is not listed here fails the check, so a new module is added deliberately.
LAYERS=(
  util      # diagnostics, suggestions, version, sbuf.h, vmath.h, linalg
  rng       # PCG64-DXSM generator, streams, advance
  dist      # distributions: validation, samplers, CDF/quantile, specfun
  expr      # expression language: lex, parse, resolve, compile, vm, call.c
  scenario  # YAML tree, scenario loader/validation, copula, batch files
  stats     # results as plain data, estimators
  mpi       # ranks: shares of blocks, gathers in block order; mpi.h (and io)
  sim       # block sampling, Iman-Conover, the run loop, batch runs
  analysis  # sensitivity (tornado, Spearman, Sobol), later Shapley, PRIM
  io        # HDF5 result files; only user of hdf5.h
  export    # a result's tables as CSV or JSON files (plain data in; no HDF5)
  ledger    # (future) run ledger; only user of sqlite3.h
  embed     # entry points for bindings: a file run into a result file (on top: calls any)
)
# engine/cli sits above every module and may include public headers only.
CLI=cli

# Public headers (engine/include/tyche/) and the module each belongs to.
# tyche.h is the umbrella that includes them all; its includes are exempt
# from the direction rule.
declare -A PUBLIC=(
  [common.h]=util [diag.h]=util [suggest.h]=util [version.h]=util
  [rng.h]=rng
  [dist.h]=dist
  [expr.h]=expr
  [scenario.h]=scenario [batch.h]=scenario
  [results.h]=stats
  [par.h]=mpi
  [run.h]=sim
  [sens.h]=analysis
  [io.h]=io
  [export.h]=export
  [embed.h]=embed
)
UMBRELLA=tyche.h

# Third-party headers that only their owning modules may include (a shell
# pattern matched against the header's file name, and its owners). io takes
# mpi.h too: parallel HDF5's file access names the communicator.
BANNED_PATTERNS=('hdf5*.h' 'H5*.h' 'yaml.h' 'mpi.h' 'sqlite3.h')
BANNED_OWNERS=(io io scenario 'mpi io' ledger)
# ---------------------------------------------------------------------------

if [ $# -ne 1 ] || [ ! -d "$1/engine/src" ] || [ ! -d "$1/engine/include/tyche" ] \
   || [ ! -d "$1/engine/cli" ]; then
  echo "usage: check_layers.sh ROOT (ROOT/engine/{src,include/tyche,cli} must exist)" >&2
  exit 2
fi
cd "$1" || exit 2

declare -A RANK
for i in "${!LAYERS[@]}"; do RANK[${LAYERS[$i]}]=$i; done
RANK[$CLI]=${#LAYERS[@]}

nviol=0
nfiles=0
nincl=0
violation() { echo "$1"; nviol=$((nviol + 1)); }

# module_of_private DIR FILE: the module folders under engine/src holding FILE.
owners_of_private() {
  local f
  for f in engine/src/*/"$1"; do
    [ -f "$f" ] && { f=${f#engine/src/}; echo "${f%%/*}"; }
  done
}

# Unknown module folders, and sources lying outside any module folder.
for d in engine/src/*; do
  name=${d#engine/src/}
  if [ -d "$d" ]; then
    [ -n "${RANK[$name]:-}" ] && [ "$name" != "$CLI" ] ||
      violation "$d/: unknown module folder '$name' (not in the layer table of tests/structure/check_layers.sh)"
  elif [[ $name == *.[ch] ]]; then
    violation "$d: source file outside a module folder"
  fi
done

# The files to scan, with their kind: src, public or cli.
files=()
while IFS= read -r f; do files+=("$f"); done < <(
  find engine/src engine/include/tyche engine/cli -type f \( -name '*.c' -o -name '*.h' \) | sort)

include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*([<"])([^>"]+)[>"]'

for file in "${files[@]}"; do
  nfiles=$((nfiles + 1))
  dir=${file%/*}
  base=${file##*/}
  case $file in
    engine/src/*/*)
      kind=src; rest=${file#engine/src/}; mod=${rest%%/*} ;;
    engine/src/*)
      continue ;;                       # reported above
    engine/include/tyche/*)
      kind=public
      if [ "$base" = "$UMBRELLA" ]; then mod=$UMBRELLA
      elif [ -n "${PUBLIC[$base]:-}" ]; then mod=${PUBLIC[$base]}
      else
        violation "$file:1: public header $base has no module (add it to PUBLIC in tests/structure/check_layers.sh)"
        mod=""
      fi ;;
    engine/cli/*)
      kind=cli; mod=$CLI ;;
  esac

  lineno=0
  while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    [[ $line =~ $include_re ]] || continue
    nincl=$((nincl + 1))
    delim=${BASH_REMATCH[1]}
    path=${BASH_REMATCH[2]}
    where="$file:$lineno"
    hname=${path##*/}

    # 1. Third-party headers owned by one module (cli included in the ban).
    banned=0
    for i in "${!BANNED_PATTERNS[@]}"; do
      # shellcheck disable=SC2053
      if [[ $hname == ${BANNED_PATTERNS[$i]} ]]; then
        banned=1
        owner=${BANNED_OWNERS[$i]}
        [[ " $owner " == *" $mod "* ]] && [ "$kind" = src ] ||
          violation "$where: <$path> belongs to ${owner// //, }/ only (included from ${mod:-?})"
      fi
    done
    [ $banned = 1 ] && continue

    # 2. Map the include to the module that owns the header.
    target=""
    if [[ $path == tyche/* ]]; then                 # a public header
      pub=${path#tyche/}
      if [ "$pub" = "$UMBRELLA" ]; then target=$UMBRELLA
      elif [ -n "${PUBLIC[$pub]:-}" ]; then target=${PUBLIC[$pub]}
      else violation "$where: unknown public header $path"; continue
      fi
    elif [ "$delim" = "<" ]; then                    # system / library header
      continue
    elif [[ $path == */* ]]; then                    # "module/file.h"
      tmod=${path%%/*}
      if [ "$kind" = cli ]; then
        violation "$where: cli includes private header \"$path\" (cli uses the public API, tyche/*.h, only)"
        continue
      elif [ "$kind" = public ]; then
        violation "$where: public header includes private header \"$path\""
        continue
      elif [ -z "${RANK[$tmod]:-}" ] || [ "$tmod" = "$CLI" ]; then
        violation "$where: \"$path\" names no module of the layer table"
        continue
      elif [ ! -f "engine/src/$path" ]; then
        violation "$where: \"$path\": no such header in engine/src/$tmod/"
        continue
      fi
      target=$tmod
    else                                             # bare "file.h"
      if [ "$kind" = public ]; then
        if [ "$path" = "$UMBRELLA" ]; then target=$UMBRELLA
        elif [ -n "${PUBLIC[$path]:-}" ] && [ -f "$dir/$path" ]; then target=${PUBLIC[$path]}
        else violation "$where: \"$path\" is not a public header of engine/include/tyche/"; continue
        fi
      elif [ -f "$dir/$path" ]; then
        target=$mod
      else
        others=$(owners_of_private "$path" | tr '\n' ' ')
        others=${others% }
        if [ -n "$others" ] && [ "$kind" = cli ]; then
          violation "$where: cli includes private header \"$path\" of $others (cli uses the public API, tyche/*.h, only)"
        elif [ -n "$others" ]; then
          violation "$where: private header \"$path\" of $others included without its folder prefix (write \"${others%% *}/$path\")"
        else
          violation "$where: \"$path\" not found in $dir/"
        fi
        continue
      fi
    fi

    # 3. Direction: nothing may include a module above its own.
    [ "$mod" = "$UMBRELLA" ] || [ -z "$mod" ] && continue
    [ "$target" = "$UMBRELLA" ] && target=$CLI   # only cli may use the umbrella
    [ -n "${RANK[$mod]:-}" ] || continue        # unknown folder, reported above
    if [ "${RANK[$target]}" -gt "${RANK[$mod]}" ]; then
      if [ "$target" = "$CLI" ]; then
        violation "$where: module $mod includes the umbrella tyche/$UMBRELLA (include the headers it needs)"
      else
        violation "$where: module $mod includes $target (above it)"
      fi
    fi
  done < "$file"
done

if [ $nfiles -eq 0 ] || [ $nincl -eq 0 ]; then
  echo "check_layers: nothing scanned under $1/engine - refusing to pass" >&2
  exit 2
fi
if [ $nviol -gt 0 ]; then
  echo "check_layers: $nviol violation(s) in $nfiles files ($nincl includes)" >&2
  exit 1
fi
echo "check_layers: ok, $nfiles files, $nincl includes, layers: ${LAYERS[*]} < $CLI" >&2
exit 0
