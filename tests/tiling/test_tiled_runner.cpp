#include "core/error.hpp"
#include "model/graph_builders.hpp"
#include "model/tomogan.hpp"
#include "runtime/denoiser.hpp"
#include "tiling/tiled_runner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace tomoedge;
using namespace tomoedge::tiling;

namespace {

// A quarter-width TomoGAN (channels 2..32): the published topology, so the same receptive field,
// small enough for the reference backend to run in well under a second per image.
model::Graph small_tomogan() {
    model::TomoGanConfig config;
    config.width = 0.25;
    config.seed = 7;
    return model::build_tomogan(config);
}

Tensor<float> random_image(std::int64_t n, std::int64_t h, std::int64_t w, unsigned seed) {
    Tensor<float> x(Shape{n, 3, h, w});
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (auto& v : x) v = u(rng);
    return x;
}

struct Comparison {
    double max_error = 0, range = 0;
};

Comparison compare(const Tensor<float>& a, const Tensor<float>& b) {
    EXPECT_EQ(a.shape(), b.shape());
    Comparison c;
    const auto [lo, hi] = std::minmax_element(b.begin(), b.end());
    c.range = static_cast<double>(*hi - *lo);
    for (std::int64_t i = 0; i < a.size(); ++i)
        c.max_error = std::max(c.max_error, std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
    return c;
}

runtime::BackendOptions reference() {
    runtime::BackendOptions o;
    o.backend = "reference";
    return o;
}

TEST(ExtractWindow, MatchesPadEdgeOfTheWholeImage) {
    const Tensor<float> x = random_image(2, 13, 21, 1);
    const Tensor<float> canvas = runtime::pad_edge(x, 24, 32);
    const Rect w{8, 16, 16, 16};
    std::vector<float> got(3 * 16 * 16);
    extract_window(x, 1, w, got.data());
    for (std::int64_t c = 0; c < 3; ++c)
        for (std::int64_t r = 0; r < 16; ++r)
            for (std::int64_t q = 0; q < 16; ++q)
                ASSERT_EQ(got[static_cast<std::size_t>((c * 16 + r) * 16 + q)],
                          canvas[((3 + c) * 24 + w.y + r) * 32 + w.x + q]);
}

// The seam-free claim: with the default halo (the computed receptive field), tiled = whole image.
TEST(TiledRunner, DefaultHaloEqualsWholeImage) {
    const model::Graph graph = small_tomogan();
    auto backend = runtime::make_backend(graph, reference());
    const auto multiple = model::spatial_multiple(graph);
    const auto halo = default_halo(receptive_field(graph));
    runtime::WholeImageRunner whole(*backend, multiple);
    struct Case {
        std::int64_t n, h, w, tile, batch;
    };
    for (const Case& k : {Case{1, 100, 100, 32, 1}, Case{1, 77, 131, 32, 3}, Case{2, 77, 131, 40, 4}, Case{1, 45, 70, 16, 64}}) {
        SCOPED_TRACE(::testing::Message() << k.h << "x" << k.w << " tile " << k.tile << " batch " << k.batch);
        const Tensor<float> x = random_image(k.n, k.h, k.w, static_cast<unsigned>(k.h * k.w));
        TiledRunner tiled(*backend, multiple, k.tile, halo, k.batch);
        const Tensor<float> expect = whole.run(x);
        const Tensor<float> got = tiled.run(x);
        EXPECT_GT(tiled.last_tile_count(), 3);
        const Comparison c = compare(got, expect);
        ASSERT_GT(c.range, 0);
        EXPECT_LE(c.max_error, 1e-5 * c.range);
    }
}

// The same on oneDNN fp32: its kernels may differ by window shape, hence the tolerance of the issue.
TEST(TiledRunner, DefaultHaloEqualsWholeImageOnOnednn) {
    const model::Graph graph = small_tomogan();
    runtime::BackendOptions o;
    o.backend = "onednn";
    auto backend = runtime::make_backend(graph, o);
    const auto multiple = model::spatial_multiple(graph);
    runtime::WholeImageRunner whole(*backend, multiple);
    TiledRunner tiled(*backend, multiple, 32, default_halo(receptive_field(graph)), 4);
    const Tensor<float> x = random_image(1, 77, 131, 9);
    const Comparison c = compare(tiled.run(x), whole.run(x));
    ASSERT_GT(c.range, 0);
    EXPECT_LE(c.max_error, 1e-5 * c.range);
}

// The paper's mode (no halo) stitches independent tiles: seams, so it must differ.
TEST(TiledRunner, NoHaloHasSeams) {
    const model::Graph graph = small_tomogan();
    auto backend = runtime::make_backend(graph, reference());
    const auto multiple = model::spatial_multiple(graph);
    runtime::WholeImageRunner whole(*backend, multiple);
    TiledRunner tiled(*backend, multiple, 32, {0, 0}, 2);
    const Tensor<float> x = random_image(1, 96, 96, 3);
    const Comparison c = compare(tiled.run(x), whole.run(x));
    EXPECT_GT(c.max_error, 1e-3 * c.range);
    EXPECT_EQ(tiled.last_tile_count(), 9);
}

// A halo below the radius is not enough either (the field is not overestimated by a whole tile).
TEST(TiledRunner, HaloBelowTheRadiusIsNotSeamFree) {
    const model::Graph graph = small_tomogan();
    auto backend = runtime::make_backend(graph, reference());
    const auto multiple = model::spatial_multiple(graph);
    runtime::WholeImageRunner whole(*backend, multiple);
    TiledRunner tiled(*backend, multiple, 32, {16, 16}, 4);
    const Tensor<float> x = random_image(1, 160, 160, 4);
    const Comparison c = compare(tiled.run(x), whole.run(x));
    EXPECT_GT(c.max_error, 1e-5 * c.range);
}

// Row bands: one per row of tiles, their input rows the windows' rows clipped to the image.
TEST(TiledRunnerBands, OnePerRowOfTilesWithTheWindowRows) {
    // tiny_graph: multiple 1. 100 rows, tiles of 24, halo 16, canvas 100: windows 24 + 32 = 56
    // where both sides have context, else 24 + 16 = 40 (grown inward at the image ends).
    auto backend = runtime::make_backend(tomoedge::testing::tiny_graph(), reference());
    TiledRunner tiled(*backend, {1, 1}, 24, {16, 16}, 1);
    const std::vector<runtime::RowBand> expect{
        {0, 40, 0, 24}, {8, 64, 24, 48}, {32, 88, 48, 72}, {44, 100, 72, 96}, {60, 100, 96, 100}};
    EXPECT_EQ(tiled.row_bands(100, 30), expect);
    // A single band when one tile is as tall as the image.
    EXPECT_EQ(tiled.row_bands(20, 30), (std::vector<runtime::RowBand>{{0, 20, 0, 20}}));
}

// Band by band, each band's planes holding only its own input rows (guarded by NaN rows on both
// sides, which would poison any read outside), the result is exactly run_planes' result.
TEST(TiledRunnerBands, BandsGiveExactlyTheWholeImageResult) {
    const model::Graph graph = small_tomogan();
    auto backend = runtime::make_backend(graph, reference());
    const auto multiple = model::spatial_multiple(graph);
    const std::int64_t h = 77, w = 45;
    TiledRunner tiled(*backend, multiple, 24, default_halo(receptive_field(graph)), 2);
    const Tensor<float> raw = random_image(1, h, w, 21);  // 3 planes of raw values
    runtime::PlaneInput whole_in;
    whole_in.height = h;
    whole_in.width = w;
    whole_in.low = 0.25;
    whole_in.scale = 0.5;
    for (std::int64_t c = 0; c < 3; ++c) whole_in.planes.push_back(raw.data() + c * h * w);
    std::vector<float> expect(static_cast<std::size_t>(h * w));
    tiled.run_planes(whole_in, expect.data());

    const auto bands = tiled.row_bands(h, w);
    ASSERT_EQ(bands.size(), 4u);  // tiles of 24 over 77 rows
    std::vector<float> got(static_cast<std::size_t>(h * w), -1.0f);
    for (const runtime::RowBand& b : bands) {
        const std::int64_t rows = b.in_end - b.in_begin;
        std::vector<float> buffer(static_cast<std::size_t>(3 * (rows + 2) * w), std::nanf(""));
        runtime::PlaneInput in = whole_in;
        in.first_row = b.in_begin;
        for (std::int64_t c = 0; c < 3; ++c) {
            float* plane = buffer.data() + (c * (rows + 2) + 1) * w;  // one NaN row before and after
            std::copy_n(raw.data() + (c * h + b.in_begin) * w, rows * w, plane);
            in.planes[static_cast<std::size_t>(c)] = plane;
        }
        tiled.run_band(in, b, got.data() + b.out_begin * w);
    }
    for (std::size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], expect[i]) << i;
    EXPECT_EQ(tiled.timings().images, 2);  // run_planes, then the last band finished the second
}

TEST(TiledRunnerBands, ForeignBandsAndWholeImageRunnersAreErrors) {
    auto backend = runtime::make_backend(tomoedge::testing::tiny_graph(), reference());
    TiledRunner tiled(*backend, {1, 1}, 24, {16, 16}, 1);
    std::vector<float> plane(100 * 30, 0.5f), out(100 * 30);
    runtime::PlaneInput in;
    in.planes = {plane.data()};
    in.height = 100;
    in.width = 30;
    EXPECT_THROW(tiled.run_band(in, {0, 40, 0, 20}, out.data()), Error);  // not a row of tiles
    EXPECT_THROW(tiled.run_band(in, {0, 50, 0, 24}, out.data()), Error);  // wrong input rows
    in.first_row = 8;
    EXPECT_THROW(tiled.run_band(in, {0, 40, 0, 24}, out.data()), Error);  // planes start elsewhere
    in.first_row = 0;
    EXPECT_NO_THROW(tiled.run_band(in, {0, 40, 0, 24}, out.data()));
    EXPECT_FLOAT_EQ(out[0], 2.0f * 0.5f + 1.0f);  // tiny_graph: relu(2 x + 1)

    runtime::WholeImageRunner whole(*backend, {1, 1});
    EXPECT_TRUE(whole.row_bands(100, 30).empty());
    EXPECT_THROW(whole.run_band(in, {0, 40, 0, 24}, out.data()), Error);
}

// Any number of workers gives the same bits (each tile is computed alone, whoever computes it).
TEST(TiledRunnerWorkers, CountDoesNotChangeTheResult) {
    const model::Graph graph = small_tomogan();
    auto backend = runtime::make_backend(graph, reference());
    const auto multiple = model::spatial_multiple(graph);
    const auto halo = default_halo(receptive_field(graph));
    BackendMaker maker = [&graph](int threads) {
        runtime::BackendOptions o = reference();
        o.threads = threads;
        return runtime::make_backend(graph, o);
    };
    const Tensor<float> x = random_image(1, 64, 72, 31);
    TiledRunner one(*backend, multiple, 24, halo, 1, 1);
    const Tensor<float> expect = one.run(x);
    for (int workers : {2, 3, 7}) {
        TiledRunner many(*backend, multiple, 24, halo, 1, workers, maker);
        EXPECT_EQ(many.workers(), workers);
        const Tensor<float> got = many.run(x);
        ASSERT_EQ(got.shape(), expect.shape());
        for (std::int64_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], expect[i]) << workers << " workers, " << i;
    }
}

