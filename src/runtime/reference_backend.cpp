#include "runtime/reference_backend.hpp"

#include "core/error.hpp"
#include "runtime/reference/int8_kernels.hpp"
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

ReferenceBackend::ReferenceBackend(const model::Graph& graph, const BackendOptions& options, bool qdq_as_float) {
    if (options.precision == Precision::bf16) fail("backend 'reference' runs fp32 and int8, not bf16");
    graph_ = graph.clone();
    model::validate(graph_);
    const bool qdq = int8::is_qdq(graph_);
    if (options.precision == Precision::int8 && !qdq)
        fail("model '{}': int8 needs a quantized (QDQ) model; make one with `tomoedge quantize`", graph_.name);
    if (qdq && !qdq_as_float) {
        int8_ = int8::lower_qdq(graph_);
        return;  // the integer program holds its own weights
    }
    for (const auto& [name, c] : graph_.constants) constants_.emplace(name, constant_as_float(c));
    consumers_ = model::consumer_counts(graph_);
}

const int8::Int8Graph& ReferenceBackend::int8_graph() const {
    if (!int8_) fail("backend 'reference': model '{}' is not an int8 model", graph_.name);
    return *int8_;
}

Tensor<float> ReferenceBackend::run(const Tensor<float>& input) {
    if (!int8_) return run_float(input);
    const Tensor<std::int32_t> q = run_quantized(reference::quantize_int8(input, int8_->input_q));
    return reference::dequantize_int8(q, int8_->output_q);
}

Tensor<std::int32_t> ReferenceBackend::run_quantized(const Tensor<std::int32_t>& input) {
    const int8::Int8Graph& g = int8_graph();
    if (input.rank() != 4 || input.dim(1) != graph_.input_channels)
        fail("backend 'reference': input {} is not (N, {}, H, W)", input.shape().str(), graph_.input_channels);
    for (std::int32_t v : input)
        if (v < g.input_q.qmin() || v > g.input_q.qmax())
            fail("backend 'reference': quantized input value {} is outside {} range", v, int8::act_type_name(g.input_q.type));
    std::map<std::string, int> remaining;
    for (const auto& step : g.steps)
        for (const auto& in : step.inputs) ++remaining[in];
    ++remaining[g.output];
    std::map<std::string, Tensor<std::int32_t>> values;
    values.emplace(g.input, input.clone());
    for (const int8::Step& step : g.steps) {
        std::vector<const Tensor<std::int32_t>*> in;
        for (const auto& name : step.inputs) in.push_back(&values.at(name));
        Tensor<std::int32_t> out;
        switch (step.op) {
            case model::OpKind::Conv: out = reference::conv2d_int8(*in[0], step.weights, step.bias, step.conv, step.node); break;
            case model::OpKind::MaxPool: out = reference::maxpool2d_int8(*in[0], step.node); break;
            case model::OpKind::Resize: out = reference::resize2d_int8(*in[0], step.node, step.out.type); break;
            case model::OpKind::Concat: out = reference::concat_int8(in, step.node.axis); break;
            default: fail("node '{}' ({}): no int8 kernel", step.node.name, model::op_name(step.op));
        }
        for (const auto& name : step.inputs)
            if (--remaining[name] == 0) values.erase(name);
        values.insert_or_assign(step.output, std::move(out));
    }
    return std::move(values.at(g.output));
}

Tensor<float> ReferenceBackend::run_float(const Tensor<float>& input) {
    const auto shapes = model::infer_shapes(graph_, input.shape());
    std::map<std::string, Tensor<float>> values;
    std::map<std::string, int> remaining = consumers_;
    values.emplace(graph_.input, input.clone());
    kept_.clear();
    if (observer_) observer_(graph_.input, values.at(graph_.input));

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
        if (observer_) observer_(node.outputs[0], out);
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
