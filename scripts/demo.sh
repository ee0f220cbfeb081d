#!/usr/bin/env bash
# README command 1: set everything up on a fresh Debian 12 machine and run the main job on the
# embedded defaults: `tomoedge demo` with the shipped models (models/) on data it simulates.
#   simulate -> FBP recon -> denoise fp32 / int8 / int8 + Fine-Tune -> evaluate (tables, figures)
#   -> Table I benchmark (one 1024 x 1024 slice). Everything goes to out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
TOMOEDGE_EDGE=1 scripts/build.sh >/dev/null
exec build-edge/src/cli/tomoedge demo -o out/demo --models models "$@"
