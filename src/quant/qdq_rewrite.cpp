#include "quant/qdq_rewrite.hpp"

#include "core/error.hpp"
#include "runtime/int8/qdq_graph.hpp"

#include <algorithm>
#include <numeric>
#include <set>

namespace tomoedge::quant {

using model::Node;
using model::OpKind;

const Node* fused_relu(const model::Graph& g, const Node& conv) {
    if (conv.outputs[0] == g.output) return nullptr;
    const auto readers = model::readers_of(g, conv.outputs[0]);
    return readers.size() == 1 && readers[0]->op == OpKind::Relu ? readers[0] : nullptr;
}

std::vector<std::string> quantized_tensors(const model::Graph& g) {
    if (runtime::int8::is_qdq(g))
        fail("model '{}' is already quantized (it has QuantizeLinear/DequantizeLinear nodes)", g.name);
    std::set<const Node*> fused;
    std::vector<std::string> out{g.input};
    for (const Node& n : g.nodes) {
        switch (n.op) {
            case OpKind::Conv:
                if (n.inputs.size() > 1 && !g.is_constant(n.inputs[1]))
                    fail("node '{}' (Conv): weights '{}' are not a constant; the quantizer needs constant weights", n.name,
                         n.inputs[1]);
                if (n.inputs.size() > 2 && !g.is_constant(n.inputs[2]))
                    fail("node '{}' (Conv): bias '{}' is not a constant", n.name, n.inputs[2]);
                if (const Node* r = fused_relu(g, n)) {
                    fused.insert(r);
                    out.push_back(r->outputs[0]);
                } else {
                    out.push_back(n.outputs[0]);
                }
                break;
            case OpKind::Relu:
                if (!fused.count(&n))
                    fail("node '{}' (Relu): the quantizer handles ReLU only directly after a Conv that feeds nothing else",
                         n.name);
                break;
            case OpKind::MaxPool:
            case OpKind::Resize:
            case OpKind::Concat:
                for (const auto& in : n.inputs)
                    if (g.is_constant(in))
                        fail("node '{}' ({}): constant input '{}' cannot be quantized", n.name, model::op_name(n.op), in);
                out.push_back(n.outputs[0]);
                break;
            default:
                fail("node '{}' ({}): the quantizer cannot handle this op (supported: Conv, Relu after Conv, MaxPool, "
                     "Resize, Concat)",
                     n.name, model::op_name(n.op));
        }
    }
    return out;
}

std::vector<std::vector<std::string>> shared_scale_groups(const model::Graph& g, const std::vector<std::string>& tensors) {
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < tensors.size(); ++i) index[tensors[i]] = i;
    std::vector<std::size_t> parent(tensors.size());
    std::iota(parent.begin(), parent.end(), std::size_t{0});
    auto find = [&](std::size_t i) {
        while (parent[i] != i) i = parent[i] = parent[parent[i]];
        return i;
    };
    for (const Node& n : g.nodes) {
        if (n.op != OpKind::MaxPool && n.op != OpKind::Resize && n.op != OpKind::Concat) continue;
        const std::size_t o = find(index.at(n.outputs[0]));
        for (const auto& in : n.inputs) {
            auto it = index.find(in);
            if (it == index.end()) fail("node '{}' ({}): input '{}' is not a quantized tensor", n.name, model::op_name(n.op), in);
            parent[find(it->second)] = o;
        }
    }
    std::map<std::size_t, std::vector<std::string>> groups;
    for (std::size_t i = 0; i < tensors.size(); ++i) groups[find(i)].push_back(tensors[i]);
    std::vector<std::vector<std::string>> out;
    for (auto& [root, members] : groups) out.push_back(std::move(members));
    return out;
}

std::map<std::string, QuantParams> unified_params(const model::Graph& g, const std::map<std::string, Range>& ranges,
                                                  ActType type) {
    const auto tensors = quantized_tensors(g);
    std::map<std::string, QuantParams> params;
    for (const auto& group : shared_scale_groups(g, tensors)) {
        Range r{0, 0};
        bool first = true;
        for (const auto& t : group) {
            auto it = ranges.find(t);
            if (it == ranges.end()) fail("quantizer: no calibrated range for tensor '{}'", t);
            r.low = first ? it->second.low : std::min(r.low, it->second.low);
            r.high = first ? it->second.high : std::max(r.high, it->second.high);
            first = false;
        }
        const QuantParams q = activation_params(r, type);
        for (const auto& t : group) params[t] = q;
    }
    return params;
}

