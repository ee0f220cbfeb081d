#pragma once
// Integer reference kernels of the int8 path (int8/qdq_graph.hpp describes the program they run):
// TFLite's reference integer semantics, bit for bit. Activations travel as exact integers in
// int32 tensors (u8 values 0..255 or s8 values -128..127); weights are int8, biases int32.
#include "core/tensor.hpp"
#include "model/graph.hpp"
#include "runtime/int8/qdq_graph.hpp"

#include <span>

namespace tomoedge::runtime::reference {

/// Conv with per-output-channel requantization (TFLite ConvPerChannel):
///   acc = bias[o] + sum_{c,i,j} (x + input_offset) * w   over taps inside the image (padding
///   contributes the zero point, i.e. nothing after the offset), int32;
///   y = clamp(MultiplyByQuantizedMultiplier(acc, M[o]) + output_offset, act_min, act_max).
Tensor<std::int32_t> conv2d_int8(const Tensor<std::int32_t>& x, const Tensor<std::int8_t>& w,
                                 const Tensor<std::int32_t>& bias, const int8::ConvQuant& q, const model::Node& node);

/// MaxPool on the stored integers (padded positions never win).
Tensor<std::int32_t> maxpool2d_int8(const Tensor<std::int32_t>& x, const model::Node& node);

/// Bilinear Resize on the stored integers, TFLite's reference semantics (resize_bilinear.h):
///   u8: coordinates and weights in float (in = (out + 0.5) * (in_size / out_size) - 0.5 for
///       half_pixel, out * in_size / out_size for asymmetric, (in-1)/(out-1) for align_corners;
///       lower index max(floor, 0), upper min(ceil, size - 1)), the weighted sum of the four
///       neighbours in float, truncated to an integer (no rounding: a value of 77.75 gives 77).
///   s8: the same mapping in 10-bit fixed point (scale_10 = round(1024 * in / out)), the sum of
///       four products in int64 at 2^20 and rounded half away from zero.
/// Nearest mode copies the ONNX-nearest pixel. Other coordinate modes are refused.
Tensor<std::int32_t> resize2d_int8(const Tensor<std::int32_t>& x, const model::Node& node, int8::ActType type);

/// Concat of integers with one shared scale: a plain copy.
Tensor<std::int32_t> concat_int8(std::span<const Tensor<std::int32_t>* const> inputs, int axis);

/// QuantizeLinear of a float tensor (round half to even, saturate) and DequantizeLinear back.
Tensor<std::int32_t> quantize_int8(const Tensor<float>& x, const int8::QuantParams& q);
Tensor<float> dequantize_int8(const Tensor<std::int32_t>& x, const int8::QuantParams& q);

}  // namespace tomoedge::runtime::reference
