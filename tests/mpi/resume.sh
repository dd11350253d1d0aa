#!/usr/bin/env bash
# MPI interrupts and --resume: a run or batch stopped under mpirun (exit
# 130, complete=0) resumes, under any number of ranks and with either
# build, to the file of the uninterrupted run of the reference build (no
# MPI), bit for bit (tools/compare-results; `ranks` and `threads` may
# differ: the resume records its own).
#
# 1. Deterministic stops (TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=N: as SIGINT
#    after N rounds; rank 0 decides the stop): a run of ukraine-2014 at
#    -n 300000 (10 rounds) stopped after 2, 5 and 8 rounds at -np 2 is the
#    reference's file stopped after as many rounds; resumed at -np 3, or by
#    the reference, and the reference's stopped file resumed at -np 1, each
#    is the uninterrupted file. A batch (release-deadline-options, a sweep)
#    stopped at -np 3 after 3, 10 and 20 rounds (in the variants, in the
#    sweep; under ranks the sweep's points are spread over the ranks, so
#    the batch has fewer rounds than in one process: 23 at -np 3 here),
#    resumed at -np 2. A
#    sensitivity stopped at -np 2: exit 130, no file written.
# 2. Signals, as users and schedulers send them, to a run of geneva-2014
#    at -n 1e8 (about 7 s on 2 cores): SIGINT to every rank of -np 2 and SIGTERM
#    to every rank of -np 3 (what scancel does): exit 130, complete=0,
#    resumed at -np 3 and 2; SIGINT to mpirun itself, with OpenMPI's
#    grace period (odls_base_sigkill_timeout) at 2 s: mpirun sends the ranks
#    SIGTERM after that many seconds, SIGKILL after as many again, and the
#    ranks write the resumable file in between.
# The threads are set by OMP_NUM_THREADS, so that every file of a
# configuration stores the same command. About 60 s on 2 cores.
# Usage: bash resume.sh MPI_TYCHE REFERENCE_TYCHE [MPIEXEC]
source "$(dirname "$0")/lib/prologue.sh"
compare=("$py" "$root/tools/compare-results" --ignore ranks,threads)

# at DIR COMMAND...: COMMAND in DIR (made), stdout and stderr kept there.
at() { local d=$1; shift; mkdir -p "$d"; (cd "$d" && "$@" >out 2>err); }
complete() { "$py" -c 'import sys, h5py; print(int(h5py.File(sys.argv[1], "r").attrs["complete"]))' "$1" 2>/dev/null; }
samples() { "$py" -c 'import sys, h5py; print(sum(int(g.attrs["samples"]) for g in h5py.File(sys.argv[1], "r")["runs"].values()))' "$1" 2>/dev/null; }
# stopped LABEL RC FILE: an interrupted run: exit 130, complete=0.
stopped() {
    [ "$2" = 130 ] && [ "$(complete "$3")" = 0 ] && ok \
        || bad "$1: exit $2, complete=$(complete "$3") (want 130 and 0): $(head -c 300 "$(dirname "$3")/err")"
}
# resumed LABEL RC DIR: a resume that succeeded.
resumed() { [ "$2" = 0 ] && ok || bad "$1: exit $2: $(head -c 300 "$3/err")"; }

# ---- 1. deterministic stops ---------------------------------------------------
run=(run "$S/ukraine-2014.yaml" -n 300000 -o r.h5 --quiet)
OMP_NUM_THREADS=2 at "$work/run/full" reference "${run[@]}" || bad "run: the uninterrupted reference: exit $?"
for k in 2 5 8; do
    d=$work/run/k$k
    OMP_NUM_THREADS=2 TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=$k at "$d/ref" reference "${run[@]}"; stopped "run, reference stopped after $k rounds" $? "$d/ref/r.h5"
    OMP_NUM_THREADS=1 TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=$k at "$d/mpi" mpi 2 "${run[@]}"; stopped "run, -np 2 stopped after $k rounds" $? "$d/mpi/r.h5"
    pair "$d/ref/r.h5" "$d/mpi/r.h5" "run-stopped-after-$k-rounds-np2"
    for how in "mpi-np3 mpi 3" "mpi-ref reference" "ref-np1 mpi 1"; do
        read -r name cmd <<<"$how"
        src=$d/${name%%-*}/r.h5 dst=$d/$name
        mkdir -p "$dst"; cp "$src" "$dst/r.h5"
        # shellcheck disable=SC2086
        OMP_NUM_THREADS=2 at "$dst" $cmd run --resume r.h5 --quiet; resumed "run stopped after $k rounds, resumed ($name)" $? "$dst"
        pair "$work/run/full/r.h5" "$dst/r.h5" "run-stopped-after-$k-rounds-resumed-$name"
    done
done

