#pragma once
// The Fine-Tune net (the paper's answer to int8 loss: a shallow CNN trained on the quantized
// generator's outputs) and the graph surgery that chains it after the generator, so one model
// runs both in one pass.
//
// Layout (C = channels, L = 3x3 convs, input g = the generator's output, one channel):
//   ft_conv1      3x3 conv 1 -> C, ReLU
//   ft_conv2..    3x3 conv C -> C, ReLU                 (L - 2 of them)
//   ft_conv<L>    3x3 conv C -> 1: the correction c (+ offset)
//   ft_concat     Concat [g, c + offset]
//   ft_residual   1x1 conv 2 -> 1, weights fixed at (1, 1), bias fixed at -offset: g + c
// Why the residual is a Concat and a fixed 1x1 conv rather than an Add: every backend and the
// int8 lowering run Conv/Relu/Concat (Add has no int8 kernel), and in int8 the Concat shares g's
// scale and zero point, so g enters the sum as the generator's exact integers, and c is stored
// on g's grid. `offset` centres c in g's quantized range, so corrections of either sign fit
// (g's range may start at 0, where a bare c < 0 would saturate).
// Why this size: at C = 4, L = 3 it costs 2 x 9 x 4 + 9 x 16 + 2 = 218 MAC a pixel, 0.23% of the
// generator's 97.2 GMAC at 1024 x 1024 (the paper's Fine-Tune: 0.2%); its receptive field is
// 7 x 7, enough to undo the local blur and offset int8 leaves.
#include "model/graph.hpp"

#include <cstdint>

namespace tomoedge::model {

struct FineTuneConfig {
    int channels = 4;          // C
    int convs = 3;             // L, the 3x3 convs (>= 2)
    double offset = 0.0;       // see above; 0 for a float-only net
    std::uint64_t seed = 0;    // of the random (He-normal) weights; training overwrites them
};

/// The fp32 Fine-Tune graph: input "ft_input" (N, 1, H, W), output "output". Constants
/// "ft_conv1.weight", "ft_conv1.bias", ... (the names the trainer's parameters carry), plus the
/// fixed "ft_residual.weight"/".bias". Validated. Throws Error for a config out of range.
Graph build_finetune(const FineTuneConfig& config = {});

/// The learned 3x3 conv layer names, in order ("ft_conv1", ...).
std::vector<std::string> finetune_layer_names(const FineTuneConfig& config);

/// One graph that runs `first` and feeds its output to `second` (both fp32, or both QDQ int8).
/// `first`'s output keeps its values under the name "generator_output"; `second`'s output is the
/// graph output; `first`'s input and metadata are kept. For QDQ graphs, `second`'s input
/// QuantizeLinear/DequantizeLinear pair is removed and its readers read `first`'s dequantized
/// output directly, which requires both to carry the same scale and zero point (quantize
/// `second` with its input fixed to `first`'s output parameters). Throws Error for a channel
/// mismatch, mixed fp32/int8, differing parameters or names used by both graphs.
Graph chain_models(const Graph& first, const Graph& second);

}  // namespace tomoedge::model
