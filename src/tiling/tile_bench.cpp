#include "tiling/tile_bench.hpp"

#include "core/error.hpp"
#include "runtime/denoiser.hpp"

#include <random>
#include <vector>

namespace tomoedge::tiling {

TileBenchResult benchmark_tiled(const model::Graph& graph, const TileBenchConfig& config) {
    if (config.tiles.tile <= 0) fail("bench: tiling needs --tile > 0, got {}", config.tiles.tile);
    if (config.runs < 1) fail("bench: --runs must be at least 1, got {}", config.runs);
    if (config.warmup < 0) fail("bench: --warmup must not be negative, got {}", config.warmup);
    const auto factory = tiled_runner_factory(graph, config.tiles, config.backend);
    const auto multiple = model::spatial_multiple(graph);
    auto backend = runtime::make_backend(graph, config.backend);
    runtime::WholeImageRunner whole(*backend, multiple);
    std::unique_ptr<runtime::ImageRunner> runner = factory(*backend, multiple);
    auto& tiled = dynamic_cast<TiledRunner&>(*runner);

    Tensor<float> input(Shape{1, graph.input_channels, config.height, config.width});
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    for (float& v : input.span()) v = uniform(rng);

    for (int i = 0; i < 1 + config.warmup; ++i) {
        whole.run(input);
        tiled.run(input);
    }
    std::vector<double> t_whole, t_tiled, t_model, t_partition, t_stitch;
    TileTimings last;
    for (int i = 0; i < config.runs; ++i) {
        Stopwatch watch;
        whole.run(input);
        t_whole.push_back(watch.seconds());
        tiled.reset_timings();
        watch.restart();
        tiled.run(input);
        t_tiled.push_back(watch.seconds());
        last = tiled.timings();
        t_model.push_back(last.model);
        t_partition.push_back(last.partition);
        t_stitch.push_back(last.stitch);
    }
    TileBenchResult r;
    r.whole = summarize(t_whole);
    r.tiled = summarize(t_tiled);
    r.model = summarize(t_model).median;
    r.partition = summarize(t_partition).median;
    r.stitch = summarize(t_stitch).median;
    r.overhead = r.whole.median > 0 ? r.tiled.median / r.whole.median - 1 : 0;
    r.tiles = last.tiles;
    r.calls = last.calls;
    r.workers = tiled.workers();
    r.backend_name = backend->name();
    const TilePlan plan = plan_tiles(config.height, config.width, {config.tiles.tile, config.tiles.tile},
                                     tiled.halo(), multiple);
    r.halo = plan.halo;
    double seen = 0;
    for (const Tile& t : plan.tiles) seen += static_cast<double>(t.window.height * t.window.width);
    r.window_pixels_ratio = seen / static_cast<double>(plan.canvas[0] * plan.canvas[1]);
    return r;
}

}  // namespace tomoedge::tiling
