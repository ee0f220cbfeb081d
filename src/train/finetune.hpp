#pragma once
// `tomoedge finetune`: win back what int8 lost (the paper's Fine-Tune network), chained to the
// int8 generator as one graph.
//   1. run the int8 model exactly as it deploys (runtime::Denoiser on the backend the runtime
//      picks for a QDQ model) over `slices` evenly spaced slices of the training split, each
//      the group of adjacent noisy slices denoise feeds, normalised as denoise normalises;
//   2. train the Fine-Tune net (libtorch, MSE, Adam) from those int8 outputs to train_gt;
//   3. quantize it with the project's scheme, calibrated on the int8 outputs, its input fixed to
//      the generator's output parameters (quant::quantize_follower);
//   4. chain it after the generator (model::chain_models) and record the recipe in the metadata.
#include "model/finetune.hpp"
#include "model/graph.hpp"
#include "quant/quantize_model.hpp"
#include "runtime/backend.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace tomoedge::train {

struct FineTuneOptions {
    std::filesystem::path data;  // TomoGAN layout: train_ns, train_gt
    std::string train_noisy = "train_ns", train_clean = "train_gt";
    int slices = 8;                   // training slices run through the int8 model
    runtime::BackendOptions backend;  // how the int8 model runs (a QDQ model runs as int8)
    model::FineTuneConfig net;        // channels, convs (the offset is set from the model)
    std::int64_t iterations = 400;
    std::int64_t patch = 64;
    std::int64_t batch = 8;
    double lr = 1e-3;
    bool augment = true;
    quant::CalibrationOptions calibration;  // the Fine-Tune net's calibration (on the int8 outputs)
    std::uint64_t seed = 0;
    int threads = 0;  // 0 = default (libtorch and the runtime)
};

struct FineTuneResult {
    model::Graph model;          // int8 generator + int8 Fine-Tune net, one graph
    model::Graph finetune_fp32;  // the trained Fine-Tune net alone (fp32)
    model::Graph finetune_int8;  // the same quantized, input on the generator's output grid (to time it alone)
    std::vector<double> losses;  // training MSE per iteration
    double int8_mse = 0;         // int8 output vs ground truth on the slices used (normalised units)
    double finetune_mse = 0;     // the same after the fp32 Fine-Tune net
    double int8_seconds = 0;     // running the int8 model over the slices
    double train_seconds = 0;
    std::string recipe;          // JSON, as stored under tomoedge.finetune
};

/// Fine-tunes `int8_model` (a QDQ generator with normalisation metadata, no Fine-Tune net yet) on
/// the raw training volumes `noisy` and `clean` (options.data names where they came from: the
/// pipeline reads them, pipeline/training_files.hpp). Throws Error for a model that is not int8 or
/// already fine-tuned, mismatched volumes, more slices than the data has, and options out of range.
FineTuneResult finetune(const model::Graph& int8_model, Tensor<float> noisy, Tensor<float> clean,
                        const FineTuneOptions& options);

/// Checks the options alone (flags), before any data is read.
void check_finetune_options(const FineTuneOptions& options);

}  // namespace tomoedge::train
