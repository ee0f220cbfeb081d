#include "core/error.hpp"
#include "runtime/reference/kernels.hpp"

namespace tomoedge::runtime::reference {

std::int64_t window_extent(std::int64_t in, int kernel, int stride, int dilation, int pad_begin, int pad_end) {
    const std::int64_t span = std::int64_t{dilation} * (kernel - 1) + 1;
    const std::int64_t padded = in + pad_begin + pad_end;
    if (padded < span) fail("window of {} does not fit in {} (padded {})", span, in, padded);
    return (padded - span) / stride + 1;
}

Tensor<float> conv2d(const Tensor<float>& x, const Tensor<float>& w, const Tensor<float>* bias, const model::Node& node) {
    const std::int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
    const std::int64_t O = w.dim(0), KH = w.dim(2), KW = w.dim(3);
    if (w.dim(1) != C) fail("conv2d: input has {} channels, weights expect {}", C, w.dim(1));
    const int sh = node.strides[0], sw = node.strides[1], dh = node.dilations[0], dw = node.dilations[1];
    const int pt = node.pads[0], pl = node.pads[1];
    const std::int64_t OH = window_extent(H, static_cast<int>(KH), sh, dh, pt, node.pads[2]);
    const std::int64_t OW = window_extent(W, static_cast<int>(KW), sw, dw, pl, node.pads[3]);
    Tensor<float> y(Shape{N, O, OH, OW});

    // For each output plane: start from the bias, then add one (input channel, tap) at a time.
    // The innermost loop runs over output columns whose input column lies inside the image.
    for (std::int64_t n = 0; n < N; ++n) {
        for (std::int64_t o = 0; o < O; ++o) {
            float* out = y.data() + (n * O + o) * OH * OW;
            const float b = bias ? (*bias)[o] : 0.0f;
            for (std::int64_t i = 0; i < OH * OW; ++i) out[i] = b;
            for (std::int64_t c = 0; c < C; ++c) {
                const float* in = x.data() + (n * C + c) * H * W;
                for (std::int64_t ky = 0; ky < KH; ++ky) {
                    for (std::int64_t kx = 0; kx < KW; ++kx) {
                        const float wv = w[((o * C + c) * KH + ky) * KW + kx];
                        for (std::int64_t oy = 0; oy < OH; ++oy) {
                            const std::int64_t iy = oy * sh - pt + ky * dh;
                            if (iy < 0 || iy >= H) continue;
                            const float* row = in + iy * W;
                            float* orow = out + oy * OW;
                            for (std::int64_t ox = 0; ox < OW; ++ox) {
                                const std::int64_t ix = ox * sw - pl + kx * dw;
                                if (ix >= 0 && ix < W) orow[ox] += wv * row[ix];
                            }
                        }
                    }
                }
            }
        }
    }
    return y;
}

}  // namespace tomoedge::runtime::reference
