#pragma once
// Order statistics over pixel data: robust windows (PNG previews), normalisation ranges.
#include <span>
#include <utility>

namespace tomoedge {

/// The p-th percentile (0..100) with linear interpolation between order statistics (numpy's
/// default "linear" method). Throws Error on empty input.
double percentile(std::span<const float> values, double p);

/// Both ends of a window at once (one copy, two selections).
std::pair<double, double> percentile_range(std::span<const float> values, double low_p, double high_p);

struct ValueRange {
    double min = 0, max = 0, mean = 0;
};
ValueRange value_range(std::span<const float> values);

}  // namespace tomoedge
