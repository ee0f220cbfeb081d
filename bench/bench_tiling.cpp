// Seam-free tiling overhead: whole-image vs tiled time of one slice, the tiled time split as in the
// paper's Table I (model / partition / stitch).
//   build-*/bench/bench_tiling [--model M.onnx] [--size 1024 | --height H --width W] [--backend onednn]
//       [--tile 512] [--halo H] [--batch 1] [--workers 0] [--threads 2] [--runs 5] [--warmup 1] [--json]
// Without --model: the built-in TomoGAN with random weights (timing does not depend on weights).
// Runs alternate whole-image and tiled, so load on a shared machine slows both alike.
#include "core/threading.hpp"
#include "model/onnx_import.hpp"
#include "model/tomogan.hpp"
#include "tiling/tile_bench.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <exception>
#include <string>

using namespace tomoedge;

int main(int argc, char** argv) try {
    std::string model_path;
    tiling::TileBenchConfig c;
    c.tiles.tile = 512;
    int threads = 2;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto text = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
        const auto number = [&] { return std::atoll(text().c_str()); };
        if (a == "--model") model_path = text();
        else if (a == "--size") c.height = c.width = number();
        else if (a == "--height") c.height = number();
        else if (a == "--width") c.width = number();
        else if (a == "--backend") c.backend.backend = text();
        else if (a == "--tile") c.tiles.tile = number();
        else if (a == "--halo") c.tiles.halo = number();
        else if (a == "--batch") c.tiles.batch = number();
        else if (a == "--workers") c.tiles.workers = static_cast<int>(number());
        else if (a == "--threads") threads = static_cast<int>(number());
        else if (a == "--runs") c.runs = static_cast<int>(number());
        else if (a == "--warmup") c.warmup = static_cast<int>(number());
        else if (a == "--json") json = true;
        else {
            fmt::print(stderr, "usage: bench_tiling [--model M.onnx] [--size N | --height H --width W] [--backend B] "
                               "[--tile T] [--halo H] [--batch B] [--workers W] [--threads T] [--runs R] "
                               "[--warmup W] [--json]\n");
            return 2;
        }
    }
    set_num_threads(threads);
    c.backend.threads = threads;
    const model::Graph graph = model_path.empty() ? model::build_tomogan() : model::import_onnx(model_path);
    const tiling::TileBenchResult r = tiling::benchmark_tiled(graph, c);
    if (json) {
        const nlohmann::json j{{"model", model_path.empty() ? "TomoGAN (built in, random weights)" : model_path},
                               {"backend", r.backend_name}, {"threads", threads}, {"height", c.height},
                               {"width", c.width}, {"tile", c.tiles.tile}, {"halo", r.halo[0]},
                               {"batch", c.tiles.batch}, {"workers", r.workers}, {"runs", c.runs},
                               {"tiles", r.tiles}, {"calls", r.calls}, {"whole_s", r.whole.median},
                               {"tiled_s", r.tiled.median}, {"tiled_min_s", r.tiled.min}, {"whole_min_s", r.whole.min},
                               {"model_s", r.model}, {"partition_s", r.partition}, {"stitch_s", r.stitch},
                               {"overhead", r.overhead}, {"window_pixels_ratio", r.window_pixels_ratio}};
        fmt::print("{}\n", j.dump());
        return 0;
    }
    fmt::print("{} {}x{}, {} threads, tile {} halo {} batch {} workers {}: {} tiles ({} backend calls), "
               "network sees {:.3f}x the pixels\n",
               r.backend_name, c.height, c.width, threads, c.tiles.tile, r.halo[0], c.tiles.batch, r.workers, r.tiles,
               r.calls, r.window_pixels_ratio);
    fmt::print("median of {} runs: whole {:.4f} s, tiled {:.4f} s (overhead {:+.1f}%) = model {:.4f} + partition "
               "{:.4f} + stitch {:.4f} s\n",
               c.runs, r.whole.median, r.tiled.median, 100 * r.overhead, r.model, r.partition, r.stitch);
    return 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "bench_tiling: error: {}\n", e.what());
    return 1;
}
