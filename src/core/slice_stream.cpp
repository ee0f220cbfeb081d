#include "core/slice_stream.hpp"

#include "core/checks.hpp"
#include "core/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace tomoedge {

VolumeSource::VolumeSource(const VolumeView& volume, std::string name) : volume_(volume), name_(std::move(name)) {}

Tensor<float> VolumeSource::read(std::int64_t first, std::int64_t count) {
    return read_rows(first, count, 0, volume_.height);
}

Tensor<float> VolumeSource::read_rows(std::int64_t first, std::int64_t count, std::int64_t row, std::int64_t rows) {
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

void VolumeSink::write(std::int64_t first, const Tensor<float>& slices) {
    const std::int64_t n = slices.dim(0), plane = shape_[1] * shape_[2];
    if (slices.rank() != 3 || slices.dim(1) != shape_[1] || slices.dim(2) != shape_[2] || first < 0 ||
        first + n > shape_[0])
        fail("volume sink: slices {} at {} do not fit the volume {}", slices.shape().str(), first, shape_.str());
    std::copy(slices.begin(), slices.end(), pixels_ + first * plane);
}

void VolumeSink::write_rows(std::int64_t slice, std::int64_t row, const Tensor<float>& rows) {
    const std::int64_t w = shape_[2];
    if (rows.rank() != 3 || rows.dim(0) != 1 || rows.dim(2) != w || slice < 0 || slice >= shape_[0] || row < 0 ||
        row + rows.dim(1) > shape_[1])
        fail("volume sink: rows {} at slice {} row {} do not fit the volume {}", rows.shape().str(), slice, row,
             shape_.str());
    std::copy(rows.begin(), rows.end(), pixels_ + (slice * shape_[1] + row) * w);
}

}  // namespace tomoedge
