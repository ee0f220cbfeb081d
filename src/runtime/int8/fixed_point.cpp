#include "runtime/int8/fixed_point.hpp"

#include "core/error.hpp"

#include <cmath>
#include <limits>

namespace tomoedge::runtime::int8 {

QuantizedMultiplier quantize_multiplier(double real) {
    if (!(real >= 0) || !std::isfinite(real)) fail("quantize_multiplier: {} is not a finite non-negative number", real);
    if (real == 0) return {};
    int exponent = 0;
    const double mantissa = std::frexp(real, &exponent);  // real = mantissa * 2^exponent, mantissa in [0.5, 1)
    auto q = static_cast<std::int64_t>(std::round(mantissa * static_cast<double>(std::int64_t{1} << 31)));
    if (q == (std::int64_t{1} << 31)) {
        q /= 2;
        ++exponent;
    }
    if (exponent < -31) return {};  // too small to matter: every product rounds to 0
    if (exponent > 30) fail("quantize_multiplier: {} is too large for a Q31 multiplier", real);
    return {static_cast<std::int32_t>(q), exponent};
}

std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b) {
    if (a == b && a == std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::max();
    const std::int64_t ab = std::int64_t{a} * std::int64_t{b};
    const std::int64_t nudge = ab >= 0 ? (std::int64_t{1} << 30) : (1 - (std::int64_t{1} << 30));
    // Division truncates toward zero, as in gemmlowp (not an arithmetic shift).
    return static_cast<std::int32_t>((ab + nudge) / (std::int64_t{1} << 31));
}

std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) {
    if (exponent == 0) return x;
    const std::int32_t mask = static_cast<std::int32_t>((std::int64_t{1} << exponent) - 1);
    const std::int32_t remainder = x & mask;
    const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

std::int32_t multiply_by_quantized_multiplier(std::int32_t x, QuantizedMultiplier m) {
    const int left = m.shift > 0 ? m.shift : 0;
    const int right = m.shift > 0 ? 0 : -m.shift;
    // The left shift wraps like TFLite's (int32 multiply); accumulators never come near it.
    const auto shifted = static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << left);
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, m.multiplier), right);
}

}  // namespace tomoedge::runtime::int8
