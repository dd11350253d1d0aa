#!/usr/bin/env bash
# The Debian package, as an operator meets it: its fields and dependencies
# (resolvable by apt on this machine), then an install with dpkg into a
# scratch root, from which the installed tyche runs a shipped scenario,
# tyche-plot draws it, the Python package runs it through libtyche.so and a
# C program builds against the installed headers and library.
# With TYCHE_TEST_APT_INSTALL=1 (CI: a fresh machine; root or sudo) it also runs
# `apt-get install ./tyche_*.deb` for real, uses /usr/bin/tyche, and removes
# the package again.
# Usage: deb.sh TYCHE_DEB SOURCE_DIR
set -euo pipefail
deb=$(realpath "$1") src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

version=$(sed -nE 's/^project\(tyche VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")
[ "$(basename "$deb")" = "tyche_${version}_amd64.deb" ] || fail "package file is $(basename "$deb"), not tyche_${version}_amd64.deb"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = tyche ] && [ "$(field Version)" = "$version" ] && [ "$(field Architecture)" = amd64 ] \
    || fail "fields: $(field Package) $(field Version) $(field Architecture)"
depends=$(field Depends)
for d in libc6 libgomp1 'libhdf5-[0-9]' libyaml-0-2 python3-numpy python3-h5py python3-matplotlib python3-yaml python3-pandas; do
    grep -qE "(^|, )$d" <<<"$depends" || fail "Depends lacks $d: $depends"
done
echo "ok: tyche_${version}_amd64.deb, Depends: $depends"
if command -v apt-get >/dev/null; then
    apt-get install --simulate -qq "$deb" >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; fail "apt cannot resolve the package's dependencies"; }
    echo "ok: apt resolves the dependencies"
fi

# dpkg into a scratch root: its own database, no maintainer scripts to run.
root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
: >"$root/var/lib/dpkg/status"
dpkg --root="$root" --force-not-root --force-depends --force-script-chrootless --log=/dev/null \
     -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg -i into a scratch root"; }
dpkg --root="$root" -s tyche | grep -q '^Status: install ok installed' || fail "dpkg does not list tyche as installed"
for f in usr/bin/tyche usr/bin/tyche-plot usr/include/tyche/tyche.h usr/share/man/man1/tyche.1.gz \
         usr/share/man/man1/tyche.1 usr/share/bash-completion/completions/tyche \
         usr/share/tyche/scenarios/ukraine-2014.yaml usr/lib/python3/dist-packages/tyche/__init__.py; do
    case $f in *.1) continue ;; esac
    [ -e "$root/$f" ] || [ -e "$root/${f%.gz}" ] || fail "the package lacks /$f"
done
libdir=$(cd "$root" && ls -d usr/lib/*-linux-gnu | head -1)
[ -e "$root/$libdir/libtyche.so.0" ] && [ -e "$root/$libdir/pkgconfig/tyche.pc" ] && [ -e "$root/$libdir/cmake/tyche/tycheConfig.cmake" ] \
    || fail "the package lacks /$libdir/libtyche.so.0, its pkg-config or CMake file"
grep -q '^prefix=/usr$' "$root/$libdir/pkgconfig/tyche.pc" || fail "tyche.pc's prefix is not /usr"
echo "ok: installed into a scratch root ($(dpkg --root="$root" -L tyche | wc -l) paths)"

unset TYCHE_LIBRARY PYTHONPATH LD_LIBRARY_PATH
cd "$tmp"
"$root/usr/bin/tyche" --version | grep -qx "tyche $version" || fail "the installed tyche says: $("$root/usr/bin/tyche" --version)"
"$root/usr/bin/tyche" run "$root/usr/share/tyche/scenarios/ukraine-2014.yaml" -n 20000 --seed 3 -o run.h5 --quiet
"$root/usr/bin/tyche" show run.h5 | grep -q invasion || fail "tyche show of the installed tyche's result"
"$root/usr/bin/tyche-plot" run.h5 -o charts >/dev/null
[ -s charts/outcomes.png ] || fail "the installed tyche-plot drew no outcomes.png"
echo "ok: the installed tyche ran a shipped scenario and tyche-plot drew it"
PYTHONPATH=$root/usr/lib/python3/dist-packages /usr/bin/python3 - "$root" <<'PY' || fail "the packaged Python package"
import sys, tyche
root = sys.argv[1]
assert tyche.__file__.startswith(root), tyche.__file__
r = tyche.run(root + "/usr/share/tyche/scenarios/ukraine-2014.yaml", samples=20000, seed=3)
cli = tyche.open("run.h5")
assert list(r.outcomes["probability"]) == list(cli.outcomes["probability"]), "tyche.run differs from tyche run"
print("ok: the packaged Python package runs a scenario through libtyche.so")
PY
cc -std=c11 -Wall -Wextra -Werror -I"$root/usr/include" "$src/docs/examples/forecast.c" \
   -L"$root/$libdir" -ltyche -Wl,-rpath,"$root/$libdir" -o forecast
./forecast "$root/usr/share/tyche/scenarios/ukraine-2014.yaml" c.h5 | grep -q '^  invasion' || fail "forecast.c against the package"
echo "ok: a C program builds against the packaged headers and library"

if [ "${TYCHE_TEST_APT_INSTALL:-0}" = 1 ]; then
    sudo=""
    if [ "$(id -u)" != 0 ]; then command -v sudo >/dev/null || fail "TYCHE_TEST_APT_INSTALL=1 needs root or sudo"; sudo=sudo; fi
    if dpkg-query -W -f='${Status}' tyche 2>/dev/null | grep -q 'install ok installed'; then
        fail "tyche is already installed on this machine; not replacing it"
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >"$tmp/apt-install.log" 2>&1 \
        || { cat "$tmp/apt-install.log"; fail "apt-get install ./$(basename "$deb")"; }
    trap '$sudo env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq tyche >/dev/null 2>&1; rm -rf "$tmp"' EXIT
    /usr/bin/tyche run /usr/share/tyche/scenarios/ukraine-2014.yaml -n 20000 --seed 3 -o apt.h5 --quiet
    "$src/tools/compare-results" --ignore command_line,command_args apt.h5 run.h5 || fail "apt's tyche gives another result"
    bash "$src/tests/install/readme_python.sh" "$src/README.md" >readme.py
    MPLBACKEND=Agg /usr/bin/python3 readme.py || fail "the README's From Python lines after apt install"
    echo "ok: apt-get install, /usr/bin/tyche and the README's From Python lines (removed again)"
fi
echo "PASS: the Debian package installs and runs"
