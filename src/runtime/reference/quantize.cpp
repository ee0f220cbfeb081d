#include "core/error.hpp"
#include "runtime/reference/kernels.hpp"

#include <algorithm>
#include <cmath>

namespace tomoedge::runtime::reference {

namespace {

// Index into the scale/zero-point vector for element `i` of `x`: 0 per tensor, else its
// coordinate along `axis`.
struct ParamIndex {
    std::int64_t inner = 1, count = 1;
    bool per_axis = false;
    std::int64_t operator()(std::int64_t i) const { return per_axis ? (i / inner) % count : 0; }
};

ParamIndex param_index(const Tensor<float>& x, const Tensor<float>& scale, int axis) {
    ParamIndex p;
    if (scale.size() == 1) return p;
    if (axis < 0 || static_cast<std::size_t>(axis) >= x.rank() || x.dim(static_cast<std::size_t>(axis)) != scale.size())
        fail("quantization: {} scales do not match axis {} of {}", scale.size(), axis, x.shape().str());
    p.per_axis = true;
    p.count = scale.size();
    for (std::size_t d = static_cast<std::size_t>(axis) + 1; d < x.rank(); ++d) p.inner *= x.dim(d);
    return p;
}

}  // namespace

Tensor<float> quantize_linear(const Tensor<float>& x, const Tensor<float>& scale, const Tensor<float>* zero_point,
                              int axis, DType out) {
    float lo = 0, hi = 255;
    if (out == DType::s8) {
        lo = -128;
        hi = 127;
    } else if (out != DType::u8) {
        fail("QuantizeLinear: output type {} is not supported (u8 or s8)", dtype_name(out));
    }
    const ParamIndex index = param_index(x, scale, axis);
    Tensor<float> y(x.shape());
    for (std::int64_t i = 0; i < x.size(); ++i) {
        const std::int64_t k = index(i);
        // std::nearbyint rounds half to even in the default rounding mode, as ONNX specifies.
        const float q = std::nearbyint(x[i] / scale[k]) + (zero_point ? (*zero_point)[k] : 0.0f);
        y[i] = std::clamp(q, lo, hi);
    }
    return y;
}

Tensor<float> dequantize_linear(const Tensor<float>& x, const Tensor<float>& scale, const Tensor<float>* zero_point,
                                int axis) {
    const ParamIndex index = param_index(x, scale, axis);
    Tensor<float> y(x.shape());
    for (std::int64_t i = 0; i < x.size(); ++i) {
        const std::int64_t k = index(i);
        y[i] = (x[i] - (zero_point ? (*zero_point)[k] : 0.0f)) * scale[k];
    }
    return y;
}

}  // namespace tomoedge::runtime::reference
