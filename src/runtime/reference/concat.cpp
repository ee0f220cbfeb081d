#include "core/error.hpp"
#include "runtime/reference/int8_kernels.hpp"
#include "runtime/reference/kernels.hpp"

#include <algorithm>

namespace tomoedge::runtime::reference {
namespace {

// Concat is a copy whatever the element type: fp32 tensors, and int8 values held in int32 once
// the quantizer has given every input the output's scale.
template <typename T>
Tensor<T> concat_copy(std::span<const Tensor<T>* const> inputs, int axis) {
    if (inputs.empty()) fail("concat: no inputs");
    if (axis < 0 || axis > 3) fail("concat: axis {} is not in 0..3", axis);
    const auto a = static_cast<std::size_t>(axis);
    std::vector<std::int64_t> dims = inputs[0]->shape().dims();
    dims[a] = 0;
    for (const auto* t : inputs) {
        for (std::size_t d = 0; d < 4; ++d)
            if (d != a && t->dim(d) != inputs[0]->dim(d))
                fail("concat: shapes {} and {} differ off axis {}", t->shape().str(), inputs[0]->shape().str(), axis);
        dims[a] += t->dim(a);
    }
    Tensor<T> y{Shape(dims)};
    // View every tensor as (outer, axis * inner): the blocks of consecutive inputs interleave.
    std::int64_t outer = 1;
    for (std::size_t d = 0; d < a; ++d) outer *= dims[d];
    std::int64_t inner = 1;
    for (std::size_t d = a + 1; d < 4; ++d) inner *= dims[d];
    T* out = y.data();
    for (std::int64_t o = 0; o < outer; ++o)
        for (const auto* t : inputs) {
            const std::int64_t block = t->dim(a) * inner;
            std::copy_n(t->data() + o * block, block, out);
            out += block;
        }
    return y;
}

}  // namespace

Tensor<float> concat(std::span<const Tensor<float>* const> inputs, int axis) { return concat_copy(inputs, axis); }

Tensor<std::int32_t> concat_int8(std::span<const Tensor<std::int32_t>* const> inputs, int axis) {
    return concat_copy(inputs, axis);
}

}  // namespace tomoedge::runtime::reference
