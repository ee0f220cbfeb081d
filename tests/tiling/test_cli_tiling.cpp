// `tomoedge denoise --tile/--halo/--batch` through the real executable.
#include "io/hdf5.hpp"
#include "io/stack.hpp"
#include "model/onnx_export.hpp"
#include "model/tomogan.hpp"
#include "support/cli_runner.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

using namespace tomoedge;
using tomoedge::testing::run_tomoedge;
using tomoedge::testing::TempDir;

namespace {

struct Files {
    TempDir dir;
    std::string model, input;
    Files() {
        model::TomoGanConfig config;
        config.width = 0.25;
        model = (dir.path() / "small.onnx").string();
        model::export_onnx(model::build_tomogan(config), model);
        Tensor<float> v(Shape{2, 70, 90});
        std::mt19937 rng(11);
        std::uniform_real_distribution<float> u(0.0f, 1000.0f);
        for (auto& x : v) x = u(rng);
        io::Hdf5Writer writer(dir.path() / "in.h5");
        io::DatasetOptions o;
        o.dtype = DType::f32;
        writer.write("ns", v, o);
        writer.commit();
        input = (dir.path() / "in.h5").string() + ":ns";
    }
    Tensor<float> read(const std::string& name) {
        return io::Hdf5Reader(dir.path() / name).read("dn");
    }
};

TEST(CliTiling, DefaultHaloMatchesWholeImage) {
    Files f;
    const std::string whole = (f.dir.path() / "whole.h5").string(), tiled = (f.dir.path() / "tiled.h5").string();
    auto r = run_tomoedge({"denoise", f.model, f.input, whole + ":dn", "--backend", "reference"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_tomoedge({"denoise", f.model, f.input, tiled + ":dn", "--backend", "reference", "--tile", "32", "--batch", "3"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Tensor<float> a = f.read("whole.h5"), b = f.read("tiled.h5");
    ASSERT_EQ(a.shape(), b.shape());
    for (std::int64_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 1e-5 * 1000) << i;
}

TEST(CliTiling, BadFlagsFail) {
    Files f;
    const std::string out = (f.dir.path() / "o.h5").string() + ":dn";
    auto r = run_tomoedge({"denoise", f.model, f.input, out, "--tile", "30"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("--tile 30"), std::string::npos) << r.err;
    r = run_tomoedge({"denoise", f.model, f.input, out, "--tile", "32", "--batch", "0"});
    EXPECT_EQ(r.exit_code, 2);
    r = run_tomoedge({"denoise", f.model, f.input, out, "--tile", "32", "--halo", "-1"});
    EXPECT_EQ(r.exit_code, 2);
}

TEST(CliTiling, BadWorkerCountsFailAsFlagErrors) {
    Files f;
    const std::string out = (f.dir.path() / "o.h5").string() + ":dn";
    for (const char* bad : {"-1", "two", "1.5", ""}) {
        const auto r = run_tomoedge({"denoise", f.model, f.input, out, "--tile", "32", "--workers", bad});
        EXPECT_EQ(r.exit_code, 2) << "--workers '" << bad << "': " << r.err;
        EXPECT_NE(r.err.find("--workers"), std::string::npos) << r.err;
        EXPECT_FALSE(std::filesystem::exists(f.dir.path() / "o.h5")) << bad;
    }
}

// Streaming band by band into a TIFF (strips appended in order) with more workers than cores.
TEST(CliTiling, WorkersAndTiffOutputMatchWholeImage) {
    Files f;
    const std::string whole = (f.dir.path() / "whole.h5").string(), tiled = (f.dir.path() / "tiled.tif").string();
    auto r = run_tomoedge({"denoise", f.model, f.input, whole + ":dn", "--backend", "reference"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_tomoedge({"denoise", f.model, f.input, tiled, "--backend", "reference", "--tile", "24", "--workers", "3"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Tensor<float> a = f.read("whole.h5"), b = io::StackReader::open(io::parse_data_path(tiled))->read_all();
    ASSERT_EQ(a.shape(), b.shape());
    for (std::int64_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 1e-5 * 1000) << i;
}

}  // namespace
