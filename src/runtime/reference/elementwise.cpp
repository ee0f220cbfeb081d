#include "core/error.hpp"
#include "runtime/reference/kernels.hpp"

#include <algorithm>

namespace tomoedge::runtime::reference {

Tensor<float> relu(const Tensor<float>& x) {
    Tensor<float> y(x.shape());
    for (std::int64_t i = 0; i < x.size(); ++i) y[i] = std::max(x[i], 0.0f);
    return y;
}

Tensor<float> add(const Tensor<float>& a, const Tensor<float>& b) {
    if (a.shape() != b.shape()) fail("add: shapes {} and {} differ", a.shape().str(), b.shape().str());
    Tensor<float> y(a.shape());
    for (std::int64_t i = 0; i < a.size(); ++i) y[i] = a[i] + b[i];
    return y;
}

}  // namespace tomoedge::runtime::reference
