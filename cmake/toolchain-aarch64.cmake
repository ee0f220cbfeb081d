# Cross-compiling tomoedge for 64-bit ARM (aarch64) Linux from x86-64 Debian 12 (docs/arm.md).
# Compiler: Debian's crossbuild-essential-arm64 (aarch64-linux-gnu-gcc 12). Libraries: a sysroot
# of unpacked Debian 12 arm64 packages, made by scripts/build-arm64.sh. Host tools that run during
# the build (protoc, flatc) are the x86 ones. Tests run under qemu-aarch64-static (user-mode
# emulation, no binfmt registration needed) through CMAKE_CROSSCOMPILING_EMULATOR.
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake \
#         [-DTOMOEDGE_ARM64_SYSROOT=/path/to/sysroot]
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# try_compile projects re-read this file without the cache: pass the sysroot through.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES TOMOEDGE_ARM64_SYSROOT)
if(NOT TOMOEDGE_ARM64_SYSROOT)
  if(DEFINED ENV{TOMOEDGE_ARM64_SYSROOT})
    set(TOMOEDGE_ARM64_SYSROOT "$ENV{TOMOEDGE_ARM64_SYSROOT}")
  else()
    get_filename_component(TOMOEDGE_ARM64_SYSROOT "${CMAKE_CURRENT_LIST_DIR}/../.arm64-sysroot" ABSOLUTE)
  endif()
endif()
set(TOMOEDGE_ARM64_SYSROOT "${TOMOEDGE_ARM64_SYSROOT}" CACHE PATH "Root of the unpacked arm64 Debian packages")
if(NOT EXISTS "${TOMOEDGE_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu")
  message(FATAL_ERROR "No arm64 sysroot at ${TOMOEDGE_ARM64_SYSROOT}: run scripts/build-arm64.sh --sysroot")
endif()

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_SYSROOT "${TOMOEDGE_ARM64_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH "${TOMOEDGE_ARM64_SYSROOT}")
# Programs (protoc, flatc, pkg-config) from the host; headers, libraries, CMake packages from the
# sysroot only, so nothing of the amd64 installation can leak into the arm64 link.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config (FFTW): the sysroot's .pc files, with their paths prefixed by the sysroot.
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${TOMOEDGE_ARM64_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR} "${TOMOEDGE_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${TOMOEDGE_ARM64_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# FindHDF5 would otherwise run the host's h5cc and take the amd64 HDF5. The sysroot's h5cc is a
# shell script: its -show names /usr/... paths, which find_library re-roots into the sysroot
# (Debian's serial HDF5 lives under hdf5/serial, where a plain search does not look).
set(HDF5_C_COMPILER_EXECUTABLE "${TOMOEDGE_ARM64_SYSROOT}/usr/bin/h5cc" CACHE FILEPATH "the sysroot's HDF5 compiler wrapper")
set(HDF5_PREFER_PARALLEL OFF)

# The sysroot's shared libraries depend on others in it: let the linker resolve them there.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-rpath-link,${TOMOEDGE_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu -Wl,-rpath-link,${TOMOEDGE_ARM64_SYSROOT}/lib/aarch64-linux-gnu")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${CMAKE_EXE_LINKER_FLAGS_INIT}")

# Target binaries (tests, gtest discovery) run under user-mode qemu with the sysroot as the root
# for the dynamic loader and libraries. The emulated CPU defaults to a Cortex-A53 (ARMv8.0-A with
# NEON, no SVE: the Coral Dev Board's core, and what -march=armv8-a targets), so libraries that
# dispatch at run time (oneDNN, XNNPACK) take the paths they would take on the paper's boards, not
# qemu's default "max" CPU with SVE. -DTOMOEDGE_QEMU_CPU=cortex-a57 (Jetson TX2), cortex-a72, max, ...
set(TOMOEDGE_QEMU_CPU "cortex-a53" CACHE STRING "CPU model qemu emulates for the tests")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES TOMOEDGE_QEMU_CPU)
find_program(TOMOEDGE_QEMU_AARCH64 qemu-aarch64-static qemu-aarch64 NO_CMAKE_FIND_ROOT_PATH)
if(TOMOEDGE_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${TOMOEDGE_QEMU_AARCH64};-cpu;${TOMOEDGE_QEMU_CPU};-L;${TOMOEDGE_ARM64_SYSROOT}")
endif()