TEST(TiledRunnerWorkers, BadCountsAreErrors) {
    const model::Graph graph = small_tomogan();
    auto backend = runtime::make_backend(graph, reference());
    EXPECT_THROW(TiledRunner(*backend, {8, 8}, 24, {0, 0}, 1, 0), Error);
    EXPECT_THROW(TiledRunner(*backend, {8, 8}, 24, {0, 0}, 1, -2), Error);
    EXPECT_THROW(TiledRunner(*backend, {8, 8}, 24, {0, 0}, 1, 2), Error);  // no way to make their backends
    TileOptions o{64, std::nullopt, 1};
    o.workers = -1;
    try {
        tiled_runner_factory(graph, o);
        ADD_FAILURE() << "workers -1 accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("--workers -1"), std::string::npos) << e.what();
    }
    o.workers = 0;  // 0 = the default
    EXPECT_TRUE(static_cast<bool>(tiled_runner_factory(graph, o)));
}

TEST(TiledRunnerFactory, ChecksOptions) {
    const model::Graph graph = small_tomogan();
    EXPECT_FALSE(static_cast<bool>(tiled_runner_factory(graph, TileOptions{})));  // tile 0: whole image
    EXPECT_TRUE(static_cast<bool>(tiled_runner_factory(graph, TileOptions{64, std::nullopt, 4})));
    EXPECT_THROW(tiled_runner_factory(graph, TileOptions{60, std::nullopt, 1}), Error);  // off the grid of 8
    EXPECT_THROW(tiled_runner_factory(graph, TileOptions{-8, std::nullopt, 1}), Error);
    EXPECT_THROW(tiled_runner_factory(graph, TileOptions{64, -1, 1}), Error);
    EXPECT_THROW(tiled_runner_factory(graph, TileOptions{64, std::nullopt, 0}), Error);
}

// Through the denoise pipeline's seam: the factory's runner gives the whole-image result.
TEST(TiledRunnerFactory, PlugsIntoTheDenoiser) {
    const model::Graph graph = small_tomogan();
    runtime::Denoiser plain(graph, reference());
    runtime::Denoiser tiled(graph, reference());
    tiled.set_runner(tiled_runner_factory(graph, TileOptions{24, std::nullopt, 2}));
    Tensor<float> group(Shape{3, 50, 61});
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(100.0f, 900.0f);
    for (auto& v : group) v = u(rng);
    const runtime::ValueWindow window{100, 900};
    const Comparison c = compare(tiled.denoise_group(group, window), plain.denoise_group(group, window));
    EXPECT_LE(c.max_error, 1e-5 * c.range);
}

}  // namespace
