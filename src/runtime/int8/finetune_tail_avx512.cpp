// AVX-512 VNNI row kernels of the fused Fine-Tune tail (finetune_tail_avx512.hpp). Each function
// carries its own target attribute rather than the file being compiled for AVX-512, so no inline
// library code instantiated here can leak AVX-512 instructions into the rest of the program.
#include "runtime/int8/finetune_tail_avx512.hpp"

// x86-64 only. On other architectures (aarch64: docs/arm.md) cpu_has_avx512_vnni() is false, so
// finetune_tail.cpp always takes its portable path, and the row kernels below are stubs that
// are never reached.
#if defined(__x86_64__) || defined(__i386__)

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
    __m512i multiplier, left, round, round_one, right, zero_point, lo, hi;
};

// `fold`: the zero point goes into the rounding constant (requantize<..., Fold = true>).
TOMOEDGE_AVX512 inline Requant requant_of(const PackedConv& c, int o, bool fold) {
    Requant r;
    r.multiplier = _mm512_set1_epi32(c.multiplier[o]);
    r.left = _mm512_set1_epi32(c.left_shift[o] + 1);
    const int right = c.right_shift[o];
    std::int64_t round = std::int64_t{1} << 31;
    if (right > 0) round += std::int64_t{1} << (31 + right);
    if (fold) round += static_cast<std::int64_t>(c.out_zero_point) * (std::int64_t{1} << (32 + right));
    r.round = _mm512_set1_epi64(round);
    r.round_one = _mm512_set1_epi32(right > 0 ? 1 : 0);
    r.right = _mm512_set1_epi32(right);
    r.zero_point = _mm512_set1_epi32(c.out_zero_point);
    r.lo = _mm512_set1_epi32(c.act_min);
    r.hi = _mm512_set1_epi32(c.act_max);
    return r;
}

// fixed_point.hpp's multiply_by_quantized_multiplier, output offset and clamp, on 16 lanes, under
// PackedConv's preconditions. With x = acc 2^left, q = SaturatingRoundingDoublingHighMul(x, m) and
// r = the right shift:
//   q = floor((x m + 2^30) / 2^31) for both signs (gemmlowp's nudge of +-2^30 and truncation come
//       to this; m > 0, so it never saturates) = the high 32 bits of 2x m + 2^31;
//   RoundingDivideByPOT(q, r) = floor((q + 2^(r-1) - [q < 0]) / 2^r) for r > 0 (ties away from
//       zero), and [q < 0] may be read as [acc < 0]: where they differ q is 0, and both give 0.
// 2^(r-1) (and the zero point x 2^r where Fold) join 2^31 in one 64-bit constant, so the high
// halves of the two products need only the sign correction, one shift and the clamp.
template <bool Left, bool Fold>
TOMOEDGE_AVX512 inline __m512i requantize(__m512i acc, const Requant& r) {
    const __m512i x2 = Left ? _mm512_sllv_epi32(acc, r.left) : _mm512_add_epi32(acc, acc);
    const __mmask16 negative = _mm512_cmplt_epi32_mask(acc, _mm512_setzero_si512());
    const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x2, r.multiplier), r.round);
    const __m512i odd = _mm512_add_epi64(_mm512_mul_epi32(_mm512_shuffle_epi32(x2, _MM_PERM_DDBB), r.multiplier), r.round);
    const __m512i high_dwords = _mm512_set_epi32(31, 15, 29, 13, 27, 11, 25, 9, 23, 7, 21, 5, 19, 3, 17, 1);
    const __m512i q = _mm512_permutex2var_epi32(even, high_dwords, odd);
    __m512i y = _mm512_srav_epi32(_mm512_mask_sub_epi32(q, negative, q, r.round_one), r.right);
    if (!Fold) y = _mm512_add_epi32(y, r.zero_point);
    return _mm512_min_epi32(_mm512_max_epi32(y, r.lo), r.hi);
}

// Lanes left in a row from pixel x on, as a store mask.
TOMOEDGE_AVX512 inline __mmask16 tail_mask(std::int64_t w, std::int64_t x) {
    const std::int64_t left = w - x;
    return left >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1u);
}

