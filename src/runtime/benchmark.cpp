#include "runtime/benchmark.hpp"

#include "core/error.hpp"
#include "runtime/onednn_backend.hpp"

#include <random>

namespace tomoedge::runtime {

BenchResult benchmark(const model::Graph& graph, const BenchConfig& config) {
    if (config.runs < 1) fail("bench: --runs must be at least 1, got {}", config.runs);
    if (config.warmup < 0) fail("bench: --warmup must not be negative, got {}", config.warmup);
    BenchResult r;
    auto backend = make_backend(graph, config.backend);
    r.backend_name = backend->name();
    auto* onednn = dynamic_cast<OnednnBackend*>(backend.get());
    if (config.profile && !onednn) fail("bench: --profile needs the onednn backend");

    Tensor<float> input(config.input_shape);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    for (float& v : input.span()) v = uniform(rng);

    Stopwatch watch;
    backend->run(input);
    r.first_run_seconds = watch.seconds();
    for (int i = 0; i < config.warmup; ++i) backend->run(input);
    std::vector<double> samples;
    for (int i = 0; i < config.runs; ++i) {
        watch.restart();
        backend->run(input);
        samples.push_back(watch.seconds());
    }
    r.seconds = summarize(samples);
    r.gmac = static_cast<double>(model::count_conv_macs(graph, config.input_shape)) / 1e9;
    r.gflops = r.seconds.median > 0 ? 2.0 * r.gmac / r.seconds.median : 0.0;
    if (onednn) {
        r.arena_bytes = onednn->stats().arena_bytes;
        if (config.profile) {
            // Separate profiled runs, so the timed ones above carry no per-step waits.
            onednn->set_profiling(true);
            for (int i = 0; i < config.runs; ++i) onednn->run(input);
            onednn->set_profiling(false);
            r.profile = onednn->profile_table();
        }
    }
    r.peak_rss_bytes = peak_rss_bytes();
    return r;
}

}  // namespace tomoedge::runtime
