#include "runtime/reference/kernels.hpp"

#include <algorithm>
#include <limits>

namespace tomoedge::runtime::reference {

Tensor<float> maxpool2d(const Tensor<float>& x, const model::Node& node) {
    const std::int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
    const int KH = node.kernel[0], KW = node.kernel[1];
    const int sh = node.strides[0], sw = node.strides[1], dh = node.dilations[0], dw = node.dilations[1];
    const int pt = node.pads[0], pl = node.pads[1];
    const std::int64_t OH = window_extent(H, KH, sh, dh, pt, node.pads[2]);
    const std::int64_t OW = window_extent(W, KW, sw, dw, pl, node.pads[3]);
    Tensor<float> y(Shape{N, C, OH, OW});
    for (std::int64_t p = 0; p < N * C; ++p) {
        const float* in = x.data() + p * H * W;
        float* out = y.data() + p * OH * OW;
        for (std::int64_t oy = 0; oy < OH; ++oy)
            for (std::int64_t ox = 0; ox < OW; ++ox) {
                float best = -std::numeric_limits<float>::infinity();
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

}  // namespace tomoedge::runtime::reference
