#include "recon/projector.hpp"

#include "core/error.hpp"
#include "recon/geometry.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tomoedge::recon {

double chord_length(const Ellipse& e, double theta_rad, double s) {
    // Points s n + t e_t (n = (cos, sin), e_t = (-sin, cos)); inside when the quadratic
    // A t^2 + 2 B t + C <= 0; the chord is the distance between its roots.
    const double c = std::cos(theta_rad), sn = std::sin(theta_rad);
    const double dx = s * c - e.cx, dy = s * sn - e.cy;
    const double tx = -sn, ty = c;
    const double a = e.qxx * tx * tx + 2 * e.qxy * tx * ty + e.qyy * ty * ty;
    const double b = e.qxx * tx * dx + e.qxy * (tx * dy + ty * dx) + e.qyy * ty * dy;
    const double cc = e.qxx * dx * dx + 2 * e.qxy * dx * dy + e.qyy * dy * dy - 1.0;
    const double disc = b * b - a * cc;
    return disc > 0 ? 2.0 * std::sqrt(disc) / a : 0.0;
}

void project(const std::vector<Ellipse>& ellipses, std::span<const float> theta_rad, std::int64_t cols,
             double centre, float* out, std::int64_t angle_stride) {
    if (cols <= 0) fail("project: detector width must be positive, got {}", cols);
    const auto angles = static_cast<std::int64_t>(theta_rad.size());
#pragma omp parallel for schedule(dynamic, 4)
    for (std::int64_t a = 0; a < angles; ++a) {
        const double theta = theta_rad[static_cast<std::size_t>(a)];
        const double c = std::cos(theta), sn = std::sin(theta);
        std::vector<double> row(static_cast<std::size_t>(cols), 0.0);
        for (const Ellipse& e : ellipses) {
            // Support of the projection: s_c +- sqrt(n^T Q^{-1} n); only those pixels are visited.
            const double det = e.qxx * e.qyy - e.qxy * e.qxy;
            const double half = std::sqrt((e.qyy * c * c - 2 * e.qxy * c * sn + e.qxx * sn * sn) / det);
            const double sc = e.cx * c + e.cy * sn;
            const auto u0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(sc - half + centre)));
            const auto u1 = std::min<std::int64_t>(cols - 1, static_cast<std::int64_t>(std::ceil(sc + half + centre)));
            for (std::int64_t u = u0; u <= u1; ++u)
                row[static_cast<std::size_t>(u)] += e.value * chord_length(e, theta, static_cast<double>(u) - centre);
        }
        float* dst = out + a * angle_stride;
        for (std::int64_t u = 0; u < cols; ++u) dst[u] = static_cast<float>(row[static_cast<std::size_t>(u)]);
    }
}

Tensor<float> project(const std::vector<Ellipse>& ellipses, std::span<const float> theta_rad, std::int64_t cols) {
    Tensor<float> sino(Shape{static_cast<std::int64_t>(theta_rad.size()), cols});
    project(ellipses, theta_rad, cols, default_centre(cols), sino.data(), cols);
    return sino;
}

std::vector<float> angles_deg(std::int64_t count) {
    if (count <= 0) fail("the number of angles must be positive, got {}", count);
    std::vector<float> deg(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i)
        deg[static_cast<std::size_t>(i)] = static_cast<float>(180.0 * static_cast<double>(i) / static_cast<double>(count));
    return deg;
}

std::vector<float> to_radians(std::span<const float> degrees) {
    std::vector<float> rad(degrees.size());
    for (std::size_t i = 0; i < degrees.size(); ++i)
        rad[i] = static_cast<float>(static_cast<double>(degrees[i]) * std::numbers::pi / 180.0);
    return rad;
}

}  // namespace tomoedge::recon
