#pragma once
// Graph IR -> ONNX (opset 13): what ONNX Runtime, TensorRT and our importer load. The input is
// float (N, C, H, W) with symbolic N, H, W; model facts go to metadata_props. Every model is
// checked with onnx::checker before anything is written.
#include "model/graph.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace tomoedge::model {

inline constexpr int onnx_export_opset = 13;

/// A fixed input size {H, W} (batch 1) instead of the symbolic N, H, W: what engines that
/// compile for one shape (TensorRT without profiles, the Edge TPU flow) prefer.
using StaticInput = std::optional<std::array<std::int64_t, 2>>;

/// Serialized ModelProto of `graph` (validated by onnx::checker). Throws Error if the graph
/// cannot be expressed (e.g. Resize with fixed sizes and a symbolic batch), does not fit the
/// static input size, or fails the checker.
std::string export_onnx_bytes(const Graph& graph, const StaticInput& static_input = std::nullopt);

/// Writes export_onnx_bytes(graph) to `file` atomically (temporary file, then rename).
void export_onnx(const Graph& graph, const std::filesystem::path& file, const StaticInput& static_input = std::nullopt);

}  // namespace tomoedge::model
