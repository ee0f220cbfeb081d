#pragma once
// Analytic parallel-beam projection: exact line integrals through ellipses (the cut of a 3-D
// ellipsoid phantom by a slice plane).
//
// Geometry (shared with the backprojector): a ray at angle theta and signed distance s from
// the rotation axis is {p : p . (cos theta, sin theta) = s}, in the pixel coordinates of
// phantom.hpp. Detector column u (0-based) sees s = u - centre; the default centre cols // 2
// (geometry.hpp) puts the axis where the image has it. Each detector pixel takes the line integral
// along the ray through its centre.
#include "recon/phantom.hpp"

#include <cstdint>
#include <span>

namespace tomoedge::recon {

/// Length of the chord of ellipse `e` cut by the ray (theta, s); 0 when the ray misses.
double chord_length(const Ellipse& e, double theta_rad, double s);

/// Line integrals of `ellipses` for every angle: row a of the output (at out + a * angle_stride)
/// gets `cols` detector values. Parallel over angles (OpenMP).
void project(const std::vector<Ellipse>& ellipses, std::span<const float> theta_rad, std::int64_t cols,
             double centre, float* out, std::int64_t angle_stride);

/// Convenience: a sinogram (angles, cols) with the axis at the default centre, cols // 2.
Tensor<float> project(const std::vector<Ellipse>& ellipses, std::span<const float> theta_rad, std::int64_t cols);

/// Evenly spaced angles over [0, 180) degrees (count > 0).
std::vector<float> angles_deg(std::int64_t count);
std::vector<float> to_radians(std::span<const float> degrees);

}  // namespace tomoedge::recon
