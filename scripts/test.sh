#!/usr/bin/env bash
# README command 2: set everything up on a fresh Debian 12 machine and run the whole test suite.
#   scripts/test.sh            all tests
#   scripts/test.sh -L quick   only the quick subset (any ctest arguments pass through)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
scripts/install-peers.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 600 "$@"
