#include "core/error.hpp"
#include "runtime/reference/int8_kernels.hpp"
#include "runtime/reference/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tomoedge::runtime::reference {

Tensor<std::int32_t> maxpool2d_int8(const Tensor<std::int32_t>& x, const model::Node& node) {
    const std::int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
    const int KH = node.kernel[0], KW = node.kernel[1];
    const int sh = node.strides[0], sw = node.strides[1], dh = node.dilations[0], dw = node.dilations[1];
    const int pt = node.pads[0], pl = node.pads[1];
    const std::int64_t OH = window_extent(H, KH, sh, dh, pt, node.pads[2]);
    const std::int64_t OW = window_extent(W, KW, sw, dw, pl, node.pads[3]);
    Tensor<std::int32_t> y(Shape{N, C, OH, OW});
    for (std::int64_t p = 0; p < N * C; ++p) {
        const std::int32_t* in = x.data() + p * H * W;
        std::int32_t* out = y.data() + p * OH * OW;
        for (std::int64_t oy = 0; oy < OH; ++oy)
            for (std::int64_t ox = 0; ox < OW; ++ox) {
                std::int32_t best = std::numeric_limits<std::int32_t>::min();
                for (int ky = 0; ky < KH; ++ky)
                    for (int kx = 0; kx < KW; ++kx) {
                        const std::int64_t iy = oy * sh - pt + std::int64_t{ky} * dh;
                        const std::int64_t ix = ox * sw - pl + std::int64_t{kx} * dw;
                        if (iy >= 0 && iy < H && ix >= 0 && ix < W) best = std::max(best, in[iy * W + ix]);
                    }
                out[oy * OW + ox] = best;
            }
    }
    return y;
}

namespace {

struct Extent {
    std::int64_t out_h = 0, out_w = 0;
};

Extent resize_extent(const Tensor<std::int32_t>& x, const model::Node& node) {
    if (node.sizes[0] > 0) return {node.sizes[0], node.sizes[1]};
    return {static_cast<std::int64_t>(std::floor(static_cast<double>(x.dim(2)) * node.scales[0])),
            static_cast<std::int64_t>(std::floor(static_cast<double>(x.dim(3)) * node.scales[1]))};
}

// TFLite's float ComputeInterpolationValues.
struct FloatTap {
    float pos = 0;
    std::int32_t lo = 0, hi = 0;
};
FloatTap float_tap(std::int64_t out_index, float scale, bool half_pixel, std::int64_t in_size) {
    FloatTap t;
    const auto v = static_cast<float>(out_index);
    t.pos = half_pixel ? (v + 0.5f) * scale - 0.5f : v * scale;
    t.lo = std::max(static_cast<std::int32_t>(std::floor(t.pos)), 0);
    t.hi = std::min(static_cast<std::int32_t>(std::ceil(t.pos)), static_cast<std::int32_t>(in_size - 1));
    return t;
}

// TFLite's 10-bit fixed-point ComputeInterpolationValues.
struct IntTap {
    std::int32_t pos = 0, lo = 0, hi = 0;
};
IntTap int_tap(std::int64_t out_index, std::int32_t scale_10, bool half_pixel, std::int64_t in_size) {
    IntTap t;
    const auto v = static_cast<std::int32_t>(out_index);
    t.pos = half_pixel ? v * scale_10 + scale_10 / 2 - (1 << 9) : v * scale_10;
    t.lo = std::max(t.pos / (1 << 10), 0);
    t.hi = std::min((t.pos + (1 << 10) - 1) / (1 << 10), static_cast<std::int32_t>(in_size - 1));
    return t;
}

}  // namespace