// The vpshufb control of byte_to for lane i of a 128-bit block: byte k takes byte 0, others 0.
constexpr std::int32_t byte0_to(int k, int i) {
    return static_cast<std::int32_t>((0x80808080u & ~(0xFFu << (8 * k))) | static_cast<std::uint32_t>(4 * i) << (8 * k));
}

// Moves byte 0 of every lane (a value in [0, 255]; bytes 1..3 are 0) to byte k, zeroing the rest.
TOMOEDGE_AVX512 inline __m512i byte_to(__m512i v, int k) {
    return _mm512_shuffle_epi8(v, _mm512_set4_epi32(byte0_to(k, 3), byte0_to(k, 2), byte0_to(k, 1), byte0_to(k, 0)));
}

// Four channels in [0, 255] into the bytes of one lane (shuffles and one ternary OR, off port 0).
TOMOEDGE_AVX512 inline __m512i pack4(__m512i c0, __m512i c1, __m512i c2, __m512i c3) {
    return _mm512_or_si512(_mm512_ternarylogic_epi32(c0, byte_to(c1, 1), byte_to(c2, 2), 0xFE), byte_to(c3, 3));
}

TOMOEDGE_AVX512 inline bool any_left_shift(const PackedConv& c) {
    bool any = false;
    for (int o = 0; o < c.out_channels; ++o) any = any || c.left_shift[o] > 0;
    return any;
}

// The requantization variant of `c` (and `d`, when one loop requantizes both) as two flags.
TOMOEDGE_AVX512 inline int variant(const PackedConv& c, const PackedConv& d) {
    return (any_left_shift(c) || any_left_shift(d) ? 2 : 0) + (c.fold_zero_point && d.fold_zero_point ? 1 : 0);
}

template <bool Left, bool Fold>
TOMOEDGE_AVX512 void first_layer_row(const PackedConv& conv, const std::uint32_t* const rows[3], std::int64_t w,
                                     std::uint32_t* out) {
    const Requant r[4] = {requant_of(conv, 0, Fold), requant_of(conv, 1, Fold), requant_of(conv, 2, Fold), requant_of(conv, 3, Fold)};
    for (std::int64_t x = 0; x < w; x += 16) {
        __m512i in[3];
        for (int dy = 0; dy < 3; ++dy) in[dy] = _mm512_loadu_si512(rows[dy] + 1 + x);
        __m512i v[4];
        for (int o = 0; o < 4; ++o) {
            __m512i acc = _mm512_set1_epi32(conv.init[o]);
            for (int dy = 0; dy < 3; ++dy) acc = _mm512_dpbusd_epi32(acc, in[dy], _mm512_set1_epi32(conv.weights[o][dy]));
            v[o] = requantize<Left, Fold>(acc, r[o]);
        }
        _mm512_mask_storeu_epi32(out + 1 + x, tail_mask(w, x), pack4(v[0], v[1], v[2], v[3]));
    }
}

template <bool Left, bool Fold>
TOMOEDGE_AVX512 void middle_layer_row(const PackedConv& conv, const std::uint32_t* const rows[3], std::int64_t w,
                                      std::uint32_t* out) {
    const Requant r[4] = {requant_of(conv, 0, Fold), requant_of(conv, 1, Fold), requant_of(conv, 2, Fold), requant_of(conv, 3, Fold)};
    for (std::int64_t x = 0; x < w; x += 16) {
        __m512i acc[4] = {_mm512_set1_epi32(conv.init[0]), _mm512_set1_epi32(conv.init[1]), _mm512_set1_epi32(conv.init[2]),
                          _mm512_set1_epi32(conv.init[3])};
        for (int t = 0; t < 9; ++t) {
            const __m512i in = _mm512_loadu_si512(rows[t / 3] + x + t % 3);  // pixel x - 1 + t % 3
            for (int o = 0; o < 4; ++o) acc[o] = _mm512_dpbusd_epi32(acc[o], in, _mm512_set1_epi32(conv.weights[o][t]));
        }
        __m512i v[4];
        for (int o = 0; o < 4; ++o) v[o] = requantize<Left, Fold>(acc[o], r[o]);
        _mm512_mask_storeu_epi32(out + 1 + x, tail_mask(w, x), pack4(v[0], v[1], v[2], v[3]));
    }
}

