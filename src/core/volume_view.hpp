#pragma once
// A read-only (N, H, W) float32 volume in memory that someone else owns (a Tensor, a NumPy
// array): what the in-memory paths read without copying (runtime::volume_window,
// runtime::Denoiser::denoise, io::MemoryStackReader).
#include "core/error.hpp"
#include "core/tensor.hpp"

#include <cstdint>
#include <span>

namespace tomoedge {

struct VolumeView {
    const float* data = nullptr;
    std::int64_t slices = 0, height = 0, width = 0;

    VolumeView() = default;
    VolumeView(const float* pixels, std::int64_t n, std::int64_t h, std::int64_t w)
        : data(pixels), slices(n), height(h), width(w) {
        if (n < 0 || h < 0 || w < 0) fail("volume view: negative extent ({}, {}, {})", n, h, w);
    }
    /// An (N, H, W) tensor, or an (H, W) image as one slice.
    explicit VolumeView(const Tensor<float>& t) {
        if (t.rank() != 2 && t.rank() != 3) fail("volume view: expected (N, H, W) or (H, W), got shape {}", t.shape().str());
        data = t.data();
        slices = t.rank() == 3 ? t.dim(0) : 1;
        height = t.dim(t.rank() - 2);
        width = t.dim(t.rank() - 1);
    }

    std::int64_t slice_size() const { return height * width; }
    std::int64_t size() const { return slices * slice_size(); }
    const float* slice(std::int64_t index) const { return data + index * slice_size(); }
    std::span<const float> span() const { return {data, static_cast<std::size_t>(size())}; }
    Shape shape() const { return Shape{slices, height, width}; }
};

}  // namespace tomoedge