batch=(batch "$S/release-deadline-options.yaml" -n 20000 -o r.h5 --quiet)
OMP_NUM_THREADS=1 at "$work/batch/full" reference "${batch[@]}" || bad "batch: the uninterrupted reference: exit $?"
for k in 3 10 20; do
    d=$work/batch/k$k
    OMP_NUM_THREADS=2 TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=$k at "$d" mpi 3 "${batch[@]}"; stopped "batch, -np 3 stopped after $k rounds" $? "$d/r.h5"
    OMP_NUM_THREADS=1 at "$d" mpi 2 batch --resume r.h5 --quiet; resumed "batch stopped after $k rounds, resumed at -np 2" $? "$d"
    pair "$work/batch/full/r.h5" "$d/r.h5" "batch-stopped-after-$k-rounds-np3-resumed-np2"
done

TYCHE_TEST_INTERRUPT_AFTER_ROUNDS=2 at "$work/sens" mpi 2 sensitivity "$S/ukraine-2014.yaml" -n 4096 \
    --method all --ignore-correlations -o r.h5 --quiet; rc=$?
[ $rc = 130 ] && [ ! -e "$work/sens/r.h5" ] && ok \
    || bad "sensitivity stopped at -np 2: exit $rc (want 130), file $([ -e "$work/sens/r.h5" ] && echo written || echo 'not written')"

# ---- 2. signals -----------------------------------------------------------------
big=(run "$S/geneva-2014.yaml" -n 100000000 -o r.h5 --quiet)
OMP_NUM_THREADS=2 at "$work/sig/full" reference "${big[@]}" || bad "signals: the uninterrupted reference: exit $?"
nbig=100000000

tree() { local p; for p in $(pgrep -P "$1"); do echo "$p"; tree "$p"; done; }
# signal NP SIG TARGET DIR [MPIRUN OPTIONS...]: start the big run at -np NP
# in DIR, wait until every rank has used 0.3 s of CPU (it is sampling, its
# handlers set), send SIG to the ranks (TARGET ranks) or to mpirun (TARGET
# mpirun); sets rc to mpirun's status.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
signal() {
    local np=$1 sig=$2 target=$3 d=$4; shift 4
    mkdir -p "$d"
    (cd "$d" && OMP_NUM_THREADS=1 launch "$np" "$@" tyche "${big[@]}" >out 2>err) &
    local sub=$! t p mpirun="" ranks=""
    local hz; hz=$(getconf CLK_TCK)
    for ((t = 0; t < 300; t++)); do   # up to 30 s for mpirun and its ranks to start
        sleep 0.1
        mpirun="" ranks=""
        local busy=1
        for p in $(tree "$sub"); do
            case $(ps -o comm= -p "$p") in
            tyche) ranks+="$p "; [ "$(cpu_ticks "$p")" -ge $((hz * 3 / 10)) ] || busy=0 ;;
            mpirun|mpiexec|orterun) mpirun=$p ;;
            esac
        done
        [ "$(wc -w <<<"$ranks")" = "$np" ] && [ $busy = 1 ] && break
    done
    if [ -z "$mpirun" ] || [ "$(wc -w <<<"$ranks")" != "$np" ]; then
        bad "signal $sig at -np $np: the ranks did not start (mpirun '$mpirun', ranks '$ranks')"
        kill "$sub" 2>/dev/null
    elif [ "$target" = ranks ]; then
        # shellcheck disable=SC2086
        kill -s "$sig" $ranks
    else
        kill -s "$sig" "$mpirun"
    fi
    wait $sub; rc=$?
}
# after_signal LABEL DIR RESUME_NP: stopped, part done, resumed to the reference.
after_signal() {
    local n; n=$(samples "$2/r.h5")
    [ "$(complete "$2/r.h5")" = 0 ] && [ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt $nbig ] && ok \
        || { bad "$1: complete=$(complete "$2/r.h5"), $n of $nbig samples (want complete=0 and a part): $(head -c 300 "$2/err")"; return; }
    echo "$1: stopped at $n of $nbig samples"
    OMP_NUM_THREADS=2 at "$2" mpi "$3" run --resume r.h5 --quiet; resumed "$1, resumed at -np $3" $? "$2"
    pair "$work/sig/full/r.h5" "$2/r.h5" "$(tr ' ,' '--' <<<"$1")-resumed-np$3"
}

signal 2 INT ranks "$work/sig/int"
[ "$rc" = 130 ] && ok || bad "SIGINT to the ranks of -np 2: mpirun exit $rc (want 130): $(head -c 300 "$work/sig/int/err")"
after_signal "SIGINT to the ranks of np 2" "$work/sig/int" 3

signal 3 TERM ranks "$work/sig/term"
[ "$rc" = 130 ] && ok || bad "SIGTERM to the ranks of -np 3: mpirun exit $rc (want 130): $(head -c 300 "$work/sig/term/err")"
after_signal "SIGTERM to the ranks of np 3" "$work/sig/term" 2

# mpirun's own handling: SIGCONT at once, SIGTERM after the grace period,
# SIGKILL after as much again. Its exit status is not tyche's to set.
signal 2 INT mpirun "$work/sig/mpirun" --mca odls_base_sigkill_timeout 2
echo "SIGINT to mpirun (grace 2 s): mpirun exit $rc"
after_signal "SIGINT to mpirun with a 2 s grace period" "$work/sig/mpirun" 3

compare_pairs
finish "$npairs interrupted or resumed files compared"
