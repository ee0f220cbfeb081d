#include "quant/calibration.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace tomoedge::quant {

std::string_view method_name(Method m) {
    switch (m) {
        case Method::minmax: return "minmax";
        case Method::percentile: return "percentile";
        case Method::mse: return "mse";
        case Method::entropy: return "entropy";
    }
    return "?";
}

Method parse_method(std::string_view text) {
    for (Method m : {Method::minmax, Method::percentile, Method::mse, Method::entropy})
        if (method_name(m) == text) return m;
    fail("unknown calibration method '{}' (use minmax, percentile, mse or entropy)", text);
}

double expected_squared_error(const Histogram& h, Range range, int levels) {
    const double lo = std::min(range.low, 0.0), hi = std::max(range.high, 0.0);
    const double step = (hi - lo) / (levels - 1);
    const double rounding = step * step / 12;
    double cost = 0;
    const auto& counts = h.counts();
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (counts[i] == 0) continue;
        // The bin's representative value, kept inside the observed data.
        const double v = std::clamp(h.bin_centre(i), h.min(), h.max());
        const double clipped = std::clamp(v, lo, hi);
        const double e = v == clipped ? rounding : (v - clipped) * (v - clipped);
        cost += e * static_cast<double>(counts[i]);
    }
    return cost;
}

namespace {

Range percentile_range(const Histogram& h, double p) {
    if (!(p > 50 && p <= 100)) fail("percentile {} is not in (50, 100]", p);
    Range r{h.min(), h.max()};
    if (h.min() < 0) r.low = h.quantile(1 - p / 100);
    if (h.max() > 0) r.high = h.quantile(p / 100);
    return r;
}

Range mse_range(const Histogram& h, int levels) {
    constexpr int steps = 512;
    Range best{h.min(), h.max()};
    double best_cost = std::numeric_limits<double>::infinity();
    for (int k = 1; k <= steps; ++k) {
        const double f = static_cast<double>(k) / steps;
        const Range r{h.min() * f, h.max() * f};
        const double cost = expected_squared_error(h, r, levels);
        if (cost < best_cost) {
            best_cost = cost;
            best = r;
        }
    }
    return best;
}

// KL(P || Q) for TensorRT's entropy calibration: P = the first `edge` magnitude bins with the
// tail folded into the last; Q = P merged into `levels` buckets and spread back uniformly over
// each bucket's non-empty bins.
double kl_for_edge(const std::vector<double>& mag, std::size_t edge, int levels) {
    std::vector<double> p(mag.begin(), mag.begin() + static_cast<std::ptrdiff_t>(edge));
    for (std::size_t i = edge; i < mag.size(); ++i) p[edge - 1] += mag[i];
    std::vector<double> q(edge, 0.0);
    const double per = static_cast<double>(edge) / levels;
    for (int b = 0; b < levels; ++b) {
        const auto start = static_cast<std::size_t>(std::floor(b * per));
        const auto stop = b == levels - 1 ? edge : static_cast<std::size_t>(std::floor((b + 1) * per));
        double sum = 0;
        int nonzero = 0;
        for (std::size_t i = start; i < stop; ++i) {
            sum += mag[i];  // the unfolded counts: the clipped tail is what Q cannot represent
            nonzero += mag[i] > 0 ? 1 : 0;
        }
        for (std::size_t i = start; i < stop; ++i)
            if (mag[i] > 0) q[i] = sum / nonzero;
    }
    double psum = 0, qsum = 0;
    for (std::size_t i = 0; i < edge; ++i) {
        psum += p[i];
        qsum += q[i];
    }
    if (psum == 0 || qsum == 0) return std::numeric_limits<double>::infinity();
    double kl = 0;
    for (std::size_t i = 0; i < edge; ++i) {
        if (p[i] == 0) continue;
        const double pi = p[i] / psum;
        const double qi = q[i] / qsum;
        if (qi == 0) return std::numeric_limits<double>::infinity();
        kl += pi * std::log(pi / qi);
    }
    return kl;
}

Range entropy_range(const Histogram& h, int levels) {
    // Magnitudes |x|: fold the negative half of the symmetric histogram onto the positive half.
    const auto& counts = h.counts();
    const std::size_t half = counts.size() / 2;
    std::vector<double> mag(half, 0.0);
    for (std::size_t i = 0; i < half; ++i)
        mag[i] = static_cast<double>(counts[half + i]) + static_cast<double>(counts[half - 1 - i]);
    const bool two_sided = h.min() < 0 && h.max() > 0;
    const int target = two_sided ? levels / 2 : levels;
    const double width = h.bin_width();
    std::size_t last = half;
    while (last > 0 && mag[last - 1] == 0) --last;
    if (last <= static_cast<std::size_t>(target)) return {h.min(), h.max()};  // already coarser than the grid
    std::size_t best_edge = last;
    double best_kl = std::numeric_limits<double>::infinity();
    for (std::size_t edge = static_cast<std::size_t>(target); edge <= last; ++edge) {
        const double kl = kl_for_edge(mag, edge, target);
        if (kl < best_kl) {
            best_kl = kl;
            best_edge = edge;
        }
    }
    const double threshold = static_cast<double>(best_edge) * width;
    return {std::max(h.min(), -threshold), std::min(h.max(), threshold)};
}

}  // namespace

Range choose_range(const Histogram& h, const CalibrationOptions& options) {
    if (h.count() == 0) fail("calibration: no values observed");
    if (options.levels < 2) fail("calibration: {} levels", options.levels);
    switch (options.method) {
        case Method::minmax: return {h.min(), h.max()};
        case Method::percentile: return percentile_range(h, options.percentile);
        case Method::mse: return mse_range(h, options.levels);
        case Method::entropy: return entropy_range(h, options.levels);
    }
    return {h.min(), h.max()};
}

}  // namespace tomoedge::quant
