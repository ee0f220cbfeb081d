#pragma once
// The paper's Table I for this machine: per slice, the time of the model, of stitching (tiled
// rows) and of the Fine-Tune net, and the total, for every way the product can run a model.
// All rows are measured in one process, one after the other, on the same random input.
#include "model/graph.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tomoedge::evaluate {

struct SpeedTableConfig {
    const model::Graph* fp32 = nullptr;     // required: the float model
    const model::Graph* int8 = nullptr;     // optional: its QDQ model
    const model::Graph* int8_ft = nullptr;  // optional: the QDQ model with the Fine-Tune net chained
    std::string backend = "onednn";
    std::int64_t size = 1024;               // square slice
    int runs = 5, warmup = 1, threads = 0;
    std::int64_t paper_tile = 64;           // the paper's Edge TPU mode: 64 x 64 tiles, no halo
    std::int64_t seam_free_tile = 512;      // seam-free rows: tiles of this size, halo from the graph
};

/// One row. Times are medians over the runs, in seconds per slice; NaN where a stage does not
/// apply. The Fine-Tune time is the chained model's median minus the same mode's model-only median
/// (the chained graph runs as one pass, so its part cannot be timed inside it).
struct SpeedRow {
    std::string name;        // e.g. "int8, 64 x 64 tiles (paper), + Fine-Tune"
    std::string precision;   // fp32, bf16, int8
    std::string mode;        // whole image, 64x64 tiles halo 0, 512 tiles halo 56
    bool fine_tune = false;
    std::int64_t tiles = 1;
    double model_s = 0, stitch_s = 0, fine_tune_s = 0, total_s = 0;
    double gop = 0;          // operations of the whole-image model (2 x conv MACs), useful work only
    double gops = 0;         // gop / total_s
    double peak_rss_mb = 0;  // the process's peak so far (rows run in order, so it only grows)
};

/// Measures every row the given models allow: fp32, bf16 (when the CPU has it), int8 whole
/// image, int8 paper tiles, int8 seam-free tiles, and the int8 rows again with Fine-Tune.
/// `on_row` is called as each row completes (progress).
std::vector<SpeedRow> measure_speed_table(const SpeedTableConfig& config,
                                          const std::function<void(const SpeedRow&)>& on_row = {});

}  // namespace tomoedge::evaluate
