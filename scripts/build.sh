#!/usr/bin/env bash
# Installs dependencies (scripts/install-deps.sh) and builds tomoedge into build/.
#   scripts/build.sh            with training (libtorch) when installed
#   TOMOEDGE_EDGE=1 scripts/build.sh   edge build: no libtorch, no tests (denoise/quantize/recon/evaluate only)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${TOMOEDGE_EDGE:-0}" = 1 ]; then
  scripts/install-deps.sh
  cmake -S . -B build-edge -G Ninja -DCMAKE_BUILD_TYPE=Release -DTOMOEDGE_WITH_TORCH=OFF \
        -DTOMOEDGE_BUILD_TESTS=OFF -DTOMOEDGE_BUILD_BENCH=OFF >/dev/null
  cmake --build build-edge -j"$(nproc)"
else
  scripts/install-deps.sh --train
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)"
fi
