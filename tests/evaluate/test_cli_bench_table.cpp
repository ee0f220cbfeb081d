// `tomoedge bench --table`: the rows of the paper's Table I, their stages and their bookkeeping,
// on a tiny random TomoGAN (speed itself is never asserted).
#include "eval_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <set>
#include <string>

namespace tomoedge::testing {
namespace {

TEST(CliBenchTable, AllRowsWithTheirStages) {
    auto& d = eval_data();
    TempDir out;
    const auto int8 = out / "a-int8.onnx";
    const auto q = run_tomoedge({"quantize", d.model_a.string(), "--calib", d.data.string() + ":train_ns", "-o",
                                 int8.string(), "--slices", "2"});
    ASSERT_EQ(q.exit_code, 0) << q.err;
    // The int8 model stands in for the Fine-Tune chain here: the rows' bookkeeping is what is tested.
    const auto r = run_tomoedge({"bench", d.model_a.string(), "--table", "--int8", int8.string(), "--fine-tune",
                                 int8.string(), "--size", "128", "--runs", "1", "--warmup", "0",
                                 "--seam-free-tile", "64", "--no-ort", "--threads", "1", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    std::set<std::string> names;
    for (const auto& row : j.at("rows")) {
        const std::string name = row.at("name");
        names.insert(name);
        const double total = row.at("total_s"), model = row.at("model_s");
        EXPECT_GT(total, 0.0) << name;
        EXPECT_GT(model, 0.0) << name;
        EXPECT_NEAR(row.at("gops").get<double>(), row.at("gop").get<double>() / total, 1e-9 * row.at("gops").get<double>());
        const std::string mode = row.at("mode");
        if (mode == "whole image") {
            EXPECT_TRUE(row.at("stitch_s").is_null()) << name;
            EXPECT_EQ(row.at("tiles"), 1) << name;
        } else {
            EXPECT_GE(row.at("stitch_s").get<double>(), 0.0) << name;
            EXPECT_EQ(row.at("tiles"), 4) << name;  // 128 x 128 in 64 x 64 tiles
        }
        EXPECT_EQ(row.at("fine_tune_s").is_null(), !row.at("fine_tune").get<bool>()) << name;
    }
    for (const char* expected : {"fp32", "int8", "int8, paper's tiles", "int8, seam-free tiles", "int8 + Fine-Tune",
                                 "int8, paper's tiles + Fine-Tune", "int8, seam-free tiles + Fine-Tune"})
        EXPECT_TRUE(names.count(expected)) << expected;
    EXPECT_FALSE(j.contains("onnxruntime"));
}

TEST(CliBenchTable, Errors) {
    auto& d = eval_data();
    auto r = run_tomoedge({"bench", d.model_a.string(), "--int8", d.model_a.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("--int8 and --fine-tune belong to --table"), std::string::npos) << r.err;
    r = run_tomoedge({"bench", d.model_a.string(), "--table", "--fine-tune", d.model_a.string(), "--size", "64"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("need the int8 model"), std::string::npos) << r.err;
    r = run_tomoedge({"bench", d.model_a.string(), "--table", "--int8", "/nonexistent/m.onnx", "--size", "64"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("/nonexistent/m.onnx"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tomoedge::testing
