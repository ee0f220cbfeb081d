// TFLite's fixed-point requantization: closed cases and agreement with double arithmetic.
#include "core/error.hpp"
#include "runtime/int8/fixed_point.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

using namespace tomoedge::runtime::int8;

TEST(FixedPoint, QuantizeMultiplierDecomposesIntoQ31AndShift) {
    // 0.5 = 2^30 / 2^31 * 2^0; 1.0 = 0.5 * 2^1; 0.375 = 0.75 * 2^-1.
    EXPECT_EQ(quantize_multiplier(0.5).multiplier, 1 << 30);
    EXPECT_EQ(quantize_multiplier(0.5).shift, 0);
    EXPECT_EQ(quantize_multiplier(1.0).multiplier, 1 << 30);
    EXPECT_EQ(quantize_multiplier(1.0).shift, 1);
    EXPECT_EQ(quantize_multiplier(0.375).multiplier, 3 << 29);
    EXPECT_EQ(quantize_multiplier(0.375).shift, -1);
    EXPECT_EQ(quantize_multiplier(0.0).multiplier, 0);
    // A mantissa that rounds up to 2^31 is halved and the exponent incremented.
    const QuantizedMultiplier m = quantize_multiplier(std::nextafter(1.0, 0.0));
    EXPECT_EQ(m.multiplier, 1 << 30);
    EXPECT_EQ(m.shift, 1);
    // Far below 2^-31: zero.
    EXPECT_EQ(quantize_multiplier(1e-12).multiplier, 0);
    EXPECT_THROW(quantize_multiplier(-1.0), tomoedge::Error);
}

TEST(FixedPoint, SaturatingRoundingDoublingHighMul) {
    // round(a * b / 2^31); gemmlowp's nudge sends ties toward +infinity (then truncates).
    EXPECT_EQ(saturating_rounding_doubling_high_mul(1 << 30, 1 << 30), 1 << 29);
    EXPECT_EQ(saturating_rounding_doubling_high_mul(3, 1 << 30), 2);    // 1.5 -> 2
    EXPECT_EQ(saturating_rounding_doubling_high_mul(-3, 1 << 30), -1);  // -1.5 -> -1
    EXPECT_EQ(saturating_rounding_doubling_high_mul(-5, 1 << 29), -1);  // -1.25 -> -1
    EXPECT_EQ(saturating_rounding_doubling_high_mul(-7, 1 << 29), -2);  // -1.75 -> -2
    EXPECT_EQ(saturating_rounding_doubling_high_mul(5, 1 << 29), 1);    // 1.25 -> 1
    const std::int32_t lo = std::numeric_limits<std::int32_t>::min();
    EXPECT_EQ(saturating_rounding_doubling_high_mul(lo, lo), std::numeric_limits<std::int32_t>::max());
}

TEST(FixedPoint, RoundingDivideByPowerOfTwoRoundsHalfAwayFromZero) {
    EXPECT_EQ(rounding_divide_by_pot(5, 1), 3);    // 2.5
    EXPECT_EQ(rounding_divide_by_pot(-5, 1), -3);  // -2.5
    EXPECT_EQ(rounding_divide_by_pot(7, 2), 2);    // 1.75
    EXPECT_EQ(rounding_divide_by_pot(-6, 2), -2);  // -1.5
    EXPECT_EQ(rounding_divide_by_pot(-7, 2), -2);  // -1.75
    EXPECT_EQ(rounding_divide_by_pot(9, 0), 9);
    EXPECT_EQ(rounding_divide_by_pot(1 << 30, 31), 1);  // 0.5 -> 1
}

TEST(FixedPoint, MultiplyByQuantizedMultiplierMatchesDoubleArithmetic) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> log_m(-20.0, 4.0);
    std::uniform_int_distribution<std::int32_t> acc(-(1 << 22), 1 << 22);
    int exact = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        const double m = std::exp2(log_m(rng));
        const std::int32_t x = acc(rng);
        const QuantizedMultiplier q = quantize_multiplier(m);
        const double want = static_cast<double>(x) * m;
        const std::int32_t got = multiply_by_quantized_multiplier(x, q);
        // Two roundings (Q31 mantissa, then the shift) can differ from one round() by at most 1.
        ASSERT_LE(std::abs(static_cast<double>(got) - want), 0.5 + 1e-6 * std::abs(want) + 0.5) << x << " * " << m;
        exact += got == static_cast<std::int32_t>(std::round(want)) ? 1 : 0;
    }
    EXPECT_GT(exact, n * 95 / 100);  // nearly always the correctly rounded product
}

TEST(FixedPoint, PositiveShiftMultipliesBeforeTheHighMul) {
    const QuantizedMultiplier three = quantize_multiplier(3.0);  // 0.75 * 2^2
    EXPECT_EQ(three.shift, 2);
    EXPECT_EQ(multiply_by_quantized_multiplier(100, three), 300);
    // Shift 0: the high multiply alone rounds, ties toward +infinity: -3.5 -> -3 (TFLite gives -3).
    EXPECT_EQ(multiply_by_quantized_multiplier(-7, quantize_multiplier(0.5)), -3);
    // A right shift rounds half away from zero: -7 * 0.25 = -1.75 -> -2; -6 * 0.25 = -1.5 -> -2.
    EXPECT_EQ(multiply_by_quantized_multiplier(-6, quantize_multiplier(0.25)), -2);
}
