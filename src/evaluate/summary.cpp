#include "evaluate/summary.hpp"

#include "core/error.hpp"
#include "core/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tomoedge::evaluate {

Summary summarize_scores(std::span<const double> values) {
    Summary s;
    std::vector<double> finite;
    finite.reserve(values.size());
    for (double v : values) {
        if (std::isnan(v)) fail("summary: a score is NaN");
        if (std::isinf(v))
            ++s.infinite;
        else
            finite.push_back(v);
    }
    if (finite.empty()) fail("summary: no finite score among {} values", values.size());
    s.count = static_cast<std::int64_t>(finite.size());
    double sum = 0;
    for (double v : finite) sum += v;
    s.mean = sum / static_cast<double>(finite.size());
    const auto [lo, hi] = std::minmax_element(finite.begin(), finite.end());
    s.min = *lo;
    s.max = *hi;
    // Quartiles through core's percentile (float data): scores carry far fewer significant digits
    // than float holds (SSIM to 1e-4, PSNR to 1e-3 dB), so the narrowing costs nothing visible;
    // the clamp keeps min <= q1 <= median <= q3 <= max exact despite the rounding.
    std::vector<float> narrowed(finite.begin(), finite.end());
    auto quartile = [&](double p) { return std::clamp(percentile(narrowed, p), s.min, s.max); };
    s.q1 = quartile(25.0);
    s.median = quartile(50.0);
    s.q3 = quartile(75.0);
    return s;
}

}  // namespace tomoedge::evaluate
