#!/usr/bin/env bash
# `tomoedge live` against the batch path on the same scan, in the same run (issue 17's speed goal):
#   replay a Data Exchange scan at RATE projections/s over loopback TCP into `live`, which
#   reconstructs ROWS (default 3 slices) and denoises them with MODEL; against `recon` + `denoise`
#   of the same rows from the finished file.
# Reports per run and as medians: whether live kept up (frames/s received, worst latency from the
# sender's stamp to processing), the time from the last projection to the denoised slices written
# (received -> renamed into place, and from the sender's stamp), the batch recon + denoise time,
# and their ratio.
#   bench/live_bench.sh [BUILD_DIR]
#   env: SIZE=1024 (detector cols = image size) DET_ROWS=1024 ANGLES=1024 ROWS=510:513 RATE=200
#        RUNS=3 THREADS=2 MODEL=models/tomogan-general-int8.onnx PORT=5599 SCAN=(reuse a scan file)
#        OUT=docs/bench/live.json
# The scan is made by numpy/h5py (analytic discs, uint16 counts: DET_ROWS x SIZE x 2 bytes a frame,
# 2 GiB at the defaults) in a temporary folder, removed at the end unless SCAN was given.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
tomoedge=${TOMOEDGE:-$build/src/cli/tomoedge}
size=${SIZE:-1024}
det_rows=${DET_ROWS:-1024}
angles=${ANGLES:-1024}
rows=${ROWS:-510:513}
rate=${RATE:-200}
runs=${RUNS:-3}
threads=${THREADS:-2}
model=${MODEL:-models/tomogan-general-int8.onnx}
port=${PORT:-5599}
out=${OUT:-docs/bench/live.json}
python=${PYTHON:-/usr/bin/python3}

[ -x "$tomoedge" ] || { echo "live_bench.sh: $tomoedge not built" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scan=${SCAN:-$work/scan.h5}
if [ ! -f "$scan" ]; then
  "$python" - "$scan" "$size" "$det_rows" "$angles" <<'PY'
import sys
import h5py, numpy as np
path, cols, rows, angles = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
theta = np.arange(angles, dtype=np.float32) * np.float32(180.0 / angles)
s = np.arange(cols) - (cols - 1) / 2
t = np.deg2rad(theta.astype(np.float64))[:, None]
sino = np.zeros((angles, cols))
# Discs (x, y, radius, attenuation per pixel): line integrals 2 mu sqrt(r^2 - (s - x cos t - y sin t)^2).
for x, y, r, mu in [(0, 0, 0.42, 0.004), (0.15, -0.1, 0.12, 0.01), (-0.2, 0.15, 0.08, -0.003), (0.05, 0.25, 0.05, 0.02)]:
    d = s[None, :] - cols * (x * np.cos(t) + y * np.sin(t))
    rr = r * cols
    sino += np.where(np.abs(d) < rr, 2 * mu * np.sqrt(np.clip(rr * rr - d * d, 0, None)), 0)
i0, dark = 20000.0, 100.0
with h5py.File(path, "w") as f:
    data = f.create_dataset("/exchange/data", (angles, rows, cols), dtype=np.uint16, chunks=(1, rows, cols))
    scale = 1 + 0.1 * np.sin(np.arange(rows) / 37.0)
    for a in range(angles):
        data[a] = np.round(i0 * np.exp(-np.outer(scale, sino[a])) + dark).astype(np.uint16)
    f.create_dataset("/exchange/data_white", data=np.full((10, rows, cols), i0 + dark, dtype=np.uint16), chunks=(1, rows, cols))
    f.create_dataset("/exchange/data_dark", data=np.full((5, rows, cols), dark, dtype=np.uint16), chunks=(1, rows, cols))
    f.create_dataset("/exchange/theta", data=theta)
PY
fi

now() { date +%s.%N; }
results="$work/results.jsonl"
: > "$results"
for run in $(seq "$runs"); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  # Batch: recon of the rows from the finished file, then denoise them (what a user runs after the scan).
  t0=$(now)
  "$tomoedge" recon "$scan" -o "$work/batch.h5:recon" --rows "$rows" --threads "$threads" --json > "$work/recon.json"
  t1=$(now)
  "$tomoedge" denoise "$model" "$work/batch.h5:recon" "$work/batch_dn.h5:dn" --threads "$threads" --json > "$work/denoise.json"
  t2=$(now)
  # Live: the receiver first (it connects and waits), then the sender at RATE frames/s.
  rm -f "$work/live.h5"
  "$tomoedge" live --from "tcp://127.0.0.1:$port" --out "$work/live.h5:recon" --rows "$rows" --model "$model" \
    --threads "$threads" --timeout 30 --json > "$work/live.json" 2> "$work/live.err" &
  live_pid=$!
  sleep 0.5
  "$tomoedge" replay "$scan" --to "tcp://127.0.0.1:$port" --rate "$rate" --timeout 30 --json > "$work/replay.json"
  wait "$live_pid" || { cat "$work/live.err" >&2; exit 1; }
  "$python" - "$work" "$t0" "$t1" "$t2" "$load" "$run" >> "$results" <<'PY'
import json, sys
w, t0, t1, t2, load, run = sys.argv[1], *map(float, sys.argv[2:5]), sys.argv[5], int(sys.argv[6])
live = json.load(open(f"{w}/live.json"))
replay = json.load(open(f"{w}/replay.json"))
batch = t2 - t0
print(json.dumps({
    "run": run, "load": float(load), "complete": live["complete"],
    "replay_frames_per_second": replay["frames_per_second"],
    "live_frames_per_second": live["frames_per_second"],
    "max_latency_s": live["max_latency_seconds"],
    "last_projection_to_written_s": live["finish_seconds"],
    "last_send_to_written_s": live["finish_from_send_seconds"],
    "live_denoise_s": live["denoise_seconds"], "live_write_s": live["write_seconds"],
    "live_peak_rss_mb": live["peak_rss_mb"],
    "batch_recon_s": t1 - t0, "batch_denoise_s": t2 - t1, "batch_s": batch,
    "live_finish_without_denoise_s": live["finish_seconds"] - live["denoise_seconds"],
    "ratio_finish_to_batch": live["finish_seconds"] / batch,
    "ratio_finish_to_batch_recon": live["finish_seconds"] / (t1 - t0)}))
PY
  tail -1 "$results"
done

"$python" - "$results" "$out" "$size" "$det_rows" "$angles" "$rows" "$rate" "$threads" "$model" <<'PY'
import json, statistics, sys, platform, subprocess
res, out = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in open(res)]
keys = [k for k in rows[0] if k not in ("run", "complete")]
med = {k: statistics.median(r[k] for r in rows) for k in keys}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
summary = {"size": int(sys.argv[3]), "detector_rows": int(sys.argv[4]), "angles": int(sys.argv[5]),
           "rows": sys.argv[6], "rate": float(sys.argv[7]), "threads": int(sys.argv[8]), "model": sys.argv[9],
           "cpu": cpu, "runs": rows, "median": med, "all_complete": all(r["complete"] for r in rows)}
with open(out, "w") as f:
    json.dump(summary, f, indent=1)
print(f"live vs batch, {len(rows)} runs, medians ({cpu}, {sys.argv[8]} threads):")
for k in keys:
    print(f"  {k:32s} {med[k]:.4f}")
print(f"written {out}")
PY
