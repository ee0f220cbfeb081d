#!/usr/bin/env bash
# The README's int8 accuracy table (issue 6, "Accuracy"): one row per calibration method, mean
# SSIM and PSNR against the ground truth for fp32 and int8, and the SSIM of int8 against fp32.
#
#   tools/quant_accuracy.sh MODEL.onnx DATA.h5 [WORKDIR]
#
# DATA.h5 is a TomoGAN dataset file (docs/DESIGN.md): the int8 models are calibrated on train_ns and
# evaluated on the held-out test_ns / test_gt. Environment: TOMOEDGE (the binary; default
# build/src/cli/tomoedge), SLICES (calibration slices, default 16), METHODS (default all four),
# FP32_BACKEND (default onednn), INT8_BACKEND (default reference), THREADS (default 0 = all).
# Prints a Markdown table on stdout; intermediate models and volumes stay in WORKDIR.
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,12p' "$0" >&2
  exit 2
fi
model=$1
data=$2
work=${3:-$(mktemp -d)}
tomoedge=${TOMOEDGE:-build/src/cli/tomoedge}
slices=${SLICES:-16}
methods=${METHODS:-minmax percentile mse entropy}
threads=${THREADS:-0}
mkdir -p "$work"

mean() { jq -r ".mean.$2" "$1"; }

"$tomoedge" denoise "$model" "$data:test_ns" "$work/fp32.h5:dn" --dtype f32 --backend "${FP32_BACKEND:-onednn}" \
  --threads "$threads" >/dev/null
"$tomoedge" compare "$work/fp32.h5:dn" "$data:test_gt" --json >"$work/fp32_vs_gt.json"

echo "| method | fp32 SSIM | fp32 PSNR (dB) | int8 SSIM | int8 PSNR (dB) | int8 vs fp32 SSIM |"
echo "|---|---|---|---|---|---|"
for m in $methods; do
  "$tomoedge" quantize "$model" --calib "$data:train_ns" --slices "$slices" --method "$m" \
    -o "$work/int8-$m.onnx" --threads "$threads" >"$work/quantize-$m.txt"
  "$tomoedge" denoise "$work/int8-$m.onnx" "$data:test_ns" "$work/int8-$m.h5:dn" --dtype f32 \
    --backend "${INT8_BACKEND:-reference}" --threads "$threads" >/dev/null
  "$tomoedge" compare "$work/int8-$m.h5:dn" "$data:test_gt" --json >"$work/int8-${m}_vs_gt.json"
  "$tomoedge" compare "$work/int8-$m.h5:dn" "$work/fp32.h5:dn" --json >"$work/int8-${m}_vs_fp32.json"
  printf '| %s | %.4f | %.2f | %.4f | %.2f | %.4f |\n' "$m" \
    "$(mean "$work/fp32_vs_gt.json" ssim)" "$(mean "$work/fp32_vs_gt.json" psnr)" \
    "$(mean "$work/int8-${m}_vs_gt.json" ssim)" "$(mean "$work/int8-${m}_vs_gt.json" psnr)" \
    "$(mean "$work/int8-${m}_vs_fp32.json" ssim)"
done
