#include "runtime/int8/qdq_graph.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

namespace tomoedge::runtime::int8 {

std::string_view act_type_name(ActType t) { return t == ActType::u8 ? "u8" : "s8"; }

bool is_qdq(const model::Graph& graph) {
    return std::any_of(graph.nodes.begin(), graph.nodes.end(), [](const model::Node& n) {
        return n.op == model::OpKind::QuantizeLinear || n.op == model::OpKind::DequantizeLinear;
    });
}

std::int32_t quantize_value(float x, const QuantParams& q) {
    // nearbyint rounds half to even in the default rounding mode (ONNX QuantizeLinear).
    const float r = std::nearbyint(x / q.scale) + static_cast<float>(q.zero_point);
    return static_cast<std::int32_t>(std::clamp(r, static_cast<float>(q.qmin()), static_cast<float>(q.qmax())));
}

float dequantize_value(std::int32_t q, const QuantParams& p) { return static_cast<float>(q - p.zero_point) * p.scale; }

namespace {

using model::Node;
using model::OpKind;

// A DequantizeLinear of a constant (weights or bias): the integer data and per-channel scales.
struct ConstDequant {
    const model::Constant* data = nullptr;
    std::vector<float> scale;
    std::vector<std::int32_t> zero_point;
};

class Lowering {
public:
    explicit Lowering(const model::Graph& g) : g_(g) {
        for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
            const Node& n = g_.nodes[i];
            producer_[n.outputs[0]] = i;
            for (const auto& in : n.inputs) consumers_[in].push_back(i);
        }
    }

    Int8Graph run() {
        Int8Graph out;
        out.float_input = g_.input;
        out.float_output = g_.output;
        // Pass 1: every QuantizeLinear and every DequantizeLinear.
        for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
            const Node& n = g_.nodes[i];
            if (n.op == OpKind::QuantizeLinear) {
                if (g_.is_constant(n.inputs[0]))
                    fail("node '{}' (QuantizeLinear): quantizes the constant '{}'; store it quantized instead", n.name,
                         n.inputs[0]);
                q_params_[n.outputs[0]] = activation_params(n);
                used_[i] = true;
            }
        }
        for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
            const Node& n = g_.nodes[i];
            if (n.op != OpKind::DequantizeLinear) continue;
            used_[i] = true;
            if (g_.is_constant(n.inputs[0])) {
                const_dq_[n.outputs[0]] = constant_dequant(n);
            } else if (auto it = q_params_.find(n.inputs[0]); it != q_params_.end()) {
                const QuantParams p = activation_params(n);
                if (p.scale != it->second.scale || p.zero_point != it->second.zero_point || p.type != it->second.type)
                    fail("node '{}' (DequantizeLinear): its scale/zero point differ from the QuantizeLinear of '{}'",
                         n.name, n.inputs[0]);
                act_dq_[n.outputs[0]] = n.inputs[0];
            } else {
                fail("node '{}' (DequantizeLinear): input '{}' is neither a constant nor a QuantizeLinear output", n.name,
                     n.inputs[0]);
            }
        }
        // The input: exactly one QuantizeLinear reads the float input.
        const auto& readers = consumers_[g_.input];
        if (readers.size() != 1 || g_.nodes[readers[0]].op != OpKind::QuantizeLinear)
            fail("graph '{}': the input '{}' must feed exactly one QuantizeLinear in an int8 (QDQ) model", g_.name,
                 g_.input);
        out.input = g_.nodes[readers[0]].outputs[0];
        out.input_q = q_params_.at(out.input);
        // Pass 2: each other QuantizeLinear closes one integer op, in topological order.
        for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
            const Node& n = g_.nodes[i];
            if (n.op == OpKind::QuantizeLinear && n.inputs[0] != g_.input) out.steps.push_back(step_for(n));
        }
        // The output: a DequantizeLinear of an integer tensor.
        const auto p = producer_.find(g_.output);
        if (p == producer_.end() || !act_dq_.count(g_.output))
            fail("graph '{}': the output '{}' must be a DequantizeLinear of a quantized tensor in an int8 (QDQ) model",
                 g_.name, g_.output);
        out.output = act_dq_.at(g_.output);
        out.output_q = q_params_.at(out.output);
        for (std::size_t i = 0; i < g_.nodes.size(); ++i)
            if (!used_[i])
                fail("node '{}' ({}): is not part of a quantized op (no QuantizeLinear follows it)", g_.nodes[i].name,
                     model::op_name(g_.nodes[i].op));
        return out;
    }

