#!/usr/bin/env bash
# MPI errors: whatever fails, on whichever rank, every rank ends with the
# documented exit status and the user reads one message, the one the
# reference build (no MPI) prints, never one per rank, never a hang.
#
# Each case runs `mpirun -np R tyche ...` at R = 2 and 3 through a wrapper
# that records every rank's own exit status (OpenMPI told not to kill the
# job at the first non-zero exit, so each rank ends by itself; mpirun then
# exits 0 whatever the ranks did). Checked: every rank's status is the
# reference's; tyche's stderr (mpirun's own notices left out) is the
# reference's byte for byte, so exactly as many 'error:' lines (one, where
# the reference prints one); no result or temporary file is left. Once
# more at -np 3 without the wrapper, as users run it: mpirun's status.
#
# Cases: a malformed scenario (run, sensitivity, check) and a malformed
# batch (exit 3); an unknown option (2); a missing scenario and an output
# folder that does not exist (1); Sobol on a correlated scenario (3); a
# sample that matches no rule in a block of rank 1 or 2, while rank 0's
# blocks are fine (3, the lowest faulty sample named, as one process names
# it); a write that fails (a full disk, 1), with and without
# --save-samples, whose samples every rank writes. And an error on one rank
# only (its scenario file malformed, the others' fine): exit 3 on all, and
# that rank's message; an allocation or a write failing on one rank only
# (the engine's TYCHE_TEST_RANK_FAIL hook): exit 1 on all, one line naming
# the rank.
# Deterministic. About 30 s on 2 cores.
# Usage: bash errors.sh MPI_TYCHE REFERENCE_TYCHE [MPIEXEC]
MPI_TIMEOUT=${MPI_TIMEOUT:-60}   # errors come fast: a hang fails sooner
source "$(dirname "$0")/lib/prologue.sh"
M=$root/tests/malformed

# The wrapper: tyche ARGS in DIR/rankN when that folder exists (else in
# the current folder), its status written to DIR/rc.N.
cat > "$work/bin/mpi/rankwrap" <<'EOF'
#!/usr/bin/env bash
d=$1; shift
r=${OMPI_COMM_WORLD_RANK:?not under OpenMPI}
[ -d "$d/rank$r" ] && cd "$d/rank$r"
tyche "$@"; rc=$?
echo "$rc" > "$d/rc.$r"
exit "$rc"
EOF
chmod +x "$work/bin/mpi/rankwrap"

# mpirun's own notice of a non-zero exit: blocks between lines of dashes.
# OpenMPI's MPI-IO layer (OMPIO) prints its own line for each failed
# write of a collective file (mca_fbtl_posix_pwritev, vulcan_write_all):
# not tyche's, dropped too.
tyche_err() { awk '/^--------------------+$/ { skip = !skip; next } /^(mca_fbtl_|vulcan_)/ { next } !skip' "$1"; }   # (mawk: no {n,})

