#pragma once
// Float graph + calibrated ranges -> QDQ graph (runtime/int8/qdq_graph.hpp describes the form).
//
// Which tensors are quantized: the graph input, and the output of every op, where a Conv
// followed only by a Relu counts as one op (the Relu output is quantized; the integer kernel
// fuses the ReLU as a clamp at the zero point). Supported ops: Conv, Relu after a Conv, MaxPool,
// Resize, Concat; anything else is refused naming the node.
//
// Scale unification: MaxPool, Resize and Concat must output the parameters of their inputs, so
// every tensor linked through them forms one group (e.g. a skip connection, the pooling that
// reads it, the upsampled tensor it is concatenated with, and the Conv outputs feeding them). A
// group is quantized with the union of its members' ranges; the Convs that produce its members
// requantize straight into that scale.
#include "model/graph.hpp"
#include "quant/calibration.hpp"
#include "quant/scheme.hpp"

#include <map>
#include <string>
#include <vector>

namespace tomoedge::quant {

/// The Relu that quantization fuses into `conv` (a Relu that is the Conv's only reader, the Conv
/// not being the graph output), or nullptr.
const model::Node* fused_relu(const model::Graph& graph, const model::Node& conv);

/// The activation tensors that get QuantizeLinear/DequantizeLinear, in graph order. Throws Error
/// for an already quantized graph or an op the quantizer cannot handle, naming it.
std::vector<std::string> quantized_tensors(const model::Graph& graph);

/// Groups of tensors that must share parameters (each group lists its members), for `tensors`.
std::vector<std::vector<std::string>> shared_scale_groups(const model::Graph& graph, const std::vector<std::string>& tensors);

/// Parameters of every quantized tensor: per group, the union of the members' ranges.
std::map<std::string, QuantParams> unified_params(const model::Graph& graph, const std::map<std::string, Range>& ranges,
                                                  ActType type);

/// The QDQ graph: the float graph with Q/DQ pairs on every quantized tensor, int8 per-channel
/// weights and int32 biases behind DequantizeLinear. Metadata is copied. `params` must hold
/// every tensor of quantized_tensors(graph).
model::Graph make_qdq_graph(const model::Graph& graph, const std::map<std::string, QuantParams>& params);

}  // namespace tomoedge::quant
