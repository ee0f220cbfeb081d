// `tomoedge finetune` on a tiny configuration: the training loss falls, the Fine-Tune net beats
// the int8 output on the data it saw, the result is one int8 graph with the recipe in its
// metadata, the trained net exports by name; error paths (model not int8 or already
// fine-tuned, data without the train splits, too many slices, bad flags) and the command.
#include "pipeline/training_files.hpp"
#include "core/error.hpp"
#include "io/hdf5.hpp"
#include "model/model_info.hpp"
#include "model/onnx_export.hpp"
#include "model/onnx_import.hpp"
#include "model/tomogan.hpp"
#include "pipeline/quantize_file.hpp"
#include "quant/quantize_model.hpp"
#include "runtime/int8/qdq_graph.hpp"
#include "support/cli_runner.hpp"
#include "support/temp_dir.hpp"
#include "train/finetune.hpp"
#include "train/finetune_net.hpp"
#include "train_fixtures.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <numeric>

using namespace tomoedge;
using namespace tomoedge::train;
using tomoedge::testing::run_tomoedge;
using tomoedge::testing::TempDir;
using tomoedge::train_testing::message_of;
using tomoedge::train_testing::write_dataset;

namespace {

class FineTune : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir();
        data_ = dir_->path() / "data.h5";
        write_dataset(data_, 6, 32, 3, 24);
        model::TomoGanConfig c;
        c.width = 0.25;
        c.seed = 11;
        fp32_ = new model::Graph(model::build_tomogan(c));
        quant::QuantizeOptions qo;
        qo.slices = 4;
        int8_ = new model::Graph(pipeline::quantize_file(*fp32_, io::DataPath{data_, "train_ns"}, qo));
        int8_path_ = dir_->path() / "int8.onnx";
        model::export_onnx(*int8_, int8_path_);
    }
    static void TearDownTestSuite() {
        delete int8_;
        delete fp32_;
        delete dir_;
    }
    static FineTuneOptions tiny() {
        FineTuneOptions o;
        o.data = data_;
        o.slices = 4;
        o.backend.backend = "reference";
        o.iterations = 80;
        o.patch = 16;
        o.batch = 4;
        o.lr = 3e-3;
        o.threads = 1;
        o.seed = 2;
        return o;
    }
    static TempDir* dir_;
    static std::filesystem::path data_, int8_path_;
    static model::Graph *fp32_, *int8_;
};
TempDir* FineTune::dir_ = nullptr;
std::filesystem::path FineTune::data_, FineTune::int8_path_;
model::Graph* FineTune::fp32_ = nullptr;
model::Graph* FineTune::int8_ = nullptr;

double mean(const std::vector<double>& v, std::size_t first, std::size_t count) {
    return std::accumulate(v.begin() + static_cast<std::ptrdiff_t>(first),
                           v.begin() + static_cast<std::ptrdiff_t>(first + count), 0.0) /
           static_cast<double>(count);
}

}  // namespace

TEST_F(FineTune, LowersItsLossAndTheInt8ErrorAndChainsIntoOneInt8Graph) {
    const FineTuneResult r = pipeline::finetune_file(*int8_, tiny());
    ASSERT_EQ(r.losses.size(), 80u);
    EXPECT_LT(mean(r.losses, 70, 10), 0.8 * mean(r.losses, 0, 10));
    EXPECT_LT(r.finetune_mse, r.int8_mse);
    // One QDQ graph: the generator's steps and the Fine-Tune net's, one integer program.
    ASSERT_TRUE(runtime::int8::is_qdq(r.model));
    EXPECT_EQ(runtime::int8::lower_qdq(r.model).steps.size(), runtime::int8::lower_qdq(*int8_).steps.size() + 5);
    EXPECT_EQ(r.model.input_channels, 3);
    // Metadata: the generator's, plus the Fine-Tune recipe.
    model::ModelInfo info = model::read_model_info(r.model);
    const auto recipe = nlohmann::json::parse(info.finetune);
    EXPECT_EQ(recipe.at("slices"), 4);
    EXPECT_EQ(recipe.at("iterations"), 80);
    EXPECT_EQ(recipe.at("net").at("channels"), 4);
    EXPECT_EQ(recipe.at("macs_1024").at("finetune"), 218 * 1024 * 1024);
    info.finetune.clear();
    EXPECT_EQ(info, model::read_model_info(*int8_));
    // The exported fp32 net is what the torch module computes.
    EXPECT_EQ(model::count_conv_macs(r.finetune_fp32, Shape{1, 1, 8, 8}), 218 * 64);
}

TEST_F(FineTune, SameSeedSameNet) {
    FineTuneOptions o = tiny();
    o.iterations = 5;
    const FineTuneResult a = pipeline::finetune_file(*int8_, o);
    const FineTuneResult b = pipeline::finetune_file(*int8_, o);
    EXPECT_EQ(a.losses, b.losses);
    for (const auto& [name, c] : a.finetune_fp32.constants)
        for (std::int64_t i = 0; i < c.f32.size(); ++i) ASSERT_EQ(c.f32[i], b.finetune_fp32.constants.at(name).f32[i]);
}

