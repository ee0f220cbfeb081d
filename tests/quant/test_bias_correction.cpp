// Empirical bias correction: afterwards the float-simulated int8 model's per-channel mean
// output of every Conv equals the fp32 model's on the same inputs (up to the int32 bias grid),
// while before it did not.
#include "core/error.hpp"
#include "quant/bias_correction.hpp"
#include "quant/qdq_rewrite.hpp"
#include "pipeline/quantize_file.hpp"
#include "quant/quantize_model.hpp"
#include "quant_test_util.hpp"
#include "runtime/reference_backend.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace tomoedge;
using namespace tomoedge::quant;

namespace {

Tensor<float> batch_of(std::int64_t n, std::int64_t h, std::int64_t w) {
    Tensor<float> b(Shape{n, 3, h, w});
    for (std::int64_t i = 0; i < n; ++i) {
        const Tensor<float> v = test_util::smooth_volume(3, h, w, 40 + static_cast<std::uint64_t>(i));
        std::copy(v.begin(), v.end(), b.data() + i * v.size());
    }
    return b;
}

// Per conv node name: the per-channel mean of its output over the batch.
std::map<std::string, std::vector<double>> conv_means(const model::Graph& g, bool qdq, const Tensor<float>& batch) {
    std::map<std::string, std::string> conv_of;
    for (const auto& n : g.nodes)
        if (n.op == model::OpKind::Conv) conv_of[n.outputs[0]] = n.name;
    runtime::ReferenceBackend b(g, {"reference", runtime::Precision::fp32, 1}, qdq);
    std::map<std::string, std::vector<double>> out;
    b.set_observer([&](const std::string& t, const Tensor<float>& v) {
        auto it = conv_of.find(t);
        if (it == conv_of.end()) return;
        const std::int64_t c = v.dim(1), hw = v.dim(2) * v.dim(3);
        std::vector<double> m(static_cast<std::size_t>(c), 0.0);
        for (std::int64_t i = 0; i < v.dim(0); ++i)
            for (std::int64_t k = 0; k < c; ++k)
                for (std::int64_t j = 0; j < hw; ++j) m[static_cast<std::size_t>(k)] += v[(i * c + k) * hw + j];
        for (auto& x : m) x /= static_cast<double>(v.dim(0) * hw);
        out[it->second] = m;
    });
    b.run(batch);
    return out;
}

struct Calibrated {
    tomoedge::testing::TempDir dir;
    model::Graph fp32 = test_util::small_tomogan();
    std::map<std::string, QuantParams> params;
    Calibrated() {
        test_util::write_h5(dir / "calib.h5", "ns", test_util::smooth_volume(6, 40, 48));
        QuantizeOptions o;
        o.slices = 4;
        o.correct_bias = false;
        QuantizeReport report;
        pipeline::quantize_file(fp32, {dir / "calib.h5", "ns", io::StackFormat::hdf5}, o, &report);
        for (const auto& [t, r] : report.tensors) params[t] = r.params;
    }
};

}  // namespace

TEST(BiasCorrection, TheInt8MeanOfEveryConvMatchesFp32Afterwards) {
    Calibrated s;
    const Tensor<float> batch = batch_of(2, 40, 48);
    const auto want = conv_means(s.fp32, false, batch);
    const auto before = conv_means(make_qdq_graph(s.fp32, s.params), true, batch);
    model::Graph corrected = s.fp32.clone();
    const auto done = correct_biases(corrected, s.params, batch);
    EXPECT_EQ(done.size(), 16u);  // every Conv of TomoGAN has a bias
    const auto after = conv_means(make_qdq_graph(corrected, s.params), true, batch);
    double worst_before = 0, worst_after = 0;
    for (const auto& [conv, m] : want)
        for (std::size_t o = 0; o < m.size(); ++o) {
            worst_before = std::max(worst_before, std::abs(before.at(conv)[o] - m[o]));
            worst_after = std::max(worst_after, std::abs(after.at(conv)[o] - m[o]));
        }
    EXPECT_GT(worst_before, 1e-4);  // quantization really shifted some means
    EXPECT_LT(worst_after, 1e-4);   // int32 bias steps are ~1e-6 here
    EXPECT_LT(worst_after, worst_before / 10);
}

TEST(BiasCorrection, AnEmptyBatchIsAnError) {
    Calibrated s;
    EXPECT_THROW(correct_biases(s.fp32, s.params, Tensor<float>()), Error);
}
