// evaluate_models on simulated data with random models: its per-slice numbers are the metrics
// module's SSIM/PSNR of exactly what `tomoedge denoise` writes, and every error names its file.
#include "support/error_message.hpp"
#include "core/error.hpp"
#include "eval_fixture.hpp"
#include "evaluate/evaluation.hpp"
#include "io/hdf5.hpp"
#include "io/stack.hpp"
#include "metrics/image_quality.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

constexpr auto error_of = &tomoedge::testing::message_of;

using namespace tomoedge;
using namespace tomoedge::evaluate;
using tomoedge::testing::eval_data;
using tomoedge::testing::run_tomoedge;

namespace {

io::DataPath h5(const std::filesystem::path& file, const std::string& dataset) {
    return io::DataPath{file, dataset, io::StackFormat::hdf5};
}

Tensor<float> read_slice(const io::DataPath& path, std::int64_t i) { return io::StackReader::open(path)->read(i, 1); }

EvaluateOptions reference_options() {
    EvaluateOptions o;
    o.backend.backend = "reference";
    return o;
}

}  // namespace

TEST(Evaluate, ScoresAreMetricsOfWhatDenoiseWrites) {
    auto& d = eval_data();
    const auto dn = d.dir / "dn.h5";
    const auto r = run_tomoedge({"denoise", d.model_a.string(), d.data.string() + ":test_ns", dn.string() + ":dn",
                                 "--backend", "reference", "--dtype", "f32"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Evaluation ev = evaluate_models(h5(d.data, "test_ns"), h5(d.data, "test_gt"), {parse_model_spec(d.model_a.string())},
                                          reference_options());
    ASSERT_EQ(ev.shape, (Shape{d.slices, d.size, d.size}));
    ASSERT_EQ(ev.slices.size(), static_cast<std::size_t>(d.slices));
    ASSERT_EQ(ev.methods.size(), 2u);
    EXPECT_EQ(ev.methods[0].label, "noisy");
    EXPECT_EQ(ev.methods[1].label, "a");
    EXPECT_EQ(ev.methods[1].precision, "fp32");
    EXPECT_EQ(ev.methods[1].weights, "random");
    for (std::int64_t i = 0; i < d.slices; ++i) {
        const Tensor<float> gt = read_slice(h5(d.data, "test_gt"), i);
        const Tensor<float> ns = read_slice(h5(d.data, "test_ns"), i);
        const Tensor<float> out = read_slice(h5(dn, "dn"), i);
        const auto k = static_cast<std::size_t>(i);
        EXPECT_DOUBLE_EQ(ev.methods[0].per_slice[k].ssim, metrics::ssim(ns.span(), gt.span(), d.size, d.size));
        EXPECT_DOUBLE_EQ(ev.methods[0].per_slice[k].psnr, metrics::psnr(ns.span(), gt.span()));
        EXPECT_DOUBLE_EQ(ev.methods[1].per_slice[k].ssim, metrics::ssim(out.span(), gt.span(), d.size, d.size));
        EXPECT_DOUBLE_EQ(ev.methods[1].per_slice[k].psnr, metrics::psnr(out.span(), gt.span()));
    }
}

TEST(Evaluate, SubsetAndPanel) {
    auto& d = eval_data();
    const std::vector<ModelSpec> models = {parse_model_spec(d.model_a.string()), parse_model_spec(d.model_b.string())};
    const Evaluation all = evaluate_models(h5(d.data, "test_ns"), h5(d.data, "test_gt"), models, reference_options());
    EvaluateOptions o = reference_options();
    o.slices = 2;
    o.panel_slice = 1;  // not among the scored slices {0, 4}
    std::int64_t calls = 0, last_total = 0;
    o.on_slice = [&](std::int64_t done, std::int64_t total) {
        ++calls;
        EXPECT_EQ(done, calls);
        last_total = total;
    };
    const Evaluation some = evaluate_models(h5(d.data, "test_ns"), h5(d.data, "test_gt"), models, o);
    EXPECT_EQ(some.slices, (std::vector<std::int64_t>{0, 4}));
    EXPECT_EQ(calls, 3);  // two scored slices and the panel slice
    EXPECT_EQ(last_total, 3);
    for (std::size_t m = 0; m < 3; ++m) {
        ASSERT_EQ(some.methods[m].per_slice.size(), 2u);
        EXPECT_DOUBLE_EQ(some.methods[m].per_slice[0].ssim, all.methods[m].per_slice[0].ssim);
        EXPECT_DOUBLE_EQ(some.methods[m].per_slice[1].ssim, all.methods[m].per_slice[4].ssim);
    }
    // Panel: noisy | a | b | truth, slice 1.
    EXPECT_EQ(some.panel_slice, 1);
    ASSERT_EQ(some.panel_images.size(), 4u);
    EXPECT_EQ(some.panel_labels, (std::vector<std::string>{"noisy", "a", "b", "ground truth"}));
    const Tensor<float> ns = read_slice(h5(d.data, "test_ns"), 1), gt = read_slice(h5(d.data, "test_gt"), 1);
    EXPECT_TRUE(std::equal(ns.begin(), ns.end(), some.panel_images[0].begin()));
    EXPECT_TRUE(std::equal(gt.begin(), gt.end(), some.panel_images[3].begin()));
    // The model image of the panel is that model's restoration: its SSIM is the full run's slice 1.
    EXPECT_DOUBLE_EQ(metrics::ssim(some.panel_images[2].span(), gt.span(), d.size, d.size),
                     all.methods[2].per_slice[1].ssim);
    EXPECT_EQ(all.panel_slice, 2);  // default: the middle scored slice
}

TEST(Evaluate, OnednnAgreesWithReference) {
    auto& d = eval_data();
    const std::vector<ModelSpec> models = {parse_model_spec(d.model_a.string())};
    EvaluateOptions o;
    o.slices = 2;
    const Evaluation fast = evaluate_models(h5(d.data, "test_ns"), h5(d.data, "test_gt"), models, o);
    o.backend.backend = "reference";
    const Evaluation ref = evaluate_models(h5(d.data, "test_ns"), h5(d.data, "test_gt"), models, o);
    EXPECT_EQ(fast.methods[1].backend, "onednn");
    for (std::size_t s = 0; s < 2; ++s) EXPECT_NEAR(fast.methods[1].per_slice[s].ssim, ref.methods[1].per_slice[s].ssim, 1e-4);
}

TEST(Evaluate, Errors) {
    auto& d = eval_data();
    const auto ns = h5(d.data, "test_ns"), gt = h5(d.data, "test_gt");
    const std::vector<ModelSpec> models = {parse_model_spec(d.model_a.string())};
    EXPECT_NE(error_of([&] { evaluate_models(ns, gt, {}, {}); }).find("no models"), std::string::npos);

    const std::string missing = error_of([&] { evaluate_models(ns, h5(d.data, "nope"), models, {}); });
    EXPECT_NE(missing.find("nope"), std::string::npos) << missing;

    // Truth with fewer slices than the noisy stack.
    const auto short_truth = d.dir / "short.h5";
    {
        io::Hdf5Writer w(short_truth);
        w.write("gt", read_slice(gt, 0), {});
        w.commit();
    }
    const std::string shape = error_of([&] { evaluate_models(ns, h5(short_truth, "gt"), models, {}); });
    EXPECT_NE(shape.find("shape"), std::string::npos) << shape;
    EXPECT_NE(shape.find("short.h5"), std::string::npos) << shape;

    const auto bad = d.dir / "bad.onnx";
    std::ofstream(bad) << "this is not a protobuf";
    const std::string bad_model = error_of([&] { evaluate_models(ns, gt, {parse_model_spec(bad.string())}, {}); });
    EXPECT_NE(bad_model.find("bad.onnx"), std::string::npos) << bad_model;
    const std::string no_model =
        error_of([&] { evaluate_models(ns, gt, {parse_model_spec((d.dir / "absent.onnx").string())}, {}); });
    EXPECT_NE(no_model.find("absent.onnx"), std::string::npos) << no_model;

    EvaluateOptions o;
    o.panel_slice = 99;
    EXPECT_NE(error_of([&] { evaluate_models(ns, gt, models, o); }).find("panel slice 99"), std::string::npos);
}