private:
    QuantParams activation_params(const Node& n) {
        const model::Constant& scale = g_.constant(n.inputs[1]);
        if (scale.shape.numel() != 1)
            fail("node '{}' ({}): activations must be quantized per tensor, got {} scales", n.name,
                 model::op_name(n.op), scale.shape.numel());
        QuantParams q;
        q.scale = scale.f32[0];
        if (!(q.scale > 0) || !std::isfinite(q.scale)) fail("node '{}' ({}): scale {} is not positive", n.name, model::op_name(n.op), q.scale);
        if (n.inputs.size() > 2) {
            const model::Constant& zp = g_.constant(n.inputs[2]);
            if (zp.dtype != DType::u8 && zp.dtype != DType::s8)
                fail("node '{}' ({}): activation zero point must be u8 or s8, not {}", n.name, model::op_name(n.op),
                     dtype_name(zp.dtype));
            q.type = zp.dtype == DType::u8 ? ActType::u8 : ActType::s8;
            q.zero_point = zp.ints[0];
        }
        return q;
    }

    ConstDequant constant_dequant(const Node& n) {
        ConstDequant d;
        d.data = &g_.constant(n.inputs[0]);
        const model::Constant& scale = g_.constant(n.inputs[1]);
        for (float s : scale.f32) d.scale.push_back(s);
        if (n.inputs.size() > 2)
            for (std::int32_t z : g_.constant(n.inputs[2]).ints) d.zero_point.push_back(z);
        else
            d.zero_point.assign(d.scale.size(), 0);
        if (d.scale.size() != 1 && (n.axis != 0 || d.data->shape.rank() == 0 || d.data->shape[0] != static_cast<std::int64_t>(d.scale.size())))
            fail("node '{}' (DequantizeLinear): {} scales do not run along axis 0 of '{}' {}", n.name, d.scale.size(),
                 n.inputs[0], d.data->shape.str());
        for (std::int32_t z : d.zero_point)
            if (z != 0) fail("node '{}' (DequantizeLinear): weights and biases must be symmetric (zero point 0)", n.name);
        return d;
    }

    // The integer tensor behind a float op's activation input.
    const std::string& integer_input(const Node& n, const std::string& in) {
        auto it = act_dq_.find(in);
        if (it == act_dq_.end())
            fail("node '{}' ({}): input '{}' is not a DequantizeLinear of a quantized tensor", n.name,
                 model::op_name(n.op), in);
        return it->second;
    }

    // The node producing `tensor`, which must feed nothing but `reader`.
    std::size_t sole_producer(const std::string& tensor, const Node& reader) {
        auto p = producer_.find(tensor);
        if (p == producer_.end())
            fail("node '{}' ({}): quantizes '{}', which no op produces", reader.name, model::op_name(reader.op), tensor);
        if (consumers_[tensor].size() != 1 || tensor == g_.output)
            fail("node '{}' ({}): its float output '{}' is also read elsewhere; only the quantized value may be", g_.nodes[p->second].name,
                 model::op_name(g_.nodes[p->second].op), tensor);
        return p->second;
    }

    Step step_for(const Node& q) {
        Step s;
        s.output = q.outputs[0];
        s.out = q_params_.at(s.output);
        std::size_t index = sole_producer(q.inputs[0], q);
        bool relu = false;
        if (g_.nodes[index].op == OpKind::Relu) {
            const Node& r = g_.nodes[index];
            used_[index] = true;
            relu = true;
            index = sole_producer(r.inputs[0], r);
            if (g_.nodes[index].op != OpKind::Conv)
                fail("node '{}' (Relu): int8 ReLU is supported only fused after a Conv, not after {}", r.name,
                     model::op_name(g_.nodes[index].op));
        }
        const Node& n = g_.nodes[index];
        used_[index] = true;
        s.op = n.op;
        s.node = n;
        switch (n.op) {
            case OpKind::Conv: lower_conv(n, relu, s); break;
            case OpKind::MaxPool:
            case OpKind::Resize:
            case OpKind::Concat:
                for (const auto& in : n.inputs) {
                    if (g_.is_constant(in))
                        fail("node '{}' ({}): constant inputs are not supported in int8", n.name, model::op_name(n.op));
                    s.inputs.push_back(integer_input(n, in));
                    if (!(q_params_.at(s.inputs.back()) == s.out))
                        fail("node '{}' ({}): input '{}' and output must share one scale and zero point in int8", n.name,
                             model::op_name(n.op), in);
                }
                break;
            default:
                fail("node '{}' ({}): has no int8 kernel (supported: Conv[+Relu], MaxPool, Resize, Concat)", n.name,
                     model::op_name(n.op));
        }
        return s;
    }

    // Both int8 backends accumulate in int32, as TFLite does, which assumes a calibrated model's
    // sums stay in range. A model from anywhere gets that checked: bias plus the largest possible
    // sum of (x - x_zp) * w (|x - x_zp| <= 255, |w| <= 128) must fit, or the sum would overflow
    // (undefined behaviour; found by fuzzing with a bias of -2^31).
    static void check_accumulator(const Node& n, const Shape& weights, const Tensor<std::int32_t>& bias) {
        constexpr std::int64_t product = 255 * 128, limit = std::numeric_limits<std::int32_t>::max();
        const std::int64_t taps = weights.numel() / std::max<std::int64_t>(weights[0], 1);
        std::int64_t largest_bias = 0;
        for (std::int32_t b : bias.span()) largest_bias = std::max(largest_bias, std::abs(static_cast<std::int64_t>(b)));
        if (taps > limit / product || largest_bias + taps * product > limit)
            fail("node '{}' (Conv): its int32 accumulator could overflow ({} taps per output, bias up to {})", n.name,
                 taps, largest_bias);
    }

    void lower_conv(const Node& n, bool relu, Step& s) {
        s.inputs.push_back(integer_input(n, n.inputs[0]));
        const QuantParams in = q_params_.at(s.inputs[0]);
        auto w = const_dq_.find(n.inputs[1]);
        if (w == const_dq_.end() || w->second.data->dtype != DType::s8)
            fail("node '{}' (Conv): weights '{}' must be an int8 constant behind a DequantizeLinear", n.name, n.inputs[1]);
        const model::Constant& wc = *w->second.data;
        // Shapes are checked here, not only by model::infer_shapes: the importer skips that check for
        // graphs with a fixed-size Resize, and the loops below index weights and bias by channel.
        if (wc.shape.rank() != 4)
            fail("node '{}' (Conv): weights '{}' have shape {}, expected (C_out, C_in, kH, kW)", n.name, n.inputs[1],
                 wc.shape.str());
        const std::int64_t O = wc.shape[0];
        s.weights = Tensor<std::int8_t>(wc.shape);
        for (std::int64_t i = 0; i < s.weights.size(); ++i) s.weights[i] = static_cast<std::int8_t>(wc.ints[i]);
        std::vector<float> ws = w->second.scale;
        if (ws.size() == 1) ws.assign(static_cast<std::size_t>(O), ws[0]);
        s.bias = Tensor<std::int32_t>(Shape{O}, 0);
        if (n.inputs.size() > 2) {
            auto b = const_dq_.find(n.inputs[2]);
            if (b == const_dq_.end() || b->second.data->dtype != DType::s32)
                fail("node '{}' (Conv): bias '{}' must be an int32 constant behind a DequantizeLinear", n.name, n.inputs[2]);
            if (b->second.data->shape != Shape{O})
                fail("node '{}' (Conv): bias '{}' has shape {}, expected ({})", n.name, n.inputs[2],
                     b->second.data->shape.str(), O);
            std::vector<float> bs = b->second.scale;
            if (bs.size() == 1) bs.assign(static_cast<std::size_t>(O), bs[0]);
            for (std::int64_t o = 0; o < O; ++o) {
                const double expected = static_cast<double>(in.scale) * ws[static_cast<std::size_t>(o)];
                if (std::abs(bs[static_cast<std::size_t>(o)] - expected) > 1e-4 * expected)
                    fail("node '{}' (Conv): bias scale {} of channel {} is not input scale x weight scale ({})", n.name,
                         bs[static_cast<std::size_t>(o)], o, expected);
                s.bias[o] = b->second.data->ints[o];
            }
        }
        check_accumulator(n, wc.shape, s.bias);
        ConvQuant& c = s.conv;
        c.input_offset = -in.zero_point;
        c.output_offset = s.out.zero_point;
        c.weight_scale = ws;
        for (float scale : ws)
            c.output_multiplier.push_back(
                quantize_multiplier(static_cast<double>(in.scale) * static_cast<double>(scale) / static_cast<double>(s.out.scale)));
        c.fused_relu = relu;
        c.activation_min = relu ? std::max(s.out.qmin(), s.out.zero_point) : s.out.qmin();
        c.activation_max = s.out.qmax();
    }

    const model::Graph& g_;
    std::map<std::string, std::size_t> producer_;
    std::map<std::string, std::vector<std::size_t>> consumers_;
    std::map<std::string, QuantParams> q_params_;    // QuantizeLinear output -> parameters
    std::map<std::string, std::string> act_dq_;      // DequantizeLinear output -> integer tensor
    std::map<std::string, ConstDequant> const_dq_;   // DequantizeLinear output -> constant
    std::map<std::size_t, bool> used_;
};

}  // namespace

Int8Graph lower_qdq(const model::Graph& graph) { return Lowering(graph).run(); }

}  // namespace tomoedge::runtime::int8
