#include "tiling/receptive_field.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>

namespace tomoedge::tiling {
namespace {

using model::Node;
using model::OpKind;

// Output j of a windowed op reads inputs [j*st - pb, j*st - pb + (k-1)*d]; its footprint in input
// units is [j*st, j*st + st). The reach beyond the footprint is the larger overhang of the two sides.
std::int64_t window_reach(const Node& node, std::size_t axis) {
    const std::int64_t extent = std::int64_t{node.kernel[axis] - 1} * node.dilations[axis] + 1;
    const std::int64_t before = node.pads[axis];
    const std::int64_t after = extent - node.strides[axis] - before;
    return std::max<std::int64_t>({before, after, 0});
}

// How far the input pixels a Resize output reads reach beyond that output's footprint, in input
// pixels (stride_in per coarse pixel, stride_in / factor per fine one). The mapping is periodic in
// the output index with period `factor`, so one period covers every case. Clamping at the border
// only removes neighbours, so it never widens the field.
std::int64_t resize_reach(const model::Graph& graph, const Node& node, std::int64_t factor, std::int64_t stride_in) {
    if (factor == 1) return 0;
    if (node.coordinate_mode == model::CoordinateMode::align_corners)
        fail("model '{}': Resize '{}' uses align_corners, whose mapping depends on the image size; tiles cannot "
             "reproduce it", graph.name, node.name);
    const std::int64_t stride_out = stride_in / factor;
    const double f = static_cast<double>(factor);
    std::int64_t reach = 0;
    for (std::int64_t j = 0; j < factor; ++j) {
        const double x = node.coordinate_mode == model::CoordinateMode::asymmetric ? static_cast<double>(j) / f
                                                                                   : (static_cast<double>(j) + 0.5) / f - 0.5;
        std::int64_t lo = 0, hi = 0;
        if (node.interp == model::ResizeInterp::linear) {
            lo = static_cast<std::int64_t>(std::floor(x));
            hi = lo + 1;
        } else {
            double r = 0;
            switch (node.nearest_mode) {
            case model::NearestMode::round_prefer_floor: r = std::ceil(x - 0.5); break;
            case model::NearestMode::round_prefer_ceil: r = std::floor(x + 0.5); break;
            case model::NearestMode::floor: r = std::floor(x); break;
            case model::NearestMode::ceil: r = std::ceil(x); break;
            }
            lo = hi = static_cast<std::int64_t>(r);
        }
        const std::int64_t before = j * stride_out - lo * stride_in;
        const std::int64_t after = (hi + 1) * stride_in - (j + 1) * stride_out;
        reach = std::max({reach, before, after});
    }
    return reach;
}

FieldInfo widest_input(const model::Graph& graph, const Node& node, const std::map<std::string, FieldInfo>& fields) {
    FieldInfo out;
    bool first = true;
    for (const auto& in : node.inputs) {
        auto it = fields.find(in);
        if (it == fields.end()) continue;  // a constant (weights, scales, zero points)
        if (first) {
            out = it->second;
            first = false;
            continue;
        }
        for (std::size_t a = 0; a < 2; ++a) {
            if (it->second.stride[a] != out.stride[a])
                fail("model '{}': node '{}' joins tensors of different strides ({} and {}); cannot tile it",
                     graph.name, node.name, out.stride[a], it->second.stride[a]);
            out.radius[a] = std::max(out.radius[a], it->second.radius[a]);
        }
    }
    if (first) fail("model '{}': node '{}' reads no activation", graph.name, node.name);
    return out;
}

}  // namespace

ReceptiveField receptive_field(const model::Graph& graph) {
    ReceptiveField rf;
    rf.tensors[graph.input] = FieldInfo{};
    for (const Node& node : graph.nodes) {
        // A node of constants only (a QDQ model's weight DequantizeLinear) yields a constant.
        if (std::none_of(node.inputs.begin(), node.inputs.end(), [&](const std::string& in) { return rf.tensors.count(in) > 0; }))
            continue;
        FieldInfo f = widest_input(graph, node, rf.tensors);
        switch (node.op) {
        case OpKind::Conv:
        case OpKind::MaxPool:
            for (std::size_t a = 0; a < 2; ++a) {
                f.radius[a] += window_reach(node, a) * f.stride[a];
                f.stride[a] *= node.strides[a];
            }
            break;
        case OpKind::Resize:
            if (node.sizes[0] != 0 || node.sizes[1] != 0)
                fail("model '{}': Resize '{}' has fixed output sizes; a tiled input needs scales", graph.name,
                     node.name);
            for (std::size_t a = 0; a < 2; ++a) {
                const float scale = node.scales[a];
                const auto factor = static_cast<std::int64_t>(std::lround(scale));
                if (factor < 1 || std::fabs(scale - static_cast<float>(factor)) > 1e-6f || f.stride[a] % factor != 0)
                    fail("model '{}': Resize '{}' scale {} is not an integer upsampling of a stride-{} tensor; "
                         "cannot tile it", graph.name, node.name, scale, f.stride[a]);
                f.radius[a] += resize_reach(graph, node, factor, f.stride[a]);
                f.stride[a] /= factor;
            }
            break;
        default:  // Relu, Concat, Add, QuantizeLinear, DequantizeLinear: pointwise
            break;
        }
        for (std::size_t a = 0; a < 2; ++a) rf.multiple[a] = std::max(rf.multiple[a], f.stride[a]);
        rf.tensors[node.outputs.at(0)] = f;
    }
    const auto it = rf.tensors.find(graph.output);
    if (it == rf.tensors.end()) fail("model '{}': output '{}' is not produced", graph.name, graph.output);
    if (it->second.stride != std::array<std::int64_t, 2>{1, 1})
        fail("model '{}': output has stride {} x {}; tiling needs an image-to-image network", graph.name,
             it->second.stride[0], it->second.stride[1]);
    rf.radius = it->second.radius;
    return rf;
}

std::array<std::int64_t, 2> default_halo(const ReceptiveField& field) {
    std::array<std::int64_t, 2> halo{};
    for (std::size_t a = 0; a < 2; ++a)
        halo[a] = (field.radius[a] + field.multiple[a] - 1) / field.multiple[a] * field.multiple[a];
    return halo;
}

}  // namespace tomoedge::tiling
