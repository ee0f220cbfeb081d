#pragma once
// Reference kernels: one small pure function per op, written for obviousness, not speed (in the
// spirit of TFLite's reference kernels). They are the oracle every other backend is tested
// against, so each follows the ONNX operator definition literally. Tensors are NCHW float32;
// quantized values (QuantizeLinear outputs, integer constants) travel as exact integers held in
// float. Integer kernels for QDQ graphs (the quant module) belong beside these, one file per op.
#include "core/dtype.hpp"
#include "core/tensor.hpp"
#include "model/graph.hpp"

#include <span>

namespace tomoedge::runtime::reference {

/// Output extent of a sliding window along one axis (pads begin/end, ONNX floor rounding).
std::int64_t window_extent(std::int64_t in, int kernel, int stride, int dilation, int pad_begin, int pad_end);

/// Conv, group 1: y[n,o,y,x] = b[o] + sum_{c,i,j} w[o,c,i,j] * x[n,c, y*s - pad + i*d, x*s - pad + j*d]
/// (zero outside the image). `bias` may be null. Uses node.kernel/strides/dilations/pads.
Tensor<float> conv2d(const Tensor<float>& x, const Tensor<float>& w, const Tensor<float>* bias, const model::Node& node);

/// max(x, 0) elementwise.
Tensor<float> relu(const Tensor<float>& x);

/// a + b, same shapes.
Tensor<float> add(const Tensor<float>& a, const Tensor<float>& b);

/// MaxPool over the window; padded positions never win (they are -infinity).
Tensor<float> maxpool2d(const Tensor<float>& x, const model::Node& node);

/// Resize of H and W (linear = bilinear, or nearest) with the node's coordinate mode, scales or
/// sizes, following the ONNX Resize definition (coordinates clamped to the image).
Tensor<float> resize2d(const Tensor<float>& x, const model::Node& node);

/// The ONNX coordinate transform: output index -> input coordinate.
double resize_source_coordinate(std::int64_t out_index, std::int64_t in_size, std::int64_t out_size, double scale,
                                model::CoordinateMode mode);

/// Concatenation of rank-4 tensors along `axis` (0..3).
Tensor<float> concat(std::span<const Tensor<float>* const> inputs, int axis);

/// QuantizeLinear: saturate(round_half_even(x / scale) + zero_point) into `out` (u8 or s8).
/// `scale` and `zero_point` (may be null = 0) hold one value or one per index of `axis`.
Tensor<float> quantize_linear(const Tensor<float>& x, const Tensor<float>& scale, const Tensor<float>* zero_point,
                              int axis, DType out);

/// DequantizeLinear: (x - zero_point) * scale, per tensor or per `axis`.
Tensor<float> dequantize_linear(const Tensor<float>& x, const Tensor<float>& scale, const Tensor<float>* zero_point,
                                int axis);

}  // namespace tomoedge::runtime::reference
