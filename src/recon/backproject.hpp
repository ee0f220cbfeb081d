#pragma once
// Backprojection with linear interpolation on the detector (the "B" of FBP).
//
// image(x, y) = weight * sum_a q_a(x cos theta_a + y sin theta_a + centre), q_a the filtered
// projection at angle a, linearly interpolated between detector samples and zero off the
// detector. For FBP over [0, 180) with A evenly spaced angles, weight = pi / A.
// Pixel (row i, column j) sits at x = j - axis, y = axis - i (geometry.hpp): x to the right, y
// up, row 0 at the top, the rotation axis at pixel (axis, axis); this is scikit-image's and
// TomoPy's orientation.
#include "core/tensor.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace tomoedge::recon {

/// Set up once per geometry and reused for every slice: angles' cos/sin and a padded copy of
/// the sinogram so the inner loop needs no bounds checks.
class Backprojector {
public:
    /// `portable` forces the auto-vectorised loop even where the AVX-512 kernel was built.
    /// `image_axis`: the image pixel (row and column) the rotation axis maps to; unset, the
    /// default convention's, size // 2 (geometry.hpp).
    Backprojector(std::span<const float> theta_rad, std::int64_t cols, std::int64_t size, double centre,
                  bool portable = false, std::optional<double> image_axis = {});

    /// `filtered` is (angles, cols), row-major; `image` gets size x size pixels (overwritten).
    /// Multithreaded over image tiles (OpenMP). Not reentrant (it owns one padded buffer).
    void run(const float* filtered, float weight, float* image);

    std::int64_t angles() const { return static_cast<std::int64_t>(cos_.size()); }
    std::int64_t size() const { return size_; }
    /// "avx512" (permute-based kernel) or "generic" (auto-vectorised loop with gathers).
    const char* kernel_name() const;
    /// Whether this build has the AVX-512 kernel (TOMOEDGE_ARCH_FLAGS allow it).
    static bool has_avx512();

private:
    std::int64_t cols_, size_, width_, offset_;
    double centre_, axis_;
    bool use_avx512_;
    // sin_ holds -sin(theta): rows run down while y runs up, so the kernels step y by -1 per row.
    std::vector<float> cos_, sin_;
    Tensor<float> padded_;  // (angles, width_): q_a at [offset_, offset_ + cols), zeros around
};

/// Straightforward per-pixel loop in double precision: the oracle for the fast kernel. The
/// image axis is the default convention's unless given.
void backproject_reference(const float* filtered, std::span<const float> theta_rad, std::int64_t cols,
                           double centre, float weight, float* image, std::int64_t size,
                           std::optional<double> image_axis = {});

}  // namespace tomoedge::recon