TEST_F(FineTune, TorchNetMatchesItsExportedGraph) {
    model::FineTuneConfig config{4, 3, 0.4, 0};
    torch::manual_seed(5);
    FineTuneNet net(config);
    const model::Graph g = finetune_to_graph(*net);
    Tensor<float> x(Shape{1, 1, 12, 12});
    for (std::int64_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 37) % 100) / 100.0f;
    torch::NoGradGuard no_grad;
    const torch::Tensor y = net->forward(train_testing::view(x)).contiguous();
    runtime::BackendOptions bo;
    bo.backend = "reference";
    const Tensor<float> z = runtime::make_backend(g, bo)->run(x);
    for (std::int64_t i = 0; i < z.size(); ++i) ASSERT_NEAR(z[i], y.data_ptr<float>()[i], 1e-5) << i;
}

TEST_F(FineTune, Errors) {
    // not int8
    EXPECT_NE(message_of([&] { pipeline::finetune_file(*fp32_, tiny()); }).find("not an int8 (QDQ) model"), std::string::npos);
    // already fine-tuned
    {
        FineTuneOptions o = tiny();
        o.iterations = 2;
        const FineTuneResult r = pipeline::finetune_file(*int8_, o);
        EXPECT_NE(message_of([&] { pipeline::finetune_file(r.model, o); }).find("already has a Fine-Tune net"), std::string::npos);
    }
    // data without the train splits
    {
        const auto file = dir_->path() / "test_only.h5";
        io::Hdf5Writer w(file);
        w.write("test_ns", Tensor<float>(Shape{2, 16, 16}, 1.0f));
        w.write("test_gt", Tensor<float>(Shape{2, 16, 16}, 1.0f));
        w.commit();
        FineTuneOptions o = tiny();
        o.data = file;
        const std::string m = message_of([&] { pipeline::finetune_file(*int8_, o); });
        EXPECT_NE(m.find("test_only.h5"), std::string::npos) << m;
        EXPECT_NE(m.find("train_ns"), std::string::npos) << m;
    }
    // more slices than the data has
    {
        FineTuneOptions o = tiny();
        o.slices = 7;
        EXPECT_NE(message_of([&] { pipeline::finetune_file(*int8_, o); }).find("fewer than --slices 7"), std::string::npos);
    }
    // bad options, each naming its flag
    const std::vector<std::pair<std::function<void(FineTuneOptions&)>, std::string>> bad = {
        {[](FineTuneOptions& o) { o.slices = 0; }, "--slices"},
        {[](FineTuneOptions& o) { o.iterations = 0; }, "--iterations"},
        {[](FineTuneOptions& o) { o.patch = 12; }, "--patch"},
        {[](FineTuneOptions& o) { o.batch = 0; }, "--batch"},
        {[](FineTuneOptions& o) { o.lr = -1; }, "--lr"},
        {[](FineTuneOptions& o) { o.net.channels = 0; }, "--channels"},
        {[](FineTuneOptions& o) { o.net.convs = 1; }, "--convs"},
        {[](FineTuneOptions& o) { o.data.clear(); }, "--data"},
    };
    for (const auto& [change, flag] : bad) {
        FineTuneOptions o = tiny();
        change(o);
        EXPECT_NE(message_of([&] { pipeline::finetune_file(*int8_, o); }).find(flag), std::string::npos) << flag;
    }
}

TEST_F(FineTune, Command) {
    const auto out = dir_->path() / "int8-ft.onnx";
    const auto net = dir_->path() / "ft-only.onnx";
    const auto r = run_tomoedge({"finetune", int8_path_.string(), "--data", data_.string(), "-o", out.string(),
                                 "--slices", "3", "--iterations", "10", "--patch", "16", "--batch", "2",
                                 "--backend", "reference", "--threads", "1", "--save-net", net.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("slices"), 3);
    EXPECT_EQ(j.at("macs_1024").at("finetune"), 218 * 1024 * 1024);
    const model::Graph g = model::import_onnx(out);
    EXPECT_FALSE(model::read_model_info(g).finetune.empty());
    EXPECT_NO_THROW(runtime::int8::lower_qdq(g));
    // The net alone: one input channel (the generator's output), five integer steps.
    const model::Graph alone = model::import_onnx(net);
    EXPECT_EQ(alone.input_channels, 1);
    EXPECT_EQ(runtime::int8::lower_qdq(alone).steps.size(), 5u);
    // The table form.
    const auto t = run_tomoedge({"finetune", int8_path_.string(), "--data", data_.string(), "-o", out.string(),
                                 "--slices", "2", "--iterations", "3", "--patch", "16", "--backend", "reference"});
    ASSERT_EQ(t.exit_code, 0) << t.err;
    EXPECT_NE(t.out.find("FT MACs at 1024x1024"), std::string::npos);
    // Errors: a float model (exit 1, one line naming the problem); bad flags (exit 2).
    const auto fp32 = dir_->path() / "fp32.onnx";
    model::export_onnx(*fp32_, fp32);
    const auto e = run_tomoedge({"finetune", fp32.string(), "--data", data_.string(), "-o", out.string()});
    EXPECT_EQ(e.exit_code, 1);
    EXPECT_NE(e.err.find("not an int8 (QDQ) model"), std::string::npos) << e.err;
    EXPECT_EQ(run_tomoedge({"finetune", int8_path_.string(), "--data", data_.string(), "-o", out.string(), "--slices",
                            "0"}).exit_code, 2);
    EXPECT_EQ(run_tomoedge({"finetune", int8_path_.string(), "-o", out.string()}).exit_code, 2);
}
