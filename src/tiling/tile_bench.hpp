#pragma once
// Whole-image vs tiled timing of one model on one image size: the seam-free tiling overhead, with
// the tiled time split as in the paper's Table I (model, partition, stitch). Used by
// bench/bench_tiling (and meant for `tomoedge bench` rows).
#include "core/timer.hpp"
#include "model/graph.hpp"
#include "runtime/backend.hpp"
#include "tiling/tiled_runner.hpp"

#include <string>

namespace tomoedge::tiling {

struct TileBenchConfig {
    runtime::BackendOptions backend;
    std::int64_t height = 1024, width = 1024;
    TileOptions tiles;  // tile must be > 0
    int runs = 5, warmup = 1;
};

struct TileBenchResult {
    TimingSummary whole;                // whole-image runner, s per image
    TimingSummary tiled;                // tiled runner, s per image (wall)
    double model = 0, partition = 0, stitch = 0;  // medians over the timed tiled runs, s per image
    double overhead = 0;                // tiled.median / whole.median - 1
    double window_pixels_ratio = 0;     // pixels the network sees tiled / whole-image canvas pixels
    std::int64_t tiles = 0, calls = 0;  // per image
    std::array<std::int64_t, 2> halo{0, 0};
    int workers = 1;
    std::string backend_name;
};

/// Alternates whole-image and tiled runs on one random (1, C, height, width) input in [0, 1) (so a
/// loaded machine slows both alike): one untimed planning run and `warmup` more of each, then
/// `runs` timed pairs. Throws Error for options tiled_runner_factory rejects or tile 0.
TileBenchResult benchmark_tiled(const model::Graph& graph, const TileBenchConfig& config);

}  // namespace tomoedge::tiling
