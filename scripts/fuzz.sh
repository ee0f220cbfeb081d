#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer + ASan + UBSan (docs/reliability/fuzzing.md).
#   scripts/fuzz.sh                 every harness for 30 s
#   scripts/fuzz.sh 600 hdf5 cli    those harnesses for 600 s each
#   FUZZ_NO_BUILD=1 scripts/fuzz.sh reuse build-fuzz as it is
#   FUZZ_KEEP_GOING=1 scripts/fuzz.sh 3600 hdf5   long runs: a child process per job (-fork=1) that
#                                   records a crash, OOM or hang and goes on (still exits non-zero)
# Builds the harnesses of fuzz/ with clang into build-fuzz (TOMOEDGE_FUZZ=ON,
# TOMOEDGE_SANITIZE=address,undefined, no libtorch), then runs each on its committed corpus
# (fuzz/corpus/<h>, fuzz/regressions/<h>) plus a working corpus in build-fuzz/corpus/<h> that
# keeps what earlier runs found. Limits: -rss_limit_mb=2048 (also the malloc limit), -timeout=10.
# Prints executions, coverage (cov: edges, ft: features) and corpus size per harness. Exits
# non-zero if any harness found a crash, sanitizer report, leak, hang or huge allocation; the
# input is kept in build-fuzz/findings/<h>/ (fix the bug, then copy it to fuzz/regressions/<h>/).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
all=(onnx_import qdq_program tflite_verify tiff_stack hdf5 cli)
harnesses=("${all[@]}")
[ $# -eq 0 ] || harnesses=("$@")
build=build-fuzz

if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
  scripts/install-deps.sh --fuzz || exit 2  # quiet when everything is there
  cmake -S . -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
        -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DTOMOEDGE_WITH_TORCH=OFF \
        -DTOMOEDGE_BUILD_PYTHON=OFF -DTOMOEDGE_BUILD_BENCH=OFF -DTOMOEDGE_FUZZ=ON \
        -DTOMOEDGE_SANITIZE=address,undefined >/dev/null || exit 2
  cmake --build "$build" -j"$(nproc)" --target "${harnesses[@]/#/fuzz_}" || exit 2
fi

# Leaks are bugs too; UBSan reports stop the run with a stack. malloc returns NULL for sizes past
# ASan's 1 TB (as glibc does for impossible sizes): libhdf5 asks for such sizes from damaged headers
# and handles NULL. Our own code cannot hide behind this: Tensor sizes are checked first
# (core/memory_limit.hpp), and a failing operator new throws std::bad_alloc, which the harnesses
# report. Anything between 2 GB and 1 TB is still reported by libFuzzer (-malloc_limit_mb).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0}  # libhdf5's own leaks

declare -A dicts=([onnx_import]=onnx [qdq_program]= [tflite_verify]= [tiff_stack]=tiff [hdf5]=hdf5 [cli]=cli)
failed=0
rows=()
for h in "${harnesses[@]}"; do
  work=$build/corpus/$h findings=$build/findings/$h log=$build/logs/$h.log
  mkdir -p "$work" "$findings" "$(dirname "$log")"
  inputs=("$work" "fuzz/corpus/$h")
  [ -d "fuzz/regressions/$h" ] && inputs+=("fuzz/regressions/$h")
  keep_going=()
  [ "${FUZZ_KEEP_GOING:-0}" = 1 ] && keep_going=(-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1)
  dict=()
  [ -n "${dicts[$h]:-}" ] && dict=("-dict=fuzz/dict/${dicts[$h]}.dict")
  echo "fuzz.sh: $h for ${seconds} s (log: $log)" >&2
  start=$(date +%s)
  stamp=$(mktemp) && touch "$stamp"  # findings of this run only
  "$build/fuzz/fuzz_$h" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$findings/" "${keep_going[@]}" "${dict[@]}" "${inputs[@]}" >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || true)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' <<<"$last" | tr -d '#')  # -fork=1 prints no final stats
  cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
  ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
  corp=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' <<<"$last" | cut -d' ' -f2 || true)
  status=ok
  found=$(find "$findings" -type f -newer "$stamp" | wc -l)
  rm -f "$stamp"
  if [ $rc -ne 0 ] || [ "$found" -gt 0 ]; then
    status="FAILED (rc $rc, $found in $findings): $(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|deadly signal' "$log" | cut -c1-120)"
    failed=1
  fi
  rows+=("$(printf '%-14s %7ss %12s %7s %8s %10s  %s' "$h" "$took" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$status")")
done

printf '%-14s %8s %12s %7s %8s %10s  %s\n' harness time executions cov ft corpus status
printf '%s\n' "${rows[@]}"
[ $failed -eq 0 ] || echo "fuzz.sh: findings in $build/findings/ (logs in $build/logs/)" >&2
exit $failed
