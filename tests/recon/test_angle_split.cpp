// Noise2Inverse's angle split: the interleaved subsets, the half-turn check, and the closed-form
// property the method relies on (FBP is linear, weight pi / angles: the mean of the K
// sub-reconstructions is the full reconstruction).
#include "support/error_message.hpp"
#include "core/error.hpp"
#include "recon/angle_split.hpp"
#include "recon/fbp.hpp"
#include "recon/phantom.hpp"
#include "recon/projector.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

using tomoedge::testing::message_of;

using namespace tomoedge;
using namespace tomoedge::recon;

namespace {

}  // namespace

TEST(AngleSplit, EveryAngleInExactlyOneSubsetInterleaved) {
    for (auto [angles, k] : {std::pair<std::int64_t, int>{64, 4}, {67, 4}, {90, 3}, {16, 2}}) {
        const auto subsets = interleaved_angle_subsets(angles, k);
        ASSERT_EQ(subsets.size(), static_cast<std::size_t>(k));
        std::multiset<std::int64_t> seen;
        for (int j = 0; j < k; ++j) {
            const auto& s = subsets[static_cast<std::size_t>(j)];
            ASSERT_FALSE(s.empty());
            EXPECT_EQ(s.front(), j);
            for (std::size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s[i], j + static_cast<std::int64_t>(i) * k);
            seen.insert(s.begin(), s.end());
        }
        ASSERT_EQ(static_cast<std::int64_t>(seen.size()), angles);
        for (std::int64_t a = 0; a < angles; ++a) EXPECT_EQ(seen.count(a), 1u) << a;
    }
}

TEST(AngleSplit, TooFewSubsetsOrAnglesAreErrors) {
    EXPECT_NE(message_of([] { interleaved_angle_subsets(64, 1); }).find("at least 2 subsets"), std::string::npos);
    const std::string m = message_of([] { interleaved_angle_subsets(20, 4); });
    EXPECT_NE(m.find("20 angles are too few for 4 subsets"), std::string::npos) << m;
}

TEST(AngleSplit, HalfTurnAcceptedOtherSpansRefused) {
    EXPECT_EQ(message_of([] { check_half_turn(angles_deg(180), "scan.h5"); }), "(no error)");
    std::vector<float> full(360), quarter(90);
    for (int i = 0; i < 360; ++i) full[static_cast<std::size_t>(i)] = static_cast<float>(i);
    for (int i = 0; i < 90; ++i) quarter[static_cast<std::size_t>(i)] = static_cast<float>(i);
    for (const auto* t : {&full, &quarter}) {
        const std::string m = message_of([&] { check_half_turn(*t, "scan.h5"); });
        EXPECT_NE(m.find("scan.h5: the angles cover"), std::string::npos) << m;
        EXPECT_NE(m.find("half turn"), std::string::npos) << m;
    }
}

TEST(AngleSplit, MeanOfSubReconstructionsIsTheFullReconstruction) {
    const std::int64_t size = 48, angles = 96, rows = 2;
    const auto theta = angles_deg(angles);
    const auto rad = to_radians(theta);
    Tensor<float> sino(Shape{rows, angles, size});
    for (std::int64_t r = 0; r < rows; ++r) {
        const auto ellipses =
            slice_phantom(shepp_logan_3d(), slice_z(r + 3, 8, size), size);
        const Tensor<float> p = project(ellipses, rad, size);  // (angles, cols)
        std::copy(p.data(), p.data() + p.size(), sino.outer(r));
    }
    const FbpOptions options{FilterWindow::ram_lak, -1, size};
    Fbp full(theta, size, options);
    const Tensor<float> whole = full.reconstruct(sino);
    const auto parts = reconstruct_subsets(sino, theta, 4, options);
    ASSERT_EQ(parts.size(), 4u);
    double err = 0, norm = 0;
    for (std::int64_t i = 0; i < whole.size(); ++i) {
        double mean = 0;
        for (const auto& p : parts) mean += p[i] / 4.0;
        err = std::max(err, std::abs(mean - whole[i]));
        norm = std::max(norm, std::abs(static_cast<double>(whole[i])));
    }
    EXPECT_LT(err, 1e-5 * norm) << err << " of " << norm;
    // And each part is a reconstruction of its own: it differs from the whole (streaks of 24 views).
    double diff = 0;
    for (std::int64_t i = 0; i < whole.size(); ++i) diff = std::max(diff, std::abs(static_cast<double>(parts[0][i] - whole[i])));
    EXPECT_GT(diff, 1e-3 * norm);
}

TEST(AngleSplit, SelectedAnglesSubsetAndLeaveOutPartitionTheScan) {
    const auto all = selected_angles(40, {});
    ASSERT_EQ(all.size(), 40u);
    const auto one = selected_angles(40, {4, 1, false});
    const auto rest = selected_angles(40, {4, 1, true});
    EXPECT_EQ(one.size(), 10u);
    EXPECT_EQ(rest.size(), 30u);
    std::set<std::int64_t> u(one.begin(), one.end());
    u.insert(rest.begin(), rest.end());
    EXPECT_EQ(u.size(), 40u);
    for (auto a : one) EXPECT_EQ(a % 4, 1);
    EXPECT_TRUE(std::is_sorted(rest.begin(), rest.end()));
    EXPECT_NE(message_of([] { selected_angles(40, {4, 4, false}); }).find("subsets are numbered 0..3"),
              std::string::npos);
}
