#include "core/checks.hpp"

#include "core/error.hpp"

#include <cmath>
#include <cstdint>

namespace tomoedge {

void require_finite(std::span<const float> values, std::string_view what) {
    std::int64_t bad = 0, first = -1;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) {
            if (first < 0) first = static_cast<std::int64_t>(i);
            ++bad;
        }
    }
    if (bad > 0) fail("{}: {} non-finite pixel(s) (NaN or Inf), first at flat index {}", what, bad, first);
}

}  // namespace tomoedge
