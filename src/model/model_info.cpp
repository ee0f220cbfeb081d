#include "model/model_info.hpp"

#include "core/error.hpp"

#include <charconv>
#include <cmath>

namespace tomoedge::model {

std::string format_number(double value) {
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

double parse_number(std::string_view text, std::string_view what) {
    double value = 0;
    auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size() || !std::isfinite(value))
        fail("{}: '{}' is not a number", what, text);
    return value;
}

namespace {

const std::string* find(const Graph& graph, std::string_view key) {
    auto it = graph.metadata.find(std::string(key));
    return it == graph.metadata.end() ? nullptr : &it->second;
}

std::string what(const Graph& graph, std::string_view key) { return fmt::format("model '{}': metadata {}", graph.name, key); }

}  // namespace

ModelInfo read_model_info(const Graph& graph) {
    ModelInfo info;
    if (auto v = find(graph, keys::architecture)) info.architecture = *v;
    if (auto v = find(graph, keys::input_depth)) {
        double d = parse_number(*v, what(graph, keys::input_depth));
        if (d < 1 || d > 1024 || d != std::floor(d))
            fail("{}: '{}' is not a positive whole number of slices", what(graph, keys::input_depth), *v);
        info.input_depth = static_cast<int>(d);
    }
    if (auto v = find(graph, keys::width)) {
        info.width = parse_number(*v, what(graph, keys::width));
        if (info.width <= 0) fail("{}: must be > 0, got '{}'", what(graph, keys::width), *v);
    }
    const std::string* low = find(graph, keys::norm_low);
    const std::string* high = find(graph, keys::norm_high);
    if ((low == nullptr) != (high == nullptr))
        fail("model '{}': metadata needs both {} and {}", graph.name, keys::norm_low, keys::norm_high);
    if (low) {
        Normalisation n{parse_number(*low, what(graph, keys::norm_low)), parse_number(*high, what(graph, keys::norm_high))};
        if (n.low_percentile < 0 || n.high_percentile > 100 || !(n.low_percentile < n.high_percentile))
            fail("model '{}': normalisation percentiles {} and {} must satisfy 0 <= low < high <= 100", graph.name,
                 *low, *high);
        info.normalisation = n;
    }
    if (auto v = find(graph, keys::weights)) info.weights = *v;
    if (auto v = find(graph, keys::seed)) {
        std::uint64_t s = 0;
        auto r = std::from_chars(v->data(), v->data() + v->size(), s);
        if (v->empty() || r.ec != std::errc() || r.ptr != v->data() + v->size())
            fail("{}: '{}' is not a non-negative integer", what(graph, keys::seed), *v);
        info.seed = s;
    }
    if (auto v = find(graph, keys::training)) info.training = *v;
    if (auto v = find(graph, keys::calibration)) info.calibration = *v;
    if (auto v = find(graph, keys::calibration_data)) info.calibration_data = *v;
    if (auto v = find(graph, keys::calibration_slices)) {
        int n = 0;
        auto r = std::from_chars(v->data(), v->data() + v->size(), n);
        if (v->empty() || r.ec != std::errc() || r.ptr != v->data() + v->size() || n < 1)
            fail("{}: '{}' is not a positive integer", what(graph, keys::calibration_slices), *v);
        info.calibration_slices = n;
    }
    if (auto v = find(graph, keys::quantization)) info.quantization = *v;
    if (auto v = find(graph, keys::finetune)) info.finetune = *v;
    return info;
}

void write_model_info(Graph& graph, const ModelInfo& info) {
    auto set = [&](std::string_view key, bool present, const std::string& value) {
        if (present)
            graph.metadata[std::string(key)] = value;
        else
            graph.metadata.erase(std::string(key));
    };
    set(keys::architecture, !info.architecture.empty(), info.architecture);
    set(keys::input_depth, info.input_depth > 0, std::to_string(info.input_depth));
    set(keys::width, info.width > 0, format_number(info.width));
    set(keys::norm_low, info.normalisation.has_value(), info.normalisation ? format_number(info.normalisation->low_percentile) : "");
    set(keys::norm_high, info.normalisation.has_value(), info.normalisation ? format_number(info.normalisation->high_percentile) : "");
    set(keys::weights, !info.weights.empty(), info.weights);
    set(keys::seed, info.seed.has_value(), info.seed ? std::to_string(*info.seed) : "");
    set(keys::training, !info.training.empty(), info.training);
    set(keys::calibration, !info.calibration.empty(), info.calibration);
    set(keys::calibration_data, !info.calibration_data.empty(), info.calibration_data);
    set(keys::calibration_slices, info.calibration_slices > 0, std::to_string(info.calibration_slices));
    set(keys::quantization, !info.quantization.empty(), info.quantization);
    set(keys::finetune, !info.finetune.empty(), info.finetune);
}

int effective_input_depth(const Graph& graph) {
    const ModelInfo info = read_model_info(graph);
    const int depth = info.input_depth > 0 ? info.input_depth : static_cast<int>(graph.input_channels);
    if (depth != graph.input_channels)
        fail("model '{}': metadata says {} input slices but the graph takes {} channels", graph.name, depth,
             graph.input_channels);
    return depth;
}

}  // namespace tomoedge::model
