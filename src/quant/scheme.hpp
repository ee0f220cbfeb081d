#pragma once
// The quantization scheme (docs/DESIGN.md, TFLite's spec): how a real range becomes integer
// parameters. Activations: affine per tensor, u8 or s8, the range widened to contain 0 so that 0
// (ReLU's floor, the padding value) is exact. Weights: int8 symmetric per output channel in
// [-127, 127]. Biases: int32 with scale input_scale x weight_scale, zero point 0.
#include "core/tensor.hpp"
#include "quant/calibration.hpp"
#include "runtime/int8/qdq_graph.hpp"

#include <vector>

namespace tomoedge::quant {

using runtime::int8::ActType;
using runtime::int8::QuantParams;

ActType parse_act_type(std::string_view text);  // "u8" or "s8"; throws Error

/// scale = (high - low) / (qmax - qmin) over the range widened to contain 0; zero point =
/// round(qmin - low / scale) (in [qmin, qmax] by construction). An all-zero range gets scale 1.
QuantParams activation_params(Range range, ActType type);

struct ChannelQuant {
    Tensor<std::int32_t> values;  // int8 values, the weights' shape
    std::vector<float> scale;     // one per output channel (axis 0)
};

/// Symmetric per-output-channel int8: scale[o] = max|w[o]| / 127 (1 for an all-zero channel),
/// q = clamp(round(w / scale), -127, 127).
ChannelQuant quantize_weights(const Tensor<float>& weights);

/// round(b[o] / (input_scale * weight_scale[o])), saturated to int32.
Tensor<std::int32_t> quantize_bias(const Tensor<float>& bias, float input_scale, const std::vector<float>& weight_scale);

}  // namespace tomoedge::quant
