#pragma once
// Internal to finetune_tail.cpp: the AVX-512 VNNI row kernels of the fused Fine-Tune tail
// (C == 4, u8 tensors) and the packed parameters they read. The file defining them compiles its
// functions for AVX-512 by attribute, so nothing here runs before cpu_has_avx512_vnni() is true.
//
// Rows are arrays of 32-bit lanes, one per pixel, starting at pixel -1 (the left padding), with
// pixel w the right padding and slack for whole 16-pixel vectors after it:
//   - an input row (g): lane x holds the bytes (g[x-1], g[x], g[x+1], 0), so one vpdpbusd
//     applies a kernel row of the 1 -> 4 conv;
//   - a layer row: lane x holds the 4 u8 channels of pixel x.
// Padding pixels and rows hold the zero point of the tensor; PackedConv::init holds
// bias - zero point x sum of weights, which makes that padding contribute nothing.
#include <cstdint>

namespace tomoedge::runtime::int8::detail {

/// Pixels of slack after a row's right padding pixel: whole vectors may run past it.
constexpr std::int64_t row_slack = 32;

/// One conv layer of the tail (at most 4 output channels), TFLite's arithmetic packed.
/// Preconditions (finetune_tail.cpp checks them, else the portable path runs): every
/// accumulator satisfies |acc| x 2^left_shift < 2^30; fold_zero_point only where also
/// |acc| 2^left + 2^(right-1) + |zero point| 2^right < 2^31 for every channel.
struct PackedConv {
    int out_channels = 0;
    std::int32_t weights[4][9] = {};  // [o][tap]: 4 signed bytes, one per input channel (or per kernel column)
    std::int32_t init[4] = {};        // bias - input zero point x sum of weights
    std::int32_t multiplier[4] = {};
    std::int32_t left_shift[4] = {}, right_shift[4] = {};
    std::int32_t out_zero_point = 0, act_min = 0, act_max = 255;
    bool fold_zero_point = false;     // add the zero point inside the rounding constant
};

bool cpu_has_avx512_vnni();

/// The input row lanes from g's row with its padding: padded[0] = zp, padded[1 + x] = g[x],
/// padded[w + 1] = zp (and readable up to padded[w + 1 + row_slack + 64]).
void avx512_input_row(const std::uint8_t* padded, std::int64_t w, std::uint32_t* lanes);

/// A 1 -> 4 layer row from the three input rows around it (each pointing at pixel -1).
void avx512_first_layer_row(const PackedConv& conv, const std::uint32_t* const rows[3], std::int64_t w,
                            std::uint32_t* out);
/// A 4 -> 4 layer row from the three layer rows around it.
void avx512_middle_layer_row(const PackedConv& conv, const std::uint32_t* const rows[3], std::int64_t w,
                             std::uint32_t* out);
/// The 4 -> 1 layer and the 1x1 residual over [g, c] for one row: `g` is the row of g (w bytes,
/// dense), `out` receives w bytes.
void avx512_last_row(const PackedConv& last, const PackedConv& residual, const std::uint32_t* const rows[3],
                     const std::uint8_t* g, std::int64_t w, std::uint8_t* out);

}  // namespace tomoedge::runtime::int8::detail
