#pragma once
// Filtered backprojection of parallel-beam sinograms: ramp filter x window (fbp_filter.hpp),
// then backprojection (backproject.hpp) with weight pi / angles, in the orientation and axis
// convention of geometry.hpp. Output is attenuation per
// pixel: the FBP of a disc of attenuation mu (line integrals 2 mu sqrt(R^2 - s^2)) is mu inside.
#include "core/tensor.hpp"
#include "recon/backproject.hpp"
#include "recon/fbp_filter.hpp"
#include "recon/geometry.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace tomoedge::recon {

struct FbpOptions {
    FilterWindow window = FilterWindow::shepp_logan;
    double centre = -1;      // detector column of the rotation axis; < 0: the convention's default
    std::int64_t size = 0;   // image size; 0 = detector width
    AxisConvention convention = AxisConvention::tomopy;  // where the axis is in the image
    /// Zero the pixels outside the field of view: the disc about the axis that every ray covers,
    /// radius min(centre + 1/2, cols - 1/2 - centre). Outside it the projections do not
    /// determine the image (scikit-image's iradon(circle=True) masks it the same way).
    bool mask_outside_field_of_view = false;
};

/// Zeroes the pixels of a size x size image farther than `radius` from pixel (axis, axis).
void mask_outside_circle(float* image, std::int64_t size, double axis, double radius);

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
    double image_axis() const { return axis_; }

private:
    std::int64_t angles_, cols_, size_;
    double centre_, axis_;
    bool mask_;
    RampFilter filter_;
    Backprojector backprojector_;
    Tensor<float> work_;  // filtered copy of one sinogram
};

}  // namespace tomoedge::recon
