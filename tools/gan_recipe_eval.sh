#!/usr/bin/env bash
# The adversarial recipe against MSE alone, from the same start, for the same iterations
# (README, "A TomoGAN recipe that trains"):
#   mse  train --recipe mse --init BASE   (the generator keeps training on MSE)
#   gan  train --recipe gan --init BASE   (MSE + the adaptive adversarial term after 100 iterations)
# both on the shipped model's corpus, then scored on the held-out conditions of
# tools/generalisation_eval.sh: SSIM, PSNR and the high-frequency power ratios (tools/spectrum.py).
#   tools/gan_recipe_eval.sh OUT BASE.onnx CORPUS_DIR
# Environment: ITERATIONS (default 600), THREADS (default 1 per arm; the arms run side by side).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${TOMOEDGE:-$here/../build/src/cli/tomoedge}
out=$1 base=$2 corpus=$3
iterations=${ITERATIONS:-600}
threads=${THREADS:-1}
mkdir -p "$out"
data=("$corpus"/*/dataset.h5)
for recipe in mse gan; do
  /usr/bin/time -f "%e s wall" -o "$out/$recipe.time" "$bin" train --recipe "$recipe" --init "$base" \
    --data "${data[@]}" -o "$out/$recipe.onnx" --iterations "$iterations" --patch 128 --batch 8 --lr 1e-4 \
    --seed 2 --threads "$threads" --val-every 0 > "$out/$recipe.log" 2>&1 &
done
wait
TOMOEDGE=$bin THREADS=2 "$here/generalisation_eval.sh" "$out/heldout" base="$base" mse="$out/mse.onnx" gan="$out/gan.onnx"
