#include "recon/fbp.hpp"

#include "core/error.hpp"
#include "recon/projector.hpp"

#include <algorithm>
#include <numbers>

namespace tomoedge::recon {
namespace {

std::int64_t checked_size(std::int64_t cols, const FbpOptions& o) {
    if (o.size < 0) fail("FBP: image size must be positive, got {}", o.size);
    return o.size > 0 ? o.size : cols;
}

}  // namespace

Fbp::Fbp(std::span<const float> theta_deg, std::int64_t cols, const FbpOptions& o)
    : angles_(static_cast<std::int64_t>(theta_deg.size())),
      cols_(cols),
      size_(checked_size(cols, o)),
      centre_(o.centre < 0 ? default_centre(cols, o.convention) : o.centre),
      axis_(recon::image_axis(size_, o.convention)),
      mask_(o.mask_outside_field_of_view),
      filter_(cols, o.window),
      backprojector_(to_radians(theta_deg), cols, size_, centre_, false, axis_),
      work_(Shape{std::max<std::int64_t>(angles_, 1), cols}) {
    if (angles_ < 1) fail("FBP: no projection angles");
    if (centre_ > static_cast<double>(cols)) fail("FBP: rotation centre {} is outside the detector (0..{})", centre_, cols - 1);
}

void Fbp::reconstruct(const float* sinogram, float* image) {
    std::copy(sinogram, sinogram + angles_ * cols_, work_.data());
    // Rows are independent: filter blocks of them in parallel (plans are shared, buffers not).
    constexpr std::int64_t kBlock = 16;
    float* work = work_.data();
#pragma omp parallel for schedule(dynamic, 1)
    for (std::int64_t a = 0; a < angles_; a += kBlock)
        filter_.apply(work + a * cols_, std::min(kBlock, angles_ - a), cols_);
    backprojector_.run(work, static_cast<float>(std::numbers::pi / static_cast<double>(angles_)), image);
    if (mask_)
        mask_outside_circle(image, size_, axis_,
                            std::min(centre_ + 0.5, static_cast<double>(cols_) - 0.5 - centre_));
}

void mask_outside_circle(float* image, std::int64_t size, double axis, double radius) {
    const double r2 = radius * radius;
    for (std::int64_t i = 0; i < size; ++i) {
        const double dy = static_cast<double>(i) - axis;
        for (std::int64_t j = 0; j < size; ++j) {
            const double dx = static_cast<double>(j) - axis;
            if (dx * dx + dy * dy > r2) image[i * size + j] = 0.0f;
        }
    }
}

Tensor<float> Fbp::reconstruct(const Tensor<float>& sinograms) {
    if (sinograms.rank() != 3 || sinograms.dim(1) != angles_ || sinograms.dim(2) != cols_)
        fail("FBP: sinograms {} do not match the geometry ({} angles, {} columns)", sinograms.shape().str(), angles_,
             cols_);
    Tensor<float> out(Shape{sinograms.dim(0), size_, size_});
    for (std::int64_t r = 0; r < sinograms.dim(0); ++r) reconstruct(sinograms.outer(r), out.outer(r));
    return out;
}

}  // namespace tomoedge::recon
