#include "quant/quantize_follower.hpp"

#include "core/error.hpp"
#include "core/timer.hpp"
#include "model/model_info.hpp"
#include "quant/calibrate.hpp"
#include "quant/qdq_rewrite.hpp"

#include <algorithm>

namespace tomoedge::quant {

model::Graph quantize_follower(const model::Graph& fp32, const io::DataPath& data, const QuantizeOptions& options,
                               const QuantParams& input_params, QuantizeReport* report) {
    Stopwatch watch;
    const auto tensors = quantized_tensors(fp32);
    if (!(input_params.scale > 0) || input_params.zero_point < input_params.qmin() ||
        input_params.zero_point > input_params.qmax())
        fail("model '{}': input parameters (scale {}, zero point {}) are not valid", fp32.name, input_params.scale,
             input_params.zero_point);
    if (options.calibration.method == Method::percentile &&
        !(options.calibration.percentile > 50 && options.calibration.percentile <= 100))
        fail("--percentile {} is not in (50, 100]", options.calibration.percentile);
    const CalibrationRun run = calibrate(fp32, data, options.slices, tensors);
    std::map<std::string, Range> ranges;
    for (const auto& t : tensors) ranges[t] = choose_range(run.histograms.at(t), options.calibration);
    auto params = unified_params(fp32, ranges, options.activations);
    const auto groups = shared_scale_groups(fp32, tensors);
    for (const auto& group : groups)
        if (std::find(group.begin(), group.end(), fp32.input) != group.end())
            for (const auto& t : group) params[t] = input_params;
    model::Graph q = make_qdq_graph(fp32, params);

    model::ModelInfo info = model::read_model_info(fp32);
    info.calibration = describe_method(options.calibration);
    info.calibration_data = data.str();
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
        report->height = run.height;
        report->width = run.width;
        report->seconds = watch.seconds();
    }
    return q;
}

}  // namespace tomoedge::quant
