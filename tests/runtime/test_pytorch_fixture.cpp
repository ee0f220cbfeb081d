// Models exported by PyTorch (tools/fixtures/make_pytorch_tomogan_fixture.py) load, and the
// reference backend reproduces PyTorch's outputs: relative L2 error <= 1e-4 and max abs error
// <= 1e-4 x max |PyTorch output|.
#include "model/onnx_import.hpp"
#include "runtime/backend.hpp"
#include "support/cli_runner.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

using namespace tomoedge;

namespace {

Tensor<float> read_bin(const std::string& name, Shape shape) {
    Tensor<float> t(shape);
    std::ifstream in(tomoedge::testing::fixture("pytorch/" + name), std::ios::binary);
    in.read(reinterpret_cast<char*>(t.data()), static_cast<std::streamsize>(t.size() * 4));
    EXPECT_TRUE(in.good()) << name;
    EXPECT_EQ(in.peek(), std::char_traits<char>::eof()) << name << " is longer than " << shape.str();
    return t;
}

void expect_matches_pytorch(const std::string& model, Shape in_shape, Shape out_shape) {
    const model::Graph g = model::import_onnx(tomoedge::testing::fixture("pytorch/" + model + ".onnx"));
    runtime::BackendOptions o;
    o.backend = "reference";
    auto backend = runtime::make_backend(g, o);
    const Tensor<float> x = read_bin(model + "_input.bin", in_shape);
    const Tensor<float> expected = read_bin(model + "_output.bin", out_shape);
    const Tensor<float> y = backend->run(x);
    ASSERT_EQ(y.shape(), out_shape);
    double diff2 = 0, ref2 = 0, max_abs = 0, max_ref = 0;
    for (std::int64_t i = 0; i < y.size(); ++i) {
        const double d = double(y[i]) - expected[i];
        diff2 += d * d;
        ref2 += double(expected[i]) * expected[i];
        max_abs = std::max(max_abs, std::abs(d));
        max_ref = std::max(max_ref, std::abs(double(expected[i])));
    }
    EXPECT_GT(max_ref, 0.0);
    EXPECT_LE(std::sqrt(diff2 / ref2), 1e-4) << model;
    EXPECT_LE(max_abs, 1e-4 * max_ref) << model;
}

}  // namespace

TEST(PytorchFixture, SmallTomoGanMatchesPytorch) {
    expect_matches_pytorch("tomogan_small", Shape{1, 3, 32, 48}, Shape{1, 1, 32, 48});
}

TEST(PytorchFixture, OpsMixMatchesPytorch) {
    // Strided, dilated and non-square convs, Add, padded max-pool, nearest and align_corners resize.
    expect_matches_pytorch("ops_mix", Shape{2, 2, 10, 14}, Shape{2, 3, 11, 12});
}
