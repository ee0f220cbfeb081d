#!/usr/bin/env bash
# Issue 8's accuracy and cost table: mean SSIM and PSNR against the ground truth on the held-out
# test set for fp32, int8 and int8 + Fine-Tune, and the Fine-Tune net's share of the work on a
# 1024 x 1024 slice.
#
#   tools/finetune_accuracy.sh MODEL.onnx DATA.h5 [WORKDIR]
#
# MODEL is the fp32 model; DATA.h5 a TomoGAN dataset file (docs/DESIGN.md). The script quantizes MODEL
# (calibrated on train_ns), fine-tunes the int8 model on train_ns/train_gt, and evaluates all
# three on test_ns/test_gt. Environment: TOMOEDGE (binary; default build/src/cli/tomoedge),
# METHOD (calibration, default percentile), CALIB_SLICES (default 16), FT_SLICES (slices run
# through int8 for Fine-Tune training, default 16), FT_ITERATIONS (default 400), FT_PATCH (64),
# FT_BATCH (8), FP32_BACKEND (default onednn), INT8_BACKEND (default: what the runtime picks),
# THREADS (default 0 = all), TIME=1 also times generator, chained model and Fine-Tune net alone at
# 1024 x 1024 (bench, RUNS timed runs, default 5).
# Prints Markdown tables on stdout; models and volumes stay in WORKDIR.
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,17p' "$0" >&2
  exit 2
fi
model=$1
data=$2
work=${3:-$(mktemp -d)}
tomoedge=${TOMOEDGE:-build/src/cli/tomoedge}
method=${METHOD:-percentile}
threads=${THREADS:-0}
int8_backend=()
[ -n "${INT8_BACKEND:-}" ] && int8_backend=(--backend "$INT8_BACKEND")
mkdir -p "$work"

mean() { jq -r ".mean.$2" "$1"; }
evaluate() {  # name model [backend args...]
  local name=$1 m=$2
  shift 2
  "$tomoedge" denoise "$m" "$data:test_ns" "$work/$name.h5:dn" --dtype f32 --threads "$threads" "$@" >/dev/null
  "$tomoedge" compare "$work/$name.h5:dn" "$data:test_gt" --json >"$work/${name}_vs_gt.json"
}

"$tomoedge" quantize "$model" --calib "$data:train_ns" --slices "${CALIB_SLICES:-16}" --method "$method" \
  -o "$work/int8.onnx" --threads "$threads" >"$work/quantize.txt"
"$tomoedge" finetune "$work/int8.onnx" --data "$data" -o "$work/int8-ft.onnx" --save-net "$work/ft-only.onnx" --slices "${FT_SLICES:-16}" \
  --iterations "${FT_ITERATIONS:-400}" --patch "${FT_PATCH:-64}" --batch "${FT_BATCH:-8}" --threads "$threads" \
  "${int8_backend[@]}" --json >"$work/finetune.json"

evaluate fp32 "$model" --backend "${FP32_BACKEND:-onednn}"
evaluate int8 "$work/int8.onnx" "${int8_backend[@]}"
evaluate int8-ft "$work/int8-ft.onnx" "${int8_backend[@]}"

echo "| model | SSIM | PSNR (dB) | SSIM - fp32 |"
echo "|---|---|---|---|"
fp32_ssim=$(mean "$work/fp32_vs_gt.json" ssim)
for name in fp32 int8 int8-ft; do
  ssim=$(mean "$work/${name}_vs_gt.json" ssim)
  printf '| %s | %.4f | %.2f | %+.4f |\n' "$name" "$ssim" "$(mean "$work/${name}_vs_gt.json" psnr)" \
    "$(echo "$ssim - $fp32_ssim" | bc -l)"
done
echo
jq -r '"Fine-Tune training: loss \(.loss_first) -> \(.loss_last) over \(.iterations) iterations; " +
  "MACs at 1024x1024: generator \(.macs_1024.generator), Fine-Tune \(.macs_1024.finetune) " +
  "(\(.macs_1024.share_percent * 1000 | round / 1000)%)"' "$work/finetune.json"

if [ "${TIME:-0}" = 1 ]; then
  # Time shares on one 1024 x 1024 slice: the generator, the chained model, and the Fine-Tune net
  # alone (what it adds when chained, as the paper ran it apart).
  echo
  echo "| 1024 x 1024, int8 (${INT8_BACKEND:-default backend}) | median (s) |"
  echo "|---|---|"
  for name in int8 int8-ft ft-only; do
    t=$("$tomoedge" bench "$work/$name.onnx" --size 1024 --runs "${RUNS:-5}" --warmup 1 --threads "$threads" \
      "${int8_backend[@]}" --json 2>/dev/null | jq -r '.median_s')
    printf '| %s | %s |\n' "$name" "$t"
  done
fi
