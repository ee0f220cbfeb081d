#!/usr/bin/env bash
# What the paper's tiling (--tile 64 --halo 0: 256 independent 64 x 64 tiles, stitched) costs in
# quality, against the whole-image output of the same model, on a simulated 1024 x 1024 slice; and
# the same check for seam-free tiling at the default tile size. Writes into docs/:
#   tiling_seams_<label>.json     SSIM, border vs interior error (paper mode)
#   tiling_seams_<label>.png      whole | stitched | |stitched - whole| x GAIN (top-left 256 x 256)
#   tiling_seamfree_<label>.json  the same numbers for --tile 512 with the default halo
# usage: tools/tiling_seams.sh [MODEL.onnx]   (no MODEL: a random-weight TomoGAN, label "random")
# env: TOMOEDGE (binary, default build/src/cli/tomoedge), GAIN (default 10), THREADS (default 0 = all)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${TOMOEDGE:-build/src/cli/tomoedge}
GAIN=${GAIN:-10}
THREADS=${THREADS:-0}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ $# -ge 1 ]; then
    MODEL=$1
    LABEL=$(basename "$MODEL" .onnx)
else
    "$BIN" model-init -o "$WORK/random.onnx" --seed 0 > /dev/null
    MODEL=$WORK/random.onnx
    LABEL=random
fi
# Three adjacent slices; slice 1 (the middle) is measured.
"$BIN" simulate -o "$WORK/sim.h5" --size 1024 --slices 3 --volumes 2 --test-volumes 1 --angles 512 --sparse 8 \
    --no-projections --seed 7 --threads "$THREADS" > /dev/null
run() { "$BIN" denoise "$MODEL" "$WORK/sim.h5:test_ns" "$WORK/$1.h5:dn" --threads "$THREADS" "${@:2}" 2> /dev/null > /dev/null; }
run whole
run paper --tile 64 --halo 0 --batch 16
run seamfree --tile 512
"$BIN" seams "$WORK/paper.h5:dn" "$WORK/whole.h5:dn" --tile 64 --slice 1 --gain "$GAIN" \
    --png "docs/tiling_seams_$LABEL.png" --json > "docs/tiling_seams_$LABEL.json"
"$BIN" seams "$WORK/seamfree.h5:dn" "$WORK/whole.h5:dn" --tile 512 --slice 1 --json > "docs/tiling_seamfree_$LABEL.json"
"$BIN" seams "$WORK/paper.h5:dn" "$WORK/whole.h5:dn" --tile 64 --slice 1
"$BIN" seams "$WORK/seamfree.h5:dn" "$WORK/whole.h5:dn" --tile 512 --slice 1
