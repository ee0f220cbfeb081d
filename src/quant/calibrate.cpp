#include "quant/calibrate.hpp"

#include "core/error.hpp"
#include "core/progress.hpp"
#include "model/model_info.hpp"
#include "runtime/denoiser.hpp"
#include "runtime/reference_backend.hpp"

#include <algorithm>
#include <limits>
#include <set>

namespace tomoedge::quant {

CalibrationRun calibrate(const model::Graph& fp32, SliceSource& reader, int slices, const std::vector<std::string>& tensors,
                         int keep_inputs) {
    const std::string data_name = reader.name();
    if (slices < 1) fail("calibration: the slice count must be at least 1, got {}", slices);
    const Shape shape = reader.shape();
    const std::int64_t n = shape[0], h = shape[1], w = shape[2];
    if (n < slices)
        fail("{}: has {} slices, fewer than the {} asked for calibration (ask for {} or fewer, or give more data)", data_name, n,
             slices, n);
    const auto multiple = model::spatial_multiple(fp32);
    if (h < multiple[0] || w < multiple[1])
        fail("{}: slices of {} x {} are smaller than the network's {} x {} minimum", data_name, h, w, multiple[0],
             multiple[1]);

    // The reference backend exposes intermediates; the Denoiser prepares inputs as at inference.
    runtime::BackendOptions options;
    options.backend = "reference";
    runtime::Denoiser denoiser(fp32, options);
    auto* backend = dynamic_cast<runtime::ReferenceBackend*>(&denoiser.backend());
    if (backend == nullptr) fail("calibration: the reference backend is not available");

    CalibrationRun run;
    run.height = h;
    run.width = w;
    const std::set<std::string> wanted(tensors.begin(), tensors.end());
    for (const auto& t : tensors) run.histograms.emplace(t, Histogram());
    // Only the image's own pixels count: padding rows and columns repeat edge pixels and would
    // weight them twice. Activations keep the input's spatial grid up to the pooling factor.
    const int keep_every = std::max(1, slices / std::max(1, keep_inputs));
    int inputs_seen = 0;
    backend->set_observer([&](const std::string& name, const Tensor<float>& value) {
        if (name == fp32.input && inputs_seen++ % keep_every == 0 && static_cast<int>(run.inputs.size()) < keep_inputs)
            run.inputs.push_back(value.clone());
        if (!wanted.count(name)) return;
        Histogram& hist = run.histograms.at(name);
        const std::int64_t H = value.dim(2), W = value.dim(3);
        const std::int64_t padded_h = runtime::round_up(h, multiple[0]), padded_w = runtime::round_up(w, multiple[1]);
        const std::int64_t keep_h = std::max<std::int64_t>(1, h * H / padded_h), keep_w = std::max<std::int64_t>(1, w * W / padded_w);
        std::vector<float>& channel_max = run.channel_max[name];
        const std::int64_t C = value.dim(1);
        if (channel_max.empty()) channel_max.assign(static_cast<std::size_t>(C), -std::numeric_limits<float>::infinity());
        for (std::int64_t p = 0; p < value.dim(0) * C; ++p)
            for (std::int64_t y = 0; y < keep_h; ++y) {
                const std::span<const float> row(value.data() + (p * H + y) * W, static_cast<std::size_t>(keep_w));
                hist.add(row);
                float& m = channel_max[static_cast<std::size_t>(p % C)];
                m = std::max(m, *std::max_element(row.begin(), row.end()));
            }
    });

    const model::ModelInfo info = model::read_model_info(fp32);
    runtime::ValueWindow window;
    if (info.normalisation) window = runtime::volume_window(reader, *info.normalisation);
    const int depth = denoiser.input_depth();
    const std::int64_t radius = depth / 2;
    Progress progress("calibrate", slices, "slice");
    for (int k = 0; k < slices; ++k) {
        const std::int64_t index = slices == 1 ? n / 2 : k * (n - 1) / (slices - 1);
        Tensor<float> group(Shape{depth, h, w});
        for (int c = 0; c < depth; ++c) {
            const Tensor<float> s = reader.read(runtime::neighbour_slice(index, c - radius, n), 1);
            std::copy(s.begin(), s.end(), group.data() + c * h * w);
        }
        denoiser.denoise_group(group, window);
        run.slices.push_back(index);
        progress.advance(1);
    }
    return run;
}

}  // namespace tomoedge::quant
