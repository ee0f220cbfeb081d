#include "evaluate/evaluation.hpp"

#include "core/error.hpp"
#include "core/timer.hpp"
#include "io/stack.hpp"
#include "model/model_info.hpp"
#include "model/onnx_import.hpp"
#include "runtime/denoiser.hpp"
#include "runtime/int8/qdq_graph.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <utility>

namespace tomoedge::evaluate {

ModelSpec parse_model_spec(std::string_view text) {
    if (text.empty()) fail("evaluate: an empty model name");
    ModelSpec spec;
    std::string_view file = text;
    if (const auto at = text.rfind('@'); at != std::string_view::npos) {
        const std::string_view suffix = text.substr(at + 1);
        if (suffix == "fp32" || suffix == "bf16" || suffix == "int8") {
            spec.precision = runtime::parse_precision(suffix);
            file = text.substr(0, at);
        }
    }
    if (file.empty()) fail("evaluate: '{}' names no model file", text);
    spec.file = std::filesystem::path(file);
    spec.label = spec.file.stem().string();
    if (spec.precision) {
        spec.label += '@';  // appended piecewise: "@" + std::string trips GCC 12's -Wrestrict false positive
        spec.label += runtime::precision_name(*spec.precision);
    }
    return spec;
}

std::vector<std::int64_t> evenly_spaced(std::int64_t count, std::int64_t wanted) {
    if (count < 1) fail("evaluate: no slices to choose from");
    if (wanted < 0) fail("evaluate: cannot choose {} slices", wanted);
    const std::int64_t n = (wanted == 0 || wanted >= count) ? count : wanted;
    std::vector<std::int64_t> indices;
    indices.reserve(static_cast<std::size_t>(n));
    // Rounded positions k (count - 1) / (n - 1): ends included, distinct because n <= count.
    for (std::int64_t k = 0; k < n; ++k)
        indices.push_back(n == 1 ? (count - 1) / 2 : (2 * k * (count - 1) + (n - 1)) / (2 * (n - 1)));
    return indices;
}

namespace {

// One model, ready to run: its denoiser, window over the noisy volume, and where its scores go.
struct LoadedModel {
    std::unique_ptr<runtime::Denoiser> denoiser;
    runtime::ValueWindow window;
    int depth = 1;
    double seconds = 0;
};

LoadedModel load_model(const ModelSpec& spec, const EvaluateOptions& options, MethodScores& scores) {
    LoadedModel m;
    try {
        const model::Graph graph = model::import_onnx(spec.file);
        runtime::BackendOptions backend = options.backend;
        if (spec.precision) backend.precision = *spec.precision;
        // make_backend runs a QDQ model as int8 when fp32 is asked for; report what really runs.
        if (backend.precision == runtime::Precision::fp32 && runtime::int8::is_qdq(graph))
            backend.precision = runtime::Precision::int8;
        const auto tiled = tiling::tiled_runner_factory(graph, options.tiling);
        m.denoiser = std::make_unique<runtime::Denoiser>(graph, backend);
        if (tiled) m.denoiser->set_runner(tiled);
        m.depth = m.denoiser->input_depth();
        scores.precision = std::string(runtime::precision_name(backend.precision));
        scores.backend = m.denoiser->backend().name();
        scores.weights = model::read_model_info(graph).weights;
    } catch (const Error& e) {
        const std::string message = e.what();
        // Importer messages already start with the file; others get it in front.
        if (message.find(spec.file.string()) != std::string::npos) throw;
        fail("{}: {}", spec.file.string(), message);
    }
    return m;
}

metrics::ImageQuality score(const Tensor<float>& image, const Tensor<float>& truth, const Shape& shape,
                            const EvaluateOptions& options, const std::string& what, std::int64_t slice) {
    try {
        return metrics::image_quality(image.span(), truth.span(), shape[1], shape[2], options.data_range);
    } catch (const Error& e) {
        fail("{}, slice {}: {}", what, slice, e.what());
    }
}

}  // namespace

Evaluation evaluate_models(const io::DataPath& noisy_path, const io::DataPath& truth_path,
                           const std::vector<ModelSpec>& models, const EvaluateOptions& options) {
    if (models.empty()) fail("evaluate: no models given (name at least one .onnx file)");
    Evaluation ev;
    ev.methods.resize(models.size() + 1);
    std::vector<LoadedModel> loaded;
    for (std::size_t m = 0; m < models.size(); ++m) {
        ev.methods[m + 1].label = models[m].label;
        ev.methods[m + 1].source = models[m].file.string();
        loaded.push_back(load_model(models[m], options, ev.methods[m + 1]));
    }

    auto noisy = io::StackReader::open(noisy_path);
    auto truth = io::StackReader::open(truth_path);
    ev.shape = truth->info().shape;
    if (noisy->info().shape != ev.shape)
        fail("{} has shape {} but the ground truth {} has shape {}", noisy->name(), noisy->info().shape.str(),
             truth->name(), ev.shape.str());
    const std::int64_t n = ev.shape[0];
    ev.slices = evenly_spaced(n, options.slices);
    ev.panel_slice = options.panel_slice.value_or(ev.slices[ev.slices.size() / 2]);
    if (ev.panel_slice < 0 || ev.panel_slice >= n)
        fail("{}: panel slice {} is outside the volume's {} slices", noisy->name(), ev.panel_slice, n);
    ev.methods[0].label = "noisy";
    ev.methods[0].source = noisy->name();
    for (auto& m : loaded) {
        const auto& norm = m.denoiser->normalisation();
        if (norm) m.window = runtime::volume_window(*noisy, *norm);
    }

    // The scored slices and the panel slice, in volume order (the panel one may not be scored).
    std::vector<std::int64_t> visit = ev.slices;
    if (!std::binary_search(visit.begin(), visit.end(), ev.panel_slice)) {
        visit.push_back(ev.panel_slice);
        std::sort(visit.begin(), visit.end());
    }
    int max_depth = 1;
    for (const auto& m : loaded) max_depth = std::max(max_depth, m.depth);
    const std::int64_t h = ev.shape[1], w = ev.shape[2];
    std::map<std::int64_t, Tensor<float>> cache;  // noisy slices around the current one
    std::int64_t done = 0;
    for (const std::int64_t i : visit) {
        const bool scored = std::binary_search(ev.slices.begin(), ev.slices.end(), i);
        const bool panel = i == ev.panel_slice;
        // Keep only the neighbours this slice can need; read the missing ones.
        const std::int64_t reach = max_depth;  // covers offsets -depth/2 .. depth - depth/2 - 1 after mirroring
        std::erase_if(cache, [&](const auto& entry) { return entry.first < i - reach || entry.first > i + reach; });
        auto noisy_slice = [&](std::int64_t s) -> const Tensor<float>& {
            auto it = cache.find(s);
            if (it == cache.end()) it = cache.emplace(s, noisy->read(s, 1)).first;
            return it->second;
        };
        const Tensor<float> gt = truth->read(i, 1);
        const Tensor<float>& input = noisy_slice(i);
        if (scored) ev.methods[0].per_slice.push_back(score(input, gt, ev.shape, options, noisy->name(), i));
        if (panel) ev.panel_images.push_back(input.clone());
        for (std::size_t m = 0; m < loaded.size(); ++m) {
            LoadedModel& lm = loaded[m];
            const std::int64_t radius = lm.depth / 2;
            Tensor<float> group(Shape{lm.depth, h, w});
            for (std::int64_t c = 0; c < lm.depth; ++c)
                std::copy_n(noisy_slice(runtime::neighbour_slice(i, c - radius, n)).data(), h * w, group.outer(c));
            Stopwatch watch;
            Tensor<float> restored = lm.denoiser->denoise_group(group, lm.window);
            lm.seconds += watch.seconds();
            MethodScores& out = ev.methods[m + 1];
            if (scored) out.per_slice.push_back(score(restored, gt, ev.shape, options, out.source + " output", i));
            if (panel) ev.panel_images.push_back(std::move(restored));
        }
        if (panel) ev.panel_images.push_back(gt.clone());
        if (options.on_slice) options.on_slice(++done, static_cast<std::int64_t>(visit.size()));
    }
    for (std::size_t m = 0; m < loaded.size(); ++m)
        ev.methods[m + 1].seconds = loaded[m].seconds;
    for (const auto& method : ev.methods) ev.panel_labels.push_back(method.label);
    ev.panel_labels.push_back("ground truth");
    return ev;
}

}  // namespace tomoedge::evaluate
