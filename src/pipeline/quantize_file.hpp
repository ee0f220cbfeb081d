#pragma once
// `tomoedge quantize` on files: the calibration data is a stack on disk (HDF5 dataset or TIFF),
// read slice by slice through quant::quantize_model's SliceSource.
#include "io/data_path.hpp"
#include "model/graph.hpp"
#include "quant/quantize_model.hpp"

namespace tomoedge::pipeline {

/// quant::quantize_model calibrated on the stack `data`. The model and options are checked before
/// the file is opened, so a model the quantizer cannot handle is reported as such.
model::Graph quantize_file(const model::Graph& fp32, const io::DataPath& data, const quant::QuantizeOptions& options,
                           quant::QuantizeReport* report = nullptr, const quant::QuantParams* pinned_input = nullptr);

}  // namespace tomoedge::pipeline
