#include "model/graph.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace tomoedge::model {

std::string_view op_name(OpKind op) {
    switch (op) {
        case OpKind::Conv: return "Conv";
        case OpKind::Relu: return "Relu";
        case OpKind::MaxPool: return "MaxPool";
        case OpKind::Resize: return "Resize";
        case OpKind::Concat: return "Concat";
        case OpKind::Add: return "Add";
        case OpKind::QuantizeLinear: return "QuantizeLinear";
        case OpKind::DequantizeLinear: return "DequantizeLinear";
    }
    return "?";
}

std::string_view coordinate_mode_name(CoordinateMode mode) {
    switch (mode) {
        case CoordinateMode::half_pixel: return "half_pixel";
        case CoordinateMode::pytorch_half_pixel: return "pytorch_half_pixel";
        case CoordinateMode::align_corners: return "align_corners";
        case CoordinateMode::asymmetric: return "asymmetric";
    }
    return "?";
}

std::string_view nearest_mode_name(NearestMode mode) {
    switch (mode) {
        case NearestMode::round_prefer_floor: return "round_prefer_floor";
        case NearestMode::round_prefer_ceil: return "round_prefer_ceil";
        case NearestMode::floor: return "floor";
        case NearestMode::ceil: return "ceil";
    }
    return "?";
}

const Constant& Graph::constant(const std::string& constant_name) const {
    auto it = constants.find(constant_name);
    if (it == constants.end()) fail("model '{}': no constant named '{}'", name, constant_name);
    return it->second;
}

Graph Graph::clone() const {
    Graph g;
    g.name = name;
    g.input = input;
    g.output = output;
    g.input_channels = input_channels;
    g.nodes = nodes;
    g.metadata = metadata;
    for (const auto& [key, c] : constants) {
        Constant copy;
        copy.dtype = c.dtype;
        copy.shape = c.shape;
        copy.f32 = c.f32.clone();
        copy.ints = c.ints.clone();
        g.constants.emplace(key, std::move(copy));
    }
    return g;
}

namespace {

std::string where(const Node& node) { return fmt::format("node '{}' ({})", node.name, op_name(node.op)); }

// Allowed input counts per op (ONNX arity after the importer folded Resize's scales into attributes).
std::pair<std::size_t, std::size_t> arity(OpKind op) {
    switch (op) {
        case OpKind::Conv: return {2, 3};
        case OpKind::Relu:
        case OpKind::MaxPool:
        case OpKind::Resize: return {1, 1};
        case OpKind::Concat: return {1, std::numeric_limits<std::size_t>::max()};
        case OpKind::Add: return {2, 2};
        case OpKind::QuantizeLinear:
        case OpKind::DequantizeLinear: return {2, 3};
    }
    return {0, 0};
}

void check_attributes(const Node& node) {
    auto positive = [&](const std::array<int, 2>& values, const char* what) {
        for (int v : values)
            if (v < 1) fail("{}: {} must be >= 1, got {}", where(node), what, v);
    };
    if (node.op == OpKind::Conv || node.op == OpKind::MaxPool) {
        positive(node.kernel, "kernel size");
        positive(node.strides, "stride");
        positive(node.dilations, "dilation");
        for (int p : node.pads)
            if (p < 0) fail("{}: padding must be >= 0, got {}", where(node), p);
        // All four sides (top, left, bottom, right: axis i % 2). A window wholly in the padding would
        // have no maximum: -inf in float, INT32_MIN from the int8 kernels.
        for (int i = 0; i < 4; ++i) {
            const int a = i % 2;
            if (node.pads[i] >= node.dilations[a] * (node.kernel[a] - 1) + 1 && node.op == OpKind::MaxPool)
                fail("{}: padding {} is not smaller than the pooling window", where(node), node.pads[i]);
        }
    }
    if (node.op == OpKind::Resize) {
        const bool by_size = node.sizes[0] > 0 || node.sizes[1] > 0;
        if (by_size) {
            if (node.sizes[0] < 1 || node.sizes[1] < 1)
                fail("{}: output sizes must be >= 1, got {} x {}", where(node), node.sizes[0], node.sizes[1]);
        } else {
            // The upper bound keeps every output extent (input extent x scale) far inside int64 for the
            // kernels that compute it without model::infer_shapes (found by fuzzing: a scale of 4e28).
            for (float s : node.scales)
                if (!(std::isfinite(s) && s > 0 && s <= 65536.0f))
                    fail("{}: scale must be finite, > 0 and at most 65536, got {}", where(node), s);
        }
    }
    if (node.op == OpKind::Concat && (node.axis < 0 || node.axis > 3))
        fail("{}: axis must be in 0..3 (NCHW), got {}", where(node), node.axis);
    if ((node.op == OpKind::QuantizeLinear || node.op == OpKind::DequantizeLinear) && (node.axis < 0 || node.axis > 3))
        fail("{}: axis must be in 0..3, got {}", where(node), node.axis);
}

}  // namespace

