#include "runtime/reference_backend.hpp"

#include "core/error.hpp"
#include "runtime/reference/kernels.hpp"

namespace tomoedge::runtime {

namespace {

Tensor<float> constant_as_float(const model::Constant& c) {
    if (c.dtype == DType::f32) return c.f32.clone();
    Tensor<float> t(c.shape);
    for (std::int64_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(c.ints[i]);
    return t;
}

// The integer type a QuantizeLinear produces: its zero point's type (ONNX), u8 without one.
DType quantized_type(const model::Graph& graph, const model::Node& node) {
    if (node.inputs.size() < 3) return DType::u8;
    if (!graph.is_constant(node.inputs[2]))
        fail("node '{}' (QuantizeLinear): zero point '{}' must be a constant", node.name, node.inputs[2]);
    return graph.constant(node.inputs[2]).dtype;
}

}  // namespace

ReferenceBackend::ReferenceBackend(const model::Graph& graph, const BackendOptions& options) {
    if (options.precision != Precision::fp32)
        fail("backend 'reference' runs fp32 only, not {}", precision_name(options.precision));
    graph_ = graph.clone();
    model::validate(graph_);
    for (const auto& [name, c] : graph_.constants) constants_.emplace(name, constant_as_float(c));
    consumers_ = model::consumer_counts(graph_);
}

Tensor<float> ReferenceBackend::run(const Tensor<float>& input) {
    const auto shapes = model::infer_shapes(graph_, input.shape());
    std::map<std::string, Tensor<float>> values;
    std::map<std::string, int> remaining = consumers_;
    values.emplace(graph_.input, input.clone());
    kept_.clear();

    auto get = [&](const std::string& name) -> const Tensor<float>& {
        if (auto it = values.find(name); it != values.end()) return it->second;
        return constants_.at(name);
    };
    auto optional = [&](const model::Node& node, std::size_t i) -> const Tensor<float>* {
        return node.inputs.size() > i ? &get(node.inputs[i]) : nullptr;
    };

    for (const model::Node& node : graph_.nodes) {
        Tensor<float> out;
        switch (node.op) {
            case model::OpKind::Conv: out = reference::conv2d(get(node.inputs[0]), get(node.inputs[1]), optional(node, 2), node); break;
            case model::OpKind::Relu: out = reference::relu(get(node.inputs[0])); break;
            case model::OpKind::MaxPool: out = reference::maxpool2d(get(node.inputs[0]), node); break;
            case model::OpKind::Resize: out = reference::resize2d(get(node.inputs[0]), node); break;
            case model::OpKind::Add: out = reference::add(get(node.inputs[0]), get(node.inputs[1])); break;
            case model::OpKind::Concat: {
                std::vector<const Tensor<float>*> parts;
                for (const auto& in : node.inputs) parts.push_back(&get(in));
                out = reference::concat(parts, node.axis);
                break;
            }
            case model::OpKind::QuantizeLinear:
                out = reference::quantize_linear(get(node.inputs[0]), get(node.inputs[1]), optional(node, 2), node.axis,
                                                 quantized_type(graph_, node));
                break;
            case model::OpKind::DequantizeLinear:
                out = reference::dequantize_linear(get(node.inputs[0]), get(node.inputs[1]), optional(node, 2), node.axis);
                break;
        }
        if (out.shape() != shapes.at(node.outputs[0]))
            fail("node '{}' ({}): kernel produced {} but shape inference says {}", node.name, model::op_name(node.op),
                 out.shape().str(), shapes.at(node.outputs[0]).str());
        // Free inputs nobody reads any more (keeps a 1024 x 1024 TomoGAN run within a few buffers).
        for (const auto& in : node.inputs)
            if (--remaining[in] == 0 && values.count(in)) {
                if (keep_all_) kept_.emplace(in, std::move(values.at(in)));
                values.erase(in);
            }
        values.insert_or_assign(node.outputs[0], std::move(out));
    }
    Tensor<float> result = std::move(values.at(graph_.output));
    if (keep_all_) {
        for (auto& [name, t] : values)
            if (name != graph_.output) kept_.insert_or_assign(name, std::move(t));
        kept_.insert_or_assign(graph_.output, result.clone());
    }
    return result;
}

std::unique_ptr<Backend> make_reference_backend(const model::Graph& graph, const BackendOptions& options) {
    return std::make_unique<ReferenceBackend>(graph, options);
}

}  // namespace tomoedge::runtime
