// `tomoedge bench --table`: the rows of the paper's Table I, their stages and their bookkeeping,
// on a tiny random TomoGAN (speed itself is never asserted); how it finds and runs ONNX Runtime.
#include "chained_model.hpp"
#include "eval_fixture.hpp"
#include "model/onnx_export.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

namespace tomoedge::testing {
namespace {

// Sets an environment variable for one scope (the CLI runner passes the environment on).
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : name_(name) { setenv(name, value.c_str(), 1); }
    ~ScopedEnv() { unsetenv(name_); }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
};

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// Whether `node` runs here (the fake ONNX Runtime below is a node script).
bool have_node() {
    for (const char* dir : {"/usr/bin/node", "/usr/local/bin/node", "/bin/node"})
        if (std::filesystem::exists(dir)) return true;
    return false;
}

TEST(CliBenchTable, AllRowsWithTheirStages) {
    auto& d = eval_data();
    TempDir out;
    const auto int8 = out / "a-int8.onnx";
    const auto q = run_tomoedge({"quantize", d.model_a.string(), "--calib", d.data.string() + ":train_ns", "-o",
                                 int8.string(), "--slices", "2"});
    ASSERT_EQ(q.exit_code, 0) << q.err;
    // A chained model as `tomoedge finetune` writes it (random weights and ranges): the rows'
    // bookkeeping is what is tested.
    const auto chained = out / "a-int8-ft.onnx";
    model::export_onnx(tiny_int8_with_fine_tune(), chained);
    const auto r = run_tomoedge({"bench", d.model_a.string(), "--table", "--int8", int8.string(), "--fine-tune",
                                 chained.string(), "--size", "128", "--runs", "2", "--warmup", "0",
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
        if (row.at("fine_tune").get<bool>()) {  // measured inside the chained runs: a part of them
            EXPECT_GT(row.at("fine_tune_s").get<double>(), 0.0) << name;
            EXPECT_LE(row.at("fine_tune_s").get<double>(), total) << name;
        }
    }
    for (const char* expected : {"fp32", "int8", "int8, paper's tiles", "int8, seam-free tiles", "int8 + Fine-Tune",
                                 "int8, paper's tiles + Fine-Tune", "int8, seam-free tiles + Fine-Tune"})
        EXPECT_TRUE(names.count(expected)) << expected;
    EXPECT_FALSE(j.contains("onnxruntime"));
}

TEST(CliBenchTable, PrintsNoNegativeDuration) {
    auto& d = eval_data();
    TempDir out;
    const auto int8 = out / "int8.onnx", chained = out / "int8-ft.onnx";
    model::export_onnx(tiny_int8_generator(), int8);
    model::export_onnx(tiny_int8_with_fine_tune(), chained);
    const auto r = run_tomoedge({"bench", d.model_a.string(), "--table", "--int8", int8.string(), "--fine-tune",
                                 chained.string(), "--size", "64", "--runs", "3", "--warmup", "0", "--seam-free-tile",
                                 "32", "--no-ort", "--threads", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Fine-Tune s"), std::string::npos) << r.out;
    // Every number in the table: none negative ("-" alone marks a stage that does not apply).
    for (std::size_t at = r.out.find('-'); at != std::string::npos; at = r.out.find('-', at + 1))
        if (at + 1 < r.out.size() && (std::isdigit(static_cast<unsigned char>(r.out[at + 1])) || r.out[at + 1] == '.'))
            ADD_FAILURE() << "a negative number in the table: ..." << r.out.substr(at > 20 ? at - 20 : 0, 40) << "...";
}

TEST(CliBenchTable, MissingOnnxRuntimeIsOneNote) {
    auto& d = eval_data();
    TempDir out;
    const auto int8 = out / "int8.onnx";
    model::export_onnx(tiny_int8_generator(), int8);
    const ScopedEnv peers("TOMOEDGE_PEERS_DIR", (out / "no peers here").string());
    const auto r = run_tomoedge({"bench", d.model_a.string(), "--table", "--int8", int8.string(), "--size", "32",
                                 "--runs", "1", "--warmup", "0", "--seam-free-tile", "32", "--threads", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(count(r.err, "no ONNX Runtime rows"), 1u) << r.err;  // one note for both models
    EXPECT_NE(r.err.find("no peers here"), std::string::npos) << r.err;  // it says where it looked
    EXPECT_NE(r.err.find("install-peers.sh"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("ONNX Runtime"), std::string::npos) << r.out;  // and no row
}

TEST(CliBenchTable, RunsOnnxRuntimeWithoutAShellFromAPathWithAQuote) {
    if (!have_node()) GTEST_SKIP() << "node is not installed";
    auto& d = eval_data();
    TempDir out;
    // A stand-in for bench/ort_time.js and its peers, in folders a shell string would break on.
    const auto folder = out / "it's here";
    std::filesystem::create_directories(folder / "peers" / "node_modules" / "onnxruntime-node");
    const auto script = folder / "ort \"time\".js";
    {
        std::ofstream js(script);
        js << "const [model, c, size, runs, threads] = process.argv.slice(2);\n"
              "if (!require('fs').existsSync(model)) { console.error('no model ' + model); process.exit(2); }\n"
              "console.log(JSON.stringify({median: 0.25, model, c: +c, size: +size}));\n";
    }
    const auto model = folder / "model 'a'.onnx";
    std::filesystem::copy_file(d.model_a, model);
    const ScopedEnv runner("TOMOEDGE_ORT_RUNNER", script.string());
    const ScopedEnv peers("TOMOEDGE_PEERS_DIR", (folder / "peers").string());
    const auto r = run_tomoedge({"bench", model.string(), "--table", "--size", "32", "--runs", "1", "--warmup", "0",
                                 "--threads", "1", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_TRUE(j.contains("onnxruntime")) << r.out << r.err;
    ASSERT_EQ(j.at("onnxruntime").size(), 1u);
    EXPECT_EQ(j.at("onnxruntime")[0].at("name"), "ONNX Runtime fp32");
    EXPECT_DOUBLE_EQ(j.at("onnxruntime")[0].at("median_s").get<double>(), 0.25);
}

TEST(CliBenchTable, Errors) {
    auto& d = eval_data();
    auto r = run_tomoedge({"bench", d.model_a.string(), "--int8", d.model_a.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("--int8 and --fine-tune belong to --table"), std::string::npos) << r.err;
    r = run_tomoedge({"bench", d.model_a.string(), "--table", "--fine-tune", d.model_a.string(), "--size", "64"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("need the int8 model"), std::string::npos) << r.err;
    r = run_tomoedge({"bench", d.model_a.string(), "--table", "--int8", d.model_a.string(), "--fine-tune",
                      d.model_a.string(), "--size", "64", "--no-ort"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("no Fine-Tune net"), std::string::npos) << r.err;
    r = run_tomoedge({"bench", d.model_a.string(), "--table", "--int8", "/nonexistent/m.onnx", "--size", "64"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("/nonexistent/m.onnx"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tomoedge::testing
