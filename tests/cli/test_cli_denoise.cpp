// `tomoedge model-init`, `denoise` and `run` through the real executable.
#include "io/hdf5.hpp"
#include "io/stack.hpp"
#include "model/model_info.hpp"
#include "model/onnx_export.hpp"
#include "model/onnx_import.hpp"
#include "support/cli_runner.hpp"
#include "support/temp_dir.hpp"
#include "../runtime/pick_graph.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>

using namespace tomoedge;
using tomoedge::testing::fixture;
using tomoedge::testing::run_tomoedge;
using tomoedge::testing::TempDir;

namespace {

void write_dataset(const std::filesystem::path& file, const std::string& name, const Tensor<float>& t, DType dtype) {
    io::Hdf5Writer w(file);
    io::DatasetOptions o;
    o.dtype = dtype;
    w.write(name, t, o);
    w.commit();
}

Tensor<float> volume(std::int64_t n, std::int64_t h, std::int64_t w) {
    Tensor<float> v(Shape{n, h, w});
    for (std::int64_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>((i * 7919) % 4001);
    return v;
}

}  // namespace

TEST(CliModelInit, WritesRandomLabelledTomoGan) {
    TempDir dir;
    auto r = run_tomoedge({"model-init", "-o", (dir / "m.onnx").string(), "--width", "0.25", "--seed", "9", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("weights"), "random");
    const model::Graph g = model::import_onnx(dir / "m.onnx");
    EXPECT_EQ(g.metadata.at("tomoedge.weights"), "random");
    EXPECT_EQ(g.metadata.at("tomoedge.seed"), "9");
    auto full = run_tomoedge({"model-init", "-o", (dir / "full.onnx").string()});
    ASSERT_EQ(full.exit_code, 0) << full.err;
    EXPECT_NE(full.out.find("97.2"), std::string::npos) << full.out;  // GMAC per 1024 x 1024
}

TEST(CliDenoise, TomoGanOnOddSizedHdf5KeepsShapeAndDtype) {
    TempDir dir;
    ASSERT_EQ(run_tomoedge({"model-init", "-o", (dir / "m.onnx").string(), "--width", "0.125"}).exit_code, 0);
    write_dataset(dir / "in.h5", "test_ns", volume(4, 19, 13), DType::u16);
    for (const char* backend : {"reference", "onednn"}) {
        const std::string out = (dir / fmt::format("out_{}.h5", backend)).string() + ":dn";
        auto r = run_tomoedge({"denoise", (dir / "m.onnx").string(), (dir / "in.h5").string() + ":test_ns", out,
                               "--backend", backend, "--threads", "1", "--json"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_NE(r.err.find("random weights"), std::string::npos);  // clearly labelled
        const auto j = nlohmann::json::parse(r.out);
        EXPECT_EQ(j.at("shape"), nlohmann::json({4, 19, 13}));
        EXPECT_EQ(j.at("backend"), backend);
        io::Hdf5Reader reader(dir / fmt::format("out_{}.h5", backend));
        EXPECT_EQ(reader.info("dn").shape, (Shape{4, 19, 13}));
        EXPECT_EQ(reader.info("dn").dtype, DType::u16);
    }
    // Both backends agree (u16 rounding: within 1 count almost everywhere).
    Tensor<float> a = io::Hdf5Reader(dir / "out_reference.h5").read("dn");
    Tensor<float> b = io::Hdf5Reader(dir / "out_onednn.h5").read("dn");
    for (std::int64_t i = 0; i < a.size(); ++i) ASSERT_LE(std::abs(a[i] - b[i]), 1.0f) << i;
    // --dtype f32 keeps the unrounded values.
    auto f = run_tomoedge({"denoise", (dir / "m.onnx").string(), (dir / "in.h5").string() + ":test_ns",
                           (dir / "f.h5").string() + ":dn", "--backend", "reference", "--dtype", "f32"});
    ASSERT_EQ(f.exit_code, 0) << f.err;
    EXPECT_EQ(io::Hdf5Reader(dir / "f.h5").info("dn").dtype, DType::f32);
}

TEST(CliDenoise, PickModelReproducesNeighbourSlicesExactly) {
    TempDir dir;
    model::Graph g = tomoedge::testing::pick_graph(3, 0);  // output = previous slice (mirrored at 0)
    model::ModelInfo info;
    info.normalisation = model::Normalisation{0.5, 99.5};
    model::write_model_info(g, info);
    model::export_onnx(g, dir / "pick.onnx");
    const Tensor<float> v = volume(3, 7, 5);
    write_dataset(dir / "in.h5", "ns", v, DType::f32);
    auto r = run_tomoedge({"denoise", (dir / "pick.onnx").string(), (dir / "in.h5").string() + ":ns",
                           (dir / "out.tif").string(), "--backend", "reference"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("window"), std::string::npos);
    auto reader = io::StackReader::open(io::parse_data_path((dir / "out.tif").string()));
    Tensor<float> y = reader->read_all();
    const std::int64_t plane = 7 * 5;
    const std::int64_t source[3] = {1, 0, 1};
    for (std::int64_t s = 0; s < 3; ++s)
        for (std::int64_t i = 0; i < plane; ++i) ASSERT_NEAR(y[s * plane + i], v[source[s] * plane + i], 1e-3) << s;
}

TEST(CliDenoise, ErrorsAreOneClearLine) {
    TempDir dir;
    write_dataset(dir / "in.h5", "ns", volume(2, 8, 8), DType::f32);
    const std::string in = (dir / "in.h5").string() + ":ns", out = (dir / "o.h5").string() + ":dn";
    auto missing = run_tomoedge({"denoise", (dir / "none.onnx").string(), in, out});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("tomoedge: error: "), std::string::npos);
    EXPECT_NE(missing.err.find("none.onnx"), std::string::npos);
    std::ofstream(dir / "garbage.onnx") << "garbage garbage garbage";
    auto garbage = run_tomoedge({"denoise", (dir / "garbage.onnx").string(), in, out});
    EXPECT_EQ(garbage.exit_code, 1);
    EXPECT_NE(garbage.err.find("garbage.onnx"), std::string::npos);
    ASSERT_EQ(run_tomoedge({"model-init", "-o", (dir / "m.onnx").string(), "--width", "0.125"}).exit_code, 0);
    auto backend = run_tomoedge({"denoise", (dir / "m.onnx").string(), in, out, "--backend", "tpu"});
    EXPECT_EQ(backend.exit_code, 1);
    EXPECT_NE(backend.err.find("available: "), std::string::npos);
    auto precision = run_tomoedge({"denoise", (dir / "m.onnx").string(), in, out, "--precision", "fp8"});
    EXPECT_EQ(precision.exit_code, 1);
    EXPECT_NE(precision.err.find("fp8"), std::string::npos);
    auto depth = run_tomoedge({"model-init", "-o", (dir / "m5.onnx").string(), "--depth", "5", "--width", "0.125"});
    ASSERT_EQ(depth.exit_code, 0);
    EXPECT_EQ(run_tomoedge({"denoise", (dir / "m5.onnx").string(), in, out, "--backend", "reference"}).exit_code, 0);
    EXPECT_FALSE(std::filesystem::exists(dir / "nothing.h5"));
    auto dataset = run_tomoedge({"denoise", (dir / "m.onnx").string(), (dir / "in.h5").string() + ":nope",
                                 (dir / "nothing.h5").string() + ":dn"});
    EXPECT_EQ(dataset.exit_code, 1);
    EXPECT_FALSE(std::filesystem::exists(dir / "nothing.h5"));
}

TEST(CliRun, RawTensorThroughPytorchFixtureMatchesPytorch) {
    TempDir dir;
    Tensor<float> x(Shape{1, 3, 32, 48});
    std::ifstream in(fixture("pytorch/tomogan_small_input.bin"), std::ios::binary);
    in.read(reinterpret_cast<char*>(x.data()), x.size() * 4);
    Tensor<float> expected(Shape{1, 1, 32, 48});
    std::ifstream ex(fixture("pytorch/tomogan_small_output.bin"), std::ios::binary);
    ex.read(reinterpret_cast<char*>(expected.data()), expected.size() * 4);
    write_dataset(dir / "x.h5", "x", x, DType::f32);
    auto r = run_tomoedge({"run", fixture("pytorch/tomogan_small.onnx"), (dir / "x.h5").string() + ":x",
                           (dir / "y.h5").string() + ":y", "--backend", "reference", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out).at("output_shape"), nlohmann::json({1, 1, 32, 48}));
    Tensor<float> y = io::Hdf5Reader(dir / "y.h5").read("y");
    ASSERT_EQ(y.shape(), expected.shape());
    double max_ref = 0, max_diff = 0;
    for (std::int64_t i = 0; i < y.size(); ++i) {
        max_ref = std::max(max_ref, double(std::abs(expected[i])));
        max_diff = std::max(max_diff, double(std::abs(y[i] - expected[i])));
    }
    EXPECT_LE(max_diff, 1e-4 * max_ref);
    // No grouping or padding: a shape the network cannot take is an error, not a silent pad.
    write_dataset(dir / "odd.h5", "x", Tensor<float>(Shape{1, 3, 30, 48}, 0.5f), DType::f32);
    auto odd = run_tomoedge({"run", fixture("pytorch/tomogan_small.onnx"), (dir / "odd.h5").string() + ":x",
                             (dir / "o.h5").string() + ":y", "--backend", "reference"});
    EXPECT_EQ(odd.exit_code, 1);
    EXPECT_NE(odd.err.find("Concat"), std::string::npos) << odd.err;
    auto tif = run_tomoedge({"run", fixture("pytorch/tomogan_small.onnx"), (dir / "x.tif").string(), (dir / "o.h5").string() + ":y"});
    EXPECT_EQ(tif.exit_code, 1);
    write_dataset(dir / "rank3.h5", "x", Tensor<float>(Shape{3, 32, 48}, 0.5f), DType::f32);
    auto rank3 = run_tomoedge({"run", fixture("pytorch/tomogan_small.onnx"), (dir / "rank3.h5").string() + ":x",
                               (dir / "o.h5").string() + ":y", "--backend", "reference"});
    EXPECT_EQ(rank3.exit_code, 1);
    EXPECT_NE(rank3.err.find("(N, C, H, W)"), std::string::npos);
}
