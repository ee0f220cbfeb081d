#pragma once
// The project's facts about a model, stored in ONNX metadata_props under "tomoedge." keys. This
// is the one place that names those keys; everything else reads and writes ModelInfo.
#include "model/graph.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace tomoedge::model {

namespace keys {
inline constexpr std::string_view architecture = "tomoedge.architecture";     // "tomogan"
inline constexpr std::string_view input_depth = "tomoedge.input_depth";       // adjacent slices as channels
inline constexpr std::string_view width = "tomoedge.width";                   // channel width multiplier
inline constexpr std::string_view norm_low = "tomoedge.norm.low_percentile";  // e.g. "0.5"
inline constexpr std::string_view norm_high = "tomoedge.norm.high_percentile";
inline constexpr std::string_view weights = "tomoedge.weights";          // "random" or "trained"
inline constexpr std::string_view seed = "tomoedge.seed";                // of random weights
inline constexpr std::string_view training = "tomoedge.training";        // training recipe, free text
inline constexpr std::string_view calibration = "tomoedge.calibration";  // quantization calibration method
inline constexpr std::string_view calibration_data = "tomoedge.calibration.data";      // file[:dataset] calibrated on
inline constexpr std::string_view calibration_slices = "tomoedge.calibration.slices";  // slices of it used
inline constexpr std::string_view quantization = "tomoedge.quantization";  // e.g. "int8 qdq: s8 weights per channel, u8 activations"
// A Fine-Tune net chained after the generator (model/finetune.hpp): its recipe as JSON
// (architecture, training, calibration, losses); absent for a plain generator.
inline constexpr std::string_view finetune = "tomoedge.finetune";
}  // namespace keys

/// Robust range normalisation: the denoiser takes these percentiles of the input volume
/// (subsampled), maps them to [0, 1] before the network and maps the output back afterwards.
struct Normalisation {
    double low_percentile = 0.0;
    double high_percentile = 100.0;
    bool operator==(const Normalisation&) const = default;
};

struct ModelInfo {
    std::string architecture;       // empty when unknown (e.g. a foreign ONNX model)
    int input_depth = 0;            // 0 = unknown: use the graph's input channel count
    double width = 0;               // 0 = unknown
    std::optional<Normalisation> normalisation;  // absent: the network sees the raw values
    std::string weights;            // "random" marks untrained benchmark models
    std::optional<std::uint64_t> seed;
    std::string training;
    std::string calibration;       // method, e.g. "percentile 99.99"
    std::string calibration_data;
    int calibration_slices = 0;    // 0 = not calibrated
    std::string quantization;
    std::string finetune;          // JSON recipe of a chained Fine-Tune net; empty = none
    bool operator==(const ModelInfo&) const = default;
};

/// Reads the tomoedge.* keys of `graph.metadata`. Throws Error naming the key for malformed
/// values (a depth that is not a positive integer, percentiles outside 0..100 or not ordered).
ModelInfo read_model_info(const Graph& graph);

/// Writes the set fields of `info` into `graph.metadata` (unset ones are removed).
void write_model_info(Graph& graph, const ModelInfo& info);

/// The input depth the denoiser should use: the metadata's, else the graph's channel count.
int effective_input_depth(const Graph& graph);

/// Shortest text that parses back to the same double ("0.5", "99.5", "1e-07").
std::string format_number(double value);
/// Parses a whole string as a double; throws Error "<what>: '<text>' is not a number".
double parse_number(std::string_view text, std::string_view what);

}  // namespace tomoedge::model
