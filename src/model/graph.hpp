#pragma once
// The graph IR: a small, explicit dataflow graph close to ONNX (one node per ONNX node), with
// constants held by name. Backends compile it; the ONNX importer/exporter translate it 1:1.
#include "core/dtype.hpp"
#include "core/shape.hpp"
#include "core/tensor.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tomoedge::model {

enum class OpKind { Conv, Relu, MaxPool, Resize, Concat, Add, QuantizeLinear, DequantizeLinear };

std::string_view op_name(OpKind op);  // the ONNX op_type, e.g. "Conv"

/// How Resize maps an output coordinate to an input coordinate (ONNX names).
enum class CoordinateMode { half_pixel, pytorch_half_pixel, align_corners, asymmetric };
enum class ResizeInterp { linear, nearest };
/// How Resize(nearest) rounds the mapped coordinate (ONNX nearest_mode). PyTorch exports floor.
enum class NearestMode { round_prefer_floor, round_prefer_ceil, floor, ceil };

std::string_view coordinate_mode_name(CoordinateMode mode);
std::string_view nearest_mode_name(NearestMode mode);

struct Node {
    std::string name;
    OpKind op = OpKind::Relu;
    std::vector<std::string> inputs;   // activation or constant names, ONNX order (X, W, B; ...)
    std::vector<std::string> outputs;  // exactly one for every supported op

    // Conv and MaxPool
    std::array<int, 2> kernel{1, 1};
    std::array<int, 2> strides{1, 1};
    std::array<int, 2> dilations{1, 1};
    std::array<int, 4> pads{0, 0, 0, 0};  // top, left, bottom, right (ONNX: begins then ends)
    // Concat axis; QuantizeLinear/DequantizeLinear axis for per-channel parameters
    int axis = 1;
    // Resize
    std::array<float, 2> scales{1.0f, 1.0f};  // H, W
    CoordinateMode coordinate_mode = CoordinateMode::half_pixel;
    ResizeInterp interp = ResizeInterp::linear;
    NearestMode nearest_mode = NearestMode::round_prefer_floor;
    // Resize with a fixed output size (ONNX `sizes` input) instead of scales: {H, W}; {0, 0} =
    // use `scales`. With sizes the coordinate transform uses scale = output / input (ONNX).
    std::array<std::int64_t, 2> sizes{0, 0};
};

/// A named constant (ONNX initializer). Float data lives in `f32`; integer data (u8, s8, s32:
/// quantized weights, zero points, biases) lives exactly in `ints`.
struct Constant {
    DType dtype = DType::f32;
    Shape shape;
    Tensor<float> f32;
    Tensor<std::int32_t> ints;
};

struct Graph {
    std::string name = "tomoedge";
    std::string input = "input";    // the single graph input, NCHW float32
    std::string output = "output";  // the single graph output, NCHW float32
    std::int64_t input_channels = 3;
    std::vector<Node> nodes;  // topological order once validate() has run
    std::map<std::string, Constant> constants;
    std::map<std::string, std::string> metadata;  // ONNX metadata_props; ours use "tomoedge." keys

    const Constant& constant(const std::string& tensor) const;  // throws Error if missing
    bool is_constant(const std::string& tensor) const { return constants.count(tensor) != 0; }

    /// A deep copy (constants hold tensors, which copy only explicitly).
    Graph clone() const;
};

/// Checks the graph and sorts its nodes topologically: every input is produced exactly once
/// (by a node, a constant or the graph input), no cycles, the output is produced, arities and
/// attributes are in range. Throws Error naming the offending node.
void validate(Graph& graph);

/// Shape of every activation for an input of `input_shape` (N, C, H, W). Throws Error on
/// mismatches (wrong channel count, concat of different sizes, ...) naming the node.
std::map<std::string, Shape> infer_shapes(const Graph& graph, const Shape& input_shape);

/// Multiply-accumulates of all Conv nodes for this input shape (the paper's "operations" / 2).
std::int64_t count_conv_macs(const Graph& graph, const Shape& input_shape);

/// Shape of any tensor name: an activation from `shapes`, else a constant. Throws if neither.
Shape tensor_shape(const Graph& graph, const std::map<std::string, Shape>& shapes, const std::string& name);

/// The input H and W must be multiples of these for every pooling/stride stage to divide evenly
/// (the product of the pooling strides along the deepest path). The denoiser pads to them.
std::array<std::int64_t, 2> spatial_multiple(const Graph& graph);

/// How many node inputs read each tensor, plus one for the graph output (liveness: when a
/// backend may free or reuse a buffer).
std::map<std::string, int> consumer_counts(const Graph& graph);

/// The nodes that read `tensor`, in graph order.
std::vector<const Node*> readers_of(const Graph& graph, const std::string& tensor);

}  // namespace tomoedge::model