# check LABEL DIR ARGS...: the reference in DIR/ref, then mpirun at -np 2
# and 3 through the wrapper and at -np 3 without it; the same status and
# stderr; no result or temporary file left (with DISK set: in DISK, whose
# r.h5 must stay OLD's copy; temporary files are removed after each run).
DISK=
after() {   # after LABEL: the checks on DISK after a failed run
    [ -n "$DISK" ] || return 0
    local tmp; tmp=$(find "$DISK" -name '.*tmp*')
    [ -z "$tmp" ] && ok || { bad "$1: temporary files left on the full disk: $tmp"; rm -f $tmp; }
    cmp -s "$DISK/r.h5" "$OLD" && ok || { bad "$1: the older result file changed"; cp "$OLD" "$DISK/r.h5"; }
}
check() {
    local label=$1 dir=$2; shift 2
    mkdir -p "$dir/ref"
    (cd "$dir/ref" && reference "$@" >out 2>err); local want=$?
    after "$label (reference)"
    [ $want != 0 ] || { bad "$label: the reference succeeded: the case is wrong"; return; }
    [ $want != 124 ] && [ $want != 137 ] || { bad "$label: the reference hung"; return; }
    local nerr; nerr=$(grep -c 'error:' "$dir/ref/err")
    for r in 2 3; do
        local d=$dir/np$r
        mkdir -p "$d"
        (cd "$d" && launch "$r" --mca orte_abort_on_non_zero_status 0 rankwrap "$d" "$@" >out 2>err); local rc=$?
        after "$label -np $r"
        if [ $rc = 124 ] || [ $rc = 137 ]; then bad "$label -np $r: hung (killed after ${MPI_TIMEOUT} s)"; continue; fi
        local statuses="" k
        for ((k = 0; k < r; k++)); do statuses+=" $(cat "$d/rc.$k" 2>/dev/null || echo none)"; done
        [ "$statuses" = "$(printf " $want%.0s" $(seq $r))" ] && ok \
            || bad "$label -np $r: the ranks exited$statuses (want $want on each, as the reference)"
        tyche_err "$d/err" > "$d/err.tyche"
        if cmp -s "$dir/ref/err" "$d/err.tyche"; then ok
        else bad "$label -np $r: stderr is not the reference's ($nerr 'error:' lines there, $(grep -c 'error:' "$d/err.tyche") here):"
             diff "$dir/ref/err" "$d/err.tyche" | head -12; fi
        [ -s "$d/out" ] && bad "$label -np $r: stdout: $(head -c 200 "$d/out")"
        local left; left=$(cd "$d" && find . \( -name '*.h5' -o -name '.*tmp*' \) | head -3)
        [ -z "$left" ] && ok || bad "$label -np $r: files left: $left"
    done
    # As users run it: mpirun's status, one copy of the message.
    local d=$dir/plain
    mkdir -p "$d"
    (cd "$d" && mpi 3 "$@" >out 2>err); local rc=$?
    after "$label -np 3 (plain mpirun)"
    tyche_err "$d/err" > "$d/err.tyche"
    [ $rc = $want ] && cmp -s "$dir/ref/err" "$d/err.tyche" && ok \
        || bad "$label -np 3 (plain mpirun): exit $rc (want $want), $(grep -c 'error:' "$d/err.tyche") 'error:' lines (want $nerr): $(head -c 300 "$d/err")"
}

# ---- a full disk -------------------------------------------------------
# A small tmpfs in a user and mount namespace: this script again, inside
# it (TYCHE_MPI_TMPFS set), with only this part; its tally is added to the
# outer one's at the end. Without and with --save-samples, whose samples
# every rank writes: exit 1, one message, the older file kept, no
# temporary file left.
if [ -n "${TYCHE_MPI_TMPFS:-}" ]; then
    DISK=$work/disk OLD=$work/old.h5
    mkdir -p "$DISK"
    mount -t tmpfs -o size=2m tmpfs "$DISK" || { echo "cannot mount a tmpfs"; exit 1; }
    (cd "$work" && reference run "$S/geneva-2014.yaml" -n 3000 -o old.h5 --quiet)
    cp "$OLD" "$DISK/r.h5"
    # Leave 16 KiB free: far less than either result needs.
    fill=$(( $(stat -f -c '%a*%S' "$DISK") - 16384 ))
    head -c "$fill" /dev/zero > "$DISK/filler"
    check "full disk" "$work/d1" run "$S/ukraine-2014.yaml" -n 50000 -o "$DISK/r.h5"
    check "full disk, --save-samples" "$work/d2" run "$S/ukraine-2014.yaml" -n 100000 --save-samples -o "$DISK/r.h5"
    grep -q "No space left on device" "$work/d1/ref/err" && ok || bad "full disk: the reference did not fail on space: $(cat "$work/d1/ref/err")"
    umount "$DISK"
    finish "full disk"
    exit
fi

