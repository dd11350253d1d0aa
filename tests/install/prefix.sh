#!/usr/bin/env bash
# cmake --install into a scratch prefix, then use what it put there as a
# user would: every promised file is there; docs/examples/forecast.c builds
# through pkg-config (shared and static) and through find_package(tyche)
# and runs a shipped scenario; the installed tyche, tyche-plot and Python
# package run from the prefix alone (no build tree on any path); the bash
# completion completes verbs and options.
# Usage: prefix.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
p=$tmp/prefix
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$build" --prefix "$p" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "cmake --install"; }
libdir=$(cd "$p" && for d in lib lib/*-linux-gnu; do if [ -e "$d/libtyche.so" ]; then echo "$d"; fi; done | head -1)
[ -n "$libdir" ] || fail "no libtyche.so under $p/lib"
pydir=$(cd "$p" && for d in lib/python3*/dist-packages; do if [ -d "$d" ]; then echo "$d"; fi; done | head -1)
for f in bin/tyche bin/tyche-plot "$libdir/libtyche.so" "$libdir/libtyche.so.0" "$libdir/libtyche.a" \
         include/tyche/tyche.h include/tyche/run.h "$libdir/pkgconfig/tyche.pc" \
         "$libdir/cmake/tyche/tycheConfig.cmake" "$libdir/cmake/tyche/tycheConfigVersion.cmake" \
         share/man/man1/tyche.1 share/bash-completion/completions/tyche \
         share/tyche/scenarios/ukraine-2014.yaml "$pydir/tyche/__init__.py" "$pydir/tyche/_install.py"; do
    [ -e "$p/$f" ] || fail "cmake --install did not install $f"
done
echo "ok: every file installed ($libdir, $pydir)"
soname=$(readelf -d "$p/$libdir/libtyche.so" | sed -nE 's/.*SONAME.*\[(.*)\]/\1/p')
[ "$soname" = libtyche.so.0 ] || fail "soname is '$soname', not libtyche.so.0"
bad=$(nm -D --defined-only "$p/$libdir/libtyche.so" | awk '$2 ~ /[TDBR]/ && $3 !~ /^ty_/ {print $3}')
[ -z "$bad" ] || fail "libtyche.so exports names outside the API: $bad"
echo "ok: soname $soname, only ty_* exported"

# Nothing of the build tree may leak in from here on.
unset TYCHE_LIBRARY PYTHONPATH LD_LIBRARY_PATH
cd "$tmp"
scenario=$p/share/tyche/scenarios/ukraine-2014.yaml
check_forecast() {   # a program's output names every outcome and the result reads back
    local prog=$1 out=$tmp/$2.h5
    "$prog" "$scenario" "$out" >"$tmp/$2.txt" || { cat "$tmp/$2.txt"; fail "$2 did not run"; }
    grep -q '^  invasion ' "$tmp/$2.txt" || fail "$2 printed no invasion row"
    "$p/bin/tyche" show "$out" | grep -q invasion || fail "tyche show cannot read $2's file"
    echo "ok: $2"
}

export PKG_CONFIG_PATH=$p/$libdir/pkgconfig
[ "$(pkg-config --modversion tyche)" = "$(sed -nE 's/^project\(tyche VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")" ] \
    || fail "pkg-config --modversion tyche: $(pkg-config --modversion tyche)"
cc -std=c11 -Wall -Wextra -Werror "$src/docs/examples/forecast.c" $(pkg-config --cflags --libs tyche) \
   -Wl,-rpath,"$p/$libdir" -o forecast-shared
ldd forecast-shared | grep -q "$p/$libdir/libtyche.so.0" || fail "forecast-shared does not load the installed libtyche.so.0"
check_forecast ./forecast-shared "pkg-config (shared)"
cc -std=c11 -Wall -Wextra -Werror "$src/docs/examples/forecast.c" $(pkg-config --cflags tyche) \
   "$p/$libdir/libtyche.a" $(pkg-config --static --libs tyche | sed 's/-ltyche//') -o forecast-static
! ldd forecast-static | grep -q libtyche || fail "forecast-static still loads libtyche.so"
check_forecast ./forecast-static "pkg-config --static (libtyche.a)"

mkdir cm && cp "$src/docs/examples/forecast.c" cm/ && cat > cm/CMakeLists.txt <<'CM'
cmake_minimum_required(VERSION 3.21)
project(forecast C)
find_package(tyche 0.1 REQUIRED)
add_executable(forecast forecast.c)
target_link_libraries(forecast PRIVATE tyche::tyche)
CM
cmake -S cm -B cm/build -DCMAKE_PREFIX_PATH="$p" >"$tmp/cm.log" 2>&1 || { cat "$tmp/cm.log"; fail "find_package(tyche)"; }
cmake --build cm/build >>"$tmp/cm.log" 2>&1 || { cat "$tmp/cm.log"; fail "building against tyche::tyche"; }
check_forecast cm/build/forecast "find_package(tyche)"

# The installed command, charts and Python package, from the prefix alone.
"$p/bin/tyche" run "$scenario" -n 20000 --seed 7 -o run.h5 --quiet
"$p/bin/tyche-plot" run.h5 -o charts >/dev/null
[ -s charts/outcomes.png ] || fail "tyche-plot drew no charts/outcomes.png"
echo "ok: installed tyche and tyche-plot"
PYTHONPATH=$p/$pydir /usr/bin/python3 - "$scenario" "$p" <<'PY' || fail "the installed Python package"
import sys, tyche
scenario, prefix = sys.argv[1], sys.argv[2]
assert tyche.__file__.startswith(prefix), tyche.__file__
r = tyche.run(scenario, samples=20000, seed=7)
cli = tyche.open("run.h5")
assert list(r.outcomes["probability"]) == list(cli.outcomes["probability"]), "tyche.run differs from tyche run"
lib = tyche.library_path()
assert lib.startswith(prefix), lib
print("ok: the installed Python package runs through", lib)
PY

# The README's "From Python" lines, against the installed package and scenarios.
bash "$src/tests/install/readme_python.sh" "$src/README.md" "$p/share/tyche/scenarios" >readme.py
PYTHONPATH=$p/$pydir MPLBACKEND=Agg /usr/bin/python3 readme.py || fail "the README's From Python lines"
echo "ok: the README's From Python lines"

# The completion, as bash would call it.
out=$(bash -c '
    source "$1/share/bash-completion/completions/tyche"
    PATH=$1/bin:$PATH
    complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _tyche; echo "${COMPREPLY[*]}"; }
    complete_words tyche ru
    complete_words tyche run --se
    complete_words tyche sensitivity --method s
    ' _ "$p" 2>&1)
[ "$out" = "$(printf 'run\n--seed --set\nspearman sobol')" ] || fail "bash completion gave: $out"
echo "ok: bash completion"
MANWIDTH=80 man -l "$p/share/man/man1/tyche.1" >/dev/null 2>&1 || fail "man cannot show the installed page"
echo "PASS: the installed tyche works from $p"
