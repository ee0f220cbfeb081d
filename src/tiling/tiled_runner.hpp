#pragma once
// The tiled ImageRunner: cuts each normalised image into a TilePlan, runs the windows through the
// backend `batch` at a time (stacked along N), and stitches the cropped cores. With the default
// halo (the graph's receptive-field radius) the result equals the whole-image runner's.
#include "runtime/backend.hpp"
#include "runtime/denoiser.hpp"
#include "tiling/receptive_field.hpp"
#include "tiling/tile_plan.hpp"

#include <array>
#include <cstdint>
#include <optional>

namespace tomoedge::tiling {

struct TileOptions {
    std::int64_t tile = 0;             // core size in pixels (square); 0 = whole image
    std::optional<std::int64_t> halo;  // default: default_halo(receptive_field(graph))
    std::int64_t batch = 1;            // windows per backend call
};

/// Copies window `w` of the canvas (the image edge-replicated at the bottom/right, as
/// runtime::pad_edge does) from image `n` of `input` (N, C, h, w) into `dst` (C, w.height, w.width).
void extract_window(const Tensor<float>& input, std::int64_t n, const Rect& w, float* dst);

class TiledRunner final : public runtime::ImageRunner {
public:
    /// `halo` and `multiple` per axis (H, W); `tile` > 0 and a multiple of `multiple`.
    TiledRunner(runtime::Backend& backend, std::array<std::int64_t, 2> multiple, std::int64_t tile,
                std::array<std::int64_t, 2> halo, std::int64_t batch);

    Tensor<float> run(const Tensor<float>& input) override;

    /// Time inside the backend, and time spent partitioning and stitching (the paper's Table I split).
    double model_seconds() const { return model_seconds_; }
    double stitch_seconds() const { return stitch_seconds_; }
    /// Tiles in the last image's plan.
    std::int64_t last_tile_count() const { return last_tiles_; }

private:
    runtime::Backend& backend_;
    std::array<std::int64_t, 2> multiple_;
    std::int64_t tile_;
    std::array<std::int64_t, 2> halo_;
    std::int64_t batch_;
    double model_seconds_ = 0, stitch_seconds_ = 0;
    std::int64_t last_tiles_ = 0;
};

/// Validates `options` against the graph and returns the runner factory for Denoiser::set_runner,
/// or nullptr when options.tile == 0 (keep the whole-image runner). Throws Error on bad values.
runtime::Denoiser::RunnerFactory tiled_runner_factory(const model::Graph& graph, const TileOptions& options);

}  // namespace tomoedge::tiling
