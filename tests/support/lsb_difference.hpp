#pragma once
// How far apart two backends' outputs of one int8 model are, in units of the output's LSB (its
// quantization scale): the one statistic the backend-agreement tests share.
#include "core/tensor.hpp"

namespace tomoedge::testing {

struct LsbDifference {
    double max = 0;     // largest |a - b| / lsb
    double mean = 0;    // mean |a - b| / lsb
    double differ = 0;  // fraction of outputs more than half an LSB apart
};

/// Statistics of |a - b| / lsb over outputs of the same shape (a failure is recorded otherwise,
/// and the result is then empty).
LsbDifference lsb_difference(const Tensor<float>& a, const Tensor<float>& b, double lsb);

}  // namespace tomoedge::testing
