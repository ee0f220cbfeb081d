#include "io/memory_stack.hpp"

#include "core/checks.hpp"
#include "core/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace tomoedge::io {

MemoryStackReader::MemoryStackReader(const VolumeView& volume, std::string name)
    : volume_(volume), name_(std::move(name)) {
    info_.shape = volume.shape();
    info_.dtype = DType::f32;
}

Tensor<float> MemoryStackReader::read(std::int64_t first, std::int64_t count) {
    return read_rows(first, count, 0, volume_.height);
}

Tensor<float> MemoryStackReader::read_rows(std::int64_t first, std::int64_t count, std::int64_t row, std::int64_t rows) {
    const std::int64_t w = volume_.width;
    if (first < 0 || count < 0 || first + count > volume_.slices)
        fail("{}: slices {}..{} are outside the stack of {}", name_, first, first + count, volume_.slices);
    if (row < 0 || rows < 0 || row + rows > volume_.height)
        fail("{}: rows {}..{} are outside the slices' {} rows", name_, row, row + rows, volume_.height);
    Tensor<float> out(Shape{count, rows, w});
    for (std::int64_t s = 0; s < count; ++s) {
        const float* from = volume_.slice(first + s) + row * w;
        std::copy(from, from + rows * w, out.outer(s));
        require_finite(std::span<const float>(out.outer(s), static_cast<std::size_t>(rows * w)),
                       fmt::format("{}: slice {}", name_, first + s));
    }
    return out;
}

}  // namespace tomoedge::io
