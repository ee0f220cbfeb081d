// AVX-512 VNNI row kernels of the fused Fine-Tune tail (finetune_tail_avx512.hpp). Each function
// carries its own target attribute rather than the file being compiled for AVX-512, so no inline
// library code instantiated here can leak AVX-512 instructions into the rest of the program.
#include "runtime/int8/finetune_tail_avx512.hpp"

#include <immintrin.h>

// GCC 12's AVX-512 intrinsics pass a self-initialised "undefined" vector (`__m512i __Y = __Y;`)
// as the unused merge source, which -Wmaybe-uninitialized reports wherever they are inlined
// (GCC bug 105593, fixed in GCC 13). Nothing of ours is uninitialised.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define TOMOEDGE_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi")))

namespace tomoedge::runtime::int8::detail {

bool cpu_has_avx512_vnni() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
           __builtin_cpu_supports("avx512vbmi");
}

namespace {

// One output channel's requantization constants, broadcast.
struct Requant {
    __m512i multiplier, left, right, mask, half_mask, zero_point, lo, hi;
};

TOMOEDGE_AVX512 inline Requant requant_of(const PackedConv& c, int o) {
    Requant r;
    r.multiplier = _mm512_set1_epi32(c.multiplier[o]);
    r.left = _mm512_set1_epi32(c.left_shift[o]);
    r.right = _mm512_set1_epi32(c.right_shift[o]);
    const auto mask = static_cast<std::int32_t>((std::int64_t{1} << c.right_shift[o]) - 1);
    r.mask = _mm512_set1_epi32(mask);
    r.half_mask = _mm512_set1_epi32(mask >> 1);
    r.zero_point = _mm512_set1_epi32(c.out_zero_point);
    r.lo = _mm512_set1_epi32(c.act_min);
    r.hi = _mm512_set1_epi32(c.act_max);
    return r;
}

// fixed_point.hpp's multiply_by_quantized_multiplier, output offset and clamp, on 16 lanes.
TOMOEDGE_AVX512 inline __m512i requantize(__m512i acc, const Requant& r) {
    const __m512i x = _mm512_sllv_epi32(acc, r.left);  // wraps like TFLite's int32 multiply by 2^left
    // SaturatingRoundingDoublingHighMul: (x * m + 2^30) >> 31, floored, equals gemmlowp's nudge
    // of +-2^30 and truncation for both signs (m > 0, so the saturating case cannot occur).
    // The 64-bit products of even and odd lanes; bits 31..62 of each sum are the result.
    const __m512i nudge = _mm512_set1_epi64(std::int64_t{1} << 30);
    const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, r.multiplier), nudge);
    const __m512i odd = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), r.multiplier), nudge);
    const __m512i high = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31), _mm512_slli_epi64(odd, 1));
    // RoundingDivideByPOT: floor shift, plus one where the remainder exceeds half (ties away from 0).
    const __m512i remainder = _mm512_and_si512(high, r.mask);
    const __m512i threshold = _mm512_add_epi32(r.half_mask, _mm512_srli_epi32(high, 31));
    __m512i y = _mm512_srav_epi32(high, r.right);
    y = _mm512_mask_add_epi32(y, _mm512_cmpgt_epi32_mask(remainder, threshold), y, _mm512_set1_epi32(1));
    y = _mm512_add_epi32(y, r.zero_point);
    return _mm512_min_epi32(_mm512_max_epi32(y, r.lo), r.hi);
}

// Lanes left in a row from pixel x on, as a store mask.
TOMOEDGE_AVX512 inline __mmask16 tail_mask(std::int64_t w, std::int64_t x) {
    const std::int64_t left = w - x;
    return left >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1u);
}

// Four channels in [0, 255] into the bytes of one lane.
TOMOEDGE_AVX512 inline __m512i pack4(__m512i c0, __m512i c1, __m512i c2, __m512i c3) {
    return _mm512_or_si512(_mm512_or_si512(c0, _mm512_slli_epi32(c1, 8)),
                           _mm512_or_si512(_mm512_slli_epi32(c2, 16), _mm512_slli_epi32(c3, 24)));
}

}  // namespace