# ---- inputs, options, faults --------------------------------------------
check "malformed scenario, run" "$work/c1" run "$M/factor_unknown_dist.yaml" -o r.h5
check "malformed scenario, run --threads 2" "$work/c2" run "$M/yaml_syntax_unclosed_flow.yaml" -o r.h5 --threads 2
check "malformed scenario, sensitivity" "$work/c3" sensitivity "$M/derived_unknown_name.yaml" -o r.h5
check "malformed scenario, check" "$work/c4" check "$M/outcome_score_syntax.yaml"
check "malformed batch" "$work/c5" batch "$M/batch_variant_unknown_factor.yaml" -o r.h5
check "unknown option" "$work/c6" run "$S/geneva-2014.yaml" --bogus
check "missing scenario" "$work/c7" run "$work/none.yaml" -o r.h5
check "output folder missing" "$work/c8" run "$S/geneva-2014.yaml" -n 3000 -o "$work/none/r.h5"
check "sobol on correlated factors" "$work/c9" sensitivity "$S/release-deadline.yaml" -n 256 -o r.h5

# A sample that matches no rule. Seed 1: the lowest such sample is 57472,
# block 56, in the round of blocks 32-63: rank 1's share at -np 2, rank 2's
# at -np 3 (11, 11, 10 blocks); rank 0's blocks are fine.
cat > "$work/norule.yaml" <<'EOF'
tyche: 1
name: norule
run: {samples: 200000, seed: 1}
factors:
  x: {dist: "uniform(0, 1)"}
outcomes:
  model: rules
  low: {when: x < 0.99997}
  high: {when: x > 0.999995}
EOF
check "a sample matching no rule, on rank 1 or 2" "$work/c10" run "$work/norule.yaml" -o r.h5
grep -q "sample 57472 matches no rule" "$work/c10/ref/err" && ok \
    || bad "norule: the reference names another sample (the comment above is stale): $(grep error: "$work/c10/ref/err")"
check "a sample matching no rule, 2 threads" "$work/c11" run "$work/norule.yaml" -o r.h5 --threads 2
# The same through the sensitivity passes (rank 0 computes the faulty block
# again to name it) ...
check "a sample matching no rule, tornado" "$work/c12" sensitivity "$work/norule.yaml" -n 200000 --method tornado -o r.h5
check "a sample matching no rule, Sobol" "$work/c13" sensitivity "$work/norule.yaml" -n 100000 --method sobol -o r.h5
# ... and in a sweep whose points the ranks take whole (3 points of 98
# blocks: one each at -np 3): only the last point, rank 2's at -np 3, has
# the faulty sample; rank 0 runs it again for the message.
cat > "$work/norule-batch.yaml" <<'EOF'
tyche: 1
batch: norule-sweep
scenario: norule.yaml
variants:
  baseline: {factors: {x: {dist: "uniform(0, 0.5)"}}}
sweeps:
  upper:
    factor: x
    param: b
    values: [0.5, 0.9, 1.0]
EOF
check "a sample matching no rule, a sweep point on rank 2" "$work/c14" batch "$work/norule-batch.yaml" -n 100000 -o r.h5

# One rank's input differs: rank 2 (of 3) reads a malformed scenario, the
# others a good one (each rank runs in its own folder, the same relative
# path). Exit 3 on every rank, one message, that rank's; nobody waits.
mkdir -p "$work/c15/ranks/rank0" "$work/c15/ranks/rank1" "$work/c15/ranks/rank2"
cp "$S/geneva-2014.yaml" "$work/c15/ranks/rank0/s.yaml"
cp "$S/geneva-2014.yaml" "$work/c15/ranks/rank1/s.yaml"
cp "$M/factor_unknown_dist.yaml" "$work/c15/ranks/rank2/s.yaml"
for np in 3; do
    d=$work/c15/np$np; mkdir -p "$d"; cp -r "$work/c15/ranks/." "$d/"
    (cd "$d" && launch $np --mca orte_abort_on_non_zero_status 0 rankwrap "$d" run s.yaml -n 3000 -o r.h5 >out 2>err)
    st="$(cat "$d"/rc.* 2>/dev/null | tr '\n' ' ')"
    tyche_err "$d/err" > "$d/err.tyche"
    n=$(grep -c 'error:' "$d/err.tyche")
    [ "$st" = "3 3 3 " ] && [ "$n" = 1 ] && grep -q 's.yaml:.*error:' "$d/err.tyche" && ok \
        || bad "a malformed scenario on rank 2 only: the ranks exited $st(want 3 3 3), $n 'error:' lines (want 1): $(head -c 400 "$d/err")"
    [ -z "$(cd "$d" && find . -name '*.h5')" ] && ok || bad "rank 2 only: a result file was written"
