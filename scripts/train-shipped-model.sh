#!/usr/bin/env bash
# Re-makes models/tomogan-sim512.onnx, the shipped model: simulates its training data with
# `tomoedge simulate` and trains it with `tomoedge train` on the CPU (README: "The shipped model").
#   scripts/train-shipped-model.sh [WORKDIR]      (default out/shipped-model)
# Needs a build with libtorch (scripts/build.sh). About 2 h on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-out/shipped-model}
tomoedge=build/src/cli/tomoedge
mkdir -p "$work"

# 512 x 512 foam phantoms: 5 training volumes, 1 held-out test volume, 32 slices each.
# Low dose = Poisson noise at 1000 photons/pixel on every 4th of the 808 views.
"$tomoedge" simulate -o "$work/data" --size 512 --volumes 6 --test-volumes 1 --slices 32 --seed 7

# The generator trained on MSE alone (Adam 1e-4). The full TomoGAN recipe (adversarial 20,
# MSE 0.5, 2 discriminator steps) diverged within 200 iterations on this data (README, "The
# shipped model"); no VGG19 weights ship, so there is no perceptual term either.
/usr/bin/time -v "$tomoedge" train --data "$work/data/dataset.h5" -o "$work/tomogan-sim512.onnx" \
  --mse-only --iterations 3000 --patch 256 --batch 4 --seed 1 --threads 2 \
  --val-every 100 --val-slices 4 --checkpoint "$work/checkpoints" --checkpoint-every 100 \
  2>&1 | tee "$work/train.log"
cp "$work/tomogan-sim512.onnx" models/tomogan-sim512.onnx
