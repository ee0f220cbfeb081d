#pragma once
// Filtered backprojection of parallel-beam sinograms: ramp filter x window (fbp_filter.hpp),
// then backprojection (backproject.hpp) with weight pi / angles. Output is attenuation per
// pixel: the FBP of a disc of attenuation mu (line integrals 2 mu sqrt(R^2 - s^2)) is mu inside.
#include "core/tensor.hpp"
#include "recon/backproject.hpp"
#include "recon/fbp_filter.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace tomoedge::recon {

struct FbpOptions {
    FilterWindow window = FilterWindow::shepp_logan;
    double centre = -1;      // detector column of the rotation axis; < 0 means (cols - 1) / 2
    std::int64_t size = 0;   // image size; 0 = detector width
};

/// One geometry (angles, detector width, centre, image size), reused for every slice.
class Fbp {
public:
    Fbp(std::span<const float> theta_deg, std::int64_t cols, const FbpOptions& options);

    /// One slice: `sinogram` is (angles, cols); `image` gets size x size pixels.
    void reconstruct(const float* sinogram, float* image);
    /// Slices of a slab: (rows, angles, cols) -> (rows, size, size).
    Tensor<float> reconstruct(const Tensor<float>& sinograms);

    std::int64_t size() const { return size_; }
    double centre() const { return centre_; }

private:
    std::int64_t angles_, cols_, size_;
    double centre_;
    RampFilter filter_;
    Backprojector backprojector_;
    Tensor<float> work_;  // filtered copy of one sinogram
};

}  // namespace tomoedge::recon
