#include "model/finetune.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

namespace tomoedge::model {

namespace {

Constant f32_constant(Shape shape, float fill = 0.0f) {
    Constant c;
    c.shape = std::move(shape);
    c.f32 = Tensor<float>(c.shape, fill);
    return c;
}

Node conv_node(const std::string& name, const std::string& input, const std::string& output, int k) {
    Node n;
    n.name = name;
    n.op = OpKind::Conv;
    n.inputs = {input, name + ".weight", name + ".bias"};
    n.outputs = {output};
    n.kernel = {k, k};
    n.pads = {k / 2, k / 2, k / 2, k / 2};
    return n;
}

bool has_qdq(const Graph& g) {
    return std::any_of(g.nodes.begin(), g.nodes.end(), [](const Node& n) {
        return n.op == OpKind::QuantizeLinear || n.op == OpKind::DequantizeLinear;
    });
}

const Node* producer_of(const Graph& g, const std::string& tensor) {
    for (const Node& n : g.nodes)
        if (n.outputs[0] == tensor) return &n;
    return nullptr;
}

// Scale and zero point of a Q/DQ node, as (value, dtype, zero point); equal triples mean equal
// quantization parameters.
struct QdqParams {
    float scale = 0;
    DType dtype = DType::f32;
    std::int32_t zero_point = 0;
    bool operator==(const QdqParams&) const = default;
};

QdqParams qdq_params(const Graph& g, const Node& n) {
    const Constant& s = g.constant(n.inputs.at(1));
    if (s.shape.numel() != 1) fail("node '{}' ({}): per-tensor parameters expected", n.name, op_name(n.op));
    QdqParams p;
    p.scale = s.f32[0];
    if (n.inputs.size() > 2) {
        const Constant& z = g.constant(n.inputs[2]);
        p.dtype = z.dtype;
        p.zero_point = z.ints[0];
    } else {
        p.dtype = DType::u8;  // ONNX's default zero point type
    }
    return p;
}

void rename_tensor(Graph& g, const std::string& from, const std::string& to) {
    for (Node& n : g.nodes) {
        for (auto& in : n.inputs)
            if (in == from) in = to;
        for (auto& out : n.outputs)
            if (out == from) out = to;
    }
    if (auto it = g.constants.find(from); it != g.constants.end()) {
        auto node = g.constants.extract(it);
        node.key() = to;
        g.constants.insert(std::move(node));
    }
    if (g.output == from) g.output = to;
    if (g.input == from) g.input = to;
}

}  // namespace

std::vector<std::string> finetune_layer_names(const FineTuneConfig& config) {
    std::vector<std::string> names;
    for (int i = 1; i <= config.convs; ++i) names.push_back(fmt::format("ft_conv{}", i));
    return names;
}

Graph build_finetune(const FineTuneConfig& config) {
    if (config.channels < 1 || config.channels > 256)
        fail("Fine-Tune net: channels must be in 1..256, got {}", config.channels);
    if (config.convs < 2 || config.convs > 16) fail("Fine-Tune net: 3x3 convs must be in 2..16, got {}", config.convs);
    if (!std::isfinite(config.offset)) fail("Fine-Tune net: offset must be finite, got {}", config.offset);
    Graph g;
    g.name = "finetune";
    g.input = "ft_input";
    g.output = "output";
    g.input_channels = 1;
    std::mt19937_64 rng(config.seed);
    const auto names = finetune_layer_names(config);
    std::string x = g.input;
    std::int64_t cin = 1;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const bool last = i + 1 == names.size();
        const std::int64_t cout = last ? 1 : config.channels;
        const std::string& name = names[i];
        Constant w = f32_constant(Shape{cout, cin, 3, 3});
        // He-normal for the ReLU layers; the correction layer starts near zero (the net starts
        // close to the identity, which training then improves on).
        const double sd = std::sqrt(2.0 / static_cast<double>(cin * 9)) * (last ? 0.01 : 1.0);
        std::normal_distribution<float> normal(0.0f, static_cast<float>(sd));
        for (auto& v : w.f32) v = normal(rng);
        g.constants[name + ".weight"] = std::move(w);
        g.constants[name + ".bias"] = f32_constant(Shape{cout}, last ? static_cast<float>(config.offset) : 0.0f);
        const std::string out = last ? "ft_correction" : name + ".conv";
        g.nodes.push_back(conv_node(name, x, out, 3));
        if (!last) {
            Node relu;
            relu.name = name + ".relu";
            relu.op = OpKind::Relu;
            relu.inputs = {out};
            relu.outputs = {name};
            g.nodes.push_back(relu);
            x = name;
        }
        cin = cout;
    }
    Node concat;
    concat.name = "ft_concat";
    concat.op = OpKind::Concat;
    concat.axis = 1;
    concat.inputs = {g.input, "ft_correction"};
    concat.outputs = {"ft_concat"};
    g.nodes.push_back(concat);
    g.constants["ft_residual.weight"] = f32_constant(Shape{1, 2, 1, 1}, 1.0f);
    g.constants["ft_residual.bias"] = f32_constant(Shape{1}, static_cast<float>(-config.offset));
    g.nodes.push_back(conv_node("ft_residual", "ft_concat", g.output, 1));
    validate(g);
    return g;
}

