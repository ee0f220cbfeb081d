#!/usr/bin/env bash
# Re-makes the int8 pair of the shipped trio from models/tomogan-general.onnx (README: "The
# shipped model"): int8 by `tomoedge quantize` (percentile 99.99, range equalization, bias
# correction: the defaults), then int8 + Fine-Tune by `tomoedge finetune`, from the training
# corpus made by scripts/train-shipped-model.sh.
# Calibration: 16 slices of one mid-noise set (foam, 1000 photons, every 4th angle). Calibrated on a
# mix of all the 512 x 512 sets instead (100..10000 photons, with or without the clean slices), the
# noisiest sets widened the activation ranges and int8 lost 6-8 dB of PSNR against fp32 on
# low-noise scans (held-out foam at 768 x 768: 31.4 dB against fp32's 38.4; this one: 38.0).
# Fine-Tune: pairs from every 512 x 512 set of the corpus (tools/mix_datasets.py).
#   scripts/make-shipped-int8.sh [WORKDIR]      (default out/shipped-model, as that script)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-out/shipped-model}
tomoedge=${TOMOEDGE:-build/src/cli/tomoedge}
threads=${THREADS:-2}
mixed="$work/mixed512.h5"
sets=("$work"/corpus/*-512-*/dataset.h5)
[ -f "${sets[0]}" ] || { echo "make-shipped-int8.sh: no corpus in $work (run scripts/train-shipped-model.sh)" >&2; exit 1; }
/usr/bin/python3 tools/mix_datasets.py "$mixed" --train-slices 8 --test-slices 4 "${sets[@]}"

"$tomoedge" quantize models/tomogan-general.onnx --calib "$work/corpus/foam-512-i1000-s4/dataset.h5:train_ns" \
  --slices 16 --threads "$threads" \
  -o models/tomogan-general-int8.onnx
"$tomoedge" finetune models/tomogan-general-int8.onnx --data "$mixed" --slices 32 --iterations 3000 --patch 64 \
  --batch 16 --threads "$threads" -o models/tomogan-general-int8-ft.onnx
