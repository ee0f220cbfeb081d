// Table I's Fine-Tune column (evaluate/speed_table.hpp): it is the Fine-Tune net's steps measured
// inside the chained model's runs (the per-step profile), never a difference of two medians, and
// no duration the table prints is negative. Speed itself is never asserted.
#include "chained_model.hpp"
#include "core/error.hpp"
#include "evaluate/speed_table.hpp"
#include "runtime/onednn_backend.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>

using namespace tomoedge;
using namespace tomoedge::evaluate;

namespace {

// Whether a printed cell shows a negative number ("-0.0048", "-3"); "-" alone means "does not apply".
bool negative_number(const std::string& cell) {
    return cell.size() > 1 && cell[0] == '-' && (std::isdigit(static_cast<unsigned char>(cell[1])) || cell[1] == '.');
}

Tensor<float> random_input(const model::Graph& g, std::int64_t size) {
    Tensor<float> t(Shape{1, g.input_channels, size, size});
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (float& v : t.span()) v = u(rng);
    return t;
}

}  // namespace

TEST(SpeedTable, FineTuneSecondsAreTheSumOfTheFineTuneSteps) {
    // A made-up profile: generator steps, the fused tail, and general-path Fine-Tune steps.
    const std::vector<ProfileStep> steps{{"input", "QuantizeLinear", 0.001},
                                         {"down1_conv1", "Conv 3x3", 0.040},
                                         {"head2", "Conv 1x1", 0.002},
                                         {"ft_conv1..ft_residual", "Fine-Tune tail, 4 convs fused", 0.0013},
                                         {"ft_conv2", "Conv 3x3 4->4", 0.0007},
                                         {"output", "DequantizeLinear", 0.0005}};
    const std::set<std::string> nodes{"ft_conv1", "ft_conv2", "ft_conv3", "ft_concat", "ft_residual",
                                      "ft_conv1..ft_residual"};
    EXPECT_DOUBLE_EQ(fine_tune_seconds(steps, nodes), 0.0013 + 0.0007);
    EXPECT_DOUBLE_EQ(fine_tune_seconds(steps, {}), 0.0);
    EXPECT_DOUBLE_EQ(fine_tune_seconds({}, nodes), 0.0);
    // A step time below zero (impossible from a stopwatch) does not make the sum negative.
    EXPECT_GE(fine_tune_seconds({{"ft_conv2", "Conv", -1.0}}, nodes), 0.0);
}

TEST(SpeedTable, FineTuneNodesAreFoundByStructure) {
    const model::Graph chained = tomoedge::testing::tiny_int8_with_fine_tune();
    const std::set<std::string> nodes = fine_tune_step_nodes(chained);
    ASSERT_FALSE(nodes.empty());
    for (const char* name : {"ft_conv1", "ft_conv2", "ft_conv3"}) EXPECT_TRUE(nodes.count(name)) << name;
    bool fused_name = false;
    for (const auto& n : nodes) fused_name = fused_name || n.find("..") != std::string::npos;
    EXPECT_TRUE(fused_name);  // the fused kernel's step name
    for (const auto& n : nodes) EXPECT_EQ(n.rfind("down", 0), std::string::npos) << "a generator step: " << n;
    EXPECT_TRUE(fine_tune_step_nodes(tomoedge::testing::tiny_int8_generator()).empty());
}

TEST(SpeedTable, FineTuneTimeComesFromTheMeasuredProfile) {
    // The oneDNN backend's own profile of the chained model: the Fine-Tune steps (fused or not)
    // are found there, take time, and are a part of the run, not all of it.
    const model::Graph chained = tomoedge::testing::tiny_int8_with_fine_tune();
    runtime::BackendOptions options;
    options.precision = runtime::Precision::int8;
    options.threads = 1;
    runtime::OnednnBackend backend(chained, options);
    backend.set_profiling(true);
    backend.run(random_input(chained, 64));
    std::vector<ProfileStep> steps;
    double all = 0;
    for (const auto& s : backend.profile()) {
        steps.push_back({s.node, s.what, s.seconds});
        all += s.seconds;
    }
    const std::set<std::string> nodes = fine_tune_step_nodes(chained);
    double expected = 0;
    int matched = 0;
    for (const auto& s : steps)
        if (nodes.count(s.node)) {
            expected += s.seconds;
            ++matched;
        }
    EXPECT_GE(matched, 1);
    const double ft = fine_tune_seconds(steps, nodes);
    EXPECT_DOUBLE_EQ(ft, expected);
    EXPECT_GT(ft, 0.0);
    EXPECT_LT(ft, all);
}

