#include "core/statistics.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace tomoedge {
namespace {

// Value of rank `pos` (fractional) in `v`, which is partially reordered.
double select_interpolated(std::vector<float>& v, double pos) {
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
    const double a = v[lo];
    if (hi == lo) return a;
    const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo) + 1, v.end());
    return a + (pos - static_cast<double>(lo)) * (b - a);
}

double rank_of(double p, std::size_t n) {
    if (!(p >= 0.0 && p <= 100.0)) fail("percentile {} is outside [0, 100]", p);
    return p / 100.0 * static_cast<double>(n - 1);
}

}  // namespace

double percentile(std::span<const float> values, double p) {
    if (values.empty()) fail("percentile of an empty set");
    std::vector<float> v(values.begin(), values.end());
    return select_interpolated(v, rank_of(p, v.size()));
}

std::pair<double, double> percentile_range(std::span<const float> values, double low_p, double high_p) {
    if (values.empty()) fail("percentile of an empty set");
    std::vector<float> v(values.begin(), values.end());
    const double low = select_interpolated(v, rank_of(low_p, v.size()));
    const double high = select_interpolated(v, rank_of(high_p, v.size()));
    return {low, high};
}

ValueRange value_range(std::span<const float> values) {
    ValueRange r;
    if (values.empty()) return r;
    float lo = std::numeric_limits<float>::infinity(), hi = -lo;
    double sum = 0;
    for (float x : values) {
        lo = std::min(lo, x);
        hi = std::max(hi, x);
        sum += x;
    }
    r.min = lo;
    r.max = hi;
    r.mean = sum / static_cast<double>(values.size());
    return r;
}

}  // namespace tomoedge
