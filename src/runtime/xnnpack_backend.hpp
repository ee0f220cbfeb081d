#pragma once
// The XNNPACK backend (Debian libxnnpack, git 2022-02-16): the int8 engine TFLite itself uses on
// ARM, for QDQ int8 models (docs/arm.md). Activations are NHWC signed int8; a u8 tensor is held as
// q - 128 with its zero point moved by 128, which stands for the same real values exactly.
//   Conv     XNNPACK's per-channel QC8 convolution (int8 weights, int32 bias, fused ReLU clamp).
//            Its requantization is fp32 (acc x (in_scale x w_scale / out_scale) in float, rounded
//            half to even), not TFLite's Q31 fixed point: results can differ from the reference
//            backend by 1 LSB per layer where the two roundings disagree (docs/arm.md: measured).
//   MaxPool  XNNPACK's s8 max pooling (exact).
//   Resize   the reference backend's integer kernel (exact): XNNPACK's own bilinear s8/u8 kernel
//            rounds differently from TFLite's reference.
//   Concat   a copy along channels (exact).
// fp32 and bf16 models are refused (use onednn or reference); so is any op or quantization the
// integer program does not hold (int8::lower_qdq names the node) or that XNNPACK rejects (the
// error names the node and XNNPACK's status). Never a silent fallback.
#include "runtime/backend.hpp"

#include <memory>

namespace tomoedge::runtime {

std::unique_ptr<Backend> make_xnnpack_backend(const model::Graph& graph, const BackendOptions& options);

}  // namespace tomoedge::runtime
