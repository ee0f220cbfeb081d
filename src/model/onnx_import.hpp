#pragma once
// ONNX -> graph IR. Supported: Conv (2-D, group 1; any kernel, stride, padding, dilation;
// auto_pad VALID, and SAME_* at stride 1), Relu, MaxPool, Resize (opset 10-13+: nearest or
// linear; half_pixel, pytorch_half_pixel, align_corners, asymmetric), Upsample (opset 7/9),
// Concat, Add, QuantizeLinear/DequantizeLinear (per tensor and per axis), Identity (folded
// away), constant initializers and Constant nodes (float, int8, uint8, int32; int64 only as
// Resize sizes). One float NCHW input (N, H, W may be symbolic) and one output.
// Everything else is refused: "<file>: node '<name>' (<op>): unsupported ...".
#include "model/graph.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace tomoedge::model {

/// Reads and converts an .onnx file; the graph comes back validated. Throws Error naming the
/// file for unreadable, truncated or malformed files and unsupported content.
Graph import_onnx(const std::filesystem::path& file);

/// The same from serialized bytes; `what` names the source in error messages.
Graph import_onnx_bytes(std::string_view bytes, const std::string& what);

}  // namespace tomoedge::model
