// seam_stats: the error split by distance to internal tile borders, checked on synthetic
// "stitched" images whose error is known pixel by pixel.
#include "core/error.hpp"
#include "tiling/seams.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace tomoedge;
using namespace tomoedge::tiling;

namespace {

// A whole image of ramps and a stitched one that differs by `border` on the given rows and
// columns and by `inside` elsewhere.
struct Pair {
    std::vector<float> whole, stitched;
};

Pair with_error(std::int64_t h, std::int64_t w, const std::vector<bool>& border_row, const std::vector<bool>& border_col,
                float border, float inside) {
    Pair p;
    for (std::int64_t y = 0; y < h; ++y)
        for (std::int64_t x = 0; x < w; ++x) {
            const float v = 0.01f * static_cast<float>(y * w + x);
            const bool b = border_row[static_cast<std::size_t>(y)] || border_col[static_cast<std::size_t>(x)];
            p.whole.push_back(v);
            // Alternate the sign: the statistics use |error|.
            p.stitched.push_back(v + ((x + y) % 2 == 0 ? 1.0f : -1.0f) * (b ? border : inside));
        }
    return p;
}

std::vector<bool> marked(std::int64_t n, std::vector<std::int64_t> indices) {
    std::vector<bool> m(static_cast<std::size_t>(n), false);
    for (auto i : indices) m[static_cast<std::size_t>(i)] = true;
    return m;
}

}  // namespace

TEST(SeamStats, OnePixelBandAroundInternalBorders) {
    // 10 x 12, tiles of 4: internal borders between rows 3|4 and 7|8, columns 3|4 and 7|8 (12 is a
    // multiple of 4: its outer edge is no seam). Border rows {3, 4, 7, 8}: 4 of 10; columns 4 of 12.
    const std::int64_t h = 10, w = 12;
    const auto rows = marked(h, {3, 4, 7, 8}), cols = marked(w, {3, 4, 7, 8});
    const Pair p = with_error(h, w, rows, cols, 0.5f, 0.125f);
    const SeamStats s = seam_stats(p.stitched, p.whole, h, w, 4);
    const std::int64_t interior = (h - 4) * (w - 4);
    EXPECT_EQ(s.interior_pixels, interior);
    EXPECT_EQ(s.border_pixels, h * w - interior);
    EXPECT_NEAR(s.border_mean, 0.5, 1e-6);
    EXPECT_NEAR(s.border_max, 0.5, 1e-6);
    EXPECT_NEAR(s.interior_mean, 0.125, 1e-6);
    EXPECT_NEAR(s.interior_max, 0.125, 1e-6);
}

TEST(SeamStats, WiderBandAndMixedErrors) {
    // Band 2 at tile 4 over 10 rows: distance < 2 from the borders 3|4 and 7|8 covers rows 2..9
    // (row 9 is 1 past the border at 8); rows 0 and 1 stay interior. Same for 10 columns.
    const std::int64_t n = 10;
    const auto band = marked(n, {2, 3, 4, 5, 6, 7, 8, 9});
    Pair p = with_error(n, n, band, band, 0.25f, 0.0f);
    // One larger error on a border pixel (row 4, column 0) and one inside (row 1, column 1).
    p.stitched[4 * n + 0] = p.whole[4 * n + 0] + 2.0f;
    p.stitched[1 * n + 1] = p.whole[1 * n + 1] - 0.75f;
    const SeamStats s = seam_stats(p.stitched, p.whole, n, n, 4, 2);
    EXPECT_EQ(s.interior_pixels, 4);
    EXPECT_EQ(s.border_pixels, 96);
    EXPECT_NEAR(s.border_mean, (95 * 0.25 + 2.0) / 96, 1e-6);
    EXPECT_NEAR(s.border_max, 2.0, 1e-6);
    EXPECT_NEAR(s.interior_mean, 0.75 / 4, 1e-6);
    EXPECT_NEAR(s.interior_max, 0.75, 1e-6);
}

TEST(SeamStats, OneTileHasNoBorders) {
    const auto none = marked(6, {});
    const Pair p = with_error(6, 6, none, none, 0.0f, 0.5f);
    for (std::int64_t tile : {6, 8, 100}) {
        const SeamStats s = seam_stats(p.stitched, p.whole, 6, 6, tile);
        EXPECT_EQ(s.border_pixels, 0) << tile;
        EXPECT_EQ(s.border_mean, 0.0) << tile;
        EXPECT_EQ(s.interior_pixels, 36) << tile;
        EXPECT_NEAR(s.interior_mean, 0.5, 1e-6) << tile;
    }
}

TEST(SeamStats, EqualImagesHaveNoError) {
    const std::vector<float> a(64, 3.0f);
    const SeamStats s = seam_stats(a, a, 8, 8, 2);
    EXPECT_EQ(s.border_pixels + s.interior_pixels, 64);
    EXPECT_EQ(s.border_max, 0.0);
    EXPECT_EQ(s.interior_max, 0.0);
}

TEST(SeamStats, RejectsMismatchedSizesAndBadTileOrBand) {
    const std::vector<float> a(12, 0.0f), b(11, 0.0f);
    EXPECT_THROW(seam_stats(a, b, 3, 4, 2), Error);  // sizes differ
    EXPECT_THROW(seam_stats(a, a, 4, 4, 2), Error);  // 12 pixels are not 4 x 4
    EXPECT_THROW(seam_stats(a, a, 0, 12, 2), Error);
    EXPECT_THROW(seam_stats(a, a, 3, 4, 0), Error);
    EXPECT_THROW(seam_stats(a, a, 3, 4, -2), Error);
    EXPECT_THROW(seam_stats(a, a, 3, 4, 2, 0), Error);
    EXPECT_NO_THROW(seam_stats(a, a, 3, 4, 2, 1));
}
