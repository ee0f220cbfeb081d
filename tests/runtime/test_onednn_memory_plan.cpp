// Arena placement of the oneDNN plans: buffers alive at the same time never overlap, others share.
#include "runtime/onednn/plan.hpp"

#include <gtest/gtest.h>

#include <random>

using tomoedge::runtime::onednn::Interval;
using tomoedge::runtime::onednn::place_intervals;

TEST(OnednnMemoryPlan, ChainReusesTwoBuffers) {
    // a -> b -> c -> d, each read only by the next step: two slots suffice.
    const std::vector<Interval> chain{{100, 0, 1}, {100, 1, 2}, {100, 2, 3}, {100, 3, 4}};
    std::size_t total = 0;
    const auto offsets = place_intervals(chain, 64, total);
    EXPECT_EQ(total, 256u);  // two slots of 128 (100 rounded to the alignment)
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) EXPECT_NE(offsets[i], offsets[i + 1]);
}

TEST(OnednnMemoryPlan, RandomLifetimesNeverOverlapWhileAlive) {
    std::mt19937 rng(7);
    for (int trial = 0; trial < 50; ++trial) {
        std::vector<Interval> buffers;
        for (int i = 0; i < 30; ++i) {
            const int first = static_cast<int>(rng() % 40);
            buffers.push_back({1 + rng() % 5000, first, first + static_cast<int>(rng() % 10)});
        }
        std::size_t total = 0;
        const auto offsets = place_intervals(buffers, 64, total);
        std::size_t sum = 0;
        for (std::size_t i = 0; i < buffers.size(); ++i) {
            EXPECT_EQ(offsets[i] % 64, 0u);
            EXPECT_LE(offsets[i] + buffers[i].bytes, total);
            sum += (buffers[i].bytes + 63) / 64 * 64;
            for (std::size_t j = 0; j < i; ++j) {
                const bool alive_together = buffers[i].first <= buffers[j].last && buffers[j].first <= buffers[i].last;
                const bool overlap = offsets[i] < offsets[j] + buffers[j].bytes && offsets[j] < offsets[i] + buffers[i].bytes;
                EXPECT_FALSE(alive_together && overlap) << "trial " << trial << " buffers " << i << ", " << j;
            }
        }
        EXPECT_LE(total, sum);
    }
}