Graph chain_models(const Graph& first_in, const Graph& second_in) {
    const bool int8 = has_qdq(first_in);
    if (int8 != has_qdq(second_in))
        fail("chain: model '{}' is {} but '{}' is {}; chain two fp32 or two int8 (QDQ) models", first_in.name,
             int8 ? "int8" : "fp32", second_in.name, has_qdq(second_in) ? "int8" : "fp32");
    Graph first = first_in.clone();
    Graph second = second_in.clone();
    validate(first);
    validate(second);
    {
        const auto m = spatial_multiple(first);
        const Shape nominal{1, first.input_channels, m[0] * 4, m[1] * 4};
        const Shape out = infer_shapes(first, nominal).at(first.output);
        if (out[1] != second.input_channels)
            fail("chain: '{}' outputs {} channels but '{}' takes {}", first.name, out[1], second.name,
                 second.input_channels);
    }
    const std::string joint = "generator_output";
    const Node* first_out = producer_of(first, first.output);
    std::string second_reads = second.input;  // what second's consumers read for its input
    if (int8) {
        if (first_out == nullptr || first_out->op != OpKind::DequantizeLinear)
            fail("chain: the output of int8 model '{}' is not a DequantizeLinear", first.name);
        const auto q = readers_of(second, second.input);
        if (q.size() != 1 || q[0]->op != OpKind::QuantizeLinear)
            fail("chain: the input of int8 model '{}' must feed exactly one QuantizeLinear", second.name);
        if (!(qdq_params(second, *q[0]) == qdq_params(first, *first_out)))
            fail("chain: '{}' quantizes its input with scale {} / zero point {} but '{}' outputs scale {} / zero "
                 "point {}: quantize it with its input fixed to the generator's output parameters",
                 second.name, qdq_params(second, *q[0]).scale, qdq_params(second, *q[0]).zero_point, first.name,
                 qdq_params(first, *first_out).scale, qdq_params(first, *first_out).zero_point);
        const auto dq = readers_of(second, q[0]->outputs[0]);
        if (dq.size() != 1 || dq[0]->op != OpKind::DequantizeLinear)
            fail("chain: the input of int8 model '{}' must be quantized and dequantized once", second.name);
        second_reads = dq[0]->outputs[0];
        const std::set<std::string> drop{q[0]->name, dq[0]->name};
        std::erase_if(second.nodes, [&](const Node& n) { return drop.count(n.name) != 0; });
    }
    // Constants no node of `second` reads any more (its input's scale and zero point).
    {
        std::set<std::string> used;
        for (const Node& n : second.nodes) used.insert(n.inputs.begin(), n.inputs.end());
        std::erase_if(second.constants, [&](const auto& kv) { return used.count(kv.first) == 0; });
    }
    rename_tensor(first, first.output, joint);
    rename_tensor(second, second_reads, joint);

    // Names of `second` that `first` uses get a "finetune." prefix (both graphs may come from the
    // same quantizer and carry e.g. "output_scale"); the graph output keeps its name.
    std::set<std::string> taken{first.input};
    for (const Node& n : first.nodes) {
        taken.insert(n.name);
        taken.insert(n.outputs[0]);
    }
    for (const auto& [name, c] : first.constants) taken.insert(name);
    std::set<std::string> second_names;
    for (const Node& n : second.nodes) second_names.insert(n.outputs[0]);
    for (const auto& [name, c] : second.constants) second_names.insert(name);
    for (const auto& name : second_names)
        if (name != joint && taken.count(name)) {
            const std::string renamed = "finetune." + name;
            if (taken.count(renamed) || second_names.count(renamed))
                fail("chain: cannot rename '{}' of '{}': '{}' is taken", name, second.name, renamed);
            rename_tensor(second, name, renamed);
        }
    for (Node& n : second.nodes)
        if (taken.count(n.name)) n.name = "finetune." + n.name;

    Graph g = std::move(first);
    g.name = first_in.name;
    g.output = second.output == joint ? joint : second.output;
    for (Node& n : second.nodes) g.nodes.push_back(std::move(n));
    for (auto& [name, c] : second.constants) g.constants.emplace(name, std::move(c));
    validate(g);
    return g;
}

}  // namespace tomoedge::model
