#pragma once
// Shared by the harnesses (docs/reliability/fuzzing.md). Each harness defines
// LLVMFuzzerTestOneInput; built with TOMOEDGE_FUZZ it links libFuzzer, otherwise replay_main.cpp
// runs committed inputs through it as a CTest test.
//
// What counts as a bug: a crash, a sanitizer report, an exception other than tomoedge::Error
// (the CLI would print "internal error"), a hang or a huge allocation. A tomoedge::Error is the
// clear refusal every bad input should get.
#include "core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace tomoedge::fuzz {

/// Once per process: single-threaded backends and kernels (fuzzing wants one core and the same
/// path every time), and an allocation limit well below libFuzzer's -malloc_limit_mb (2 GB) so
/// sizes from headers are refused by the library's own check (core/memory_limit.hpp).
void setup();

/// Largest tensor a harness itself asks for (elements): the pipeline reads big stacks in slabs,
/// so a harness reading more would only test the disk.
inline constexpr std::int64_t max_read_elements = std::int64_t{1} << 22;

/// A path of this process in the temporary folder (one per suffix; removed at exit, folders too).
const std::filesystem::path& temp_path(const std::string& suffix);

/// The bytes in a file of this process (one per suffix, rewritten on every call, removed at exit),
/// for readers that take a path (libhdf5, libtiff).
const std::filesystem::path& write_temp(const std::uint8_t* data, std::size_t size, const std::string& suffix);

/// Runs `f`; a tomoedge::Error is an expected refusal, anything else propagates to libFuzzer.
template <typename F>
bool expected(F&& f) {
    try {
        f();
        return true;
    } catch (const Error&) {
        return false;
    }
}

/// Reads bytes as a fuzzer-chosen sequence of small values (a portable FuzzedDataProvider).
class Bytes {
public:
    Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    bool empty() const { return pos_ >= size_; }
    std::uint8_t byte() { return empty() ? 0 : data_[pos_++]; }
    std::uint32_t u32() {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v = (v << 8) | byte();
        return v;
    }
    /// 0 .. n-1 (n > 0)
    std::size_t index(std::size_t n) { return n == 0 ? 0 : u32() % n; }
    float f32();  // any bit pattern: NaN, Inf, denormals included

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

}  // namespace tomoedge::fuzz
