#pragma once
// The five-number summary and mean of a set of per-slice scores: what the evaluate table prints and
// what one box of the box plot shows (box from the first to the third quartile, whiskers at min and max).
#include <cstdint>
#include <span>

namespace tomoedge::evaluate {

struct Summary {
    std::int64_t count = 0;     // finite values summarised
    std::int64_t infinite = 0;  // +/-inf values left out (PSNR of a slice identical to its truth)
    double mean = 0, min = 0, q1 = 0, median = 0, q3 = 0, max = 0;
};

/// Mean, min, max and the 25/50/75th percentiles (numpy's default linear interpolation) of the
/// finite values. Infinite values are counted, not summarised. Throws Error when there is no
/// finite value or a value is NaN.
Summary summarize_scores(std::span<const double> values);

}  // namespace tomoedge::evaluate
