#!/usr/bin/env bash
# Runs the aarch64 build's tests (scripts/build-arm64.sh) on this x86 machine under user-mode
# emulation: CTest starts each test binary as `qemu-aarch64-static -cpu cortex-a53 -L SYSROOT ...`
# (CMAKE_CROSSCOMPILING_EMULATOR, cmake/toolchain-aarch64.cmake), and the CLI tests start the
# arm64 `tomoedge` the same way (tests/CMakeLists.txt). No binfmt registration, no root needed.
#   scripts/test-arm64.sh          the emulated subset (docs/arm.md, list below) and the
#                                  same-numbers tests, minus the excluded tests below
#   scripts/test-arm64.sh --quick  the whole `quick` label (about 1.5 h emulated)
#   scripts/test-arm64.sh --all    every test of the suite (slower still)
#   scripts/test-arm64.sh ARGS     extra ctest arguments, e.g. -R SameNumbers
# Env: TOMOEDGE_ARM64_BUILD (default build-arm64), JOBS (parallel tests, default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TOMOEDGE_ARM64_BUILD:-build-arm64}
jobs=${JOBS:-2}
[ -f "$build/CTestTestfile.cmake" ] || scripts/build-arm64.sh

mode=subset
args=()
for arg in "$@"; do
  case "$arg" in
    --all) mode=all ;;
    --quick) mode=quick ;;
    *) args+=("$arg") ;;
  esac
done

# Not run under emulation, with the reason:
#  - CliDemo: `tomoedge demo` starts itself again through /proc/self/exe, which names the arm64
#    binary; without binfmt the kernel cannot exec it (the CLI tests' own launches go through qemu).
#  - peers (ONNX Runtime / TFLite under node, Python): x86 programs comparing against x86
#    libraries; they skip themselves when node/tools/peers are absent, and add nothing about ARM.
exclude='CliDemo|Peer|Onnxruntime|OnnxRuntime|Tflite.*Peer'

# The default subset: one suite or more for each of import, int8 and fp32 inference (reference,
# oneDNN, XNNPACK, the Fine-Tune tail's portable path), tiling, recon and the file formats, and
# the CLI's denoise/recon/tiling. Every suite in it is mostly in-process; the whole `quick` label
# (429 tests, half of them CLI tests that each start an emulated `tomoedge`) ran at about 5 tests
# a minute under emulation on the shared 2-core machine (--quick runs it).
subset='^(OnnxImport|OnnxExport|Graph|ModelInfo|TomoGan|Int8Reference|ReferenceBackend|ReferenceConv|ReferenceResize'
subset+='|FixedPoint|Variants/OnednnInt8Conv|OnednnInt8Ops|Variants/OnednnConv|OnednnOps|FineTuneTail'
subset+='|Shapes/FineTuneTailOracle|Variants/XnnpackInt8Conv|XnnpackInt8|XnnpackInt8Ops|Denoiser|TilePlan|TiledRunner'
subset+='|TiledRunnerBands|ReceptiveField|CliTiling|Fbp|FbpFilter|Projector|Phantom|CliRecon|Hdf5|Hdf5Errors|Stack'
subset+='|StackRows|StackErrors|Png|DataPath|CliDenoise|Convert|QdqRewrite|Ssim)\.'

start=$(date +%s)
case "$mode" in
  all) ctest --test-dir "$build" -j"$jobs" --output-on-failure -E "$exclude" --timeout 1800 "${args[@]}" ;;
  quick) ctest --test-dir "$build" -j"$jobs" --output-on-failure -L quick -E "$exclude" --timeout 1800 "${args[@]}" ;;
  subset)
    ctest --test-dir "$build" -j"$jobs" --output-on-failure -R "$subset" -E "$exclude" --timeout 1800 "${args[@]}"
    # The same-numbers checks (labelled slow on x86): every case but oneDNN's tiled ones (oneDNN
    # runs reference kernels on arm64 and its tiles take 3 min each emulated; --all and x86 run them).
    ctest --test-dir "$build" -j"$jobs" --output-on-failure -R 'SameNumbers' -E "$exclude|onednn_tile" \
          --timeout 1800 "${args[@]}" ;;
esac
echo "test-arm64.sh: emulated tests took $(( $(date +%s) - start )) s" >&2