void validate(Graph& graph) {
    if (graph.input.empty()) fail("model '{}': the graph has no input", graph.name);
    if (graph.input_channels < 1) fail("model '{}': input channel count must be >= 1, got {}", graph.name, graph.input_channels);
    if (graph.is_constant(graph.input))
        fail("model '{}': the graph input '{}' is also a constant", graph.name, graph.input);

    // Who produces each tensor: -1 = graph input or constant, else the node index.
    std::map<std::string, int> producer;
    producer[graph.input] = -1;
    for (const auto& [name, c] : graph.constants) {
        producer[name] = -1;
        if (c.shape.numel() != (c.dtype == DType::f32 ? c.f32.size() : c.ints.size()))
            fail("model '{}': constant '{}' holds {} values but its shape is {}", graph.name, name,
                 c.dtype == DType::f32 ? c.f32.size() : c.ints.size(), c.shape.str());
    }
    std::set<std::string> node_names;
    for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
        const Node& node = graph.nodes[i];
        if (node.name.empty()) fail("model '{}': node #{} ({}) has no name", graph.name, i, op_name(node.op));
        if (!node_names.insert(node.name).second) fail("model '{}': two nodes are named '{}'", graph.name, node.name);
        auto [lo, hi] = arity(node.op);
        if (node.inputs.size() < lo || node.inputs.size() > hi)
            fail("{}: takes {} input(s), has {}", where(node),
                 lo == hi ? fmt::format("{}", lo) : hi > 100 ? fmt::format(">= {}", lo) : fmt::format("{} to {}", lo, hi),
                 node.inputs.size());
        if (node.outputs.size() != 1) fail("{}: must have exactly one output, has {}", where(node), node.outputs.size());
        for (const auto& in : node.inputs)
            if (in.empty()) fail("{}: has an empty input name", where(node));
        const std::string& out = node.outputs[0];
        if (out.empty()) fail("{}: has an empty output name", where(node));
        auto [it, inserted] = producer.emplace(out, static_cast<int>(i));
        if (!inserted) {
            if (it->second < 0)
                fail("{}: output '{}' is already the graph input or a constant", where(node), out);
            fail("{}: output '{}' is also produced by node '{}'", where(node), out, graph.nodes[it->second].name);
        }
        check_attributes(node);
    }
    for (const Node& node : graph.nodes)
        for (const auto& in : node.inputs)
            if (!producer.count(in))
                fail("{}: input '{}' is not produced by any node, constant or the graph input (dangling)", where(node), in);
    {
        auto it = producer.find(graph.output);
        if (it == producer.end() || it->second < 0)
            fail("model '{}': the graph output '{}' is not produced by any node", graph.name, graph.output);
    }

    // Kahn's algorithm; ties keep the original order so a sorted graph stays as it is.
    const std::size_t n = graph.nodes.size();
    std::vector<int> pending(n, 0);
    std::vector<std::vector<int>> users(n);
    for (std::size_t i = 0; i < n; ++i)
        for (const auto& in : graph.nodes[i].inputs) {
            int p = producer.at(in);
            if (p >= 0) {
                ++pending[i];
                users[static_cast<std::size_t>(p)].push_back(static_cast<int>(i));
            }
        }
    std::set<int> ready;
    for (std::size_t i = 0; i < n; ++i)
        if (pending[i] == 0) ready.insert(static_cast<int>(i));
    std::vector<int> order;
    while (!ready.empty()) {
        int i = *ready.begin();
        ready.erase(ready.begin());
        order.push_back(i);
        for (int u : users[static_cast<std::size_t>(i)])
            if (--pending[static_cast<std::size_t>(u)] == 0) ready.insert(u);
    }
    if (order.size() != n) {
        for (std::size_t i = 0; i < n; ++i)
            if (pending[i] > 0) fail("{}: is part of a cycle in the graph", where(graph.nodes[i]));
    }
    std::vector<Node> sorted;
    sorted.reserve(n);
    for (int i : order) sorted.push_back(std::move(graph.nodes[static_cast<std::size_t>(i)]));
    graph.nodes = std::move(sorted);
}

