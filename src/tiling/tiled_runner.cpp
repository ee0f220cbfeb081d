#include "tiling/tiled_runner.hpp"

#include "core/error.hpp"
#include "core/threading.hpp"
#include "core/timer.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

namespace tomoedge::tiling {
namespace {

// Copies window `w` of one plane's canvas into `dst` through `f` (raw value -> network value):
// rows and columns beyond the image repeat the last one, as runtime::pad_edge does. `plane` holds
// image rows from `first_row` on (a band), enough to cover the window.
template <class F>
void copy_window(const float* plane, std::int64_t first_row, std::int64_t h, std::int64_t width, const Rect& w,
                 float* dst, F f) {
    const std::int64_t inside = std::clamp<std::int64_t>(width - w.x, 0, w.width);
    for (std::int64_t r = 0; r < w.height; ++r) {
        const float* row = plane + (std::min(w.y + r, h - 1) - first_row) * width;
        float* out = dst + r * w.width;
        std::transform(row + w.x, row + w.x + inside, out, f);
        std::fill(out + inside, out + w.width, f(row[width - 1]));
    }
}

struct Identity {
    float operator()(float v) const { return v; }
};

// One backend call's worth of tiles: jobs [begin, begin + count) of the shape-sorted job list.
struct Batch {
    std::size_t begin = 0;
    std::int64_t count = 0;
};

struct Job {
    std::int64_t image = 0;
    std::size_t tile = 0;
};

std::vector<std::size_t> all_tiles(const TilePlan& plan) {
    std::vector<std::size_t> tiles(plan.tiles.size());
    for (std::size_t t = 0; t < tiles.size(); ++t) tiles[t] = t;
    return tiles;
}

}  // namespace

void extract_window(const Tensor<float>& input, std::int64_t n, const Rect& w, float* dst) {
    const std::int64_t channels = input.dim(1), h = input.dim(2), width = input.dim(3);
    for (std::int64_t c = 0; c < channels; ++c)
        copy_window(input.data() + (n * channels + c) * h * width, 0, h, width, w, dst + c * w.height * w.width,
                    Identity{});
}

// Where windows come from and where cores go: a tensor (run) or raw planes (run_planes).
struct TiledRunner::Source {
    std::int64_t images = 1, channels = 1, height = 0, width = 0;
    std::function<void(std::int64_t image, const Rect& window, float* dst)> read;
    // `y` is the window's output (channels, window.height, window.width).
    std::function<void(std::int64_t image, const Tile& tile, const float* y, std::int64_t channels)> write;
};

TiledRunner::TiledRunner(runtime::Backend& backend, std::array<std::int64_t, 2> multiple, std::int64_t tile,
                         std::array<std::int64_t, 2> halo, std::int64_t batch, int workers, BackendMaker maker)
    : backend_(backend), multiple_(multiple), tile_(tile), halo_(halo), batch_(batch), workers_(workers),
      maker_(std::move(maker)) {
    if (batch_ <= 0) fail("tiling: batch {} is not positive", batch_);
    if (workers_ <= 0) fail("tiling: workers {} is not positive", workers_);
    if (workers_ > 1 && !maker_) fail("tiling: {} workers need a way to make their backends", workers_);
}

std::vector<runtime::Backend*> TiledRunner::worker_backends() {
    if (workers_ == 1) return {&backend_};
    const int threads = std::max(1, num_threads() / workers_);
    while (static_cast<int>(own_.size()) < workers_) own_.push_back(maker_(threads));
    std::vector<runtime::Backend*> list;
    for (auto& b : own_) list.push_back(b.get());
    return list;
}

const TilePlan& TiledRunner::plan_for(std::int64_t height, std::int64_t width) {
    if (plan_.height != height || plan_.width != width || plan_.tiles.empty())
        plan_ = plan_tiles(height, width, {tile_, tile_}, halo_, multiple_);
    return plan_;
}

void TiledRunner::run_jobs(const Source& source, const std::vector<std::size_t>& tiles, bool images_done) {
    Stopwatch wall;
    const TilePlan& plan = plan_for(source.height, source.width);
    last_tiles_ = static_cast<std::int64_t>(plan.tiles.size());
    // Jobs sorted by window shape (at most 4), so a batch stacks equal shapes along N.
    std::vector<Job> jobs;
    for (std::int64_t n = 0; n < source.images; ++n)
        for (std::size_t t : tiles) jobs.push_back({n, t});
    auto shape = [&plan](const Job& j) {
        const Rect& w = plan.tiles[j.tile].window;
        return std::pair{w.height, w.width};
    };
    std::stable_sort(jobs.begin(), jobs.end(), [&](const Job& a, const Job& b) { return shape(a) < shape(b); });
    std::vector<Batch> batches;
    for (std::size_t i = 0; i < jobs.size();) {
        Batch b{i, 0};
        while (i < jobs.size() && b.count < batch_ && shape(jobs[i]) == shape(jobs[b.begin])) {
            ++i;
            ++b.count;
        }
        batches.push_back(b);
    }

    const std::vector<runtime::Backend*> backends = worker_backends();
    const int used = static_cast<int>(std::min(backends.size(), batches.size()));
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::exception_ptr error;
    std::mutex error_mutex;
    std::vector<TileTimings> spent(static_cast<std::size_t>(used));
    auto work = [&](int worker) {
        try {
            runtime::Backend& backend = *backends[static_cast<std::size_t>(worker)];
            TileTimings& t = spent[static_cast<std::size_t>(worker)];
            Tensor<float> windows;
            for (std::size_t k; !stop && (k = next++) < batches.size();) {
                const Batch& b = batches[k];
                const auto [wh, ww] = shape(jobs[b.begin]);
                Stopwatch step;
                const Shape s{b.count, source.channels, wh, ww};
                if (windows.shape() != s) windows = Tensor<float>(s);
                for (std::int64_t i = 0; i < b.count; ++i) {
                    const Job& j = jobs[b.begin + static_cast<std::size_t>(i)];
                    source.read(j.image, plan.tiles[j.tile].window, windows.outer(i));
                }
                t.partition += step.seconds();
                step.restart();
                const Tensor<float> y = backend.run(windows);
                t.model += step.seconds();
                step.restart();
                if (y.rank() != 4 || y.dim(0) != b.count || y.dim(2) != wh || y.dim(3) != ww)
                    fail("tiling: backend returned {} for windows of {}; tiling needs an image-to-image network",
                         y.shape().str(), s.str());
                for (std::int64_t i = 0; i < b.count; ++i) {
                    const Job& j = jobs[b.begin + static_cast<std::size_t>(i)];
                    source.write(j.image, plan.tiles[j.tile], y.outer(i), y.dim(1));
                }
                t.stitch += step.seconds();
                ++t.calls;
            }
        } catch (...) {
            std::lock_guard lock(error_mutex);
            if (!error) error = std::current_exception();
            stop = true;
        }
    };
    std::vector<std::thread> threads;
    for (int w = 1; w < used; ++w) threads.emplace_back(work, w);
    work(0);
    for (auto& th : threads) th.join();
    if (error) std::rethrow_exception(error);

    for (const TileTimings& t : spent) {
        timings_.model += t.model / used;
        timings_.partition += t.partition / used;
        timings_.stitch += t.stitch / used;
        timings_.calls += t.calls;
    }
    if (images_done) timings_.images += source.images;
    timings_.tiles += static_cast<std::int64_t>(jobs.size());
    timings_.total += wall.seconds();
}

Tensor<float> TiledRunner::run(const Tensor<float>& input) {
    if (input.rank() != 4) fail("tiling: expected an (N, C, H, W) input, got {}", input.shape().str());
    Source source;
    source.images = input.dim(0);
    source.channels = input.dim(1);
    source.height = input.dim(2);
    source.width = input.dim(3);
    const std::int64_t h = source.height, w = source.width;
    Tensor<float> out;
    std::once_flag allocated;  // the output channel count is known after the first call
    source.read = [&input](std::int64_t n, const Rect& window, float* dst) { extract_window(input, n, window, dst); };
    source.write = [&](std::int64_t n, const Tile& t, const float* y, std::int64_t oc) {
        std::call_once(allocated, [&] { out = Tensor<float>(Shape{source.images, oc, h, w}); });
        const Rect& win = t.window;
        for (std::int64_t c = 0; c < oc; ++c) {
            const float* src = y + c * win.height * win.width;
            float* dst = out.data() + (n * oc + c) * h * w;
            for (std::int64_t r = 0; r < t.core.height; ++r)
                std::copy_n(src + (t.core.y - win.y + r) * win.width + (t.core.x - win.x), t.core.width,
                            dst + (t.core.y + r) * w + t.core.x);
        }
    };
    run_jobs(source, all_tiles(plan_for(h, w)), true);
    return out;
}

void TiledRunner::run_planes(const runtime::PlaneInput& in, float* out) {
    run_part(in, all_tiles(plan_for(in.height, in.width)), 0, out, true);
}

std::vector<runtime::RowBand> TiledRunner::row_bands(std::int64_t height, std::int64_t width) {
    const TilePlan& plan = plan_for(height, width);
    // One band per row of tiles: the tiles of a row share their window rows (the plan places each
    // axis on its own), so the band's input is those rows, clipped to the image (the canvas rows
    // below it repeat its last row).
    std::vector<runtime::RowBand> bands;
    for (const Tile& t : plan.tiles) {
        if (!bands.empty() && bands.back().out_begin == t.core.y) continue;
        bands.push_back({t.window.y, std::min(height, t.window.y + t.window.height), t.core.y, t.core.y + t.core.height});
    }
    return bands;
}

void TiledRunner::run_band(const runtime::PlaneInput& in, const runtime::RowBand& band, float* out) {
    const TilePlan& plan = plan_for(in.height, in.width);
    std::vector<std::size_t> tiles;
    for (std::size_t t = 0; t < plan.tiles.size(); ++t)
        if (plan.tiles[t].core.y == band.out_begin) tiles.push_back(t);
    const Tile* first = tiles.empty() ? nullptr : &plan.tiles[tiles.front()];
    if (first == nullptr || first->core.y + first->core.height != band.out_end || first->window.y != band.in_begin ||
        std::min(in.height, first->window.y + first->window.height) != band.in_end)
        fail("tiling: rows {}..{} are not a band of the {} x {} tile plan", band.out_begin, band.out_end, in.height,
             in.width);
    if (in.first_row != band.in_begin)
        fail("tiling: band input starts at row {}, the band at row {}", in.first_row, band.in_begin);
    run_part(in, tiles, band.out_begin, out, band.out_end == in.height);
}

void TiledRunner::run_part(const runtime::PlaneInput& in, const std::vector<std::size_t>& tiles, std::int64_t out_row,
                           float* out, bool image_done) {
    Source source;
    source.channels = static_cast<std::int64_t>(in.planes.size());
    source.height = in.height;
    source.width = in.width;
    const std::int64_t h = in.height, w = in.width, first_row = in.first_row;
    const double low = in.low, scale = in.scale;
    // The same arithmetic as ImageRunner::run_planes, so tiled and whole-image runs see equal inputs.
    auto normalise = [low, scale](float v) { return static_cast<float>((v - low) / scale); };
    source.read = [&](std::int64_t, const Rect& window, float* dst) {
        for (std::size_t c = 0; c < in.planes.size(); ++c)
            copy_window(in.planes[c], first_row, h, w, window,
                        dst + static_cast<std::int64_t>(c) * window.height * window.width, normalise);
    };
    source.write = [&](std::int64_t, const Tile& t, const float* y, std::int64_t) {
        const Rect& win = t.window;
        for (std::int64_t r = 0; r < t.core.height; ++r) {
            const float* src = y + (t.core.y - win.y + r) * win.width + (t.core.x - win.x);
            float* dst = out + (t.core.y - out_row + r) * w + t.core.x;
            for (std::int64_t q = 0; q < t.core.width; ++q) dst[q] = static_cast<float>(src[q] * scale + low);
        }
    };
    run_jobs(source, tiles, image_done);
}

int default_workers(const std::string&) {
    // Measured on this 2-core machine (bench/bench_tiling, TomoGAN fp32 on oneDNN, 1024 x 1024, tile
    // 512): one 2-thread call at a time 2.21 s, two 1-thread calls at once 1.67 s (whole image 1.48 s).
    // Small windows scale poorly across threads inside one call; the reference backend is
    // single-threaded. So: one call per thread for every backend.
    return std::max(1, num_threads());
}

runtime::Denoiser::RunnerFactory tiled_runner_factory(const model::Graph& graph, const TileOptions& options,
                                                      const runtime::BackendOptions& backend) {
    if (options.tile < 0) fail("--tile {}: must be >= 0 (0 = whole image)", options.tile);
    if (options.batch <= 0) fail("--batch {}: must be positive", options.batch);
    if (options.halo && *options.halo < 0) fail("--halo {}: must be >= 0", *options.halo);
    if (options.workers < 0) fail("--workers {}: must be >= 0 (0 = default)", options.workers);
    if (options.tile == 0) return nullptr;
    const ReceptiveField field = receptive_field(graph);
    const auto multiple = model::spatial_multiple(graph);
    for (std::size_t a = 0; a < 2; ++a)
        if (options.tile % multiple[a] != 0)
            fail("--tile {}: must be a multiple of the network's pooling multiple {}", options.tile, multiple[a]);
    const std::array<std::int64_t, 2> halo =
        options.halo ? std::array<std::int64_t, 2>{*options.halo, *options.halo} : default_halo(field);
    const std::int64_t tile = options.tile, batch = options.batch;
    const int workers = options.workers > 0 ? options.workers : default_workers(backend.backend);
    auto shared = std::make_shared<const model::Graph>(graph.clone());
    BackendMaker maker = [shared, backend](int threads) {
        runtime::BackendOptions o = backend;
        o.threads = threads;
        return runtime::make_backend(*shared, o);
    };
    return [tile, halo, batch, workers, maker](runtime::Backend& b, std::array<std::int64_t, 2> m) {
        return std::make_unique<TiledRunner>(b, m, tile, halo, batch, workers, maker);
    };
}

}  // namespace tomoedge::tiling
