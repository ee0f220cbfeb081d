#include "core/error.hpp"
#include "core/statistics.hpp"
#include "core/timer.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

using namespace tomoedge;

// Oracle: numpy.percentile(np.arange(11), p) with the default linear method is p/10.
TEST(Percentile, MatchesLinearInterpolationClosedForm) {
    std::vector<float> v(11);
    std::iota(v.begin(), v.end(), 0.0f);
    std::reverse(v.begin(), v.end());  // order must not matter
    EXPECT_DOUBLE_EQ(percentile(v, 0), 0.0);
    EXPECT_DOUBLE_EQ(percentile(v, 100), 10.0);
    EXPECT_NEAR(percentile(v, 25), 2.5, 1e-12);
    EXPECT_NEAR(percentile(v, 99.5), 9.95, 1e-12);
    auto [lo, hi] = percentile_range(v, 10, 90);
    EXPECT_NEAR(lo, 1.0, 1e-12);
    EXPECT_NEAR(hi, 9.0, 1e-12);
}

TEST(Percentile, RejectsEmptyAndOutOfRange) {
    std::vector<float> empty;
    EXPECT_THROW(percentile(empty, 50), Error);
    std::vector<float> one{1.0f};
    EXPECT_THROW(percentile(one, 101), Error);
    EXPECT_DOUBLE_EQ(percentile(one, 50), 1.0);
}

TEST(ValueRange, MinMaxMean) {
    std::vector<float> v{3, -1, 4, 2};
    auto r = value_range(v);
    EXPECT_EQ(r.min, -1);
    EXPECT_EQ(r.max, 4);
    EXPECT_DOUBLE_EQ(r.mean, 2.0);
}

TEST(Summarize, MedianOfOddAndEvenCounts) {
    auto a = summarize({5, 1, 3});
    EXPECT_EQ(a.median, 3);
    EXPECT_EQ(a.min, 1);
    EXPECT_EQ(a.max, 5);
    EXPECT_EQ(summarize({4, 1, 3, 2}).median, 2.5);
    EXPECT_EQ(summarize({}).runs, 0);
}

TEST(PeakRss, IsPositive) { EXPECT_GT(peak_rss_bytes(), 0); }
