#!/usr/bin/env bash
# Test-time peers from the npm registry (docs/DESIGN.md), installed into tools/peers/ (git-ignored):
#   onnxruntime-node   ONNX Runtime's CPU library, to check our ONNX exports run there
#   tfjs-tflite-node   TFLite 2.9's C library, to check our TFLite exports run there
# Tests that need a peer skip with a message when it is absent (no network, no node).
set -euo pipefail
cd "$(dirname "$0")/.."
peers=tools/peers
mkdir -p "$peers"
if ! command -v npm >/dev/null 2>&1; then
  echo "install-peers.sh: npm not found; runtime-peer tests will be skipped" >&2
  exit 0
fi
if [ ! -d "$peers/node_modules/onnxruntime-node" ]; then
  # --ignore-scripts: its install script fetches GPU files (no network here); the CPU library
  # ships inside the package.
  (cd "$peers" && npm install --silent --no-audit --no-fund --ignore-scripts onnxruntime-node >/dev/null 2>&1) ||
    echo "install-peers.sh: could not install onnxruntime-node; ONNX Runtime tests will be skipped" >&2
fi
# tfjs-tflite-node@0.0.2 ships TFLite 2.9's C library (cc_deps/<os>_<arch>/libtensorflowlite_c.so)
# and its C API header; `npm pack` fetches the tarball without running its native build.
if [ ! -d "$peers/tfjs-tflite-node/cc_deps" ]; then
  (cd "$peers" && tgz=$(npm pack --silent tfjs-tflite-node@0.0.2 2>/dev/null | tail -n 1) &&
    mkdir -p tfjs-tflite-node && tar xzf "$tgz" -C tfjs-tflite-node --strip-components=1 && rm -f "$tgz") ||
    echo "install-peers.sh: could not fetch tfjs-tflite-node; TFLite tests will be skipped" >&2
fi