template <bool Left, bool Fold>
TOMOEDGE_AVX512 void last_row(const PackedConv& last, const PackedConv& residual, const std::uint32_t* const rows[3],
                              const std::uint8_t* g, std::int64_t w, std::uint8_t* out) {
    const Requant rc = requant_of(last, 0, Fold), rr = requant_of(residual, 0, Fold);
    const __m512i init = _mm512_set1_epi32(last.init[0]), init_r = _mm512_set1_epi32(residual.init[0]);
    // The residual's two weights as 16-bit pairs: vpmaddwd of (g, c) gives g wg + c wc.
    const __m512i weights_gc = _mm512_set1_epi32(static_cast<std::int32_t>(
        (static_cast<std::uint32_t>(residual.weights[0][0]) & 0xffffu) | static_cast<std::uint32_t>(residual.weights[0][1]) << 16));
    for (std::int64_t x = 0; x < w; x += 16) {
        __m512i acc[3] = {init, _mm512_setzero_si512(), _mm512_setzero_si512()};  // one per kernel row: shorter chains
        for (int t = 0; t < 9; ++t)
            acc[t / 3] = _mm512_dpbusd_epi32(acc[t / 3], _mm512_loadu_si512(rows[t / 3] + x + t % 3),
                                             _mm512_set1_epi32(last.weights[0][t]));
        const __m512i c = requantize<Left, Fold>(_mm512_add_epi32(acc[0], _mm512_add_epi32(acc[1], acc[2])), rc);
        const __mmask16 m = tail_mask(w, x);
        const __m512i gc = _mm512_or_si512(_mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, g + x)), byte_to(c, 2));
        const __m512i sum = _mm512_add_epi32(init_r, _mm512_madd_epi16(gc, weights_gc));
        _mm512_mask_cvtepi32_storeu_epi8(out + x, m, requantize<Left, Fold>(sum, rr));
    }
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

// Calls NAME<Left, Fold>(args...) for the variant v.
#define TOMOEDGE_DISPATCH(v, name, ...)                          \
    switch (v) {                                                 \
        case 0: name<false, false>(__VA_ARGS__); break;          \
        case 1: name<false, true>(__VA_ARGS__); break;           \
        case 2: name<true, false>(__VA_ARGS__); break;           \
        default: name<true, true>(__VA_ARGS__); break;           \
    }

TOMOEDGE_AVX512 void avx512_first_layer_row(const PackedConv& conv, const std::uint32_t* const rows[3], std::int64_t w,
                                            std::uint32_t* out) {
    TOMOEDGE_DISPATCH(variant(conv, conv), first_layer_row, conv, rows, w, out)
}

TOMOEDGE_AVX512 void avx512_middle_layer_row(const PackedConv& conv, const std::uint32_t* const rows[3], std::int64_t w,
                                             std::uint32_t* out) {
    TOMOEDGE_DISPATCH(variant(conv, conv), middle_layer_row, conv, rows, w, out)
}

TOMOEDGE_AVX512 void avx512_last_row(const PackedConv& last, const PackedConv& residual, const std::uint32_t* const rows[3],
                                     const std::uint8_t* g, std::int64_t w, std::uint8_t* out) {
    TOMOEDGE_DISPATCH(variant(last, residual), last_row, last, residual, rows, g, w, out)
}

#undef TOMOEDGE_DISPATCH

}  // namespace tomoedge::runtime::int8::detail

#else  // not x86

#include <cstdlib>

namespace tomoedge::runtime::int8::detail {

bool cpu_has_avx512_vnni() { return false; }

// Unreachable: every caller first requires cpu_has_avx512_vnni() (finetune_tail.cpp).
void avx512_input_row(const std::uint8_t*, std::int64_t, std::uint32_t*) { std::abort(); }
void avx512_first_layer_row(const PackedConv&, const std::uint32_t* const[3], std::int64_t, std::uint32_t*) {
    std::abort();
}
void avx512_middle_layer_row(const PackedConv&, const std::uint32_t* const[3], std::int64_t, std::uint32_t*) {
    std::abort();
}
void avx512_last_row(const PackedConv&, const PackedConv&, const std::uint32_t* const[3], const std::uint8_t*,
                     std::int64_t, std::uint8_t*) {
    std::abort();
}

}  // namespace tomoedge::runtime::int8::detail

#endif
