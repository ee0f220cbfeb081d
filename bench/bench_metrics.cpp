// SSIM and the full image-quality triple on a 1024 x 1024 slice, at 1 and 2 threads.
//   build-*/bench/bench_metrics --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "core/threading.hpp"
#include "metrics/image_quality.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

constexpr std::int64_t side = 1024;

// A textured reference and a noisy copy, like a slice and its low-dose version.
struct Pair {
    std::vector<float> image, reference;
    Pair() : image(side * side), reference(side * side) {
        std::mt19937 rng(42);
        std::normal_distribution<float> noise(0.0f, 0.05f);
        for (std::int64_t r = 0; r < side; ++r)
            for (std::int64_t c = 0; c < side; ++c) {
                const auto i = static_cast<std::size_t>(r * side + c);
                reference[i] = 0.5f + 0.4f * std::sin(0.05f * static_cast<float>(r)) *
                                          std::cos(0.03f * static_cast<float>(c));
                image[i] = reference[i] + noise(rng);
            }
    }
};

const Pair& pair() {
    static const Pair p;
    return p;
}

void BM_Ssim1024(benchmark::State& state) {
    tomoedge::set_num_threads(static_cast<int>(state.range(0)));
    const auto& p = pair();
    for (auto _ : state) benchmark::DoNotOptimize(tomoedge::metrics::ssim(p.image, p.reference, side, side, 1.0));
    state.SetItemsProcessed(state.iterations() * side * side);
}
BENCHMARK(BM_Ssim1024)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ImageQuality1024(benchmark::State& state) {
    tomoedge::set_num_threads(static_cast<int>(state.range(0)));
    const auto& p = pair();
    for (auto _ : state)
        benchmark::DoNotOptimize(tomoedge::metrics::image_quality(p.image, p.reference, side, side).ssim);
    state.SetItemsProcessed(state.iterations() * side * side);
}
BENCHMARK(BM_ImageQuality1024)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
