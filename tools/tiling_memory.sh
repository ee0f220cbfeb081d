#!/usr/bin/env bash
# Peak memory (and wall time) of `tomoedge denoise` on a 4096 x 4096 volume of 3 slices (f32),
# whole image vs tiles, measured with /usr/bin/time -v: the issue's "4096 x 4096 tiled int8 in
# <= 300 MB" target. Each configuration runs RUNS times; the table shows the median wall time and
# the largest peak RSS, and the run's load average. Also checks that tiled output equals the
# whole-image output (int8: bit for bit).
# usage: tools/tiling_memory.sh [MODEL.onnx]   (default models/tomogan-general-int8.onnx)
# env: TOMOEDGE (binary, default build/src/cli/tomoedge), RUNS (default 3), THREADS (default 2),
#      WORK (folder for the input and outputs, default a temporary one), CONFIGS (';'-separated
#      flag sets, default below; an empty set is the whole image)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${TOMOEDGE:-build/src/cli/tomoedge}
MODEL=${1:-models/tomogan-general-int8.onnx}
RUNS=${RUNS:-3}
THREADS=${THREADS:-2}
CONFIGS=${CONFIGS:-"; --tile 512; --tile 512 --workers 1; --tile 256; --tile 1024"}
if [ -n "${WORK:-}" ]; then mkdir -p "$WORK"; else WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT; fi
IN=$WORK/sim4096.h5
[ -f "$IN" ] || "$BIN" simulate -o "$IN" --size 4096 --slices 3 --volumes 2 --test-volumes 1 --angles 256 \
    --sparse 4 --no-projections --seed 7 --threads "$THREADS" > /dev/null
echo "binary $BIN, model $MODEL, input $IN:test_ns (3 x 4096 x 4096 f32), --threads $THREADS, $RUNS runs"
printf '%-32s %12s %14s %10s %s\n' flags "peak RSS MB" "median wall s" load "equal to whole"
IFS=';' read -ra SETS <<< "$CONFIGS"
for set in "${SETS[@]}"; do
    read -ra flags <<< "$set"
    name=$(echo "$set" | xargs)
    [ -n "$name" ] || name="whole image"
    out=$WORK/out-$(echo "$name" | tr -c 'a-z0-9' '_').h5
    peak=0
    walls=()
    for ((r = 0; r < RUNS; r++)); do
        /usr/bin/time -v "$BIN" denoise "$MODEL" "$IN:test_ns" "$out:dn" --threads "$THREADS" "${flags[@]}" \
            > /dev/null 2> "$WORK/time.txt"
        kb=$(awk '/Maximum resident/ {print $NF}' "$WORK/time.txt")
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$WORK/time.txt")
        peak=$((kb > peak ? kb : peak))
        walls+=("$wall")
    done
    median=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
    load=$(cut -d' ' -f1 /proc/loadavg)
    same=-
    if [ "$name" = "whole image" ]; then
        whole=$out
    elif [ -n "${whole:-}" ]; then
        same=$("$BIN" compare "$out:dn" "$whole:dn" --json |
            python3 -c 'import json, sys; m = json.load(sys.stdin)["mean"]["mse"]; print("yes" if m == 0 else f"no (mse {m:.3g})")')
    fi
    printf '%-32s %12d %14s %10s %s\n' "$name" $((peak / 1024)) "$median" "$load" "$same"
done
