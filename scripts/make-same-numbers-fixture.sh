#!/usr/bin/env bash
# Makes tests/fixtures/same_numbers/ (docs/arm.md): a small low-dose input stack and what the x86
# build's *reference* backend makes of it with each shipped model (whole image; the script checks
# that tiles give the same bytes). tests/arm/test_same_numbers.cpp runs the build under test (x86,
# or aarch64 under qemu) on the same input and requires int8 outputs of the reference backend bit
# for bit equal, fp32 within 1e-5 of the range. Run it on x86 only, and only when a model or the
# int8 arithmetic changes on purpose.
#   scripts/make-same-numbers-fixture.sh [TOMOEDGE_BINARY]   (default: build/src/cli/tomoedge)
set -euo pipefail
cd "$(dirname "$0")/.."
tomoedge=${1:-build/src/cli/tomoedge}
[ "$(uname -m)" = x86_64 ] || { echo "make-same-numbers-fixture.sh: run on x86-64 (the reference machine)" >&2; exit 2; }
out=tests/fixtures/same_numbers
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
# 2 slices of 84 x 84 (not a multiple of the network's 8: the padding path runs too) of a simulated
# low-dose foam; tiles of 48 make a 2 x 2 plan whose last row and column are partial.
"$tomoedge" simulate -o "$tmp/sim.h5" --size 84 --slices 2 --volumes 2 --test-volumes 1 --seed 20 --threads 1 >/dev/null
"$tomoedge" convert "$tmp/sim.h5:test_ns" "$out/input.tif" >/dev/null
for model in tomogan-general tomogan-general-int8 tomogan-general-int8-ft; do
  "$tomoedge" denoise --backend reference --threads 1 "models/$model.onnx" "$out/input.tif" "$out/$model.whole.tif" >/dev/null
  # The reference backend's tiles (default halo) equal its whole image bit for bit, so one file
  # serves both; say so if that ever stops being true rather than store a second truth.
  "$tomoedge" denoise --backend reference --threads 1 --tile 48 "models/$model.onnx" "$out/input.tif" "$tmp/tile48.tif" >/dev/null
  cmp -s "$tmp/tile48.tif" "$out/$model.whole.tif" || { echo "make-same-numbers-fixture.sh: $model: tiles differ from the whole image" >&2; exit 1; }
done
sha256sum models/*.onnx "$out"/*.tif > "$out/SHA256SUMS"
echo "make-same-numbers-fixture.sh: wrote $out with $("$tomoedge" --version)" >&2
