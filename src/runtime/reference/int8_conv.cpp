#include "core/error.hpp"
#include "runtime/reference/int8_kernels.hpp"
#include "runtime/reference/kernels.hpp"

#include <algorithm>

namespace tomoedge::runtime::reference {

Tensor<std::int32_t> conv2d_int8(const Tensor<std::int32_t>& x, const Tensor<std::int8_t>& w,
                                 const Tensor<std::int32_t>& bias, const int8::ConvQuant& q, const model::Node& node) {
    const std::int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
    const std::int64_t O = w.dim(0), KH = w.dim(2), KW = w.dim(3);
    if (w.dim(1) != C) fail("conv2d_int8: input has {} channels, weights expect {}", C, w.dim(1));
    if (static_cast<std::int64_t>(q.output_multiplier.size()) != O || bias.size() != O)
        fail("conv2d_int8: {} output channels but {} multipliers and {} biases", O, q.output_multiplier.size(), bias.size());
    const int sh = node.strides[0], sw = node.strides[1], dh = node.dilations[0], dw = node.dilations[1];
    const int pt = node.pads[0], pl = node.pads[1];
    const std::int64_t OH = window_extent(H, static_cast<int>(KH), sh, dh, pt, node.pads[2]);
    const std::int64_t OW = window_extent(W, static_cast<int>(KW), sw, dw, pl, node.pads[3]);
    Tensor<std::int32_t> y(Shape{N, O, OH, OW});
    std::vector<std::int32_t> acc(static_cast<std::size_t>(OH * OW));

    // Same loop order as the float kernel: accumulate one (input channel, tap) at a time.
    for (std::int64_t n = 0; n < N; ++n) {
        for (std::int64_t o = 0; o < O; ++o) {
            std::fill(acc.begin(), acc.end(), bias[o]);
            for (std::int64_t c = 0; c < C; ++c) {
                const std::int32_t* in = x.data() + (n * C + c) * H * W;
                for (std::int64_t ky = 0; ky < KH; ++ky) {
                    for (std::int64_t kx = 0; kx < KW; ++kx) {
                        const std::int32_t wv = w[((o * C + c) * KH + ky) * KW + kx];
                        for (std::int64_t oy = 0; oy < OH; ++oy) {
                            const std::int64_t iy = oy * sh - pt + ky * dh;
                            if (iy < 0 || iy >= H) continue;
                            const std::int32_t* row = in + iy * W;
                            std::int32_t* arow = acc.data() + oy * OW;
                            for (std::int64_t ox = 0; ox < OW; ++ox) {
                                const std::int64_t ix = ox * sw - pl + kx * dw;
                                if (ix >= 0 && ix < W) arow[ox] += (row[ix] + q.input_offset) * wv;
                            }
                        }
                    }
                }
            }
            const int8::QuantizedMultiplier m = q.output_multiplier[static_cast<std::size_t>(o)];
            std::int32_t* out = y.data() + (n * O + o) * OH * OW;
            for (std::int64_t i = 0; i < OH * OW; ++i) {
                const std::int32_t v = int8::multiply_by_quantized_multiplier(acc[static_cast<std::size_t>(i)], m) + q.output_offset;
                out[i] = std::clamp(v, q.activation_min, q.activation_max);
            }
        }
    }
    return y;
}

}  // namespace tomoedge::runtime::reference
