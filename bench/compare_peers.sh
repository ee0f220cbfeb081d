#!/usr/bin/env bash
# One benchmark run of the oneDNN backend (fp32, bf16) against ONNX Runtime (CPU EP) on the SAME
# ONNX file (a random-weight TomoGAN from `tomoedge model-init`) and the same random input size,
# same thread count. Prints the medians and ratios, writes them to docs/bench/onednn_vs_ort.json.
#   bench/compare_peers.sh [BUILD_DIR]       env: SIZE=1024 RUNS=5 THREADS=2 OUT=... ROUNDS=1
# Needs onnxruntime-node (scripts/install-peers.sh) and node; bench/ort_time.js times ONNX Runtime
# (ORT_RUNNER overrides it). The machine is shared: compare the ratios of one run, and note the
# load average printed with them.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
tomoedge=${TOMOEDGE:-$build/src/cli/tomoedge}
size=${SIZE:-1024}
runs=${RUNS:-5}
threads=${THREADS:-2}
rounds=${ROUNDS:-1}
out=${OUT:-docs/bench/onednn_vs_ort.json}
runner=${ORT_RUNNER:-bench/ort_time.js}
peers=tools/peers/node_modules

[ -x "$tomoedge" ] || { echo "compare_peers.sh: $tomoedge not built" >&2; exit 1; }
[ -d "$peers/onnxruntime-node" ] || { echo "compare_peers.sh: run scripts/install-peers.sh first" >&2; exit 1; }
[ -f "$runner" ] || { echo "compare_peers.sh: ONNX Runtime runner $runner not found (set ORT_RUNNER)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$tomoedge" model-init -o "$work/tomogan.onnx" --json >/dev/null

results="$work/results.jsonl"
: > "$results"
for round in $(seq "$rounds"); do
  for what in fp32 ort bf16; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    if [ "$what" = ort ]; then
      # bench/ort_time.js: random 1 x 3 x size x size input, one untimed run + 1 warm-up, as our --warmup 1.
      line=$(NODE_PATH=$peers node "$runner" "$work/tomogan.onnx" 3 "$size" "$runs" "$threads" 1)
    else
      line=$("$tomoedge" bench "$work/tomogan.onnx" --size "$size" --runs "$runs" --warmup 1 --threads "$threads" \
             --precision "$what" --json)
    fi
    echo "{\"round\": $round, \"engine\": \"$what\", \"load_before\": $load, \"result\": $line}" >> "$results"
  done
done

mkdir -p "$(dirname "$out")"
python3 - "$results" "$out" "$size" "$threads" <<'PY'
import json, sys, platform, datetime, statistics
rows = [json.loads(l) for l in open(sys.argv[1])]
def med(engine):
    vals = [r["result"]["median_s" if engine != "ort" else "median"] for r in rows if r["engine"] == engine]
    return statistics.median(vals)
fp32, bf16, ort = med("fp32"), med("bf16"), med("ort")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
summary = {
    "date_utc": datetime.datetime.utcnow().isoformat(timespec="seconds") + "Z",
    "machine": f"{cpu}, {platform.machine()}", "size": int(sys.argv[3]), "threads": int(sys.argv[4]),
    "model": "TomoGAN, random weights (tomoedge model-init), same ONNX file for both engines",
    "median_s": {"tomoedge_onednn_fp32": fp32, "tomoedge_onednn_bf16": bf16, "onnxruntime_fp32": ort},
    "ratio_ort_over_tomoedge_fp32": ort / fp32, "ratio_ort_over_tomoedge_bf16": ort / bf16,
    "runs": rows,
}
json.dump(summary, open(sys.argv[2], "w"), indent=1)
print(f"size {sys.argv[3]}, {sys.argv[4]} threads, load before each: "
      + ", ".join(f'{r["engine"]}={r["load_before"]}' for r in rows))
print(f"tomoedge onednn fp32 median {fp32:.4f} s   bf16 {bf16:.4f} s")
print(f"onnxruntime     fp32 median {ort:.4f} s")
print(f"ratio ORT / ours: fp32 {ort / fp32:.2f}x   bf16 {ort / bf16:.2f}x   -> {sys.argv[2]}")
PY
