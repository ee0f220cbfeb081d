// summarize_scores against closed-form quartiles (numpy's linear interpolation), evenly_spaced
// and parse_model_spec.
#include "core/error.hpp"
#include "evaluate/evaluation.hpp"
#include "evaluate/summary.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <vector>

using namespace tomoedge;
using namespace tomoedge::evaluate;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();
}

TEST(Summary, OddCountHitsOrderStatistics) {
    const std::vector<double> v = {5, 1, 4, 2, 3};  // sorted 1..5: ranks 1, 2, 3 are exact
    const Summary s = summarize_scores(v);
    EXPECT_EQ(s.count, 5);
    EXPECT_EQ(s.infinite, 0);
    EXPECT_DOUBLE_EQ(s.mean, 3.0);
    EXPECT_DOUBLE_EQ(s.min, 1.0);
    EXPECT_DOUBLE_EQ(s.q1, 2.0);
    EXPECT_DOUBLE_EQ(s.median, 3.0);
    EXPECT_DOUBLE_EQ(s.q3, 4.0);
    EXPECT_DOUBLE_EQ(s.max, 5.0);
}

TEST(Summary, EvenCountInterpolatesLinearly) {
    // numpy.percentile([1, 2, 3, 4], [25, 50, 75]) = 1.75, 2.5, 3.25 (rank p/100 * (n - 1)).
    const Summary s = summarize_scores(std::vector<double>{4, 3, 2, 1});
    EXPECT_DOUBLE_EQ(s.q1, 1.75);
    EXPECT_DOUBLE_EQ(s.median, 2.5);
    EXPECT_DOUBLE_EQ(s.q3, 3.25);
    EXPECT_DOUBLE_EQ(s.mean, 2.5);
}

TEST(Summary, SkewedScoresAndOrdering) {
    // 0.1 0.2 0.3 0.9 1.0 1.1 2.0: q1 at rank 1.5 = 0.25, median 0.9, q3 at rank 4.5 = 1.05.
    const Summary s = summarize_scores(std::vector<double>{2.0, 0.9, 0.1, 1.1, 0.3, 1.0, 0.2});
    EXPECT_NEAR(s.q1, 0.25, 1e-7);
    EXPECT_NEAR(s.median, 0.9, 1e-7);
    EXPECT_NEAR(s.q3, 1.05, 1e-7);
    EXPECT_NEAR(s.mean, 5.6 / 7, 1e-12);
    EXPECT_LE(s.min, s.q1);
    EXPECT_LE(s.q3, s.max);
}

TEST(Summary, SingleValueIsEveryStatistic) {
    const Summary s = summarize_scores(std::vector<double>{0.8123456789});
    for (double x : {s.mean, s.min, s.q1, s.median, s.q3, s.max}) EXPECT_DOUBLE_EQ(x, 0.8123456789);
}

TEST(Summary, QuartilesNeverLeaveMinMaxDespiteFloatRounding) {
    // Values whose float roundings fall outside the doubles' range.
    const std::vector<double> v = {0.91234567891, 0.91234567892, 0.91234567893};
    const Summary s = summarize_scores(v);
    EXPECT_GE(s.q1, s.min);
    EXPECT_LE(s.q3, s.max);
    EXPECT_NEAR(s.median, v[1], 1e-7);
}

TEST(Summary, InfiniteScoresAreCountedNotSummarised) {
    const Summary s = summarize_scores(std::vector<double>{30.0, inf, 40.0});
    EXPECT_EQ(s.count, 2);
    EXPECT_EQ(s.infinite, 1);
    EXPECT_DOUBLE_EQ(s.mean, 35.0);
    EXPECT_DOUBLE_EQ(s.max, 40.0);
}

TEST(Summary, Errors) {
    EXPECT_THROW(summarize_scores(std::vector<double>{}), Error);
    EXPECT_THROW(summarize_scores(std::vector<double>{inf, inf}), Error);
    EXPECT_THROW(summarize_scores(std::vector<double>{1.0, std::nan("")}), Error);
}

TEST(EvenlySpaced, EndsIncludedAndDistinct) {
    EXPECT_EQ(evenly_spaced(10, 3), (std::vector<std::int64_t>{0, 5, 9}));  // 0, 4.5 -> 5, 9
    EXPECT_EQ(evenly_spaced(10, 2), (std::vector<std::int64_t>{0, 9}));
    EXPECT_EQ(evenly_spaced(5, 1), (std::vector<std::int64_t>{2}));
    EXPECT_EQ(evenly_spaced(1, 1), (std::vector<std::int64_t>{0}));
    EXPECT_EQ(evenly_spaced(4, 0), (std::vector<std::int64_t>{0, 1, 2, 3}));
    EXPECT_EQ(evenly_spaced(4, 9), (std::vector<std::int64_t>{0, 1, 2, 3}));
    for (std::int64_t count = 1; count <= 40; ++count)
        for (std::int64_t wanted = 1; wanted <= count; ++wanted) {
            const auto v = evenly_spaced(count, wanted);
            ASSERT_EQ(static_cast<std::int64_t>(v.size()), wanted);
            EXPECT_EQ(std::set<std::int64_t>(v.begin(), v.end()).size(), v.size()) << count << " " << wanted;
            EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
            EXPECT_GE(v.front(), 0);
            EXPECT_LT(v.back(), count);
            if (wanted > 1) {
                EXPECT_EQ(v.front(), 0);
                EXPECT_EQ(v.back(), count - 1);
            }
        }
    EXPECT_THROW(evenly_spaced(0, 1), Error);
    EXPECT_THROW(evenly_spaced(5, -1), Error);
}

TEST(ModelSpec, PrecisionSuffixAndLabel) {
    const ModelSpec plain = parse_model_spec("models/tomogan-sim.onnx");
    EXPECT_EQ(plain.file, "models/tomogan-sim.onnx");
    EXPECT_FALSE(plain.precision.has_value());
    EXPECT_EQ(plain.label, "tomogan-sim");
    const ModelSpec bf16 = parse_model_spec("m.onnx@bf16");
    EXPECT_EQ(bf16.file, "m.onnx");
    ASSERT_TRUE(bf16.precision.has_value());
    EXPECT_EQ(*bf16.precision, runtime::Precision::bf16);
    EXPECT_EQ(bf16.label, "m@bf16");
    const ModelSpec at_in_name = parse_model_spec("run@3/m.onnx");  // not a precision: part of the path
    EXPECT_EQ(at_in_name.file, "run@3/m.onnx");
    EXPECT_FALSE(at_in_name.precision.has_value());
    EXPECT_THROW(parse_model_spec(""), Error);
    EXPECT_THROW(parse_model_spec("@fp32"), Error);
}
