#include "quant/equalize.hpp"

#include "core/error.hpp"
#include "quant/qdq_rewrite.hpp"

#include <algorithm>
#include <cmath>

namespace tomoedge::quant {

namespace {

using model::Node;
using model::OpKind;

bool has_f32_constant(const model::Graph& g, const Node& n, std::size_t input) {
    return n.inputs.size() > input && g.is_constant(n.inputs[input]) && g.constant(n.inputs[input]).dtype == DType::f32;
}

}  // namespace

std::vector<EqualizedPair> equalize_ranges(model::Graph& g, const std::map<std::string, std::vector<float>>& channel_max) {
    std::vector<EqualizedPair> done;
    for (const Node& a : g.nodes) {
        if (a.op != OpKind::Conv || !has_f32_constant(g, a, 1) || !has_f32_constant(g, a, 2)) continue;
        const Node* relu = fused_relu(g, a);
        if (relu == nullptr || relu->outputs[0] == g.output) continue;
        const std::string& t = relu->outputs[0];
        const auto readers = model::readers_of(g, t);
        if (readers.size() != 1 || readers[0]->op != OpKind::Conv || readers[0]->inputs[0] != t ||
            !has_f32_constant(g, *readers[0], 1))
            continue;
        const Node& b = *readers[0];
        const auto ranges = channel_max.find(t);
        if (ranges == channel_max.end()) continue;

        Tensor<float>& wa = g.constants.at(a.inputs[1]).f32;
        Tensor<float>& ba = g.constants.at(a.inputs[2]).f32;
        Tensor<float>& wb = g.constants.at(b.inputs[1]).f32;
        const std::int64_t channels = wa.dim(0);
        if (static_cast<std::int64_t>(ranges->second.size()) != channels || wb.dim(1) != channels)
            fail("equalization: tensor '{}' has {} calibrated channels, but '{}' writes {} and '{}' reads {}", t,
                 ranges->second.size(), a.name, channels, b.name, wb.dim(1));
        const std::int64_t per_out_a = wa.size() / channels;
        const std::int64_t kb = wb.dim(2) * wb.dim(3);
        EqualizedPair pair{a.name, b.name, t, 1e300, 0};
        for (std::int64_t i = 0; i < channels; ++i) {
            double r2 = 0;
            for (std::int64_t o = 0; o < wb.dim(0); ++o)
                for (std::int64_t k = 0; k < kb; ++k)
                    r2 = std::max(r2, static_cast<double>(std::abs(wb[(o * channels + i) * kb + k])));
            const double r1 = ranges->second[static_cast<std::size_t>(i)];
            const double s = r1 > 0 && r2 > 0 ? std::sqrt(r1 / r2) : 1.0;
            for (std::int64_t k = 0; k < per_out_a; ++k) wa[i * per_out_a + k] = static_cast<float>(wa[i * per_out_a + k] / s);
            ba[i] = static_cast<float>(ba[i] / s);
            for (std::int64_t o = 0; o < wb.dim(0); ++o)
                for (std::int64_t k = 0; k < kb; ++k) wb[(o * channels + i) * kb + k] = static_cast<float>(wb[(o * channels + i) * kb + k] * s);
            pair.min_scale = std::min(pair.min_scale, s);
            pair.max_scale = std::max(pair.max_scale, s);
        }
        done.push_back(pair);
    }
    return done;
}

}  // namespace tomoedge::quant
