#!/usr/bin/env bash
# Re-makes the int8 pair of the shipped trio from models/tomogan-general.onnx (README: "The
# shipped model"): int8 by `tomoedge quantize` (percentile 99.99, range equalization, bias
# correction: the defaults), then int8 + Fine-Tune by `tomoedge finetune`. Calibration and
# Fine-Tune data mix the 512 x 512 sets of the training corpus (every phantom family, photon
# counts 100..10000, every 1st..8th angle) made by scripts/train-shipped-model.sh.
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

# Calibrated on noisy and clean slices alike (tools/mix_datasets.py says why).
"$tomoedge" quantize models/tomogan-general.onnx --calib "$mixed:calib" --slices 16 --threads "$threads" \
  -o models/tomogan-general-int8.onnx
"$tomoedge" finetune models/tomogan-general-int8.onnx --data "$mixed" --slices 32 --iterations 3000 --patch 64 \
  --batch 16 --threads "$threads" -o models/tomogan-general-int8-ft.onnx
