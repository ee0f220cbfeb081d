#include "quant/scheme.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tomoedge::quant {

ActType parse_act_type(std::string_view text) {
    if (text == "u8") return ActType::u8;
    if (text == "s8") return ActType::s8;
    fail("unknown activation type '{}' (use u8 or s8)", text);
}

QuantParams activation_params(Range range, ActType type) {
    if (!std::isfinite(range.low) || !std::isfinite(range.high) || range.low > range.high)
        fail("quantization range [{}, {}] is not a finite interval", range.low, range.high);
    QuantParams q;
    q.type = type;
    const double lo = std::min(range.low, 0.0), hi = std::max(range.high, 0.0);
    const double qmin = q.qmin(), qmax = q.qmax();
    if (hi - lo <= 0) {
        q.scale = 1.0f;
        return q;
    }
    q.scale = static_cast<float>((hi - lo) / (qmax - qmin));
    const double zp = std::round(qmin - lo / static_cast<double>(q.scale));
    q.zero_point = static_cast<std::int32_t>(std::clamp(zp, qmin, qmax));
    return q;
}

ChannelQuant quantize_weights(const Tensor<float>& w) {
    if (w.rank() < 1 || w.dim(0) < 1) fail("quantize_weights: weights {} have no output channels", w.shape().str());
    const std::int64_t O = w.dim(0), per = w.size() / O;
    ChannelQuant out;
    out.values = Tensor<std::int32_t>(w.shape());
    for (std::int64_t o = 0; o < O; ++o) {
        float m = 0;
        for (std::int64_t i = 0; i < per; ++i) m = std::max(m, std::abs(w[o * per + i]));
        const float s = m > 0 ? m / 127.0f : 1.0f;
        out.scale.push_back(s);
        for (std::int64_t i = 0; i < per; ++i)
            out.values[o * per + i] = static_cast<std::int32_t>(std::clamp(std::round(w[o * per + i] / s), -127.0f, 127.0f));
    }
    return out;
}

Tensor<std::int32_t> quantize_bias(const Tensor<float>& bias, float input_scale, const std::vector<float>& weight_scale) {
    if (static_cast<std::size_t>(bias.size()) != weight_scale.size())
        fail("quantize_bias: {} biases but {} weight scales", bias.size(), weight_scale.size());
    Tensor<std::int32_t> q(bias.shape());
    constexpr double lo = std::numeric_limits<std::int32_t>::min(), hi = std::numeric_limits<std::int32_t>::max();
    for (std::int64_t o = 0; o < bias.size(); ++o) {
        // The scale the DequantizeLinear will carry (a float product), so both agree exactly.
        const float s = input_scale * weight_scale[static_cast<std::size_t>(o)];
        q[o] = static_cast<std::int32_t>(std::clamp(std::round(static_cast<double>(bias[o]) / s), lo, hi));
    }
    return q;
}

}  // namespace tomoedge::quant
