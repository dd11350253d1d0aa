# prologue.sh - sourced by the MPI tests in tests/mpi/ (this folder is not
# itself a test). Arguments of every test: the MPI build's tyche, the
# reference tyche (a build without MPI: its result files are what the MPI
# build's must equal bit for bit) and mpiexec (default: mpirun on PATH).
#
# Gives: $tyche, $ref, $mpiexec (absolute), $root, $work (removed at exit),
# $py (the system python with h5py), `mpi R ARGS...` (tyche under mpirun
# with R ranks; `launch R PROGRAM ARGS...` for mpirun's options or another program), `reference ARGS...`, `pair A B ID` / `compare_pairs` (result
# files that must be identical, compared at the end in one go), `ranks_are
# FILE R`, and the pass/fail tally (`ok`, `bad`, `finish`).
#
# Both builds are started as plain `tyche` through PATH, so argv[0] and
# with it the stored command (command_args, command_line) is the same in
# both files; the tests give scenario paths absolute and -o relative to a
# folder of each case's own. The one attribute that legitimately differs
# is `ranks` (the number of ranks the file was written by).
set -uo pipefail
if [ $# -lt 2 ] || [ -z "$2" ]; then
    echo "FAIL: no reference tyche. The MPI tests compare against a tyche built without MPI:"
    echo "      configure with -DTYCHE_REFERENCE_TYCHE=\$PWD/build/release/engine/tyche"
    echo "      (make test-mpi builds the release preset and does so)"
    echo "usage: bash $(basename "$0") MPI_TYCHE REFERENCE_TYCHE [MPIEXEC]"
    exit 1
fi
for f in "$1" "$2"; do
    [ -x "$f" ] || { echo "FAIL: $f: not an executable (build it first: make test-mpi)"; exit 1; }
done
tyche=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ref=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
mpiexec=${3:-mpirun}
command -v "$mpiexec" >/dev/null || { echo "FAIL: no $mpiexec (scripts/deps --mpi installs openmpi-bin)"; exit 1; }
mpiexec=$(command -v "$mpiexec")
# Which is which: the one under test links MPI, the reference must not.
# (ldd's output captured first: grep -q leaving early would fail the pipe.)
libs=$(ldd "$tyche"); reflibs=$(ldd "$ref")
[[ $libs == *libmpi.so* ]] || { echo "FAIL: $tyche is not an MPI build (cmake --preset mpi)"; exit 1; }
[[ $reflibs != *libmpi.so* ]] || { echo "FAIL: the reference $ref is an MPI build; give the release preset's tyche"; exit 1; }

# The root, the work folder, python and the tally: the cli tests' own.
source "$(dirname "${BASH_SOURCE[0]}")/../../cli/lib/prologue.sh"

# OpenMPI refuses root unless told (CI runs as root); the shared-memory
# transport's single-copy mode needs ptrace rights that containers lack.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
unset TYCHE_TEST_INTERRUPT_AFTER_ROUNDS TYCHE_TEST_KILL_AT OMP_NUM_THREADS OMP_DYNAMIC OMP_THREAD_LIMIT

mkdir -p "$work/bin/mpi" "$work/bin/ref"
ln -s "$tyche" "$work/bin/mpi/tyche"
ln -s "$ref" "$work/bin/ref/tyche"
S=$root/scenarios
# A run that hangs fails at this bound, not at ctest's.
MPI_TIMEOUT=${MPI_TIMEOUT:-180}

# launch R ARGS...: `mpirun -np R ARGS...` (more ranks than cores:
# --oversubscribe; threads of a rank free to use every core: --bind-to
# none), with the MPI build as `tyche` on PATH; mpi R ARGS...: launch R tyche ARGS...
launch() {
    local np=$1; shift
    PATH="$work/bin/mpi:$PATH" timeout -k 10 "$MPI_TIMEOUT" \
        "$mpiexec" --oversubscribe --bind-to none -np "$np" "$@"
}
mpi() { local np=$1; shift; launch "$np" tyche "$@"; }
reference() { PATH="$work/bin/ref:$PATH" timeout -k 10 "$MPI_TIMEOUT" tyche "$@"; }

compare=("$py" "$root/tools/compare-results" --ignore ranks)
mkdir -p "$work/pairs/a" "$work/pairs/b"
npairs=0
# pair A B ID: result files A and B must be identical (checked by compare_pairs).
pair() {
    if [ -f "$1" ] && [ -f "$2" ]; then
        ln -s "$1" "$work/pairs/a/$3.h5"; ln -s "$2" "$work/pairs/b/$3.h5"; npairs=$((npairs + 1))
    else
        bad "$3: no file to compare: $([ -f "$1" ] || echo "$1") $([ -f "$2" ] || echo "$2")"
    fi
}
compare_pairs() {
    [ "$npairs" -gt 0 ] || return 0
    if "${compare[@]}" "$work/pairs/a" "$work/pairs/b" > "$work/cmp" 2>&1; then ok
    else
        bad "result files that differ from the reference build's (A: reference, B: MPI): $(grep -c ' differences*$' "$work/cmp")"
        grep ' differences*$' "$work/cmp"            # every file that differs, then the first details
        grep -v ': identical$' "$work/cmp" | head -40
    fi
}

# ranks_are FILE R: every group that records `threads` records `ranks` = R.
ranks_are() {
    "$py" - "$1" "$2" <<'PY' && ok || bad "$1: the ranks attribute is not $2 (above)"
import sys, h5py
path, want = sys.argv[1], int(sys.argv[2])
found, wrong = [], []
with h5py.File(path, "r") as f:
    def visit(name, obj):
        if "threads" in obj.attrs:
            found.append(name)
            if "ranks" not in obj.attrs or int(obj.attrs["ranks"]) != want:
                wrong.append(f"{name}@ranks={obj.attrs.get('ranks')}")
    visit("/", f)
    f.visititems(visit)
if not found or wrong:
    print(f"  no group with a threads attribute" if not found else "  " + ", ".join(wrong[:8]))
    sys.exit(1)
PY
}
