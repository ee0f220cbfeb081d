#include "recon/rotation_centre.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace tomoedge::recon {
namespace {

double sample(const std::vector<double>& r, double u) {
    const double fl = std::floor(u);
    const auto i = static_cast<std::int64_t>(fl);
    const auto n = static_cast<std::int64_t>(r.size());
    if (i < 0 || i + 1 >= n) return i == n - 1 && u == fl ? r[static_cast<std::size_t>(i)] : 0.0;
    const double f = u - fl;
    return (1 - f) * r[static_cast<std::size_t>(i)] + f * r[static_cast<std::size_t>(i + 1)];
}

// Mean squared difference between m(u) and ref(2c - u) over the detector positions where
// both are on the detector.
double mismatch(const std::vector<double>& ref, const std::vector<double>& m, double c) {
    const auto n = static_cast<std::int64_t>(m.size());
    double acc = 0;
    std::int64_t count = 0;
    for (std::int64_t u = 0; u < n; ++u) {
        const double v = 2 * c - static_cast<double>(u);
        if (v < 0 || v > static_cast<double>(n - 1)) continue;
        const double d = m[static_cast<std::size_t>(u)] - sample(ref, v);
        acc += d * d;
        ++count;
    }
    return count > 0 ? acc / static_cast<double>(count) : std::numeric_limits<double>::infinity();
}

}  // namespace

double find_rotation_centre(const float* sino, std::int64_t rows, std::int64_t angles, std::int64_t cols,
                            std::span<const float> theta_deg) {
    if (rows < 1 || angles < 2 || cols < 8 || static_cast<std::int64_t>(theta_deg.size()) != angles)
        fail("centre of rotation: need at least 2 angles, 8 detector columns and one theta per angle");
    // Find the pair of projections closest to 180 degrees apart.
    std::int64_t best_i = 0, best_j = 1;
    double best_gap = std::numeric_limits<double>::infinity();
    for (std::int64_t i = 0; i < angles; ++i)
        for (std::int64_t j = 0; j < angles; ++j) {
            const double d = theta_deg[static_cast<std::size_t>(j)] - theta_deg[static_cast<std::size_t>(i)];
            if (d <= 0) continue;
            const double gap = std::abs(d - 180.0);
            if (gap < best_gap) best_gap = gap, best_i = i, best_j = j;
        }
    std::vector<double> ref(static_cast<std::size_t>(cols), 0.0), mir(static_cast<std::size_t>(cols), 0.0);
    const auto add_row = [&](std::vector<double>& dst, std::int64_t a, double w) {
        for (std::int64_t r = 0; r < rows; ++r) {
            const float* p = sino + (r * angles + a) * cols;
            for (std::int64_t u = 0; u < cols; ++u) dst[static_cast<std::size_t>(u)] += w * p[u];
        }
    };
    add_row(mir, best_j, 1.0);
    const double span = theta_deg[static_cast<std::size_t>(best_j)] - theta_deg[static_cast<std::size_t>(best_i)];
    const double delta = 180.0 - span;  // > 0: the mirror partner lies before theta_i
    if (std::abs(delta) < 1e-3) {
        add_row(ref, best_i, 1.0);
    } else {
        // Neighbour of i on the far side from the partner's angle, for linear extrapolation.
        std::int64_t k = -1;
        double step = std::numeric_limits<double>::infinity();
        for (std::int64_t a = 0; a < angles; ++a) {
            const double d = (theta_deg[static_cast<std::size_t>(a)] - theta_deg[static_cast<std::size_t>(best_i)]) *
                             (delta > 0 ? 1.0 : -1.0);
            if (d > 0 && d < step) step = d, k = a;
        }
        if (k < 0 || std::abs(delta) > 2.0 * step + 1e-6)
            fail("centre of rotation: no two projections are about 180 degrees apart (closest pair {:.3f} degrees); "
                 "give --center", span);
        const double t = std::abs(delta) / step;  // p(theta_i - delta) ~ p_i + t (p_i - p_k)
        add_row(ref, best_i, 1.0 + t);
        add_row(ref, k, -t);
    }
    // Coarse: centre on a half-pixel grid over the middle half of the detector.
    double best_c = 0, best_cost = std::numeric_limits<double>::infinity();
    for (std::int64_t twice = cols / 2; twice <= 3 * cols / 2; ++twice) {
        const double c = static_cast<double>(twice) / 2.0;
        const double cost = mismatch(ref, mir, c);
        if (cost < best_cost) best_cost = cost, best_c = c;
    }
    // Fine: 0.05 px steps within +-0.5 px, then a parabola through the minimum and its neighbours.
    constexpr double kStep = 0.05;
    std::vector<double> costs;
    for (int s = -10; s <= 10; ++s) costs.push_back(mismatch(ref, mir, best_c + s * kStep));
    const auto m = std::min_element(costs.begin() + 1, costs.end() - 1) - costs.begin();
    const double c0 = best_c + static_cast<double>(m - 10) * kStep;
    const double y0 = costs[static_cast<std::size_t>(m - 1)], y1 = costs[static_cast<std::size_t>(m)],
                 y2 = costs[static_cast<std::size_t>(m + 1)];
    const double denom = y0 - 2 * y1 + y2;
    const double shift = denom > 0 ? 0.5 * (y0 - y2) / denom : 0.0;
    return c0 + std::clamp(shift, -1.0, 1.0) * kStep;
}

}  // namespace tomoedge::recon