namespace {

model::Constant scalar_f32(float v) {
    model::Constant c;
    c.dtype = DType::f32;
    c.shape = Shape{};
    c.f32 = Tensor<float>(c.shape, v);
    return c;
}

model::Constant int_constant(DType dtype, Shape shape, std::int32_t fill) {
    model::Constant c;
    c.dtype = dtype;
    c.shape = std::move(shape);
    c.ints = Tensor<std::int32_t>(c.shape, fill);
    return c;
}

model::Constant f32_vector(const std::vector<float>& v) {
    model::Constant c;
    c.dtype = DType::f32;
    c.shape = Shape{static_cast<std::int64_t>(v.size())};
    c.f32 = Tensor<float>(c.shape);
    std::copy(v.begin(), v.end(), c.f32.begin());
    return c;
}

Node qdq_node(OpKind op, std::string name, std::vector<std::string> inputs, std::string output, int axis = 1) {
    Node n;
    n.op = op;
    n.name = std::move(name);
    n.inputs = std::move(inputs);
    n.outputs = {std::move(output)};
    n.axis = axis;
    return n;
}

}  // namespace

model::Graph make_qdq_graph(const model::Graph& fp32, const std::map<std::string, QuantParams>& params) {
    const auto tensors = quantized_tensors(fp32);
    const std::set<std::string> quantized(tensors.begin(), tensors.end());
    for (const auto& t : tensors)
        if (!params.count(t)) fail("quantizer: no parameters for tensor '{}'", t);

    model::Graph g = fp32.clone();
    g.nodes.clear();  // rebuilt below with Q/DQ around every quantized tensor

    auto dq_name = [](const std::string& t) { return t + "_dequantized"; };
    // Q/DQ around tensor `t`, whose float value is produced under the name `source`.
    auto wrap = [&](const std::string& t, const std::string& source) {
        const QuantParams& q = params.at(t);
        const DType type = q.type == ActType::u8 ? DType::u8 : DType::s8;
        g.constants[t + "_scale"] = scalar_f32(q.scale);
        g.constants[t + "_zero_point"] = int_constant(type, Shape{}, q.zero_point);
        g.nodes.push_back(qdq_node(OpKind::QuantizeLinear, t + "_quantize", {source, t + "_scale", t + "_zero_point"},
                                   t + "_quantized"));
        const std::string out = t == fp32.output ? fp32.output : dq_name(t);
        g.nodes.push_back(qdq_node(OpKind::DequantizeLinear, t + "_dequantize",
                                   {t + "_quantized", t + "_scale", t + "_zero_point"}, out));
    };
    // The float value of the graph output gets a new name so the final DequantizeLinear can
    // carry the graph output's name (the model's interface does not change).
    auto float_name = [&](const std::string& t) { return t == fp32.output ? t + "_float" : t; };
    auto read_name = [&](const std::string& t) { return quantized.count(t) ? dq_name(t) : t; };

    wrap(fp32.input, fp32.input);
    for (const Node& n : fp32.nodes) {
        Node copy = n;
        for (auto& in : copy.inputs)
            if (!fp32.is_constant(in)) in = read_name(in);
        if (n.op == OpKind::Conv) {
            const std::string& x = n.inputs[0];
            const float input_scale = params.at(x).scale;
            const std::string& wname = n.inputs[1];
            const ChannelQuant w = quantize_weights(fp32.constant(wname).f32);
            const auto O = static_cast<std::int64_t>(w.scale.size());
            model::Constant wq;
            wq.dtype = DType::s8;
            wq.shape = fp32.constant(wname).shape;
            wq.ints = w.values.clone();
            g.constants.erase(wname);
            g.constants[wname + "_quantized"] = std::move(wq);
            g.constants[wname + "_scale"] = f32_vector(w.scale);
            g.constants[wname + "_zero_point"] = int_constant(DType::s8, Shape{O}, 0);
            g.nodes.push_back(qdq_node(OpKind::DequantizeLinear, wname + "_dequantize",
                                       {wname + "_quantized", wname + "_scale", wname + "_zero_point"}, dq_name(wname), 0));
            copy.inputs[1] = dq_name(wname);
            if (n.inputs.size() > 2) {
                const std::string& bname = n.inputs[2];
                std::vector<float> bias_scale;
                for (float s : w.scale) bias_scale.push_back(input_scale * s);
                model::Constant bq;
                bq.dtype = DType::s32;
                bq.shape = fp32.constant(bname).shape;
                bq.ints = quantize_bias(fp32.constant(bname).f32, input_scale, w.scale);
                g.constants.erase(bname);
                g.constants[bname + "_quantized"] = std::move(bq);
                g.constants[bname + "_scale"] = f32_vector(bias_scale);
                g.nodes.push_back(qdq_node(OpKind::DequantizeLinear, bname + "_dequantize",
                                           {bname + "_quantized", bname + "_scale"}, dq_name(bname), 0));
                copy.inputs[2] = dq_name(bname);
            }
        }
        const std::string out = n.outputs[0];
        if (quantized.count(out)) {
            copy.outputs[0] = float_name(out);
            g.nodes.push_back(std::move(copy));
            wrap(out, float_name(out));
        } else {
            g.nodes.push_back(std::move(copy));
        }
    }
    model::validate(g);
    return g;
}

}  // namespace tomoedge::quant
