#!/usr/bin/env bash
# Mutation testing of the decision core and the store's rule arithmetic (cargo-mutants): every
# mutant of the files named in .cargo/mutants.toml is built and tested with its own crate's tests,
# then a per-file table of caught / missed / unviable / timeout and the score
# caught / (caught + missed) is printed. Exits 1 when a file scores below MUTANTS_MIN_SCORE
# (default 90). Slow (every mutant is a build): not part of .ci/run; run it before a change to
# the decision core is resolved.
#
#   scripts/mutants.sh                     every file of .cargo/mutants.toml
#   scripts/mutants.sh FILE...             only these files (e.g. crates/tollgate-core/src/decide.rs)
#   scripts/mutants.sh [FILE...] -- ARGS   pass ARGS to cargo mutants (e.g. --baseline skip, --list)
#
# MUTANTS_JOBS (default 1) builds in parallel, each in its own copy of the tree; MUTANTS_OUT
# (default target/mutants) holds mutants.out/. Needs `cargo install --locked cargo-mutants`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo mutants --version >/dev/null 2>&1; then
    echo "cargo-mutants is not installed: cargo install --locked cargo-mutants" >&2
    exit 2
fi

files=()
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
    --)
        shift
        extra=("$@")
        break
        ;;
    *)
        files+=("$1")
        shift
        ;;
    esac
done

out=${MUTANTS_OUT:-target/mutants}
args=(-j "${MUTANTS_JOBS:-1}" -o "$out")
if [ ${#files[@]} -gt 0 ]; then
    # The config's file list would be added to -f, so it is not read; its other settings are
    # repeated here.
    args+=(--no-config --test-workspace=false)
    for f in "${files[@]}"; do args+=(-f "$f"); done
else
    mapfile -t files < <(sed -n '/^examine_globs/,/^]/p' .cargo/mutants.toml | grep -o '"[^"]*"' | tr -d '"')
fi

case " ${extra[*]-} " in
*" --list "* | *" --list-files "*)
    exec cargo mutants "${args[@]}" "${extra[@]}"
    ;;
esac

# Mutants build without debug information: faster links, same tests.
status=0
CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_TEST_DEBUG=0 \
    cargo mutants "${args[@]}" ${extra[@]+"${extra[@]}"} || status=$?
# cargo mutants: 0 all caught, 2 some missed, 3 some timed out; anything else is a failure.
case $status in
0 | 2 | 3) ;;
*)
    echo "cargo mutants failed (exit $status); see $out/mutants.out/debug.log" >&2
    exit "$status"
    ;;
esac

dir=$out/mutants.out
min=${MUTANTS_MIN_SCORE:-90}
count() { grep -c "^$2:" "$dir/$1.txt" 2>/dev/null || true; }
below=0
printf '\n| file | caught | missed | unviable | timeout | score |\n|---|---|---|---|---|---|\n'
for f in "${files[@]}"; do
    c=$(count caught "$f")
    m=$(count missed "$f")
    u=$(count unviable "$f")
    t=$(count timeout "$f")
    if [ $((c + m)) -gt 0 ]; then
        score=$(awk -v c="$c" -v m="$m" 'BEGIN { printf "%.1f", 100 * c / (c + m) }')
    else
        score=100.0
    fi
    printf '| %s | %s | %s | %s | %s | %s %% |\n' "$f" "$c" "$m" "$u" "$t" "$score"
    if awk -v s="$score" -v min="$min" 'BEGIN { exit !(s < min) }'; then below=1; fi
done
if [ -s "$dir/missed.txt" ]; then
    printf '\nmissed:\n'
    sed 's/^/  /' "$dir/missed.txt"
fi
if [ -s "$dir/timeout.txt" ]; then
    printf '\ntimed out:\n'
    sed 's/^/  /' "$dir/timeout.txt"
fi
if [ $below -ne 0 ]; then
    echo "a file scores below $min %" >&2
    exit 1
fi
