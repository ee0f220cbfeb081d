#pragma once
// Shared helpers of the quant tests: a small random TomoGAN and smooth synthetic volumes.
#include "core/tensor.hpp"
#include "io/hdf5.hpp"
#include "model/graph.hpp"
#include "model/tomogan.hpp"

#include <cmath>
#include <filesystem>
#include <random>
#include <string>

namespace tomoedge::quant::test_util {

/// TomoGAN at a quarter of the published width (channels 2, 8, 16, 32), random weights.
inline model::Graph small_tomogan(std::uint64_t seed = 11) {
    model::TomoGanConfig c;
    c.width = 0.25;
    c.seed = seed;
    return model::build_tomogan(c);
}

/// A volume of n smooth slices (sums of random sinusoids plus noise), like a reconstruction.
inline Tensor<float> smooth_volume(std::int64_t n, std::int64_t h, std::int64_t w, std::uint64_t seed = 5) {
    std::mt19937 rng(static_cast<std::uint32_t>(seed));
    std::uniform_real_distribution<float> freq(0.05f, 0.4f), phase(0.0f, 6.28f);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    Tensor<float> v(Shape{n, h, w});
    for (std::int64_t s = 0; s < n; ++s) {
        const float fy = freq(rng), fx = freq(rng), p = phase(rng);
        for (std::int64_t y = 0; y < h; ++y)
            for (std::int64_t x = 0; x < w; ++x)
                v[(s * h + y) * w + x] = 1.0f + 0.5f * std::sin(fy * static_cast<float>(y) + p) *
                                                    std::cos(fx * static_cast<float>(x)) + noise(rng);
    }
    return v;
}

/// Writes `volume` as dataset `name` of a new HDF5 file.
inline void write_h5(const std::filesystem::path& file, const std::string& name, const Tensor<float>& volume) {
    io::Hdf5Writer writer(file);
    writer.write(name, volume);
    writer.commit();
}

}  // namespace tomoedge::quant::test_util
