#pragma once
// A graph whose output is known exactly: channel `pick` of the input, through a pooling stage
// that makes the network's multiple 2 (so odd sizes must be padded and cropped).
//   a = Conv1x1(input; w = one-hot(pick))      the picked channel
//   z = Conv1x1(Resize_nearest_x2(MaxPool2x2(a)); w = 0)   zero, but needs even H and W
//   output = a + z
#include "model/graph.hpp"
#include "model/graph_builders.hpp"

namespace tomoedge::testing {

inline model::Graph pick_graph(int channels, int pick) {
    using model::OpKind;
    model::Graph g;
    g.name = "pick";
    g.input_channels = channels;
    std::vector<float> w(static_cast<std::size_t>(channels), 0.0f);
    w[static_cast<std::size_t>(pick)] = 1.0f;
    g.constants["w"] = float_constant(Shape{1, channels, 1, 1}, w);
    g.constants["zero"] = float_constant(Shape{1, 1, 1, 1}, {0.0f});
    g.nodes.push_back(make_node("pick", OpKind::Conv, {"input", "w"}, "a"));
    g.nodes.push_back(make_node("pool", OpKind::MaxPool, {"a"}, "p"));
    g.nodes.back().kernel = {2, 2};
    g.nodes.back().strides = {2, 2};
    g.nodes.push_back(make_node("up", OpKind::Resize, {"p"}, "u"));
    g.nodes.back().scales = {2.0f, 2.0f};
    g.nodes.back().interp = model::ResizeInterp::nearest;
    g.nodes.push_back(make_node("zero_conv", OpKind::Conv, {"u", "zero"}, "z"));
    g.nodes.push_back(make_node("sum", OpKind::Add, {"a", "z"}, "output"));
    model::validate(g);
    return g;
}

}  // namespace tomoedge::testing
