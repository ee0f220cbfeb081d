#pragma once
// Empirical bias correction (Nagel et al., "Data-Free Quantization Through Weight Equalization
// and Bias Correction", ICCV 2019, section 4.2, with calibration data instead of BatchNorm
// statistics).
//
// Why: rounding weights and clipping activations shifts the mean of a convolution's output, and
// a U-Net adds those shifts up along its path to the image. For each Conv in graph order, the
// per-output-channel mean of (int8 output - fp32 output) over the calibration inputs is
// subtracted from its bias. The int8 output is the QDQ graph run in float simulation (the exact
// integer program differs from it by rounding only), with every earlier Conv already corrected,
// so each correction sees the errors that remain upstream, as deployment will.
#include "core/tensor.hpp"
#include "model/graph.hpp"
#include "quant/scheme.hpp"

#include <map>
#include <string>
#include <vector>

namespace tomoedge::quant {

struct BiasCorrection {
    std::string conv;
    double max_shift = 0;  // the largest |correction| over the channels, in output units
};

/// Corrects the biases of `fp32` (in place) for quantization with `params`, measured on the
/// network inputs `batch` (N, C, H, W) as the denoiser prepares them. Conv nodes without a bias
/// are left alone. Throws Error for an empty batch.
std::vector<BiasCorrection> correct_biases(model::Graph& fp32, const std::map<std::string, QuantParams>& params,
                                           const Tensor<float>& batch);

}  // namespace tomoedge::quant
