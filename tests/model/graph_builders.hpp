#pragma once
// Small hand-made graphs for model and runtime tests.
#include "model/graph.hpp"

#include <string>
#include <vector>

namespace tomoedge::testing {

inline model::Constant float_constant(Shape shape, std::vector<float> values) {
    model::Constant c;
    c.dtype = DType::f32;
    c.shape = shape;
    c.f32 = Tensor<float>(shape);
    for (std::size_t i = 0; i < values.size() && static_cast<std::int64_t>(i) < c.f32.size(); ++i)
        c.f32[static_cast<std::int64_t>(i)] = values[i];
    return c;
}

inline model::Constant int_constant(DType dtype, Shape shape, std::vector<std::int32_t> values) {
    model::Constant c;
    c.dtype = dtype;
    c.shape = shape;
    c.ints = Tensor<std::int32_t>(shape);
    for (std::size_t i = 0; i < values.size() && static_cast<std::int64_t>(i) < c.ints.size(); ++i)
        c.ints[static_cast<std::int64_t>(i)] = values[i];
    return c;
}

inline model::Node make_node(std::string name, model::OpKind op, std::vector<std::string> inputs, std::string output) {
    model::Node n;
    n.name = std::move(name);
    n.op = op;
    n.inputs = std::move(inputs);
    n.outputs = {std::move(output)};
    return n;
}

/// input (1 channel) -> Conv 1x1 (w = 2, b = 1) "c" -> Relu "r" -> output
inline model::Graph tiny_graph() {
    model::Graph g;
    g.input_channels = 1;
    g.constants["w"] = float_constant(Shape{1, 1, 1, 1}, {2.0f});
    g.constants["b"] = float_constant(Shape{1}, {1.0f});
    g.nodes.push_back(make_node("c", model::OpKind::Conv, {"input", "w", "b"}, "c_out"));
    g.nodes.push_back(make_node("r", model::OpKind::Relu, {"c_out"}, "output"));
    return g;
}

}  // namespace tomoedge::testing
