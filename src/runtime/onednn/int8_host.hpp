#pragma once
// Host steps of the oneDNN int8 plan: the few things oneDNN 2.6 cannot do the way the reference
// kernels define them, written for u8/s8 NHWC tensors (one byte per value).
//   - the graph input's QuantizeLinear: x / scale rounded half to even (oneDNN's reorder
//     multiplies by 1 / scale, which differs at ties), and the output's DequantizeLinear;
//     both also convert NCHW <-> NHWC;
//   - bilinear Resize: oneDNN rounds to nearest where TFLite's u8 kernel truncates;
//   - copying a tensor into its channel slice of a concat buffer (oneDNN's fast kernels refuse
//     strided NHWC destinations; see plan.hpp).
// Loops are parallel over rows with OpenMP (the threads oneDNN uses).
#include "model/graph.hpp"
#include "runtime/int8/qdq_graph.hpp"

#include <cstddef>
#include <cstdint>

namespace tomoedge::runtime::onednn {

/// An NHWC tensor of one-byte integers, possibly a channel slice of a wider one: element
/// (n, y, x, c) is at data[n * image_stride + (y * w + x) * pixel_stride + c].
struct NhwcView {
    std::byte* data = nullptr;
    std::int64_t n = 0, h = 0, w = 0, c = 0;
    std::int64_t pixel_stride = 0, image_stride = 0;
};

/// QuantizeLinear of an NCHW float tensor into `dst` (round half to even, saturate).
void quantize_input(const float* x, const NhwcView& dst, const int8::QuantParams& q);
/// Stored integers (NCHW int32, "mobile-compatible" input) into `dst`; throws Error for a value
/// outside the type's range.
void integers_input(const std::int32_t* x, const NhwcView& dst, const int8::QuantParams& q);
/// DequantizeLinear of `src` into an NCHW float tensor.
void dequantize_output(const NhwcView& src, float* y, const int8::QuantParams& q);
/// The stored integers of `src` into an NCHW int32 tensor.
void integers_output(const NhwcView& src, std::int32_t* y, const int8::QuantParams& q);

/// Bilinear x2 (half_pixel, or pytorch_half_pixel) Resize with the reference's arithmetic: every
/// output is (9a + 3b + 3c + d) / 16 of its neighbours (edges clamp), exactly; u8 truncates it
/// (TFLite's float kernel: all its products are exact in float), s8 rounds half away from zero
/// (TFLite's 10-bit fixed point at scale 512). Bit-exact with reference::resize2d_int8.
void resize_bilinear_x2(const NhwcView& src, const NhwcView& dst, int8::ActType type);
/// Whether `node` (input h x w, output oh x ow) is the case resize_bilinear_x2 computes.
bool is_bilinear_x2(const model::Node& node, std::int64_t h, std::int64_t w, std::int64_t oh, std::int64_t ow);
/// Any other Resize: the reference kernel on an int32 copy (allocates per run).
void resize_general(const NhwcView& src, const NhwcView& dst, const model::Node& node, int8::ActType type);

/// Copies `src` into `dst` (same N, H, W, C; dst usually a channel slice of a concat buffer).
void copy_channels(const NhwcView& src, const NhwcView& dst);

}  // namespace tomoedge::runtime::onednn
