#pragma once
// TFLite's integer requantization arithmetic (gemmlowp fixed point): a real multiplier M in
// (0, 1) or larger is stored as a Q31 mantissa m (2^30 <= m < 2^31) and a power-of-two shift,
// M ~= m * 2^(shift - 31). Every int8 backend must reproduce these to the bit; the reference
// kernels are the definition.
#include <cstdint>

namespace tomoedge::runtime::int8 {

struct QuantizedMultiplier {
    std::int32_t multiplier = 0;  // Q31 mantissa in [2^30, 2^31), or 0 for a zero multiplier
    int shift = 0;                // > 0: shift left first; < 0: rounding shift right last
};

/// frexp-based decomposition of `real` (>= 0) as TFLite's QuantizeMultiplier: the mantissa
/// rounded to 31 bits (a mantissa that rounds up to 2^31 is halved and the shift incremented);
/// multipliers below 2^-31 become 0.
QuantizedMultiplier quantize_multiplier(double real);

/// round(a * b / 2^31), saturating the one overflow case (INT32_MIN * INT32_MIN). gemmlowp's
/// SaturatingRoundingDoublingHighMul: a nudge of +-2^30 then truncation, so ties go toward
/// +infinity (1.5 -> 2, -1.5 -> -1).
std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b);

/// x / 2^exponent rounded to nearest, ties away from zero (exponent 0..31). gemmlowp's
/// RoundingDivideByPOT.
std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent);

/// x * M for M = (multiplier, shift): TFLite's MultiplyByQuantizedMultiplier (left shift before,
/// rounding right shift after the high multiply).
std::int32_t multiply_by_quantized_multiplier(std::int32_t x, QuantizedMultiplier m);

}  // namespace tomoedge::runtime::int8
