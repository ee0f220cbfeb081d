// `tomoedge export` as a user runs it: both formats, the JSON report, and the error paths.
#include "export_fixture.hpp"
#include "model/onnx_export.hpp"
#include "model/onnx_import.hpp"
#include "quant/tflite_export.hpp"
#include "runtime/reference_backend.hpp"
#include "support/cli_runner.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

using namespace tomoedge;
using runtime::int8::ActType;
using tomoedge::testing::run_tomoedge;
using tomoedge::testing::TempDir;

namespace {

struct Files {
    TempDir dir;
    std::string fp32 = (dir / "fp32.onnx").string();
    std::string int8 = (dir / "int8.onnx").string();
    Files() {
        model::export_onnx(quant::test_util::small_tomogan(), fp32);
        model::export_onnx(export_test::quantized_tomogan(ActType::u8), int8);
    }
};

std::string slurp(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST(ExportCli, TfliteWithJsonReport) {
    Files f;
    const std::string out = (f.dir / "m.tflite").string();
    const auto r = run_tomoedge({"export", f.int8, "--format", "tflite", "-o", out, "--input", "32x48", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["format"], "tflite");
    EXPECT_EQ(j["io"], "u8");
    EXPECT_EQ(j["input"], nlohmann::json::parse("[1, 32, 48, 3]"));
    EXPECT_EQ(j["output_shape"], nlohmann::json::parse("[1, 32, 48, 1]"));
    EXPECT_EQ(j["operators"]["CONV_2D"], 16);
    EXPECT_EQ(j["edgetpu_parameters_fit"], true);
    const std::string bytes = slurp(out);
    EXPECT_EQ(j["bytes"], bytes.size());
    EXPECT_TRUE(quant::verify_tflite(bytes));

    // Default size 64 x 64 and a readable table without --json.
    const auto t = run_tomoedge({"export", f.int8, "--format", "tflite", "-o", out, "--io", "s8"});
    ASSERT_EQ(t.exit_code, 0) << t.err;
    EXPECT_NE(t.out.find("CONV_2D"), std::string::npos) << t.out;
    EXPECT_NE(t.out.find("1x64x64x3 s8"), std::string::npos) << t.out;
    EXPECT_NE(t.out.find("fit in the Edge TPU"), std::string::npos) << t.out;
}

TEST(ExportCli, OnnxStaticAndDynamicRoundTrip) {
    Files f;
    const std::string dynamic = (f.dir / "dynamic.onnx").string(), fixed = (f.dir / "static.onnx").string();
    auto r = run_tomoedge({"export", f.fp32, "--format", "onnx", "-o", dynamic, "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["input"], "Nx3xHxW");
    EXPECT_EQ(j["precision"], "fp32");
    r = run_tomoedge({"export", f.int8, "--format", "onnx", "-o", fixed, "--input", "64x48", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["input"], "1x3x64x48");
    EXPECT_EQ(j["precision"], "int8 (QDQ)");
    EXPECT_EQ(j["static"], true);
    // The files load back as the same graphs: equal outputs on the reference backend.
    const Tensor<float> x = export_test::smooth_input(64, 48);
    for (const auto& [original, exported] : {std::pair{f.fp32, dynamic}, std::pair{f.int8, fixed}}) {
        const model::Graph a = model::import_onnx(original), b = model::import_onnx(exported);
        const auto precision = runtime::int8::is_qdq(a) ? runtime::Precision::int8 : runtime::Precision::fp32;
        runtime::ReferenceBackend ra(a, {"reference", precision, 1}), rb(b, {"reference", precision, 1});
        const Tensor<float> ya = ra.run(x), yb = rb.run(x);
        ASSERT_EQ(ya.shape(), yb.shape());
        for (std::int64_t i = 0; i < ya.size(); ++i) ASSERT_EQ(ya[i], yb[i]) << exported << " at " << i;
    }
}

TEST(ExportCli, ErrorsNameTheProblem) {
    Files f;
    const std::string out = (f.dir / "m.tflite").string();
    auto r = run_tomoedge({"export", (f.dir / "missing.onnx").string(), "--format", "tflite", "-o", out});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("missing.onnx"), std::string::npos) << r.err;

    r = run_tomoedge({"export", f.fp32, "--format", "tflite", "-o", out});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("fp32.onnx: is a float model"), std::string::npos) << r.err;

    r = run_tomoedge({"export", f.int8, "--format", "tflite", "-o", out, "--input", "60x64"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("60 x 64 is not a multiple of 8 x 8"), std::string::npos) << r.err;

    r = run_tomoedge({"export", f.fp32, "--format", "onnx", "-o", (f.dir / "x.onnx").string(), "--input", "60x64"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("60 x 64 is not a positive multiple of 8 x 8"), std::string::npos) << r.err;

    r = run_tomoedge({"export", f.int8, "--format", "tflite", "-o", out, "--input", "64by64"});
    EXPECT_EQ(r.exit_code, 2);  // a bad flag value
    EXPECT_NE(r.err.find("expected HxW"), std::string::npos) << r.err;

    r = run_tomoedge({"export", f.int8, "--format", "tfjs", "-o", out});
    EXPECT_EQ(r.exit_code, 2);

    r = run_tomoedge({"export", f.int8, "--format", "onnx", "-o", (f.dir / "x.onnx").string(), "--io", "s8"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("--io applies to --format tflite only"), std::string::npos) << r.err;

    // Nothing is left behind by the failures.
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_FALSE(std::filesystem::exists(f.dir / "x.onnx"));
}
