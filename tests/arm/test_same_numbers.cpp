// Same numbers everywhere: `tomoedge denoise`, run by this build (x86 natively, aarch64 under
// qemu-aarch64-static), on the committed input of tests/fixtures/same_numbers, against what the
// x86 build's reference backend wrote (scripts/make-same-numbers-fixture.sh), whole image and
// tiles of 48 (the reference's tiles equal its whole image bit for bit, so one file serves both).
//   reference, int8 models: bit for bit. The integer program (TFLite's arithmetic) is portable
//       C++; only the input's QuantizeLinear and the output's DequantizeLinear touch floats, and
//       those are single IEEE operations, so any architecture must give the same integers.
//   onednn / xnnpack, int8 models: they requantize in float (scale x acc rounded once), not in
//       TFLite's Q31 fixed point, so they differ from the reference by up to 1 LSB per layer on
//       x86 already (test_onednn_int8.cpp: end to end max 5-11 LSB, mean <= 1). Same bounds here:
//       max 20, mean 2 output LSB, on every architecture.
//   fp32 model, every backend: within 1e-5 of the output's range (sums ordered and fused
//       differently by each backend and ISA).
#include "io/data_path.hpp"
#include "io/stack.hpp"
#include "support/cli_runner.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>
#include <string>
#include <tuple>

using namespace tomoedge;
using tomoedge::testing::run_tomoedge;
using tomoedge::testing::TempDir;

namespace {

const std::string kFixtures = std::string(TOMOEDGE_FIXTURES) + "/same_numbers/";

Tensor<float> read_stack(const std::string& path) { return io::StackReader::open(io::parse_data_path(path))->read_all(); }

// model (file stem under models/), backend, tile (0 = whole image)
using Case = std::tuple<std::string, std::string, int>;

class SameNumbers : public ::testing::TestWithParam<Case> {};

// The output's LSB: its values lie on the lattice low + k x (window scale x output scale), so the
// smallest gap between distinct values of the reference output is one step (float rounding of the
// denormalisation moves gaps by ~1e-7 of the range, far below a step).
double output_lsb(const Tensor<float>& reference) {
    std::vector<float> v(reference.begin(), reference.end());
    std::sort(v.begin(), v.end());
    double gap = 0;
    for (std::size_t i = 1; i < v.size(); ++i)
        if (const double d = static_cast<double>(v[i]) - v[i - 1]; d > 0 && (gap == 0 || d < gap)) gap = d;
    return gap;
}

TEST_P(SameNumbers, MatchesX86Reference) {
    const auto& [model, backend, tile] = GetParam();
    const bool int8 = model.find("int8") != std::string::npos;
    if (backend == "xnnpack" && !int8) GTEST_SKIP() << "the xnnpack backend runs int8 models only";
    TempDir dir;
    const std::string out = (dir / "out.tif").string();
    const auto r = run_tomoedge({"denoise", std::string(TOMOEDGE_SOURCE_DIR) + "/models/" + model + ".onnx",
                                 kFixtures + "input.tif", out, "--backend", backend, "--tile", std::to_string(tile)});
    if (backend == "xnnpack" && r.exit_code != 0 && r.err.find("unknown backend") != std::string::npos)
        GTEST_SKIP() << "built without XNNPACK";
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Tensor<float> want = read_stack(kFixtures + model + ".whole.tif");
    const Tensor<float> got = read_stack(out);
    ASSERT_EQ(got.shape(), want.shape());

    const auto [lo, hi] = std::minmax_element(want.begin(), want.end());
    const double range = *hi - *lo;
    ASSERT_GT(range, 0);
    double max_diff = 0, sum_diff = 0;
    std::int64_t differ = 0;
    for (std::int64_t i = 0; i < want.size(); ++i) {
        const double d = std::abs(static_cast<double>(got[i]) - want[i]);
        max_diff = std::max(max_diff, d);
        sum_diff += d;
        differ += got[i] != want[i];
    }
    const double mean_diff = sum_diff / static_cast<double>(want.size());
    std::string report = model + " --backend " + backend + " --tile " + std::to_string(tile) + ": " +
                         std::to_string(differ) + " of " + std::to_string(want.size()) + " pixels differ, max |diff| " +
                         std::to_string(max_diff / range) + " of the range";
    if (int8) {
        const double lsb = output_lsb(want);
        ASSERT_GT(lsb, 0);
        report += ", max " + std::to_string(max_diff / lsb) + " LSB, mean " + std::to_string(mean_diff / lsb) + " LSB";
        RecordProperty("max_lsb", std::to_string(max_diff / lsb));
        RecordProperty("mean_lsb", std::to_string(mean_diff / lsb));
    }
    RecordProperty("max_diff_of_range", std::to_string(max_diff / range));
    std::printf("same numbers: %s\n", report.c_str());
    if (int8 && backend == "reference") {
        EXPECT_EQ(differ, 0) << report;
    } else if (int8) {
        const double lsb = output_lsb(want);
        EXPECT_LE(max_diff / lsb, 20.0) << report;
        EXPECT_LE(mean_diff / lsb, 2.0) << report;
    } else {
        EXPECT_LE(max_diff, 1e-5 * range) << report;
    }
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
    std::string name = std::get<0>(info.param) + "_" + std::get<1>(info.param) + "_" +
                       (std::get<2>(info.param) == 0 ? "whole" : "tile" + std::to_string(std::get<2>(info.param)));
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

INSTANTIATE_TEST_SUITE_P(ShippedModels, SameNumbers,
                         ::testing::Combine(::testing::Values("tomogan-general-int8", "tomogan-general-int8-ft",
                                                              "tomogan-general"),
                                            ::testing::Values("reference", "onednn", "xnnpack"), ::testing::Values(0, 48)),
                         case_name);

}  // namespace
