#!/usr/bin/env bash
# README command 1: set everything up on a fresh Debian 12 machine and run the main job on
# embedded defaults, writing into out/demo/.
#
# What it runs today (honestly limited: no trained model ships yet, see README "Status"):
#   1. simulate a small low-dose / normal-dose dataset (foam phantom, Data Exchange scans + pairs)
#   2. reconstruct the low-dose test scan by FBP from its Data Exchange file (centre found automatically)
#   3. measure the noisy input against the ground truth (SSIM / PSNR): the baseline a model must beat
#   4. time the TomoGAN generator (random weights: speed only, never images) on one 1024 x 1024
#      slice, fp32 and bf16, 2 threads
set -euo pipefail
cd "$(dirname "$0")/.."
TOMOEDGE_EDGE=1 scripts/build.sh >/dev/null
tomoedge=build-edge/src/cli/tomoedge
out=out/demo
mkdir -p "$out"

echo "== 1. simulate (256 x 256, 4 volumes x 32 slices; low dose = 1000 photons and every 4th angle)"
"$tomoedge" simulate -o "$out/sim" --preview "$out/phantom_lowdose_normaldose.png"
"$tomoedge" info "$out/sim/dataset.h5"

echo
echo "== 2. FBP of the low-dose test scan from Data Exchange projections (auto centre of rotation)"
lowdose_scan=$(ls "$out"/sim/projections/*lowdose.h5 | tail -n 1)
"$tomoedge" recon "$lowdose_scan" -o "$out/recon_lowdose.h5:recon" --center auto
"$tomoedge" info "$out/recon_lowdose.h5"

echo
echo "== 3. noisy input vs ground truth (the baseline a denoiser must beat)"
"$tomoedge" compare "$out/sim/dataset.h5:test_ns" "$out/sim/dataset.h5:test_gt"

echo
echo "== 4. TomoGAN generator speed, one 1024 x 1024 slice, 2 threads (random weights: timing only)"
"$tomoedge" model-init -o "$out/tomogan-random.onnx"
"$tomoedge" bench "$out/tomogan-random.onnx" --size 1024 --precision fp32 --threads 2 --runs 3
"$tomoedge" bench "$out/tomogan-random.onnx" --size 1024 --precision bf16 --threads 2 --runs 3

echo
echo "Wrote $out/ (dataset, projections, reconstruction, preview PNG)."
