// `tomoedge demo`: the whole workflow with the shipped models, small, through the real executable.
#include "support/cli_runner.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

using tomoedge::testing::fixture;
using tomoedge::testing::run_tomoedge;
using tomoedge::testing::TempDir;

namespace {

const std::string shipped_models = fixture("../../models");

TEST(CliDemo, RunsEveryStepAndWritesItsFiles) {
    TempDir dir;
    const auto out = dir / "demo";
    const auto r = run_tomoedge({"demo", "-o", out.string(), "--models", shipped_models, "--slices", "3",
                                 "--bench-runs", "1", "--threads", "2"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* step : {"$ tomoedge simulate", "$ tomoedge recon", "$ tomoedge denoise", "$ tomoedge evaluate",
                             "$ tomoedge bench"})
        EXPECT_NE(r.out.find(step), std::string::npos) << step;
    EXPECT_NE(r.out.find("Table I on this machine"), std::string::npos);
    for (const char* file : {"data/dataset.h5", "recon_lowdose.h5", "denoised_fp32.h5", "denoised_int8.h5",
                             "denoised_int8-ft.h5", "evaluate.csv", "figures/quality_boxplot.png",
                             "figures/quality_boxplot.svg", "figures/slice_panel.png"})
        EXPECT_TRUE(std::filesystem::exists(out / file)) << file;
}

TEST(CliDemo, MissingModelsAreNamed) {
    TempDir dir;
    const auto r = run_tomoedge({"demo", "-o", (dir / "demo").string(), "--models", (dir / "none").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find((dir / "none" / "tomogan-general.onnx").string()), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "demo"));
    EXPECT_EQ(run_tomoedge({"demo", "--slices", "1"}).exit_code, 2);
}

}  // namespace