Shape tensor_shape(const Graph& graph, const std::map<std::string, Shape>& shapes, const std::string& name) {
    if (auto it = shapes.find(name); it != shapes.end()) return it->second;
    if (auto it = graph.constants.find(name); it != graph.constants.end()) return it->second.shape;
    fail("model '{}': unknown tensor '{}'", graph.name, name);
}

namespace {

// Output extent of a sliding window; throws naming the node when the window does not fit.
std::int64_t window_output(const Node& node, int axis, std::int64_t in) {
    const std::int64_t padded = in + node.pads[static_cast<std::size_t>(axis)] + node.pads[static_cast<std::size_t>(axis) + 2];
    const std::int64_t extent = std::int64_t{node.dilations[static_cast<std::size_t>(axis)]} *
                                    (node.kernel[static_cast<std::size_t>(axis)] - 1) + 1;
    if (padded < extent)
        fail("{}: {} {} (padded {}) is smaller than the {} window {}", where(node), axis == 0 ? "height" : "width", in,
             padded, op_name(node.op), extent);
    return (padded - extent) / node.strides[static_cast<std::size_t>(axis)] + 1;
}

Shape checked(const Node& node, Shape shape) {
    try {
        (void)shape.numel();
    } catch (const Error& e) {
        fail("{}: output {}", where(node), e.what());
    }
    return shape;
}

Shape require_rank4(const Node& node, const Shape& s, const std::string& tensor) {
    if (s.rank() != 4) fail("{}: input '{}' has shape {}, expected rank 4 (N, C, H, W)", where(node), tensor, s.str());
    return s;
}

Shape infer_node(const Graph& graph, const Node& node, const std::map<std::string, Shape>& shapes) {
    auto in = [&](std::size_t i) { return tensor_shape(graph, shapes, node.inputs[i]); };
    switch (node.op) {
        case OpKind::Conv: {
            Shape x = require_rank4(node, in(0), node.inputs[0]);
            Shape w = in(1);
            if (w.rank() != 4) fail("{}: weights '{}' have shape {}, expected (C_out, C_in, kH, kW)", where(node), node.inputs[1], w.str());
            if (w[1] != x[1])
                fail("{}: input has {} channels but the weights '{}' expect {} (shape {})", where(node), x[1],
                     node.inputs[1], w[1], w.str());
            if (w[2] != node.kernel[0] || w[3] != node.kernel[1])
                fail("{}: kernel {}x{} does not match the weights' shape {}", where(node), node.kernel[0], node.kernel[1], w.str());
            if (node.inputs.size() == 3) {
                Shape b = in(2);
                if (b != Shape{w[0]}) fail("{}: bias '{}' has shape {}, expected ({})", where(node), node.inputs[2], b.str(), w[0]);
            }
            return checked(node, Shape{x[0], w[0], window_output(node, 0, x[2]), window_output(node, 1, x[3])});
        }
        case OpKind::MaxPool: {
            Shape x = require_rank4(node, in(0), node.inputs[0]);
            return checked(node, Shape{x[0], x[1], window_output(node, 0, x[2]), window_output(node, 1, x[3])});
        }
        case OpKind::Relu: return in(0);
        case OpKind::Resize: {
            Shape x = require_rank4(node, in(0), node.inputs[0]);
            if (node.sizes[0] > 0) return checked(node, Shape{x[0], x[1], node.sizes[0], node.sizes[1]});
            std::array<std::int64_t, 2> out{};
            for (int a = 0; a < 2; ++a) {
                const double v = std::floor(static_cast<double>(x[2 + static_cast<std::size_t>(a)]) * node.scales[static_cast<std::size_t>(a)]);
                if (v > 4.0e18) fail("{}: output size overflows ({} x {})", where(node), x[2 + static_cast<std::size_t>(a)], node.scales[static_cast<std::size_t>(a)]);
                out[static_cast<std::size_t>(a)] = static_cast<std::int64_t>(v);
                if (out[static_cast<std::size_t>(a)] < 1) fail("{}: output size would be 0", where(node));
            }
            return checked(node, Shape{x[0], x[1], out[0], out[1]});
        }
        case OpKind::Concat: {
            Shape first = require_rank4(node, in(0), node.inputs[0]);
            std::vector<std::int64_t> dims = first.dims();
            const auto axis = static_cast<std::size_t>(node.axis);
            for (std::size_t i = 1; i < node.inputs.size(); ++i) {
                Shape s = require_rank4(node, in(i), node.inputs[i]);
                for (std::size_t d = 0; d < 4; ++d)
                    if (d != axis && s[d] != first[d])
                        fail("{}: input '{}' has shape {} but '{}' has {} (only axis {} may differ)", where(node),
                             node.inputs[i], s.str(), node.inputs[0], first.str(), axis);
                if (dims[axis] > std::numeric_limits<std::int64_t>::max() / 2 - s[axis]) fail("{}: concatenated size overflows", where(node));
                dims[axis] += s[axis];
            }
            return checked(node, Shape(dims));
        }
        case OpKind::Add: {
            Shape a = in(0), b = in(1);
            if (a != b) fail("{}: inputs have different shapes {} and {}", where(node), a.str(), b.str());
            return a;
        }
        case OpKind::QuantizeLinear:
        case OpKind::DequantizeLinear: {
            Shape x = in(0);
            Shape scale = in(1);
            const bool per_tensor = scale.numel() == 1 && scale.rank() <= 1;
            if (!per_tensor) {
                if (scale.rank() != 1) fail("{}: scale must be a scalar or 1-D, got {}", where(node), scale.str());
                if (static_cast<std::size_t>(node.axis) >= x.rank() || x[static_cast<std::size_t>(node.axis)] != scale[0])
                    fail("{}: {} per-axis scales do not match axis {} of {}", where(node), scale[0], node.axis, x.str());
            }
            if (node.inputs.size() == 3 && in(2) != scale)
                fail("{}: zero point shape {} differs from scale shape {}", where(node), in(2).str(), scale.str());
            return x;
        }
    }
    fail("{}: unknown op", where(node));
}

}  // namespace