TEST(SpeedTable, FineTuneRowsAreMeasuredInsideTheChainedRuns) {
    const model::Graph fp32 = tomoedge::testing::tiny_generator(1);
    const model::Graph int8 = tomoedge::testing::tiny_int8_generator();
    const model::Graph chained = tomoedge::testing::tiny_int8_with_fine_tune();
    SpeedTableConfig c;
    c.fp32 = &fp32;
    c.int8 = &int8;
    c.int8_ft = &chained;
    c.size = 64;
    c.runs = 3;
    c.warmup = 0;
    c.threads = 1;
    c.paper_tile = 32;
    c.seam_free_tile = 32;
    const auto rows = measure_speed_table(c);
    int fine_tune_rows = 0;
    for (const auto& r : rows) {
        if (!r.fine_tune) {
            EXPECT_TRUE(std::isnan(r.fine_tune_s)) << r.name;
            continue;
        }
        ++fine_tune_rows;
        ASSERT_FALSE(std::isnan(r.fine_tune_s)) << r.name;
        EXPECT_GT(r.fine_tune_s, 0.0) << r.name;
        EXPECT_LE(r.fine_tune_s, r.total_s) << r.name;  // a part of the run it was measured in
    }
    EXPECT_EQ(fine_tune_rows, 3);
    const SpeedTableText text = speed_table_text(rows, {{"ONNX Runtime fp32", 0.5}});
    for (const auto& line : text.cells) {
        ASSERT_EQ(line.size(), text.header.size());
        for (const auto& cell : line) EXPECT_FALSE(negative_number(cell)) << cell;
    }
}

TEST(SpeedTable, NoNegativeDurationIsEverPrinted) {
    EXPECT_EQ(duration_cell(std::numeric_limits<double>::quiet_NaN()), "-");
    EXPECT_EQ(duration_cell(0.12345), "0.1235");
    bool clamped = false;
    EXPECT_EQ(duration_cell(0.0, &clamped), "0.0000");
    EXPECT_FALSE(clamped);
    EXPECT_EQ(duration_cell(-0.0048, &clamped), "0.0000*");
    EXPECT_TRUE(clamped);

    // Rows with every kind of value, including negative ones no measurement makes any more.
    SpeedRow plain{"int8", "int8", "whole image"};
    plain.model_s = plain.total_s = 0.1;
    plain.stitch_s = plain.fine_tune_s = std::numeric_limits<double>::quiet_NaN();
    SpeedRow ft{"int8 + Fine-Tune", "int8", "whole image", true};
    ft.model_s = 0.1;
    ft.fine_tune_s = -0.0048;
    ft.stitch_s = -1e-9;
    ft.total_s = 0.095;
    const SpeedTableText text = speed_table_text({plain, ft}, {{"ONNX Runtime int8 (QDQ)", -0.2}});
    for (const auto& line : text.cells)
        for (const auto& cell : line) EXPECT_FALSE(negative_number(cell)) << cell;
    bool noted = false;
    for (const auto& note : text.notes) noted = noted || note.find("negative") != std::string::npos;
    EXPECT_TRUE(noted);
    // Without anything clamped, no such note.
    for (const auto& note : speed_table_text({plain}, {}).notes) EXPECT_EQ(note.find("negative"), std::string::npos);
}

TEST(SpeedTable, RefusesAFineTuneModelWithoutAFineTuneNet) {
    const model::Graph fp32 = tomoedge::testing::tiny_generator(1);
    const model::Graph int8 = tomoedge::testing::tiny_int8_generator();
    SpeedTableConfig c;
    c.fp32 = &fp32;
    c.int8 = &int8;
    c.int8_ft = &int8;  // the generator alone
    c.size = 32;
    c.runs = 1;
    try {
        measure_speed_table(c);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("no Fine-Tune net"), std::string::npos) << e.what();
    }
}
