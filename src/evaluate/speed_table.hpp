#pragma once
// The paper's Table I for this machine: per slice, the time of the model, of stitching (tiled
// rows) and of the Fine-Tune net, and the total, for every way the product can run a model.
// All rows are measured in one process, one after the other, on the same random input.
#include "model/graph.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
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
/// apply. The Fine-Tune time is measured inside the chained model's own timed runs: the oneDNN
/// backend's per-step profile of each run (a stream wait after each step), summed over the
/// Fine-Tune net's steps (fine_tune_step_nodes), the median over the runs. In tiled rows it is
/// summed over the tiles and divided by the workers that ran, as the tiled runner's stage times
/// are. NaN on a backend without a per-step profile (the reference backend).
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
/// `on_row` is called as each row completes (progress). Throws Error when `int8_ft` holds no
/// Fine-Tune net (nothing fine_tune_step_nodes recognises), before anything is measured.
std::vector<SpeedRow> measure_speed_table(const SpeedTableConfig& config,
                                          const std::function<void(const SpeedRow&)>& on_row = {});

/// One step of one run as a per-step profile reports it (runtime::onednn::StepTime).
struct ProfileStep {
    std::string node, what;
    double seconds = 0;
};

/// The profile node names of the Fine-Tune net in a chained int8 model: the steps of its lowered
/// program that runtime::int8::match_finetune_tail recognises (by structure, never by names), as
/// the general path names them (one per node), and as the fused kernel's single step
/// ("first..last"). Empty when no Fine-Tune net follows the generator, or for a float model.
std::set<std::string> fine_tune_step_nodes(const model::Graph& int8_ft);

/// The Fine-Tune net's share of one profiled run: the sum of the seconds of the steps whose node
/// is in `nodes`. Never negative (step times are).
double fine_tune_seconds(const std::vector<ProfileStep>& steps, const std::set<std::string>& nodes);

/// ONNX Runtime's time for a model, shown under the table's own rows.
struct PeerRow {
    std::string name;
    double median_s = 0;
};

/// The printed table: header, one line of cells per row, and notes to print under it.
struct SpeedTableText {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> cells;
    std::vector<std::string> notes;
};

/// A duration cell: "-" for NaN (the stage does not apply), seconds with 4 decimals otherwise.
/// A negative duration cannot be measured; should one reach the table it is shown as "0.0000*"
/// and `clamped` is set, so the table says so in a note instead of printing a negative time.
std::string duration_cell(double seconds, bool* clamped = nullptr);

/// Table I as text (cells through duration_cell: no negative duration is ever printed).
SpeedTableText speed_table_text(const std::vector<SpeedRow>& rows, const std::vector<PeerRow>& peers);

}  // namespace tomoedge::evaluate