done

# A failure on one rank alone (TYCHE_TEST_RANK_FAIL=RANK:POINT, the
# engine's test hook: that rank's allocation in a round, or its rows of
# --save-samples, fails): exit 1 on every rank, one line, naming the rank
# and the cause, nothing left behind.
# rank_fail LABEL NP HOOK PATTERN ARGS...
rank_fail() {
    local label=$1 np=$2 hook=$3 pat=$4; shift 4
    local d=$work/rf-$hook
    mkdir -p "$d/w" "$d/p"
    (cd "$d/w" && TYCHE_TEST_RANK_FAIL=$hook launch "$np" --mca orte_abort_on_non_zero_status 0 \
        rankwrap "$d/w" "$@" >out 2>err); local rc=$?
    [ $rc != 124 ] && [ $rc != 137 ] || { bad "$label: hung"; return; }
    local st; st=$(cat "$d/w"/rc.* 2>/dev/null | tr '\n' ' ')
    [ "$st" = "$(printf '1 %.0s' $(seq "$np"))" ] && ok || bad "$label: the ranks exited $st(want 1 on each)"
    (cd "$d/p" && TYCHE_TEST_RANK_FAIL=$hook mpi "$np" "$@" >out 2>err); rc=$?
    [ $rc = 1 ] && ok || bad "$label (plain mpirun): exit $rc (want 1)"
    local x
    for x in w p; do
        tyche_err "$d/$x/err" > "$d/$x/err.tyche"
        [ "$(wc -l < "$d/$x/err.tyche")" = 1 ] && grep -qE "$pat" "$d/$x/err.tyche" && ok \
            || bad "$label: want one line matching /$pat/, got: $(head -c 400 "$d/$x/err.tyche")"
        [ -z "$(cd "$d/$x" && find . \( -name '*.h5' -o -name '.*tmp*' \))" ] && ok \
            || bad "$label: files left: $(cd "$d/$x" && find . -name '*h5*')"
    done
}
rank_fail "allocation failing on rank 2 of 3" 3 2:alloc "rank 2: out of memory" \
    run "$S/ukraine-2014.yaml" -n 30000 -o r.h5 --quiet
rank_fail "--save-samples rows failing on rank 1 of 2" 2 1:write "rank 1: cannot write" \
    run "$S/ukraine-2014.yaml" -n 30000 --save-samples -o r.h5 --quiet

# The full disk (above), inside a user and mount namespace.
if unshare -rm true 2>/dev/null; then
    inner=$(TYCHE_MPI_TMPFS=1 unshare -rm bash "$0" "$@" 2>&1); irc=$?
    printf '%s\n' "$inner" | grep -v '^[0-9]* passed' || true
    tally=$(printf '%s\n' "$inner" | tail -1)
    if [[ $tally =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
        pass=$((pass + BASH_REMATCH[1])) fail=$((fail + BASH_REMATCH[2]))
    else
        bad "full disk: the inner script ended without its tally (exit $irc): $(printf '%s' "$inner" | tail -3)"
    fi
else
    echo "SKIP full disk (tmpfs): user namespaces are not allowed here"
fi

finish
