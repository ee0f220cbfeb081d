#include "support/lsb_difference.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace tomoedge::testing {

LsbDifference lsb_difference(const Tensor<float>& a, const Tensor<float>& b, double lsb) {
    LsbDifference r;
    if (a.shape() != b.shape() || a.size() == 0) {
        ADD_FAILURE() << "outputs of shapes " << a.shape().str() << " and " << b.shape().str();
        return r;
    }
    for (std::int64_t i = 0; i < a.size(); ++i) {
        const double d = std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])) / lsb;
        r.max = std::max(r.max, d);
        r.mean += d;
        r.differ += d > 0.5;
    }
    r.mean /= static_cast<double>(a.size());
    r.differ /= static_cast<double>(a.size());
    return r;
}

}  // namespace tomoedge::testing
