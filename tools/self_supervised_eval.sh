#!/usr/bin/env bash
# Noise2Inverse against supervised training and classical filters, on scans `tomoedge simulate`
# makes (issue 15). For each setting, one low-dose scan is "the user's scan":
#   n2i         train --self-supervised on the scan alone (its normal dose is never read)
#   supervised  train --mse-only on the same scan's low/normal-dose pairs (an upper bound a
#               beamline user rarely has), the same iterations, patch, batch and seed
#   shipped     models/tomogan-general.onnx zero-shot
# Noise2Inverse is applied two ways: the paper's (the network on each of the K leave-one-out
# reconstructions, predictions averaged: tools/n2i_paper_inference.py, each input on the full
# reconstruction's window, as in training; and, for comparison, `denoise` on each leave-one-out
# file with that file's own window) and the edge variant (the network once on the full
# reconstruction, what `denoise` does). Everything is scored against the noise-free normal-dose
# reconstruction beside the classical filters at their best parameter (tools/restoration_table.py).
#
#   ITERATIONS=3000 PATCH=64 BATCH=4 LR=5e-4 SPLITS=4 tools/self_supervised_eval.sh OUTDIR [SETTING...]
# Settings: dose1000 (1000 photons, all angles), dose200 (200 photons), sparse4 (1000 photons,
# every 4th angle). Writes OUTDIR/SETTING/table.md and table.json.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: self_supervised_eval.sh OUTDIR [SETTING...]}
shift
settings=("$@")
[ ${#settings[@]} -gt 0 ] || settings=(dose1000 dose200 sparse4)
bin=${TOMOEDGE:-$here/build/src/cli/tomoedge}
iterations=${ITERATIONS:-300}
patch=${PATCH:-96}
batch=${BATCH:-4}
threads=${THREADS:-2}
splits=${SPLITS:-4}
size=${SIZE:-256}
slices=${SLICES:-16}
lr=${LR:-5e-4}
common=(--iterations "$iterations" --patch "$patch" --batch "$batch" --lr "$lr" --threads "$threads" --seed 1 --json)

for setting in "${settings[@]}"; do
  case "$setting" in
    dose1000) sim=(--i0 1000 --sparse 1) ;;
    dose200) sim=(--i0 200 --sparse 1) ;;
    sparse4) sim=(--i0 1000 --sparse 4) ;;
    *) echo "unknown setting $setting" >&2; exit 2 ;;
  esac
  d=$out/$setting
  mkdir -p "$d"
  echo "== $setting: simulate" >&2
  "$bin" simulate -o "$d" --size "$size" --slices "$slices" --volumes 2 --test-volumes 1 --seed 21 \
    --projections "$d/scans" "${sim[@]}" >/dev/null
  scan=$d/scans/v000_lowdose.h5  # the train split's volume: train_ns/train_gt are its pair
  "$bin" recon "$scan" -o "$d/full.h5:recon" >/dev/null

  echo "== $setting: Noise2Inverse ($iterations iterations)" >&2
  /usr/bin/time -f "%e s wall" -o "$d/n2i.time" "$bin" train --self-supervised --scan "$scan" --splits "$splits" \
    --reference "$d/dataset.h5:train_gt" --val-every "$iterations" --val-slices "$slices" "${common[@]}" \
    -o "$d/n2i.onnx" >"$d/n2i.json"
  echo "== $setting: supervised ($iterations iterations)" >&2
  /usr/bin/time -f "%e s wall" -o "$d/supervised.time" "$bin" train --mse-only --data "$d/dataset.h5" \
    --val-every "$iterations" --val-slices "$slices" "${common[@]}" -o "$d/supervised.onnx" >"$d/supervised.json"

  echo "== $setting: inference" >&2
  "$bin" denoise "$d/n2i.onnx" "$d/full.h5:recon" "$d/n2i_edge.h5:dn" >/dev/null
  "$bin" denoise "$d/supervised.onnx" "$d/full.h5:recon" "$d/supervised.h5:dn" >/dev/null
  "$bin" denoise "$here/models/tomogan-general.onnx" "$d/full.h5:recon" "$d/shipped.h5:dn" >/dev/null
  parts=()
  x1s=()
  for ((j = 0; j < splits; j++)); do
    "$bin" recon "$scan" --split "$splits" --leave-out "$j" -o "$d/x1_$j.h5:recon" >/dev/null
    "$bin" denoise "$d/n2i.onnx" "$d/x1_$j.h5:recon" "$d/n2i_x1_$j.h5:dn" >/dev/null
    parts+=("$d/n2i_x1_$j.h5:dn")
    x1s+=("$d/x1_$j.h5:recon")
  done
  PYTHONPATH=$here/build/python /usr/bin/python3 "$here/tools/n2i_paper_inference.py" "$d/n2i.onnx" \
    "$d/full.h5:recon" "${x1s[@]}" -o "$d/n2i_paper.h5:dn"
  echo "== $setting: scores" >&2
  /usr/bin/python3 "$here/tools/restoration_table.py" --reference "$d/dataset.h5:train_gt" --noisy "$d/full.h5:recon" \
    --model "Noise2Inverse, edge (network once on the full reconstruction)=$d/n2i_edge.h5:dn" \
    --model "Noise2Inverse, paper (mean of $splits leave-one-out predictions, full reconstruction's window)=$d/n2i_paper.h5:dn" \
    --mean "Noise2Inverse, paper, each input on its own window (denoise per file)=$(IFS=,; echo "${parts[*]}")" \
    --model "supervised on the same scan's normal dose=$d/supervised.h5:dn" \
    --model "shipped model, zero-shot=$d/shipped.h5:dn" \
    --title "$setting: $(printf '%s ' "${sim[@]}")$size x $size, $slices slices; K = $splits; $iterations iterations, patch $patch, batch $batch, lr $lr" \
    --json "$d/table.json" | tee "$d/table.md"
done
