// benchmark_tiled: what it reports about the plan (tiles, calls, halo, window pixels) against
// closed forms, that its numbers agree with each other, and its errors. Times are never checked.
#include "core/error.hpp"
#include "model/graph_builders.hpp"
#include "tiling/tile_bench.hpp"

#include <gtest/gtest.h>

using namespace tomoedge;
using namespace tomoedge::tiling;

namespace {

// tiny_graph (1x1 conv): pooling multiple 1, receptive field 0, so the halo is what we ask for.
TileBenchConfig config(std::int64_t height, std::int64_t width, std::int64_t tile, std::int64_t halo,
                       std::int64_t batch) {
    TileBenchConfig c;
    c.backend.backend = "reference";
    c.height = height;
    c.width = width;
    c.tiles.tile = tile;
    c.tiles.halo = halo;
    c.tiles.batch = batch;
    c.tiles.workers = 1;
    c.runs = 3;
    c.warmup = 0;
    return c;
}

}  // namespace

TEST(BenchmarkTiled, ReportsThePlanItTimed) {
    // 30 x 20, tiles of 10, halo 2: windows tile + 2 halos = 14 where both sides have context,
    // else tile + one halo = 12. Rows: [0, 12), [8, 22) (14), [18, 30) (12); columns: [0, 12),
    // [8, 20) (12). So 6 tiles: 4 of 12 x 12 and 2 of 14 x 12; the network sees
    // (12 + 14 + 12) x (12 + 12) = 912 pixels of a 600-pixel canvas.
    const model::Graph g = tomoedge::testing::tiny_graph();
    for (const auto& [batch, calls] : std::vector<std::pair<std::int64_t, std::int64_t>>{{1, 6}, {2, 3}, {3, 3}, {4, 2}}) {
        const TileBenchResult r = benchmark_tiled(g, config(30, 20, 10, 2, batch));
        EXPECT_EQ(r.tiles, 6) << batch;
        EXPECT_EQ(r.calls, calls) << "batch " << batch << ": one call per batch of equal window shapes";
        EXPECT_EQ(r.halo, (std::array<std::int64_t, 2>{2, 2}));
        EXPECT_DOUBLE_EQ(r.window_pixels_ratio, 912.0 / 600.0);
        EXPECT_EQ(r.workers, 1);
        EXPECT_EQ(r.backend_name, "reference");
        EXPECT_EQ(r.whole.runs, 3);
        EXPECT_EQ(r.tiled.runs, 3);
        EXPECT_DOUBLE_EQ(r.overhead, r.tiled.median / r.whole.median - 1);
        EXPECT_GE(r.model, 0.0);
        EXPECT_GE(r.partition, 0.0);
        EXPECT_GE(r.stitch, 0.0);
        EXPECT_LE(r.tiled.min, r.tiled.median);
    }
}

TEST(BenchmarkTiled, NoHaloTilesTheCanvasExactly) {
    // Halo 0 (the paper's stitching): the windows are the cores, so the ratio is exactly 1.
    const TileBenchResult r = benchmark_tiled(tomoedge::testing::tiny_graph(), config(24, 40, 8, 0, 1));
    EXPECT_EQ(r.tiles, 3 * 5);
    EXPECT_EQ(r.calls, 15);
    EXPECT_EQ(r.halo, (std::array<std::int64_t, 2>{0, 0}));
    EXPECT_DOUBLE_EQ(r.window_pixels_ratio, 1.0);
}

TEST(BenchmarkTiled, WorkersAreReported) {
    TileBenchConfig c = config(16, 16, 8, 0, 1);
    c.tiles.workers = 2;
    const TileBenchResult r = benchmark_tiled(tomoedge::testing::tiny_graph(), c);
    EXPECT_EQ(r.workers, 2);
    EXPECT_EQ(r.tiles, 4);
    EXPECT_EQ(r.calls, 4);  // summed over the workers
}

TEST(BenchmarkTiled, RejectsBadConfigurations) {
    const model::Graph g = tomoedge::testing::tiny_graph();
    TileBenchConfig c = config(16, 16, 8, 0, 1);
    c.tiles.tile = 0;
    EXPECT_THROW(benchmark_tiled(g, c), Error);  // no tiles: nothing to compare
    c = config(16, 16, 8, 0, 1);
    c.runs = 0;
    EXPECT_THROW(benchmark_tiled(g, c), Error);
    c = config(16, 16, 8, 0, 1);
    c.warmup = -1;
    EXPECT_THROW(benchmark_tiled(g, c), Error);
    c = config(16, 16, 8, 0, 0);
    EXPECT_THROW(benchmark_tiled(g, c), Error);  // batch 0
    c = config(16, 16, 8, -1, 1);
    EXPECT_THROW(benchmark_tiled(g, c), Error);  // negative halo
    c = config(16, 16, 8, 0, 1);
    c.tiles.workers = -1;
    EXPECT_THROW(benchmark_tiled(g, c), Error);
    c = config(16, 16, 8, 0, 1);
    c.backend.backend = "no-such-backend";
    EXPECT_THROW(benchmark_tiled(g, c), Error);
}
