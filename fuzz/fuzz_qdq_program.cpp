// The QDQ/int8 program builder: a valid int8 graph (a small TomoGAN generator, alone or chained
// with a Fine-Tune net, u8 or s8 activations), edited as the fuzzed bytes say (constant values:
// scales, zero points, int8 weights, int32 biases; node attributes; wiring), then validated,
// lowered (runtime::int8::lower_qdq), run on both int8 backends (float and stored-integer ends)
// and written as TFLite. Every edit is one an ONNX file could hold, so whatever gets past
// model::validate must either run or be refused with an Error.
#include "fuzz_support.hpp"

#include "core/slice_stream.hpp"
#include "core/volume_view.hpp"
#include "model/finetune.hpp"
#include "model/graph.hpp"
#include "model/tomogan.hpp"
#include "quant/quantize_model.hpp"
#include "quant/tflite_export.hpp"
#include "runtime/int8/qdq_graph.hpp"
#include "runtime/onednn_backend.hpp"
#include "runtime/reference_backend.hpp"

#include <array>
#include <iterator>

namespace {
using namespace tomoedge;
namespace int8 = runtime::int8;

model::Graph quantized(const model::Graph& fp32, int8::ActType type, const int8::QuantParams* pinned) {
    Tensor<float> volume(Shape{4, 32, 32});
    for (std::int64_t i = 0; i < volume.size(); ++i) volume.data()[i] = static_cast<float>((i * 7919) % 1000) / 1000.0f;
    VolumeSource reader(VolumeView(volume), "fuzz volume");
    quant::QuantizeOptions options;
    options.calibration.method = quant::Method::minmax;
    options.activations = type;
    options.slices = 2;
    options.equalize = false;     // quantization itself is not under test here: keep start-up short
    options.correct_bias = false;
    return quant::quantize_model(fp32, reader, options, nullptr, pinned);
}

// The graphs edits start from, built once: generator u8, generator s8, generator + Fine-Tune (u8).
const std::array<model::Graph, 3>& bases() {
    static const std::array<model::Graph, 3> graphs = [] {
        model::TomoGanConfig config;
        config.input_depth = 1;
        config.width = 0.02;
        config.seed = 7;
        const model::Graph generator = model::build_tomogan(config);
        model::Graph u8 = quantized(generator, int8::ActType::u8, nullptr);
        model::Graph s8 = quantized(generator, int8::ActType::s8, nullptr);
        const int8::QuantParams out = int8::lower_qdq(u8).output_q;
        model::FineTuneConfig ft;
        ft.offset = 0.5;
        model::Graph tail = quantized(model::build_finetune(ft), int8::ActType::u8, &out);
        model::Graph chained = model::chain_models(u8, tail);
        return std::array<model::Graph, 3>{std::move(u8), std::move(s8), std::move(chained)};
    }();
    return graphs;
}

int small_int(fuzz::Bytes& in) { return static_cast<int>(static_cast<std::int8_t>(in.byte())) % 9; }

void edit_constant(model::Graph& g, fuzz::Bytes& in) {
    auto it = std::next(g.constants.begin(), static_cast<std::ptrdiff_t>(in.index(g.constants.size())));
    model::Constant& c = it->second;
    if (c.dtype == DType::f32 && c.f32.size() > 0) {
        c.f32.data()[in.index(static_cast<std::size_t>(c.f32.size()))] = in.f32();
    } else if (c.ints.size() > 0) {
        // Stored integers anywhere in int32 (the importer keeps what the file says for s32 and
        // reads u8/s8 from single bytes, so those stay in their own range).
        const auto v = static_cast<std::int32_t>(in.u32());
        const std::int32_t value = c.dtype == DType::u8 ? (v & 0xff) : c.dtype == DType::s8 ? static_cast<std::int8_t>(v) : v;
        c.ints.data()[in.index(static_cast<std::size_t>(c.ints.size()))] = value;
    }
}

void edit_node(model::Graph& g, fuzz::Bytes& in) {
    model::Node& n = g.nodes[in.index(g.nodes.size())];
    switch (in.byte() % 10) {
        case 0: n.kernel[in.byte() % 2] = small_int(in); break;
        case 1: n.strides[in.byte() % 2] = small_int(in); break;
        case 2: n.dilations[in.byte() % 2] = small_int(in); break;
        case 3: n.pads[in.byte() % 4] = small_int(in); break;
        case 4: n.axis = small_int(in); break;
        case 5: n.scales[in.byte() % 2] = in.f32(); break;
        case 6: n.coordinate_mode = static_cast<model::CoordinateMode>(in.byte() % 4); break;
        case 7: n.nearest_mode = static_cast<model::NearestMode>(in.byte() % 4); n.interp = model::ResizeInterp::nearest; break;
        case 8: n.sizes[in.byte() % 2] = small_int(in) * 8; break;
        default: n.op = static_cast<model::OpKind>(in.byte() % 8); break;
    }
}

// Points an input of one node at another tensor (activation, constant or the graph input).
void rewire(model::Graph& g, fuzz::Bytes& in) {
    model::Node& n = g.nodes[in.index(g.nodes.size())];
    if (n.inputs.empty()) return;
    std::string& slot = n.inputs[in.index(n.inputs.size())];
    const std::size_t pick = in.index(g.nodes.size() + g.constants.size() + 1);
    if (pick < g.nodes.size()) slot = g.nodes[pick].outputs.front();
    else if (pick < g.nodes.size() + g.constants.size())
        slot = std::next(g.constants.begin(), static_cast<std::ptrdiff_t>(pick - g.nodes.size()))->first;
    else slot = g.input;
}

template <typename B>
void run_backend(const model::Graph& g, const char* name, const Tensor<float>& x) {
    runtime::BackendOptions options;
    options.backend = name;
    options.precision = runtime::Precision::int8;
    options.threads = 1;
    B backend(g, options);
    (void)backend.run(x);
    Tensor<std::int32_t> stored(x.shape());
    for (std::int64_t i = 0; i < stored.size(); ++i) stored.data()[i] = static_cast<std::int32_t>(i % 256);
    (void)backend.run_quantized(stored);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::setup();
    fuzz::Bytes in(data, size);
    model::Graph g = bases()[in.byte() % 3].clone();
    for (int edits = in.byte() % 9; edits > 0 && !in.empty(); --edits) {
        switch (in.byte() % 3) {
            case 0: edit_constant(g, in); break;
            case 1: edit_node(g, in); break;
            default: rewire(g, in); break;
        }
    }
    fuzz::expected([&] {
        model::validate(g);
        (void)int8::lower_qdq(g);
        Tensor<float> x(Shape{1, g.input_channels, 16, 16});
        for (std::int64_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(i % 31) / 30.0f;
        fuzz::expected([&] { run_backend<runtime::ReferenceBackend>(g, "reference", x); });
        fuzz::expected([&] { run_backend<runtime::OnednnBackend>(g, "onednn", x); });
        quant::TfliteOptions options;
        options.height = options.width = 16;
        fuzz::expected([&] { (void)quant::export_tflite_bytes(g, options); });
    });
    return 0;
}