std::map<std::string, Shape> infer_shapes(const Graph& graph, const Shape& input_shape) {
    if (input_shape.rank() != 4) fail("model '{}': input shape {} is not (N, C, H, W)", graph.name, input_shape.str());
    if (input_shape[1] != graph.input_channels)
        fail("model '{}': input has {} channels, the model expects {}", graph.name, input_shape[1], graph.input_channels);
    for (auto d : input_shape.dims())
        if (d < 1) fail("model '{}': input shape {} has an empty dimension", graph.name, input_shape.str());
    (void)input_shape.numel();
    std::map<std::string, Shape> shapes;
    shapes[graph.input] = input_shape;
    for (const Node& node : graph.nodes) shapes[node.outputs.at(0)] = infer_node(graph, node, shapes);
    return shapes;
}

std::int64_t count_conv_macs(const Graph& graph, const Shape& input_shape) {
    const auto shapes = infer_shapes(graph, input_shape);
    std::int64_t macs = 0;
    for (const Node& node : graph.nodes) {
        if (node.op != OpKind::Conv) continue;
        const Shape w = tensor_shape(graph, shapes, node.inputs[1]);
        const std::int64_t per_output = w[1] * w[2] * w[3];
        macs += shapes.at(node.outputs[0]).numel() * per_output;
    }
    return macs;
}

std::array<std::int64_t, 2> spatial_multiple(const Graph& graph) {
    // Track, per tensor, how far it has been downsampled (product of strides on its path) and keep
    // the largest seen. Resize undoes downsampling but never lowers the requirement.
    std::map<std::string, std::array<std::int64_t, 2>> factor;
    factor[graph.input] = {1, 1};
    std::array<std::int64_t, 2> result{1, 1};
    for (const Node& node : graph.nodes) {
        std::array<std::int64_t, 2> f{1, 1};
        for (const auto& in : node.inputs)
            if (auto it = factor.find(in); it != factor.end())
                for (std::size_t a = 0; a < 2; ++a) f[a] = std::max(f[a], it->second[a]);
        if (node.op == OpKind::Conv || node.op == OpKind::MaxPool)
            for (std::size_t a = 0; a < 2; ++a) f[a] *= node.strides[a];
        if (node.op == OpKind::Resize && node.sizes[0] == 0)
            for (std::size_t a = 0; a < 2; ++a)
                if (node.scales[a] >= 1.0f) f[a] = std::max<std::int64_t>(1, f[a] / static_cast<std::int64_t>(node.scales[a]));
        for (std::size_t a = 0; a < 2; ++a) result[a] = std::max(result[a], f[a]);
        factor[node.outputs.at(0)] = f;
    }
    return result;
}

std::map<std::string, int> consumer_counts(const Graph& graph) {
    std::map<std::string, int> counts;
    for (const Node& node : graph.nodes)
        for (const auto& in : node.inputs) ++counts[in];
    ++counts[graph.output];
    return counts;
}

std::vector<const Node*> readers_of(const Graph& graph, const std::string& tensor) {
    std::vector<const Node*> out;
    for (const Node& n : graph.nodes)
        if (std::find(n.inputs.begin(), n.inputs.end(), tensor) != n.inputs.end()) out.push_back(&n);
    return out;
}

}  // namespace tomoedge::model
