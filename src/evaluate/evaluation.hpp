#pragma once
// `tomoedge evaluate`: image quality of restoration models against a ground truth, the paper's
// Fig. 8 for any model. Every model runs through runtime::Denoiser exactly as `tomoedge denoise`
// would (same grouping of adjacent slices, same normalisation window over the noisy volume, same
// backend and tiling), so the scores are the scores of what `denoise` writes. The noisy input is
// scored too: it is the baseline every model has to beat.
#include "core/shape.hpp"
#include "core/tensor.hpp"
#include "io/data_path.hpp"
#include "metrics/image_quality.hpp"
#include "runtime/backend.hpp"
#include "tiling/tiled_runner.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tomoedge::evaluate {

/// One model on the command line: "model.onnx", or "model.onnx@bf16" to pick its precision.
struct ModelSpec {
    std::filesystem::path file;
    std::optional<runtime::Precision> precision;  // default: EvaluateOptions::backend.precision
    std::string label;                            // file stem, plus "@bf16" when a precision is given
};

/// Parses the forms above. A suffix after the last '@' is a precision only when it names one
/// (fp32, bf16, int8); otherwise the '@' belongs to the file name.
ModelSpec parse_model_spec(std::string_view text);

/// `wanted` volume indices spread evenly over 0..count-1, both ends included (all of them when
/// wanted is 0 or >= count). Throws Error for count < 1 or wanted < 0.
std::vector<std::int64_t> evenly_spaced(std::int64_t count, std::int64_t wanted);

struct EvaluateOptions {
    runtime::BackendOptions backend;  // precision: for models without "@precision"; QDQ models run as int8
    tiling::TileOptions tiling;       // tile == 0: whole image, as `denoise` without --tile
    std::int64_t slices = 0;          // 0 = every slice; else this many, evenly spaced
    std::optional<double> data_range; // SSIM/PSNR range; default: max - min of each truth slice
    std::optional<std::int64_t> panel_slice;  // volume index for the panel; default: middle evaluated slice
    /// Called after each volume slice is done (progress, logs): slices done so far, slices in all.
    std::function<void(std::int64_t, std::int64_t)> on_slice;
};

struct MethodScores {
    std::string label;      // "noisy" for the input, else the model's label
    std::string source;     // the noisy data path, or the model file
    std::string precision;  // effective precision ("fp32", "bf16", "int8"); empty for the input
    std::string backend;    // empty for the input
    std::string weights;    // the model's tomoedge.weights ("random" for untrained models)
    std::vector<metrics::ImageQuality> per_slice;  // one per Evaluation::slices entry
    double seconds = 0;  // restoring all visited slices (normalise, network, denormalise)
};

struct Evaluation {
    Shape shape;                        // (N, H, W) of both volumes
    std::vector<std::int64_t> slices;   // the volume indices scored
    std::vector<MethodScores> methods;  // [0] the noisy input, then the models in the order given
    std::int64_t panel_slice = 0;       // volume index of the panel images
    /// The panel slice, each (1, H, W) in the data's units: noisy, every model, ground truth.
    std::vector<Tensor<float>> panel_images;
    std::vector<std::string> panel_labels;  // method labels, then "ground truth"
};

/// Scores the noisy stack and every model's restoration of it against `truth` (stacks of the same
/// (N, H, W) shape). Models load (and are checked) before any data is read. Errors name the file.
Evaluation evaluate_models(const io::DataPath& noisy, const io::DataPath& truth, const std::vector<ModelSpec>& models,
                           const EvaluateOptions& options);

}  // namespace tomoedge::evaluate
