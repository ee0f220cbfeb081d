#include "tiling/tiled_runner.hpp"

#include "core/error.hpp"
#include "core/timer.hpp"

#include <algorithm>
#include <memory>

namespace tomoedge::tiling {

void extract_window(const Tensor<float>& input, std::int64_t n, const Rect& w, float* dst) {
    const std::int64_t channels = input.dim(1), h = input.dim(2), width = input.dim(3);
    for (std::int64_t c = 0; c < channels; ++c) {
        const float* plane = input.data() + (n * channels + c) * h * width;
        for (std::int64_t r = 0; r < w.height; ++r) {
            const float* row = plane + std::min(w.y + r, h - 1) * width;
            float* out = dst + (c * w.height + r) * w.width;
            // Columns inside the image are copied; those beyond repeat the last one (pad_edge).
            const std::int64_t inside = std::clamp<std::int64_t>(width - w.x, 0, w.width);
            std::copy_n(row + w.x, inside, out);
            std::fill(out + inside, out + w.width, row[width - 1]);
        }
    }
}

TiledRunner::TiledRunner(runtime::Backend& backend, std::array<std::int64_t, 2> multiple, std::int64_t tile,
                         std::array<std::int64_t, 2> halo, std::int64_t batch)
    : backend_(backend), multiple_(multiple), tile_(tile), halo_(halo), batch_(batch) {
    if (batch_ <= 0) fail("tiling: batch {} is not positive", batch_);
}

Tensor<float> TiledRunner::run(const Tensor<float>& input) {
    if (input.rank() != 4) fail("tiling: expected an (N, C, H, W) input, got {}", input.shape().str());
    const std::int64_t images = input.dim(0), channels = input.dim(1), h = input.dim(2), w = input.dim(3);
    Stopwatch stitch;
    const TilePlan plan = plan_tiles(h, w, {tile_, tile_}, halo_, multiple_);
    last_tiles_ = static_cast<std::int64_t>(plan.tiles.size());
    const std::int64_t wh = plan.window[0], ww = plan.window[1];
    const std::int64_t jobs = images * last_tiles_;  // (image, tile) pairs, image-major
    Tensor<float> out;
    double model = 0;
    for (std::int64_t first = 0; first < jobs; first += batch_) {
        const std::int64_t count = std::min(batch_, jobs - first);
        Tensor<float> windows(Shape{count, channels, wh, ww});
        for (std::int64_t b = 0; b < count; ++b) {
            const std::int64_t job = first + b;
            extract_window(input, job / last_tiles_, plan.tiles[static_cast<std::size_t>(job % last_tiles_)].window,
                           windows.outer(b));
        }
        Stopwatch net;
        Tensor<float> y = backend_.run(windows);
        model += net.seconds();
        if (y.rank() != 4 || y.dim(0) != count || y.dim(2) != wh || y.dim(3) != ww)
            fail("tiling: backend returned {} for windows of {}; tiling needs an image-to-image network",
                 y.shape().str(), windows.shape().str());
        const std::int64_t oc = y.dim(1);
        if (out.empty()) out = Tensor<float>(Shape{images, oc, h, w});
        for (std::int64_t b = 0; b < count; ++b) {
            const std::int64_t job = first + b, n = job / last_tiles_;
            const Tile& t = plan.tiles[static_cast<std::size_t>(job % last_tiles_)];
            for (std::int64_t c = 0; c < oc; ++c) {
                const float* src = y.outer(b) + c * wh * ww;
                float* dst = out.data() + (n * oc + c) * h * w;
                for (std::int64_t r = 0; r < t.core.height; ++r)
                    std::copy_n(src + (t.core.y - t.window.y + r) * ww + (t.core.x - t.window.x), t.core.width,
                                dst + (t.core.y + r) * w + t.core.x);
            }
        }
    }
    model_seconds_ += model;
    stitch_seconds_ += stitch.seconds() - model;
    return out;
}

runtime::Denoiser::RunnerFactory tiled_runner_factory(const model::Graph& graph, const TileOptions& options) {
    if (options.tile < 0) fail("--tile {}: must be >= 0 (0 = whole image)", options.tile);
    if (options.batch <= 0) fail("--batch {}: must be positive", options.batch);
    if (options.halo && *options.halo < 0) fail("--halo {}: must be >= 0", *options.halo);
    if (options.tile == 0) return nullptr;
    const ReceptiveField field = receptive_field(graph);
    const auto multiple = model::spatial_multiple(graph);
    for (std::size_t a = 0; a < 2; ++a)
        if (options.tile % multiple[a] != 0)
            fail("--tile {}: must be a multiple of the network's pooling multiple {}", options.tile, multiple[a]);
    const std::array<std::int64_t, 2> halo =
        options.halo ? std::array<std::int64_t, 2>{*options.halo, *options.halo} : default_halo(field);
    const std::int64_t tile = options.tile, batch = options.batch;
    return [tile, halo, batch](runtime::Backend& backend, std::array<std::int64_t, 2> m) {
        return std::make_unique<TiledRunner>(backend, m, tile, halo, batch);
    };
}

}  // namespace tomoedge::tiling
