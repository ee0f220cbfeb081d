#!/usr/bin/env bash
# What a short fine-tune of the shipped model gains on a scan unlike its training data, against
# training from scratch for the same iterations (issue 15, part 2). The scan: a Shepp-Logan head
# (the shipped model saw only foams), 200 photons per pixel (it saw 1000), every 2nd angle (it saw
# every 4th), 256 x 256 (it saw 512). Both runs are self-supervised (Noise2Inverse) on that scan
# alone, same iterations, patch, batch, seed; the shipped model zero-shot and the classical filters
# at their best parameter are scored beside them against the noise-free normal-dose reconstruction.
#
#   ITERATIONS=400 tools/warm_start_eval.sh OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
d=${1:?usage: warm_start_eval.sh OUTDIR}
bin=${TOMOEDGE:-$here/build/src/cli/tomoedge}
shipped=${MODEL:-$here/models/tomogan-general.onnx}
iterations=${ITERATIONS:-400}
common=(--self-supervised --iterations "$iterations" --patch 64 --batch 4 --lr "${LR:-5e-4}" --threads "${THREADS:-2}"
        --seed 1 --val-every "$iterations" --json)
mkdir -p "$d"
"$bin" simulate -o "$d" --phantom shepp-logan --size 256 --slices 16 --volumes 2 --test-volumes 1 --i0 200 --sparse 2 \
  --seed 5 --projections "$d/scans" >/dev/null
scan=$d/scans/v000_lowdose.h5
"$bin" recon "$scan" -o "$d/full.h5:recon" >/dev/null
for run in scratch warm; do
  init=()
  [ "$run" = warm ] && init=(--init "$shipped")
  /usr/bin/time -f "%e" -o "$d/$run.time" "$bin" train "${common[@]}" "${init[@]}" --scan "$scan" \
    --reference "$d/dataset.h5:train_gt" -o "$d/$run.onnx" >"$d/$run.json"
  "$bin" denoise "$d/$run.onnx" "$d/full.h5:recon" "$d/$run.h5:dn" >/dev/null
done
"$bin" denoise "$shipped" "$d/full.h5:recon" "$d/shipped.h5:dn" >/dev/null
/usr/bin/python3 "$here/tools/restoration_table.py" --reference "$d/dataset.h5:train_gt" --noisy "$d/full.h5:recon" \
  --model "shipped model, zero-shot=$d/shipped.h5:dn" \
  --model "Noise2Inverse from scratch, $iterations iterations ($(cat "$d/scratch.time") s)=$d/scratch.h5:dn" \
  --model "Noise2Inverse warm start from the shipped model, $iterations iterations ($(cat "$d/warm.time") s)=$d/warm.h5:dn" \
  --title "Shepp-Logan head, 256 x 256, 16 slices, 200 photons, every 2nd angle" --json "$d/table.json" | tee "$d/table.md"
