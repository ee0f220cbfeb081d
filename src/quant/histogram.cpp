#include "quant/histogram.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>

namespace tomoedge::quant {

Histogram::Histogram(int bins) {
    if (bins < 4 || bins % 4 != 0) fail("histogram: bin count {} is not a positive multiple of 4", bins);
    counts_.assign(static_cast<std::size_t>(bins), 0);
}

void Histogram::grow_to(double magnitude) {
    if (half_range_ == 0) {
        // First non-zero value: the smallest power of two that holds it.
        half_range_ = std::ldexp(1.0, std::ilogb(magnitude) + 1);
        return;
    }
    const std::size_t n = counts_.size();
    while (magnitude > half_range_) {
        // Old bin i covers [-R + i w, ...) = [-2R + (i + n/2) w, ...): new bin (i + n/2) / 2.
        std::vector<std::uint64_t> merged(n, 0);
        for (std::size_t i = 0; i < n; ++i) merged[(i + n / 2) / 2] += counts_[i];
        counts_ = std::move(merged);
        half_range_ *= 2;
    }
}

std::size_t Histogram::bin_of(double v) const {
    if (half_range_ == 0) return counts_.size() / 2;  // only zeros so far: the bin starting at 0
    const auto n = static_cast<double>(counts_.size());
    const double i = std::floor((v + half_range_) / (2 * half_range_) * n);
    return static_cast<std::size_t>(std::clamp(i, 0.0, n - 1));
}

void Histogram::add(float value, std::uint64_t count) {
    if (!std::isfinite(value)) fail("histogram: value {} is not finite", value);
    if (count == 0) return;
    const double v = value;
    if (total_ == 0) {
        min_ = max_ = v;
    } else {
        min_ = std::min(min_, v);
        max_ = std::max(max_, v);
    }
    if (std::abs(v) > half_range_) grow_to(std::abs(v));
    counts_[bin_of(v)] += count;
    total_ += count;
}

void Histogram::add(std::span<const float> values) {
    for (float v : values) add(v, 1);
}

double Histogram::quantile(double q) const {
    if (total_ == 0) fail("histogram: quantile of an empty histogram");
    const double target = std::clamp(q, 0.0, 1.0) * static_cast<double>(total_);
    double seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        const auto c = static_cast<double>(counts_[i]);
        if (c > 0 && seen + c >= target) {
            const double v = bin_lower(i) + (target - seen) / c * bin_width();
            return std::clamp(v, min_, max_);
        }
        seen += c;
    }
    return max_;
}

}  // namespace tomoedge::quant
