#pragma once
// Cross-layer range equalization before quantization (Nagel et al., "Data-Free Quantization
// Through Weight Equalization and Bias Correction", ICCV 2019, section 4.1), with the calibrated
// per-channel activation ranges in place of the first layer's weight ranges.
//
// Why: activations are quantized per tensor, so a channel whose values span a tenth of the
// tensor's range gets a tenth of its 256 levels. For a pair  A (Conv + ReLU) -> t -> B (Conv)
// where B is t's only reader, scaling channel i of A's output by 1/s_i and input channel i of
// B's weights by s_i leaves the network's function unchanged (ReLU(x / s) = ReLU(x) / s for
// s > 0), and with s_i = sqrt(r1_i / r2_i) (r1_i = the channel's calibrated maximum, r2_i = the
// largest |weight| B applies to it) both ranges become sqrt(r1_i r2_i): each channel's
// activation and weight precision are balanced. Measured on the shipped model, the last
// full-resolution layers dominate the int8 error, and they are such pairs (README, "int8 accuracy").
#include "model/graph.hpp"

#include <map>
#include <string>
#include <vector>

namespace tomoedge::quant {

struct EqualizedPair {
    std::string first, second;        // the two Conv nodes
    std::string tensor;               // the activation between them
    double min_scale = 1, max_scale = 1;  // of the s_i applied
};

/// Equalizes every eligible Conv(+Relu) -> Conv pair of the fp32 graph `g` in place, in graph
/// order. `channel_max` holds each activation tensor's per-channel maximum (calibration);
/// pairs whose tensor has no entry are left alone. A channel that is never positive or that B
/// ignores keeps s = 1. Throws Error when an entry's channel count does not match the tensor.
std::vector<EqualizedPair> equalize_ranges(model::Graph& g, const std::map<std::string, std::vector<float>>& channel_max);

}  // namespace tomoedge::quant
