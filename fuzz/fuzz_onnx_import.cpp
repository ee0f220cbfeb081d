// ONNX importer: model bytes -> graph -> validation -> lowering to both backends, run once on a
// small input. QDQ models take the int8 path of each backend (runtime/int8).
#include "fuzz_support.hpp"

#include "model/graph.hpp"
#include "model/onnx_import.hpp"
#include "runtime/backend.hpp"

#include <string_view>

namespace {
using namespace tomoedge;

// Bounds of the run, so that one input costs milliseconds: a small, valid input size and a cap on
// the work the graph asks for at that size (a large model is no bug, only slow to fuzz).
constexpr std::int64_t max_side = 64;
constexpr std::int64_t max_macs = 20'000'000;
constexpr std::int64_t max_activation_elements = std::int64_t{1} << 22;

void run_both_backends(const model::Graph& graph) {
    const auto m = model::spatial_multiple(graph);
    if (m[0] < 1 || m[1] < 1 || m[0] > max_side || m[1] > max_side || graph.input_channels > 64) return;
    const std::int64_t h = m[0] * ((8 + m[0] - 1) / m[0]), w = m[1] * ((8 + m[1] - 1) / m[1]);
    const Shape input_shape{1, graph.input_channels, h, w};
    std::int64_t elements = 0;
    for (const auto& [name, shape] : model::infer_shapes(graph, input_shape)) {
        elements += shape.numel();  // each at most 2^62 (Shape::numel), checked one by one
        if (elements > max_activation_elements) return;
    }
    if (model::count_conv_macs(graph, input_shape) > max_macs) return;

    Tensor<float> input(input_shape);
    for (std::int64_t i = 0; i < input.size(); ++i) input.data()[i] = static_cast<float>(i % 17) / 16.0f;
    for (const char* name : {"reference", "onednn"}) {
        runtime::BackendOptions options;
        options.backend = name;
        options.threads = 1;
        fuzz::expected([&] { (void)runtime::make_backend(graph, options)->run(input); });
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::setup();
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    fuzz::expected([&] {
        const model::Graph graph = model::import_onnx_bytes(bytes, "fuzz.onnx");
        run_both_backends(graph);
    });
    return 0;
}
