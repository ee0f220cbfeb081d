#include "core/error.hpp"
#include "tiling/tile_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

using namespace tomoedge;
using namespace tomoedge::tiling;

namespace {

// Every image pixel is written by exactly one core; windows are on the grid, inside the canvas,
// one of two sizes per axis (at most 4 shapes), contain their core, and carry the full halo
// wherever the canvas allows it.
void check_plan(const TilePlan& p, std::int64_t m) {
    std::vector<int> hits(static_cast<std::size_t>(p.height * p.width), 0);
    std::set<std::pair<std::int64_t, std::int64_t>> shapes;
    for (const Tile& t : p.tiles) {
        ASSERT_GT(t.core.height, 0);
        ASSERT_GT(t.core.width, 0);
        for (std::int64_t r = t.core.y; r < t.core.y + t.core.height; ++r)
            for (std::int64_t c = t.core.x; c < t.core.x + t.core.width; ++c) ++hits[static_cast<std::size_t>(r * p.width + c)];
        EXPECT_EQ(t.core.y % p.tile[0], 0);
        EXPECT_EQ(t.core.x % p.tile[1], 0);
        EXPECT_EQ(t.window.y % m, 0);
        EXPECT_EQ(t.window.x % m, 0);
        EXPECT_TRUE(t.window.height == p.window[0] || t.window.height == p.edge_window[0]) << t.window.height;
        EXPECT_TRUE(t.window.width == p.window[1] || t.window.width == p.edge_window[1]) << t.window.width;
        shapes.insert({t.window.height, t.window.width});
        EXPECT_EQ(t.window.height % m, 0);
        EXPECT_GE(t.window.y, 0);
        EXPECT_GE(t.window.x, 0);
        EXPECT_LE(t.window.y + t.window.height, p.canvas[0]);
        EXPECT_LE(t.window.x + t.window.width, p.canvas[1]);
        // Context before and after the core: the halo, or everything up to the canvas edge.
        EXPECT_GE(t.core.y - t.window.y, std::min(p.halo[0], t.core.y));
        EXPECT_GE(t.core.x - t.window.x, std::min(p.halo[1], t.core.x));
        const std::int64_t below = t.window.y + t.window.height - (t.core.y + t.core.height);
        const std::int64_t right = t.window.x + t.window.width - (t.core.x + t.core.width);
        EXPECT_GE(below, std::min(p.halo[0], p.canvas[0] - (t.core.y + t.core.height)));
        EXPECT_GE(right, std::min(p.halo[1], p.canvas[1] - (t.core.x + t.core.width)));
    }
    EXPECT_TRUE(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
    EXPECT_LE(shapes.size(), 4u);
}

TEST(TilePlan, CoversOddSizesExactlyOnce) {
    for (auto [h, w] : {std::pair<std::int64_t, std::int64_t>{100, 100}, {77, 131}, {1, 1}, {8, 200}, {1000, 1000}})
        for (std::int64_t tile : {8, 32, 40, 64, 256})
            for (std::int64_t halo : {0, 8, 56}) {
                SCOPED_TRACE(::testing::Message() << h << "x" << w << " tile " << tile << " halo " << halo);
                check_plan(plan_tiles(h, w, {tile, tile}, {halo, halo}, {8, 8}), 8);
            }
}

TEST(TilePlan, HalosClippedAtBordersAndGeometry) {
    // 100 x 100 -> canvas 104; tile 32, halo 16 -> windows of 64 inside, 48 at the edges.
    const TilePlan p = plan_tiles(100, 100, {32, 32}, {16, 16}, {8, 8});
    EXPECT_EQ(p.canvas, (std::array<std::int64_t, 2>{104, 104}));
    EXPECT_EQ(p.window, (std::array<std::int64_t, 2>{64, 64}));
    EXPECT_EQ(p.edge_window, (std::array<std::int64_t, 2>{48, 48}));
    ASSERT_EQ(p.tiles.size(), 16u);
    EXPECT_EQ(p.tiles[0].window, (Rect{0, 0, 48, 48}));  // clipped at the top-left: no context to add
    EXPECT_EQ(p.tiles[0].core, (Rect{0, 0, 32, 32}));
    EXPECT_EQ(p.tiles[1].window, (Rect{0, 16, 48, 64}));   // top row: edge height, interior width
    EXPECT_EQ(p.tiles[5].window, (Rect{16, 16, 64, 64}));  // interior: the full halo each side
    EXPECT_EQ(p.tiles[15].core, (Rect{96, 96, 4, 4}));     // the last core is what is left of the image
    EXPECT_EQ(p.tiles[15].window, (Rect{56, 56, 48, 48}));  // grown inward to the edge size, ends at the canvas
}

// Two tiles per axis, both at an edge: every window is tile + one halo (the least work seam-free).
TEST(TilePlan, TwoTilesPerAxisUseTheEdgeWindow) {
    const TilePlan p = plan_tiles(1024, 1024, {512, 512}, {56, 56}, {8, 8});
    ASSERT_EQ(p.tiles.size(), 4u);
    EXPECT_EQ(p.tiles[0].window, (Rect{0, 0, 568, 568}));
    EXPECT_EQ(p.tiles[3].window, (Rect{456, 456, 568, 568}));
    // A halo wider than the tile: the second tile's window is clipped at the top yet needs the
    // larger size; it still starts at 0 and holds the core plus its halo below.
    const TilePlan q = plan_tiles(200, 200, {32, 32}, {56, 56}, {8, 8});
    EXPECT_EQ(q.tiles[1].window, (Rect{0, 0, 88, 144}));
}

TEST(TilePlan, HaloRoundedUpToTheMultipleAndWindowsNeverExceedTheCanvas) {
    const TilePlan p = plan_tiles(50, 50, {16, 16}, {5, 5}, {8, 8});
    EXPECT_EQ(p.halo, (std::array<std::int64_t, 2>{8, 8}));
    const TilePlan small = plan_tiles(20, 20, {64, 64}, {56, 56}, {8, 8});
    EXPECT_EQ(small.window, (std::array<std::int64_t, 2>{24, 24}));
    ASSERT_EQ(small.tiles.size(), 1u);
    EXPECT_EQ(small.tiles[0].core, (Rect{0, 0, 20, 20}));
}

TEST(TilePlan, PaperModeIs256TilesOf64At1024) {
    const TilePlan p = plan_tiles(1024, 1024, {64, 64}, {0, 0}, {8, 8});
    ASSERT_EQ(p.tiles.size(), 256u);
    for (std::size_t i = 0; i < p.tiles.size(); ++i) {
        const Rect expect{static_cast<std::int64_t>(i / 16) * 64, static_cast<std::int64_t>(i % 16) * 64, 64, 64};
        EXPECT_EQ(p.tiles[i].core, expect);
        EXPECT_EQ(p.tiles[i].window, expect);
    }
    check_plan(p, 8);
}

TEST(TilePlan, RejectsBadSizes) {
    EXPECT_THROW(plan_tiles(100, 100, {30, 30}, {0, 0}, {8, 8}), Error);
    EXPECT_THROW(plan_tiles(100, 100, {0, 0}, {0, 0}, {8, 8}), Error);
    EXPECT_THROW(plan_tiles(100, 100, {32, 32}, {-8, -8}, {8, 8}), Error);
    EXPECT_THROW(plan_tiles(0, 100, {32, 32}, {0, 0}, {8, 8}), Error);
    EXPECT_THROW(plan_tiles(100, 100, {32, 32}, {0, 0}, {0, 0}), Error);
}

}  // namespace
