#!/usr/bin/env bash
# Installs the Debian 12 packages tomoedge needs. Idempotent and quiet when all is there.
# (ocl-icd-opencl-dev: Debian's dnnl-config.cmake looks for OpenCL because libdnnl is built with
# its GPU runtime; we only use the CPU engine. pybind11-dev, python3-*: the Python module and its
# tests, run by Debian's /usr/bin/python3.)
#   scripts/install-deps.sh            build + test dependencies (no libtorch)
#   scripts/install-deps.sh --train    also libtorch (needed only by `tomoedge train`/`finetune`)
#   scripts/install-deps.sh --fuzz     also clang and libFuzzer (scripts/fuzz.sh, docs/reliability/fuzzing.md)
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build
  libdnnl-dev ocl-icd-opencl-dev opencl-headers libhdf5-dev libtiff-dev libpng-dev libfftw3-dev
  libonnx-dev libprotobuf-dev protobuf-compiler
  libflatbuffers-dev flatbuffers-compiler
  libcli11-dev nlohmann-json3-dev libfmt-dev libzmq3-dev cppzmq-dev libxnnpack-dev libpthreadpool-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libplplot-dev plplot-driver-cairo
  pybind11-dev python3-dev python3-numpy python3-pytest python3-h5py
)
# node + npm run the ONNX Runtime / TFLite peers in tests; some images ship their own node.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
for arg in "$@"; do
  case "$arg" in
    --train) packages+=(libtorch-dev) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    *) echo "install-deps.sh: unknown flag '$arg' (use --train or --fuzz)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps.sh: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
