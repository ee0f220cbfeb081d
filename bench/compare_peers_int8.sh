#!/usr/bin/env bash
# One benchmark run of our int8 path (oneDNN backend on a QDQ model) against ONNX Runtime (CPU EP)
# on the SAME QDQ file, with our fp32 on the fp32 file in the same run. The model is the random
# TomoGAN of `tomoedge model-init`, quantized by `tomoedge quantize` (u8 activations, minmax) on
# slices from `tomoedge simulate`. Prints medians and ratios, writes docs/bench/int8_vs_ort.json.
#   bench/compare_peers_int8.sh [BUILD_DIR]   env: SIZE=1024 RUNS=7 THREADS=2 ROUNDS=1 OUT=...
# Needs onnxruntime-node (scripts/install-peers.sh) and node; bench/ort_time.js times ONNX Runtime
# (ORT_RUNNER overrides it). The machine is shared: compare the ratios of one run, and note the
# load average printed with them.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
tomoedge=${TOMOEDGE:-$build/src/cli/tomoedge}
size=${SIZE:-1024}
runs=${RUNS:-7}
threads=${THREADS:-2}
rounds=${ROUNDS:-1}
out=${OUT:-docs/bench/int8_vs_ort.json}
runner=${ORT_RUNNER:-bench/ort_time.js}
peers=tools/peers/node_modules

[ -x "$tomoedge" ] || { echo "compare_peers_int8.sh: $tomoedge not built" >&2; exit 1; }
[ -d "$peers/onnxruntime-node" ] || { echo "compare_peers_int8.sh: run scripts/install-peers.sh first" >&2; exit 1; }
[ -f "$runner" ] || { echo "compare_peers_int8.sh: ONNX Runtime runner $runner not found (set ORT_RUNNER)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$tomoedge" model-init -o "$work/tomogan.onnx" --json >/dev/null
"$tomoedge" simulate -o "$work/sim.h5" --size 256 --slices 8 --volumes 2 --no-projections \
  --json >/dev/null
"$tomoedge" quantize "$work/tomogan.onnx" --calib "$work/sim.h5:train_ns" --slices 8 -o "$work/tomogan-int8.onnx" \
  --json >/dev/null

results="$work/results.jsonl"
: > "$results"
for round in $(seq "$rounds"); do
  for what in int8 ort_int8 fp32; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    case "$what" in
      ort_int8) line=$(NODE_PATH=$peers node "$runner" "$work/tomogan-int8.onnx" 3 "$size" "$runs" "$threads" 1) ;;
      int8) line=$("$tomoedge" bench "$work/tomogan-int8.onnx" --size "$size" --runs "$runs" --warmup 1 \
                   --threads "$threads" --json) ;;  # a QDQ model: int8 without flags
      fp32) line=$("$tomoedge" bench "$work/tomogan.onnx" --size "$size" --runs "$runs" --warmup 1 \
                   --threads "$threads" --json) ;;
    esac
    echo "{\"round\": $round, \"engine\": \"$what\", \"load_before\": $load, \"result\": $line}" >> "$results"
  done
done

mkdir -p "$(dirname "$out")"
python3 - "$results" "$out" "$size" "$threads" <<'PY'
import json, sys, platform, datetime, statistics
rows = [json.loads(l) for l in open(sys.argv[1])]
def med(engine):
    vals = [r["result"]["median" if engine.startswith("ort") else "median_s"] for r in rows if r["engine"] == engine]
    return statistics.median(vals)
int8, ort, fp32 = med("int8"), med("ort_int8"), med("fp32")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
summary = {
    "date_utc": datetime.datetime.utcnow().isoformat(timespec="seconds") + "Z",
    "machine": f"{cpu}, {platform.machine()}", "size": int(sys.argv[3]), "threads": int(sys.argv[4]),
    "model": "TomoGAN, random weights (tomoedge model-init), quantized by tomoedge quantize (u8, minmax) on "
             "tomoedge simulate slices; the same QDQ file for both int8 engines",
    "median_s": {"tomoedge_onednn_int8": int8, "onnxruntime_int8": ort, "tomoedge_onednn_fp32": fp32},
    "ratio_ort_int8_over_tomoedge_int8": ort / int8, "ratio_tomoedge_fp32_over_int8": fp32 / int8,
    "runs": rows,
}
json.dump(summary, open(sys.argv[2], "w"), indent=1)
print(f"size {sys.argv[3]}, {sys.argv[4]} threads, load before each: "
      + ", ".join(f'{r["engine"]}={r["load_before"]}' for r in rows))
print(f"tomoedge onednn int8 median {int8:.4f} s   fp32 {fp32:.4f} s   (fp32 / int8 {fp32 / int8:.2f}x)")
print(f"onnxruntime     int8 median {ort:.4f} s")
print(f"ratio ORT int8 / ours int8: {ort / int8:.2f}x   -> {sys.argv[2]}")
PY