TOMOEDGE_AVX512 void avx512_input_row(const std::uint8_t* padded, std::int64_t w, std::uint32_t* lanes) {
    // Output byte 4i + j (j < 3) of a vector starting at pixel x is padded[x + i + j]; byte 4i + 3 is 0.
    alignas(64) std::uint8_t index[64];
    for (int i = 0; i < 16; ++i)
        for (int j = 0; j < 4; ++j) index[4 * i + j] = static_cast<std::uint8_t>(i + (j < 3 ? j : 0));
    const __m512i idx = _mm512_load_si512(index);
    const __mmask64 keep = 0x7777777777777777ull;
    for (std::int64_t x = 0; x < w; x += 16) {
        const __m512i bytes = _mm512_loadu_si512(padded + x);
        _mm512_mask_storeu_epi32(lanes + 1 + x, tail_mask(w, x), _mm512_maskz_permutexvar_epi8(keep, idx, bytes));
    }
}

TOMOEDGE_AVX512 void avx512_first_layer_row(const PackedConv& conv, const std::uint32_t* const rows[3], std::int64_t w,
                                            std::uint32_t* out) {
    const Requant r[4] = {requant_of(conv, 0), requant_of(conv, 1), requant_of(conv, 2), requant_of(conv, 3)};
    for (std::int64_t x = 0; x < w; x += 16) {
        __m512i in[3];
        for (int dy = 0; dy < 3; ++dy) in[dy] = _mm512_loadu_si512(rows[dy] + 1 + x);
        __m512i v[4];
        for (int o = 0; o < 4; ++o) {
            __m512i acc = _mm512_set1_epi32(conv.init[o]);
            for (int dy = 0; dy < 3; ++dy) acc = _mm512_dpbusd_epi32(acc, in[dy], _mm512_set1_epi32(conv.weights[o][dy]));
            v[o] = requantize(acc, r[o]);
        }
        _mm512_mask_storeu_epi32(out + 1 + x, tail_mask(w, x), pack4(v[0], v[1], v[2], v[3]));
    }
}

TOMOEDGE_AVX512 void avx512_middle_layer_row(const PackedConv& conv, const std::uint32_t* const rows[3], std::int64_t w,
                                             std::uint32_t* out) {
    const Requant r[4] = {requant_of(conv, 0), requant_of(conv, 1), requant_of(conv, 2), requant_of(conv, 3)};
    for (std::int64_t x = 0; x < w; x += 16) {
        __m512i acc[4] = {_mm512_set1_epi32(conv.init[0]), _mm512_set1_epi32(conv.init[1]), _mm512_set1_epi32(conv.init[2]),
                          _mm512_set1_epi32(conv.init[3])};
        for (int t = 0; t < 9; ++t) {
            const __m512i in = _mm512_loadu_si512(rows[t / 3] + x + t % 3);  // pixel x - 1 + t % 3
            for (int o = 0; o < 4; ++o) acc[o] = _mm512_dpbusd_epi32(acc[o], in, _mm512_set1_epi32(conv.weights[o][t]));
        }
        __m512i v[4];
        for (int o = 0; o < 4; ++o) v[o] = requantize(acc[o], r[o]);
        _mm512_mask_storeu_epi32(out + 1 + x, tail_mask(w, x), pack4(v[0], v[1], v[2], v[3]));
    }
}

TOMOEDGE_AVX512 void avx512_last_row(const PackedConv& last, const PackedConv& residual, const std::uint32_t* const rows[3],
                                     const std::uint8_t* g, std::int64_t w, std::uint8_t* out) {
    const Requant rc = requant_of(last, 0), rr = requant_of(residual, 0);
    const __m512i init = _mm512_set1_epi32(last.init[0]), init_r = _mm512_set1_epi32(residual.init[0]);
    const __m512i wg = _mm512_set1_epi32(residual.weights[0][0]), wc = _mm512_set1_epi32(residual.weights[0][1]);
    for (std::int64_t x = 0; x < w; x += 16) {
        __m512i acc = init;
        for (int t = 0; t < 9; ++t)
            acc = _mm512_dpbusd_epi32(acc, _mm512_loadu_si512(rows[t / 3] + x + t % 3), _mm512_set1_epi32(last.weights[0][t]));
        const __m512i c = requantize(acc, rc);
        const __mmask16 m = tail_mask(w, x);
        const __m512i gv = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, g + x));
        const __m512i sum = _mm512_add_epi32(init_r, _mm512_add_epi32(_mm512_mullo_epi32(gv, wg), _mm512_mullo_epi32(c, wc)));
        _mm512_mask_cvtepi32_storeu_epi8(out + x, m, requantize(sum, rr));
    }
}

}  // namespace tomoedge::runtime::int8::detail
