#pragma once
// `tomoedge quantize`: calibrate, choose ranges, unify shared scales, rewrite to QDQ.
#include "core/slice_stream.hpp"
#include "model/graph.hpp"
#include "quant/calibration.hpp"
#include "quant/scheme.hpp"

#include <map>
#include <string>
#include <vector>

namespace tomoedge::quant {

struct QuantizeOptions {
    CalibrationOptions calibration;
    ActType activations = ActType::u8;
    int slices = 8;
    // The graph output is the restored image: clipping its bright tail (as percentile, mse and
    // entropy would) erases the features users look for, so by default it keeps the whole
    // observed range and only the hidden activations are clipped by the method.
    bool clip_output = false;
    // Cross-layer range equalization (quant/equalize.hpp) before the calibration that sets the
    // ranges: one extra calibration pass.
    bool equalize = true;
    // Empirical bias correction (quant/bias_correction.hpp) on a few centre crops of the
    // calibration inputs: one float simulation of the QDQ graph per Conv.
    bool correct_bias = true;
};

struct TensorReport {
    double min = 0, max = 0;  // observed
    Range range;              // chosen by the method (before unification)
    QuantParams params;       // after unification
};

struct QuantizeReport {
    std::map<std::string, TensorReport> tensors;
    int groups = 0;  // shared-scale groups
    std::int64_t height = 0, width = 0;
    int equalized_pairs = 0;
    int corrected_biases = 0;
    double seconds = 0;
};

/// The QDQ model of `fp32`, calibrated on `data`; metadata records method, data (its name()) and
/// slices. With `pinned_input`, the input and every tensor that shares its scale take those
/// parameters instead of calibrated ones (quantize_follower). Throws Error (before any
/// calibration work: see check_quantizable) for an already quantized model or an op the quantizer
/// cannot handle, invalid pinned parameters, and for unusable calibration data.
model::Graph quantize_model(const model::Graph& fp32, SliceSource& data, const QuantizeOptions& options,
                            QuantizeReport* report = nullptr, const QuantParams* pinned_input = nullptr);

/// The model and option checks quantize_model starts with, for callers that want them before they
/// open the calibration data. Returns the tensors that will be quantized.
std::vector<std::string> check_quantizable(const model::Graph& fp32, const QuantizeOptions& options,
                                           const QuantParams* pinned_input = nullptr);

/// "percentile 99.99", "minmax", ...: the metadata's description of the method.
std::string describe_method(const CalibrationOptions& options);

}  // namespace tomoedge::quant
