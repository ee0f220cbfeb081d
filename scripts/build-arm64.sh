#!/usr/bin/env bash
# Cross-builds the edge binary (no libtorch) and the test suite for aarch64 (64-bit ARM) into
# build-arm64/, from an x86-64 Debian 12 machine with Debian's own parts (docs/arm.md):
#   1. the host tools: crossbuild-essential-arm64 (the aarch64 GCC 12), qemu-user-static (runs the
#      tests), cmake/ninja/protoc/flatc (host builds; protoc and flatc must run here);
#   2. a sysroot at .arm64-sysroot/ (git-ignored): the arm64 .debs of our libraries and their whole
#      dependency closure, unpacked with dpkg -x. Nothing arm64 is installed into the system, so
#      the x86 build's amd64 -dev packages are never touched (multiarch co-installation of the
#      -dev packages conflicts on shared files such as /usr/include headers of differing versions);
#   3. cmake with cmake/toolchain-aarch64.cmake, then the build.
# Idempotent: the sysroot is kept and reused while the package list is unchanged (a changed list
# downloads and unpacks again, over the old tree).
#   scripts/build-arm64.sh              sysroot + configure + build (tomoedge and the tests)
#   scripts/build-arm64.sh --sysroot    only (re)make the sysroot
# Env: TOMOEDGE_ARM64_SYSROOT (default .arm64-sysroot), TOMOEDGE_ARM64_BUILD (default build-arm64),
#      JOBS (default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
sysroot=${TOMOEDGE_ARM64_SYSROOT:-$root/.arm64-sysroot}
build=${TOMOEDGE_ARM64_BUILD:-$root/build-arm64}
jobs=${JOBS:-$(nproc)}
only_sysroot=0
for arg in "$@"; do
  case "$arg" in
    --sysroot) only_sysroot=1 ;;
    *) echo "build-arm64.sh: unknown flag '$arg' (use --sysroot)" >&2; exit 2 ;;
  esac
done

# ---- 1. host tools ----------------------------------------------------------------------------
host_packages=(crossbuild-essential-arm64 qemu-user-static cmake ninja-build pkg-config
               protobuf-compiler flatbuffers-compiler)
missing=()
for p in "${host_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "build-arm64.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- 2. sysroot -------------------------------------------------------------------------------
# The arm64 counterparts of scripts/install-deps.sh's libraries (not libtorch, Python or Google
# Benchmark: the edge build does not use them), plus XNNPACK and libc/libstdc++, so that the
# sysroot is a complete target root for both the compiler (--sysroot) and qemu (-L). Keep this
# list in step with install-deps.sh.
target_packages=(
  libc6-dev libstdc++-12-dev libgcc-12-dev libgomp1
  libdnnl-dev ocl-icd-opencl-dev opencl-headers libhdf5-dev libtiff-dev libpng-dev libfftw3-dev
  libonnx-dev libprotobuf-dev libflatbuffers-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev libzmq3-dev cppzmq-dev
  libplplot-dev plplot-driver-cairo
  libgtest-dev libgmock-dev libxnnpack-dev libpthreadpool-dev
)
stamp_text="${target_packages[*]}"
if [ ! -f "$sysroot/.tomoedge-sysroot" ] || [ "$(cat "$sysroot/.tomoedge-sysroot")" != "$stamp_text" ]; then
  echo "build-arm64.sh: making the arm64 sysroot in $sysroot" >&2
  # A private apt state (lists, cache, an empty dpkg status) for arm64 only: apt resolves the
  # full dependency closure as if on an empty arm64 system and downloads it, without touching
  # the machine's dpkg database or its list of architectures. Same Debian mirrors and keys.
  apt_dir="$sysroot.apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources.list.d"
  : > "$apt_dir/status"
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list; do
    [ -f "$f" ] && grep -q 'debian' "$f" && cp "$f" "$apt_dir/sources.list.d/"
  done
  apt_opts=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64
            -o Dir::State::Lists="$apt_dir/lists" -o Dir::State::status="$apt_dir/status"
            -o Dir::Cache="$apt_dir/cache" -o Dir::Etc::SourceList=/dev/null
            -o Dir::Etc::SourceParts="$apt_dir/sources.list.d" -o Dir::Etc::Preferences=/dev/null
            -o Dir::Etc::PreferencesParts=/dev/null -o APT::Sandbox::User=root
            -o APT::Install-Recommends=false -o Debug::NoLocking=true)
  apt-get "${apt_opts[@]}" update -qq
  apt-get "${apt_opts[@]}" install -y -qq --download-only "${target_packages[@]}" >/dev/null
  # Unpacked over what is there (a package added to the list extends the sysroot without
  # disturbing a build that uses it); delete the folder for a clean one.
  mkdir -p "$sysroot"
  for deb in "$apt_dir"/cache/archives/*.deb; do
    dpkg -x "$deb" "$sysroot"
  done
  # Absolute symlinks (libfoo.so -> /usr/lib/aarch64-linux-gnu/libfoo.so.1) would point into the
  # host: make them relative to the sysroot.
  find "$sysroot" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
    target=$(readlink "$link")
    ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$sysroot$target")" "$link"
  done
  # Debian 12's libc6 still ships /lib/ld-linux-aarch64.so.1 and /lib/aarch64-linux-gnu; on a
  # merged-/usr system /lib is /usr/lib. qemu and the linker find both trees; nothing to merge.
  echo "$stamp_text" > "$sysroot/.tomoedge-sysroot"
  echo "build-arm64.sh: sysroot ready ($(du -sh "$sysroot" | cut -f1), $(ls "$apt_dir"/cache/archives/*.deb | wc -l) packages)" >&2
fi
[ "$only_sysroot" = 1 ] && exit 0

# ---- 3. configure + build ---------------------------------------------------------------------
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-aarch64.cmake" -DTOMOEDGE_ARM64_SYSROOT="$sysroot" \
      -DTOMOEDGE_WITH_TORCH=OFF -DTOMOEDGE_BUILD_PYTHON=OFF -DTOMOEDGE_BUILD_TESTS=ON -DTOMOEDGE_BUILD_BENCH=OFF \
      -DCMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE=PRE_TEST >/dev/null
cmake --build "$build" -j"$jobs"
echo "build-arm64.sh: built $build/src/cli/tomoedge ($(file -b "$build/src/cli/tomoedge" | cut -d, -f1-2))" >&2
