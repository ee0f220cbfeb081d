#include "quant/quantize_model.hpp"

#include "core/error.hpp"
#include "core/timer.hpp"
#include "model/model_info.hpp"
#include "quant/bias_correction.hpp"
#include "quant/calibrate.hpp"
#include "quant/equalize.hpp"
#include "quant/qdq_rewrite.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tomoedge::quant {

namespace {

// Bias correction runs the network once per Conv in float simulation, so it measures on a few
// centre crops: enough pixels for per-channel means, a fraction of the calibration's cost.
constexpr int bias_inputs = 4;
constexpr std::int64_t bias_crop = 192;

Tensor<float> centre_crops(const std::vector<Tensor<float>>& inputs, std::array<std::int64_t, 2> multiple) {
    if (inputs.empty()) return {};
    const Shape& s = inputs.front().shape();
    const std::int64_t c = s[1];
    const std::int64_t h = std::min(s[2], std::max(multiple[0], bias_crop / multiple[0] * multiple[0]));
    const std::int64_t w = std::min(s[3], std::max(multiple[1], bias_crop / multiple[1] * multiple[1]));
    Tensor<float> batch(Shape{static_cast<std::int64_t>(inputs.size()), c, h, w});
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const Tensor<float>& x = inputs[i];
        const std::int64_t top = (x.dim(2) - h) / 2, left = (x.dim(3) - w) / 2;
        for (std::int64_t k = 0; k < c; ++k)
            for (std::int64_t y = 0; y < h; ++y) {
                const float* from = x.data() + (k * x.dim(2) + top + y) * x.dim(3) + left;
                std::copy(from, from + w, batch.data() + ((static_cast<std::int64_t>(i) * c + k) * h + y) * w);
            }
    }
    return batch;
}

}  // namespace

std::string describe_method(const CalibrationOptions& options) {
    if (options.method == Method::percentile)
        return fmt::format("percentile {}", model::format_number(options.percentile));
    return std::string(method_name(options.method));
}

std::vector<std::string> check_quantizable(const model::Graph& fp32, const QuantizeOptions& options,
                                           const QuantParams* pinned_input) {
    auto tensors = quantized_tensors(fp32);
    if (pinned_input && (!(pinned_input->scale > 0) || pinned_input->zero_point < pinned_input->qmin() ||
                         pinned_input->zero_point > pinned_input->qmax()))
        fail("model '{}': input parameters (scale {}, zero point {}) are not valid", fp32.name, pinned_input->scale,
             pinned_input->zero_point);
    if (options.calibration.method == Method::percentile &&
        !(options.calibration.percentile > 50 && options.calibration.percentile <= 100))
        fail("calibration percentile {} is not in (50, 100]", options.calibration.percentile);
    return tensors;
}

model::Graph quantize_model(const model::Graph& fp32, SliceSource& data, const QuantizeOptions& options,
                            QuantizeReport* report, const QuantParams* pinned_input) {
    const std::string data_name = data.name();
    Stopwatch watch;
    const auto tensors = check_quantizable(fp32, options, pinned_input);
    model::Graph source = fp32.clone();
    std::vector<EqualizedPair> equalized;
    if (options.equalize) equalized = equalize_ranges(source, calibrate(fp32, data, options.slices, tensors).channel_max);
    const CalibrationRun run = calibrate(source, data, options.slices, tensors, options.correct_bias ? bias_inputs : 0);
    std::map<std::string, Range> ranges;
    for (const auto& t : tensors) ranges[t] = choose_range(run.histograms.at(t), options.calibration);
    if (!options.clip_output) {
        const Histogram& out = run.histograms.at(fp32.output);
        ranges[fp32.output] = {out.min(), out.max()};
    }
    auto params = unified_params(source, ranges, options.activations);
    const auto groups = shared_scale_groups(source, tensors);
    if (pinned_input)
        for (const auto& group : groups)
            if (std::find(group.begin(), group.end(), fp32.input) != group.end())
                for (const auto& t : group) params[t] = *pinned_input;
    std::vector<BiasCorrection> corrected;
    if (options.correct_bias) corrected = correct_biases(source, params, centre_crops(run.inputs, model::spatial_multiple(fp32)));
    model::Graph q = make_qdq_graph(source, params);

    model::ModelInfo info = model::read_model_info(fp32);
    info.calibration = describe_method(options.calibration) + (options.clip_output ? "" : "; output: observed range") +
                       (equalized.empty() ? "" : fmt::format("; {} conv pairs range-equalized", equalized.size())) +
                       (corrected.empty() ? "" : fmt::format("; {} biases corrected", corrected.size()));
    info.calibration_data = data_name;
    info.calibration_slices = options.slices;
    info.quantization = fmt::format("int8 qdq: s8 weights per channel, {} activations per tensor, s32 bias",
                                    runtime::int8::act_type_name(options.activations));
    model::write_model_info(q, info);

    if (report) {
        for (const auto& t : tensors) {
            const Histogram& h = run.histograms.at(t);
            report->tensors[t] = {h.min(), h.max(), ranges.at(t), params.at(t)};
        }
        report->groups = static_cast<int>(groups.size());
        report->equalized_pairs = static_cast<int>(equalized.size());
        report->corrected_biases = static_cast<int>(corrected.size());
        report->height = run.height;
        report->width = run.width;
        report->seconds = watch.seconds();
    }
    return q;
}

}  // namespace tomoedge::quant
