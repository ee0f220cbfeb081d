#include "core/error.hpp"
#include "runtime/reference/kernels.hpp"

#include <algorithm>
#include <cmath>

namespace tomoedge::runtime::reference {

double resize_source_coordinate(std::int64_t out_index, std::int64_t in_size, std::int64_t out_size, double scale,
                                model::CoordinateMode mode) {
    const double o = static_cast<double>(out_index);
    switch (mode) {
        case model::CoordinateMode::half_pixel: return (o + 0.5) / scale - 0.5;
        case model::CoordinateMode::pytorch_half_pixel: return out_size > 1 ? (o + 0.5) / scale - 0.5 : 0.0;
        case model::CoordinateMode::align_corners:
            return out_size > 1 ? o * static_cast<double>(in_size - 1) / static_cast<double>(out_size - 1) : 0.0;
        case model::CoordinateMode::asymmetric: return o / scale;
    }
    return 0.0;
}

namespace {

std::int64_t nearest_index(double coordinate, model::NearestMode mode, std::int64_t in_size) {
    double r = 0;
    switch (mode) {
        case model::NearestMode::round_prefer_floor:
            r = coordinate - std::floor(coordinate) == 0.5 ? std::floor(coordinate) : std::round(coordinate);
            break;
        case model::NearestMode::round_prefer_ceil:
            r = coordinate - std::floor(coordinate) == 0.5 ? std::ceil(coordinate) : std::round(coordinate);
            break;
        case model::NearestMode::floor: r = std::floor(coordinate); break;
        case model::NearestMode::ceil: r = std::ceil(coordinate); break;
    }
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(r), 0, in_size - 1);
}

// One axis of the mapping: for each output index, two source indices and the weight of the second.
struct AxisMap {
    std::vector<std::int64_t> i0, i1;
    std::vector<double> t;
};

AxisMap axis_map(std::int64_t in_size, std::int64_t out_size, double scale, const model::Node& node) {
    AxisMap m;
    for (std::int64_t o = 0; o < out_size; ++o) {
        const double c = resize_source_coordinate(o, in_size, out_size, scale, node.coordinate_mode);
        if (node.interp == model::ResizeInterp::nearest) {
            const std::int64_t i = nearest_index(c, node.nearest_mode, in_size);
            m.i0.push_back(i);
            m.i1.push_back(i);
            m.t.push_back(0.0);
        } else {
            const double clamped = std::clamp(c, 0.0, static_cast<double>(in_size - 1));
            const auto i0 = static_cast<std::int64_t>(std::floor(clamped));
            m.i0.push_back(i0);
            m.i1.push_back(std::min(i0 + 1, in_size - 1));
            m.t.push_back(clamped - static_cast<double>(i0));
        }
    }
    return m;
}

}  // namespace

Tensor<float> resize2d(const Tensor<float>& x, const model::Node& node) {
    const std::int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
    std::int64_t OH = 0, OW = 0;
    double scale_h = 0, scale_w = 0;
    if (node.sizes[0] > 0) {
        OH = node.sizes[0];
        OW = node.sizes[1];
        scale_h = static_cast<double>(OH) / static_cast<double>(H);
        scale_w = static_cast<double>(OW) / static_cast<double>(W);
    } else {
        scale_h = node.scales[0];
        scale_w = node.scales[1];
        OH = static_cast<std::int64_t>(std::floor(static_cast<double>(H) * scale_h));
        OW = static_cast<std::int64_t>(std::floor(static_cast<double>(W) * scale_w));
    }
    if (OH < 1 || OW < 1) fail("resize: output of {} x {} is empty", OH, OW);
    const AxisMap my = axis_map(H, OH, scale_h, node), mx = axis_map(W, OW, scale_w, node);
    Tensor<float> y(Shape{N, C, OH, OW});
    for (std::int64_t p = 0; p < N * C; ++p) {
        const float* in = x.data() + p * H * W;
        float* out = y.data() + p * OH * OW;
        for (std::int64_t oy = 0; oy < OH; ++oy)
            for (std::int64_t ox = 0; ox < OW; ++ox) {
                const double ty = my.t[static_cast<std::size_t>(oy)], tx = mx.t[static_cast<std::size_t>(ox)];
                const float* r0 = in + my.i0[static_cast<std::size_t>(oy)] * W;
                const float* r1 = in + my.i1[static_cast<std::size_t>(oy)] * W;
                const std::int64_t x0 = mx.i0[static_cast<std::size_t>(ox)], x1 = mx.i1[static_cast<std::size_t>(ox)];
                const double top = r0[x0] * (1 - tx) + r0[x1] * tx;
                const double bottom = r1[x0] * (1 - tx) + r1[x1] * tx;
                out[oy * OW + ox] = static_cast<float>(top * (1 - ty) + bottom * ty);
            }
    }
    return y;
}

}  // namespace tomoedge::runtime::reference
