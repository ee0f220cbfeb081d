#pragma once
// The Fine-Tune net's integer program (model/finetune.hpp) as one fused kernel.
//
// Why: the net is 0.23% of the generator's MACs, but as oneDNN primitives it took ~9 ms of a
// ~95 ms int8 slice (1024 x 1024, 2 threads): oneDNN 2.6's int8 kernels have a floor of ~4-5 ms
// per 1- to 4-channel convolution on a megapixel (one thread), whatever the layout, and the
// residual's Concat is two more passes over memory. Fused, every layer is computed row by row
// while its rows are in cache: each image is read once and written once.
//
// Recognised on the lowered Int8Graph (never by names): consecutive steps
//   Conv 3x3 1 -> C (stride 1, pads 1), Conv 3x3 C -> C (zero or more), Conv 3x3 C -> 1 = c,
//   Concat(axis 1) of [g, c] in either order, Conv 1x1 2 -> 1 reading the concat,
// where g is the first Conv's input and every tensor in between has no other reader. Anything
// else stays with the general path.
//
// Arithmetic: TFLite's (reference/int8_kernels.hpp), bit for bit: int32 accumulation of
// (x - zero point) x weight over taps inside the image, MultiplyByQuantizedMultiplier, output
// zero point, clamp. Two code paths: AVX-512 VNNI (C == 4, u8 activations: the 4 u8 channels
// of a pixel fill one 32-bit lane of vpdpbusd), chosen at run time when the CPU has it; and
// portable C++, the same arithmetic written plainly (the oracle of the fast path, and a fallback
// for callers: the oneDNN backend fuses the tail only where the AVX-512 path runs). Padding is
// stored as the zero point and its share subtracted from the bias (sum (x - zp) w =
// sum x w - zp sum w), so border pixels need no special case.
#include "runtime/int8/qdq_graph.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tomoedge::runtime::int8 {

/// One convolution of the tail with TFLite's per-op data.
struct TailConv {
    int in_channels = 0, out_channels = 0, kernel = 3;  // kernel: 3 (the 3x3 layers) or 1 (residual)
    std::vector<std::int8_t> weights;                   // (out, in, kernel, kernel)
    std::vector<std::int32_t> bias;                     // (out,)
    ConvQuant q;
    QuantParams in, out;
};

struct FineTuneTail {
    std::size_t first_step = 0, last_step = 0;  // the program steps it replaces, inclusive
    std::string input, output;                  // integer tensors: g and the residual's output
    std::vector<TailConv> convs;                // the 3x3 layers: 1 -> C, C -> C ..., C -> 1
    TailConv residual;                          // 1x1, 2 -> 1, input channels ordered [g, c]
    int channels() const { return convs.front().out_channels; }
};

/// The tail starting at program.steps[step], or nullopt when the steps there are not one.
std::optional<FineTuneTail> match_finetune_tail(const Int8Graph& program, std::size_t step);

enum class TailPath { portable, avx512_vnni };
std::string_view tail_path_name(TailPath path);

/// Whether this CPU and `tail` can take the AVX-512 VNNI path (C == 4, u8 tensors throughout,
/// accumulators that stay below 2^30 after the requantization's left shift).
bool avx512_vnni_usable(const FineTuneTail& tail);
/// The fastest path for `tail` here.
TailPath best_tail_path(const FineTuneTail& tail);

/// One-byte images (u8 or s8 as the tensors' types say): element (n, y, x) of channel 0 at
/// data[n * image_stride + (y * w + x) * pixel_stride].
struct TailImage {
    std::byte* data = nullptr;
    std::int64_t n = 0, h = 0, w = 0;
    std::int64_t pixel_stride = 1, image_stride = 0;
};

/// Runs the tail on `src` (g) into `dst` (same n, h, w). Rows are split among the OpenMP
/// threads. Throws Error for mismatched images or a path this CPU or tail cannot take.
void run_finetune_tail(const FineTuneTail& tail, const TailImage& src, const TailImage& dst, TailPath path);

}  // namespace tomoedge::runtime::int8
