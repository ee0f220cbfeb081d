#pragma once
// Centre of rotation from the data, by matching opposite projections: a parallel-beam
// projection at theta + 180 degrees is the one at theta mirrored about the rotation axis,
// p(theta + pi, c + t) = p(theta, c - t). The centre c minimises the mean squared difference
// between one projection and the mirror image of its opposite (searched on a half-pixel grid,
// then refined to 0.05 px with interpolation and a parabola through the best three).
// Scans over [0, 180) have no exact opposite pair; the projection at theta_0 - delta (the
// mirror partner of the last one, delta = 180 - (theta_last - theta_0)) is then extrapolated
// linearly from the first two projections, which is second-order accurate in the angle step.
#include <cstdint>
#include <span>

namespace tomoedge::recon {

/// `sinograms` is (rows, angles, cols) of line integrals; rows are summed (less noise).
/// Error when no two angles are about 180 degrees apart (within two angle steps).
double find_rotation_centre(const float* sinograms, std::int64_t rows, std::int64_t angles, std::int64_t cols,
                            std::span<const float> theta_deg);

}  // namespace tomoedge::recon
