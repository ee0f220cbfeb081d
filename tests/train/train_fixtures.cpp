#include "train_fixtures.hpp"

#include "core/error.hpp"
#include "io/hdf5.hpp"

#include <cmath>
#include <random>

namespace tomoedge::train_testing {

namespace {

// Blobs on a ramp, values roughly 100..1100 (detector-like units, so normalisation matters).
Tensor<float> clean_volume(std::int64_t slices, std::int64_t size, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Tensor<float> v(Shape{slices, size, size});
    const double cx = size * (0.3 + 0.4 * u(rng)), cy = size * (0.3 + 0.4 * u(rng));
    for (std::int64_t z = 0; z < slices; ++z)
        for (std::int64_t y = 0; y < size; ++y)
            for (std::int64_t x = 0; x < size; ++x) {
                const double r2 = (x - cx - 0.5 * z) * (x - cx - 0.5 * z) + (y - cy) * (y - cy);
                const double value = 100 + 10.0 * x + 600.0 * std::exp(-r2 / (0.05 * size * size)) +
                                     200.0 * ((x / 8 + y / 8) % 2);
                v[(z * size + y) * size + x] = static_cast<float>(value);
            }
    return v;
}

Tensor<float> noisy_copy(const Tensor<float>& clean, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.0f, 120.0f);
    Tensor<float> v = clean.clone();
    for (auto& x : v) x += noise(rng);
    return v;
}

}  // namespace

void write_dataset(const std::filesystem::path& file, std::int64_t train_slices, std::int64_t size,
                   std::int64_t test_slices, std::int64_t test_size) {
    io::Hdf5Writer w(file);
    const Tensor<float> train_gt = clean_volume(train_slices, size, 1);
    const Tensor<float> test_gt = clean_volume(test_slices, test_size, 2);
    w.write("train_gt", train_gt);
    w.write("train_ns", noisy_copy(train_gt, 3));
    w.write("test_gt", test_gt);
    w.write("test_ns", noisy_copy(test_gt, 4));
    w.commit();
}

Tensor<float> coordinate_volume(std::int64_t slices, std::int64_t height, std::int64_t width) {
    Tensor<float> v(Shape{slices, height, width});
    for (std::int64_t z = 0; z < slices; ++z)
        for (std::int64_t y = 0; y < height; ++y)
            for (std::int64_t x = 0; x < width; ++x)
                v[(z * height + y) * width + x] = static_cast<float>(10000 * z + 100 * y + x);
    return v;
}

torch::Tensor view(const Tensor<float>& t) {
    return torch::from_blob(const_cast<float*>(t.data()), t.shape().dims(), torch::kFloat32);
}

}  // namespace tomoedge::train_testing
