#pragma once
// Calibration: run the fp32 model over N slices of representative data, exactly as
// `tomoedge denoise` would feed them (runtime::Denoiser: adjacent-slice grouping, the model's
// normalisation window, padding to the network's multiple), and histogram every activation that
// will be quantized. The reference backend's observer sees each activation as it is produced.
#include "core/slice_stream.hpp"
#include "model/graph.hpp"
#include "quant/histogram.hpp"

#include <map>
#include <string>
#include <vector>

namespace tomoedge::quant {

struct CalibrationRun {
    std::map<std::string, Histogram> histograms;  // by tensor name
    std::map<std::string, std::vector<float>> channel_max;  // by tensor name: the maximum of each channel
    std::vector<std::int64_t> slices;             // the slice indices used
    std::vector<Tensor<float>> inputs;            // `keep_inputs` network inputs, as prepared, spread evenly
    std::int64_t height = 0, width = 0;
};

/// Histograms of `tensors` over `slices` slices of `data`, evenly spread through the volume (each
/// read with its neighbours as the model groups them). Throws Error naming `data.name()` for a
/// stack with fewer slices than asked, slices smaller than the network's spatial multiple, or
/// pixels the source rejects (NaN/Inf).
CalibrationRun calibrate(const model::Graph& fp32, SliceSource& data, int slices, const std::vector<std::string>& tensors,
                         int keep_inputs = 0);

}  // namespace tomoedge::quant
