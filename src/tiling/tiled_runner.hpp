#pragma once
// The tiled ImageRunner: cuts each normalised image into a TilePlan, runs the windows through the
// backend `batch` at a time (equal window shapes stacked along N) on `workers` concurrent backend
// calls, and stitches the cropped cores. With the default halo (the graph's receptive-field
// radius) the result equals the whole-image runner's. Working memory is the windows in flight
// (one batch per worker), not the image: run_planes() reads windows straight from the raw planes
// and writes cores straight into the output, and run_band() does one row of tiles, so the
// denoiser streams a big slice band by band (input rows in, output rows out).
#include "runtime/backend.hpp"
#include "runtime/denoiser.hpp"
#include "tiling/receptive_field.hpp"
#include "tiling/tile_plan.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace tomoedge::tiling {

struct TileOptions {
    std::int64_t tile = 0;             // core size in pixels (square); 0 = whole image
    std::optional<std::int64_t> halo;  // default: default_halo(receptive_field(graph))
    std::int64_t batch = 1;            // windows per backend call
    int workers = 0;                   // concurrent backend calls; 0 = default_workers()
};

/// The paper's Table I split, accumulated over runs. Stage times are summed over workers and
/// divided by the worker count, so with one worker they add up to `total` (the rest is the plan).
struct TileTimings {
    double model = 0;      // inside backend calls
    double partition = 0;  // copying (and normalising) windows out of the image
    double stitch = 0;     // copying cropped cores (denormalised) into the output
    double total = 0;      // wall time of run()/run_planes()
    std::int64_t images = 0, tiles = 0, calls = 0;
};

/// Copies window `w` of the canvas (the image edge-replicated at the bottom/right, as
/// runtime::pad_edge does) from image `n` of `input` (N, C, h, w) into `dst` (C, w.height, w.width).
void extract_window(const Tensor<float>& input, std::int64_t n, const Rect& w, float* dst);

/// Makes one more backend for one more worker (same graph and options, its own thread count).
using BackendMaker = std::function<std::unique_ptr<runtime::Backend>(int threads)>;

class TiledRunner final : public runtime::ImageRunner {
public:
    /// `halo` and `multiple` per axis (H, W); `tile` > 0 and a multiple of `multiple`. With
    /// workers > 1 every worker gets its own backend from `maker` (backends are not thread-safe),
    /// each with num_threads() / workers threads; with one worker `backend` runs everything.
    TiledRunner(runtime::Backend& backend, std::array<std::int64_t, 2> multiple, std::int64_t tile,
                std::array<std::int64_t, 2> halo, std::int64_t batch, int workers = 1, BackendMaker maker = {});

    Tensor<float> run(const Tensor<float>& input) override;
    void run_planes(const runtime::PlaneInput& input, float* out) override;
    /// One band per row of tiles, top to bottom.
    std::vector<runtime::RowBand> row_bands(std::int64_t height, std::int64_t width) override;
    void run_band(const runtime::PlaneInput& input, const runtime::RowBand& band, float* out) override;

    const TileTimings& timings() const { return timings_; }
    void reset_timings() { timings_ = {}; }
    /// Tiles in the last image's plan.
    std::int64_t last_tile_count() const { return last_tiles_; }
    int workers() const { return workers_; }
    std::array<std::int64_t, 2> halo() const { return halo_; }

private:
    struct Source;
    /// Runs plan tiles `tiles` of every image of `source`; `images_done`: they finish the images.
    void run_jobs(const Source& source, const std::vector<std::size_t>& tiles, bool images_done);
    /// Tiles `tiles` of a raw-plane input, their cores written to `out`, whose first row is image row `out_row`.
    void run_part(const runtime::PlaneInput& input, const std::vector<std::size_t>& tiles, std::int64_t out_row,
                  float* out, bool image_done);
    const TilePlan& plan_for(std::int64_t height, std::int64_t width);  // cached for the last image size
    std::vector<runtime::Backend*> worker_backends();

    runtime::Backend& backend_;
    std::array<std::int64_t, 2> multiple_;
    std::int64_t tile_;
    std::array<std::int64_t, 2> halo_;
    std::int64_t batch_;
    int workers_;
    BackendMaker maker_;
    std::vector<std::unique_ptr<runtime::Backend>> own_;
    TileTimings timings_;
    TilePlan plan_;
    std::int64_t last_tiles_ = 0;
};

/// Concurrent backend calls that use this machine's cores best for `backend_name` (measured with
/// bench/bench_tiling): one single-threaded call per thread, for oneDNN as for the reference.
int default_workers(const std::string& backend_name);

/// Validates `options` against the graph and returns the runner factory for Denoiser::set_runner,
/// or nullptr when options.tile == 0 (keep the whole-image runner). Extra workers' backends are
/// made from `graph` and `backend`. Throws Error on bad values.
runtime::Denoiser::RunnerFactory tiled_runner_factory(const model::Graph& graph, const TileOptions& options,
                                                      const runtime::BackendOptions& backend = {});

}  // namespace tomoedge::tiling
