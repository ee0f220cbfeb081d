#pragma once
// Quantizing a net that follows another one in the same graph (the Fine-Tune net after the
// generator, model::chain_models): its input is not quantized afresh, it arrives as the first
// net's int8 output. So the input, and every tensor that must share its scale (through Concat,
// MaxPool, Resize), takes the first net's output parameters; everything else is calibrated like
// quantize_model does, on data made of the first net's outputs.
#include "model/graph.hpp"
#include "quant/quantize_model.hpp"

namespace tomoedge::quant {

/// quantize_model with the input's shared-scale group fixed to `input_params`. The result's
/// input QuantizeLinear carries exactly `input_params`, which model::chain_models requires.
model::Graph quantize_follower(const model::Graph& fp32, SliceSource& data, const QuantizeOptions& options,
                               const QuantParams& input_params, QuantizeReport* report = nullptr);

}  // namespace tomoedge::quant
