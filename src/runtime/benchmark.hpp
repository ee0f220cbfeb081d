#pragma once
// Timing of a model on one backend: what `tomoedge bench` reports (median of repeated runs after
// warm-up, GFLOP/s from the convolution MACs, peak RSS).
#include "core/timer.hpp"
#include "model/graph.hpp"
#include "runtime/backend.hpp"

#include <string>

namespace tomoedge::runtime {

struct BenchConfig {
    BackendOptions backend;
    Shape input_shape;  // N, C, H, W
    int runs = 5;
    int warmup = 1;
    bool profile = false;  // per-layer times (oneDNN backend only)
};

struct BenchResult {
    TimingSummary seconds;        // per run, after warm-up
    double first_run_seconds = 0; // includes planning (primitive creation, weight reorders)
    double gmac = 0;              // convolution multiply-accumulates per run, in 1e9
    double gflops = 0;            // 2 x MACs / median
    long long peak_rss_bytes = 0;
    long long arena_bytes = 0;    // activation arena of the oneDNN plan (0 for other backends)
    std::string backend_name;
    std::string profile;          // per-layer table when asked and available
};

/// Runs the model on a random input in [0, 1) of `config.input_shape`: one untimed first run
/// (planning), `warmup` more, then `runs` timed ones.
BenchResult benchmark(const model::Graph& graph, const BenchConfig& config);

}  // namespace tomoedge::runtime
