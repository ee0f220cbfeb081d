#pragma once
// Shared by the export tests: the small TomoGAN quantized (u8 or s8 activations) on a smooth
// synthetic volume, and inputs for it.
#include "io/data_path.hpp"
#include "quant/quant_test_util.hpp"
#include "pipeline/quantize_file.hpp"
#include "quant/quantize_model.hpp"
#include "runtime/int8/qdq_graph.hpp"
#include "support/temp_dir.hpp"

#include <algorithm>

namespace tomoedge::export_test {

inline model::Graph quantized_tomogan(runtime::int8::ActType type, std::uint64_t seed = 11) {
    tomoedge::testing::TempDir dir;
    quant::test_util::write_h5(dir / "calib.h5", "ns", quant::test_util::smooth_volume(5, 40, 48));
    quant::QuantizeOptions o;
    o.activations = type;
    o.slices = 4;
    return pipeline::quantize_file(quant::test_util::small_tomogan(seed), {dir / "calib.h5", "ns", io::StackFormat::hdf5}, o);
}

/// A float (1, 3, h, w) input of three smooth slices.
inline Tensor<float> smooth_input(std::int64_t h, std::int64_t w, std::uint64_t seed = 99) {
    const Tensor<float> v = quant::test_util::smooth_volume(3, h, w, seed);
    Tensor<float> x(Shape{1, 3, h, w});
    std::copy(v.begin(), v.end(), x.begin());
    return x;
}

}  // namespace tomoedge::export_test