Tensor<std::int32_t> resize2d_int8(const Tensor<std::int32_t>& x, const model::Node& node, int8::ActType type) {
    const std::int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
    const auto [OH, OW] = resize_extent(x, node);
    if (OH < 1 || OW < 1) fail("resize: output of {} x {} is empty", OH, OW);
    Tensor<std::int32_t> y(Shape{N, C, OH, OW});
    if (node.interp == model::ResizeInterp::nearest) {
        // No arithmetic on values: the float kernel's index choice applied to integers.
        Tensor<float> xf(x.shape());
        for (std::int64_t i = 0; i < x.size(); ++i) xf[i] = static_cast<float>(x[i]);
        Tensor<float> yf = resize2d(xf, node);
        for (std::int64_t i = 0; i < y.size(); ++i) y[i] = static_cast<std::int32_t>(yf[i]);
        return y;
    }
    const bool half_pixel = node.coordinate_mode == model::CoordinateMode::half_pixel ||
                            (node.coordinate_mode == model::CoordinateMode::pytorch_half_pixel && OH > 1 && OW > 1);
    const bool align = node.coordinate_mode == model::CoordinateMode::align_corners;
    if (!half_pixel && !align && node.coordinate_mode != model::CoordinateMode::asymmetric)
        fail("node '{}' (Resize): coordinate mode {} has no int8 bilinear kernel", node.name,
             model::coordinate_mode_name(node.coordinate_mode));
    for (std::int64_t p = 0; p < N * C; ++p) {
        const std::int32_t* in = x.data() + p * H * W;
        std::int32_t* out = y.data() + p * OH * OW;
        auto at = [&](std::int32_t r, std::int32_t c) { return in[std::int64_t{r} * W + c]; };
        if (type == int8::ActType::u8) {
            float sh = static_cast<float>(H) / static_cast<float>(OH), sw = static_cast<float>(W) / static_cast<float>(OW);
            if (align && OH > 1) sh = static_cast<float>(H - 1) / static_cast<float>(OH - 1);
            if (align && OW > 1) sw = static_cast<float>(W - 1) / static_cast<float>(OW - 1);
            for (std::int64_t oy = 0; oy < OH; ++oy) {
                const FloatTap ty = float_tap(oy, sh, half_pixel, H);
                const float dy = ty.pos - static_cast<float>(ty.lo);
                for (std::int64_t ox = 0; ox < OW; ++ox) {
                    const FloatTap tx = float_tap(ox, sw, half_pixel, W);
                    const float dx = tx.pos - static_cast<float>(tx.lo);
                    // Same expression and order as TFLite; the cast truncates toward zero.
                    const float v = static_cast<float>(at(ty.lo, tx.lo)) * (1 - dy) * (1 - dx) +
                                    static_cast<float>(at(ty.hi, tx.lo)) * dy * (1 - dx) +
                                    static_cast<float>(at(ty.lo, tx.hi)) * (1 - dy) * dx +
                                    static_cast<float>(at(ty.hi, tx.hi)) * dy * dx;
                    out[oy * OW + ox] = static_cast<std::int32_t>(static_cast<std::uint8_t>(v));
                }
            }
        } else {
            auto scale_10 = [&](std::int64_t in_size, std::int64_t out_size) {
                if (align && out_size > 1)
                    return static_cast<std::int32_t>(((1 << 10) * (in_size - 1) + (out_size - 1) / 2) / (out_size - 1));
                return static_cast<std::int32_t>(((1 << 10) * in_size + out_size / 2) / out_size);
            };
            const std::int32_t sh = scale_10(H, OH), sw = scale_10(W, OW);
            for (std::int64_t oy = 0; oy < OH; ++oy) {
                const IntTap ty = int_tap(oy, sh, half_pixel, H);
                const std::int64_t fy = ty.pos - (1 << 10) * ty.lo;
                for (std::int64_t ox = 0; ox < OW; ++ox) {
                    const IntTap tx = int_tap(ox, sw, half_pixel, W);
                    const std::int64_t fx = tx.pos - (1 << 10) * tx.lo;
                    const std::int64_t v = std::int64_t{at(ty.lo, tx.lo)} * ((1 << 10) - fy) * ((1 << 10) - fx) +
                                           std::int64_t{at(ty.hi, tx.lo)} * fy * ((1 << 10) - fx) +
                                           std::int64_t{at(ty.lo, tx.hi)} * ((1 << 10) - fy) * fx +
                                           std::int64_t{at(ty.hi, tx.hi)} * fy * fx;
                    const std::int64_t round = v > 0 ? (1 << 19) : -(1 << 19);
                    out[oy * OW + ox] = static_cast<std::int32_t>(static_cast<std::int8_t>((v + round) / (1 << 20)));
                }
            }
        }
    }
    return y;
}

Tensor<std::int32_t> quantize_int8(const Tensor<float>& x, const int8::QuantParams& q) {
    Tensor<std::int32_t> y(x.shape());
    for (std::int64_t i = 0; i < x.size(); ++i) y[i] = int8::quantize_value(x[i], q);
    return y;
}

Tensor<float> dequantize_int8(const Tensor<std::int32_t>& x, const int8::QuantParams& q) {
    Tensor<float> y(x.shape());
    for (std::int64_t i = 0; i < x.size(); ++i) y[i] = int8::dequantize_value(x[i], q);
    return y;
}

}  // namespace tomoedge::runtime::reference
