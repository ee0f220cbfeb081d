#!/usr/bin/env bash
# Zero-shot evaluation of models on conditions held out of the shipped model's training corpus
# (scripts/train-shipped-model.sh): a phantom family it never saw (layers), sizes it never saw
# (384, 768), photon counts and angle subsamplings it never saw. Each condition is one test volume
# (8 slices) made by `tomoedge simulate` with seeds the corpus does not use; every model denoises
# it with `tomoedge denoise` (default backend, fp32 or int8 as the model is) and is scored against
# the noise-free normal-dose reconstruction beside the Gaussian and median filters at their best
# parameter on this very volume (an oracle choice: tools/restoration_table.py).
#   tools/generalisation_eval.sh OUT NAME=MODEL.onnx [NAME=MODEL.onnx ...]
# Writes OUT/<condition>/TABLE.json and TABLE.md, and OUT/summary.md (tools/generalisation_table.py).
# Environment: FILTERS (default gaussian,median; none: models only, to add models to an earlier
# run of the same OUT), TABLE (default table), THREADS (default 2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${TOMOEDGE:-$here/../build/src/cli/tomoedge}
out=$1
shift
filters=${FILTERS:-gaussian,median}
threads=${THREADS:-2}
table=${TABLE:-table}
mkdir -p "$out"
#            family     size photons sparse seed
conditions=("layers     512  500     3      901"
            "layers     256  5000    6      902"
            "layers     768  150     2      903"
            "foam       768  2000    6      904"
            "ellipses   384  700     5      905"
            "fibres     384  150     3      906"
            "shepp-logan 768 5000    5      907")
for row in "${conditions[@]}"; do
  read -r family size photons sparse seed <<<"$row"
  name="$family-$size-i$photons-s$sparse"
  case $sparse in 1) suffix=st ;; 2) suffix=nd ;; 3) suffix=rd ;; *) suffix=th ;; esac
  d="$out/$name"
  mkdir -p "$d"
  [ -f "$d/data.h5" ] || "$bin" simulate -o "$d/data.h5" --phantom "$family" --size "$size" --slices 8 --volumes 2 \
    --test-volumes 1 --i0 "$photons" --sparse "$sparse" --seed "$seed" --threads "$threads" >/dev/null 2>&1
  models=()
  for spec in "$@"; do
    label=${spec%%=*}
    model=${spec#*=}
    "$bin" denoise --threads "$threads" "$model" "$d/data.h5:test_ns" "$d/$label.h5:dn" >/dev/null 2>&1
    models+=(--model "$label=$d/$label.h5:dn")
  done
  /usr/bin/python3 "$here/restoration_table.py" --reference "$d/data.h5:test_gt" --noisy "$d/data.h5:test_ns" \
    --filters "$filters" "${models[@]}" --json "$d/$table.json" \
    --title "$family, $size x $size, $photons photons, every ${sparse}${suffix} angle (8 slices)" > "$d/$table.md"
  echo "generalisation_eval: $name done" >&2
done
/usr/bin/python3 "$here/generalisation_table.py" "$out"/*/*.json > "$out/summary.md"
cat "$out/summary.md"
