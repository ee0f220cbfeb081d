#!/usr/bin/env bash
# Re-makes models/tomogan-general.onnx, the shipped model (README: "The shipped model"): simulates
# a varied corpus with `tomoedge simulate` and trains the TomoGAN generator on it with
# `tomoedge train` on the CPU, warm-started from the earlier single-condition model.
#   scripts/train-shipped-model.sh [WORKDIR]      (default out/shipped-model)
# Needs a build with libtorch (scripts/build.sh). About 1.5 h on 2 cores. Then
# scripts/make-shipped-int8.sh makes the int8 and int8 + Fine-Tune models from it.
# Environment: ITERATIONS (default 4000), THREADS (default 2). An interrupted run resumes from its
# last checkpoint when the script is run again (Adam has no schedule tied to the total, and batch k
# depends only on the seed and k, so a resumed run equals an uninterrupted one).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-out/shipped-model}
tomoedge=${TOMOEDGE:-build/src/cli/tomoedge}
iterations=${ITERATIONS:-4000}
threads=${THREADS:-2}
mkdir -p "$work"

# The corpus: 4 phantom families x 3 sizes, photon counts 100..10000 per pixel, every 1st..8th
# angle. Each set is one `simulate` run: 2 training volumes and 1 test volume (validation only).
# Slices per volume shrink with the size so that every set costs about the same to hold.
# Held out of it entirely (tools/generalisation_eval.sh): the layers family, the sizes 384 and 768,
# photon counts 150, 500, 700, 2000, 5000 and every 3rd, 5th or 6th angle.
#          family       size  photons  sparse
corpus=(  "foam         512   1000     4"
          "foam         256   100      1"
          "foam         1024  3000     8"
          "shepp-logan  256   300      2"
          "shepp-logan  512   100      8"
          "shepp-logan  1024  10000    1"
          "ellipses     256   10000    4"
          "ellipses     512   1000     1"
          "ellipses     1024  300      2"
          "fibres       256   3000     8"
          "fibres       512   10000    2"
          "fibres       1024  100      4" )
data=()
seed=100
for row in "${corpus[@]}"; do
  read -r family size photons sparse <<<"$row"
  slices=$(( size == 256 ? 32 : size == 512 ? 16 : 8 ))
  dir="$work/corpus/$family-$size-i$photons-s$sparse"
  seed=$((seed + 1))
  if [ ! -f "$dir/dataset.h5" ]; then
    "$tomoedge" simulate -o "$dir" --phantom "$family" --size "$size" --slices "$slices" --volumes 3 \
      --test-volumes 1 --i0 "$photons" --sparse "$sparse" --seed "$seed" --no-projections --threads "$threads" >/dev/null
  fi
  data+=("$dir/dataset.h5")
done

# Warm start: the single-condition model shipped before (foam, 1000 photons, every 4th angle,
# 512 x 512; its recipe is in its metadata), kept in the repository's history.
init="$work/init-tomogan-sim512.onnx"
[ -f "$init" ] || git show 866d6c9:models/tomogan-sim512.onnx > "$init"

resume=()
latest=$(ls "$work/checkpoints"/ckpt-*.pt 2>/dev/null | sort | tail -n 1 || true)
[ -n "$latest" ] && resume=(--resume "$latest")
/usr/bin/time -v "$tomoedge" train --data "${data[@]}" -o "$work/tomogan-general.onnx" --init "$init" "${resume[@]}" \
  --mse-only --iterations "$iterations" --patch 128 --batch 8 --lr 1e-4 --seed 1 --threads "$threads" \
  --val-every 200 --val-slices 1 --checkpoint "$work/checkpoints" --checkpoint-every 100 \
  2>&1 | tee -a "$work/train.log"

# Stage 2: 400 iterations of the adversarial recipe (`--recipe gan`: MSE + an adaptively weighted
# adversarial term from iteration 101) from the MSE model. It won against 400 more iterations of
# MSE from the same start on every held-out condition, in SSIM, PSNR and high-frequency power
# (tools/gan_recipe_eval.sh; README, "A TomoGAN recipe that trains"). One thread: bit-for-bit
# repeatable. The corpus in the order of the shell's glob, as that run had it.
"$tomoedge" train --recipe gan --init "$work/tomogan-general.onnx" --data "$work"/corpus/*/dataset.h5 \
  -o "$work/tomogan-general-gan.onnx" --iterations 400 --patch 128 --batch 8 --lr 1e-4 --seed 2 --threads 1 \
  --val-every 0 2>&1 | tee -a "$work/train.log"
cp "$work/tomogan-general-gan.onnx" models/tomogan-general.onnx
