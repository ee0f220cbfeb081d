#include "evaluate/speed_table.hpp"

#include "core/error.hpp"
#include "core/timer.hpp"
#include "runtime/backend.hpp"
#include "runtime/int8/finetune_tail.hpp"
#include "runtime/int8/qdq_graph.hpp"
#include "runtime/onednn_backend.hpp"
#include "tiling/receptive_field.hpp"
#include "tiling/tiled_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <random>

namespace tomoedge::evaluate {
namespace {

constexpr double not_applicable = std::numeric_limits<double>::quiet_NaN();

Tensor<float> random_slice_group(const model::Graph& graph, std::int64_t size) {
    Tensor<float> input(Shape{1, graph.input_channels, size, size});
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    for (float& v : input.span()) v = uniform(rng);
    return input;
}

// A backend that passes every call through and, given the Fine-Tune net's step nodes, adds up the
// time its calls spent in those steps, from the oneDNN backend's per-step profile (turned on here).
// The profile sums the calls since the backend last changed plans (input shapes), and a call that
// changes plans starts it afresh: so a call's own share is the sum after it minus the sum after the
// previous call, or the whole sum when the profile counts one run.
class FineTuneTimedBackend final : public runtime::Backend {
public:
    FineTuneTimedBackend(std::unique_ptr<runtime::Backend> inner, const std::set<std::string>* nodes)
        : inner_(std::move(inner)), nodes_(nodes) {
        if (nodes_) onednn_ = dynamic_cast<runtime::OnednnBackend*>(inner_.get());
        if (onednn_) onednn_->set_profiling(true);
    }

    Tensor<float> run(const Tensor<float>& input) override {
        Tensor<float> output = inner_->run(input);
        ++calls_;
        if (onednn_) {
            std::vector<ProfileStep> steps;
            int runs = 0;
            for (const auto& s : onednn_->profile()) {
                steps.push_back({s.node, s.what, s.seconds});
                runs = s.runs;
            }
            const double sum = fine_tune_seconds(steps, *nodes_);
            fine_tune_ += runs <= 1 ? sum : std::max(0.0, sum - last_sum_);
            last_sum_ = sum;
        }
        return output;
    }
    std::string name() const override { return inner_->name(); }

    /// Whether the Fine-Tune steps are timed (a oneDNN backend and a Fine-Tune net).
    bool timed() const { return onednn_ != nullptr; }
    /// Calls and Fine-Tune seconds since the last take().
    std::pair<int, double> take() {
        const std::pair<int, double> r{calls_, fine_tune_};
        calls_ = 0;
        fine_tune_ = 0;
        return r;
    }

private:
    std::unique_ptr<runtime::Backend> inner_;
    const std::set<std::string>* nodes_;
    runtime::OnednnBackend* onednn_ = nullptr;
    int calls_ = 0;
    double fine_tune_ = 0, last_sum_ = 0;
};

// Medians of one way of running one model: the model's own time, the stitching around it, and
// (chained models) the Fine-Tune net's part of the model time.
struct ModeTiming {
    double model = 0, stitch = 0, total = 0, fine_tune = not_applicable;
    std::int64_t tiles = 1;
};

// How a row runs its model: the whole image in one backend call, or tiles of `tile` pixels
// with `halo` (nullopt: the graph's receptive-field radius).
struct Mode {
    std::int64_t tile = 0;
    std::optional<std::int64_t> halo;
};

// The Fine-Tune seconds of one run over the backends that ran it: summed, divided by the backends
// that had calls (the tiled runner's convention for its stage times); NaN when none is timed.
double run_fine_tune(std::vector<FineTuneTimedBackend*>& backends) {
    double sum = 0;
    int used = 0;
    bool timed = false;
    for (FineTuneTimedBackend* b : backends) {
        const auto [calls, seconds] = b->take();
        timed = timed || b->timed();
        if (calls > 0) {
            sum += seconds;
            ++used;
        }
    }
    return timed && used > 0 ? sum / used : not_applicable;
}

double median_or_nan(const std::vector<double>& samples) {
    for (double s : samples)
        if (std::isnan(s)) return not_applicable;
    return summarize(samples).median;
}

// `fine_tune_nodes`: time those steps inside the runs (chained models); null: plain models.
ModeTiming time_mode(const model::Graph& graph, runtime::Precision precision, const Mode& mode,
                     const SpeedTableConfig& c, const std::set<std::string>* fine_tune_nodes) {
    runtime::BackendOptions options;
    options.backend = c.backend;
    options.precision = precision;
    options.threads = c.threads;
    std::vector<FineTuneTimedBackend*> timed;
    auto make = [&](const runtime::BackendOptions& o) {
        auto b = std::make_unique<FineTuneTimedBackend>(runtime::make_backend(graph, o), fine_tune_nodes);
        timed.push_back(b.get());
        return b;
    };
    auto backend = make(options);
    const Tensor<float> input = random_slice_group(graph, c.size);

    std::vector<double> model_s, stitch_s, total_s, fine_tune_s;
    ModeTiming t;
    if (mode.tile == 0) {
        for (int i = 0; i < 1 + c.warmup; ++i) backend->run(input);  // planning + warm-up
        run_fine_tune(timed);
        for (int i = 0; i < c.runs; ++i) {
            Stopwatch watch;
            backend->run(input);
            model_s.push_back(watch.seconds());
            fine_tune_s.push_back(run_fine_tune(timed));
        }
        t.model = t.total = summarize(model_s).median;
        if (fine_tune_nodes) t.fine_tune = median_or_nan(fine_tune_s);
        return t;
    }

    // The tiled runner of `denoise --tile` (tiling::tiled_runner_factory), with its workers'
    // backends made here so that their Fine-Tune steps are timed too.
    const auto multiple = model::spatial_multiple(graph);
    for (std::size_t a = 0; a < 2; ++a)
        if (mode.tile % multiple[a] != 0)
            fail("bench: tile {} is not a multiple of the network's pooling multiple {}", mode.tile, multiple[a]);
    const std::array<std::int64_t, 2> halo = mode.halo ? std::array<std::int64_t, 2>{*mode.halo, *mode.halo}
                                                       : tiling::default_halo(tiling::receptive_field(graph));
    tiling::BackendMaker maker = [&](int threads) -> std::unique_ptr<runtime::Backend> {
        runtime::BackendOptions o = options;
        o.threads = threads;
        return make(o);
    };
    tiling::TiledRunner tiled(*backend, multiple, mode.tile, halo, 1, tiling::default_workers(c.backend), maker);
    for (int i = 0; i < 1 + c.warmup; ++i) tiled.run(input);
    run_fine_tune(timed);
    for (int i = 0; i < c.runs; ++i) {
        tiled.reset_timings();
        tiled.run(input);
        const tiling::TileTimings& s = tiled.timings();
        model_s.push_back(s.model);
        stitch_s.push_back(s.partition + s.stitch);
        total_s.push_back(s.total);
        fine_tune_s.push_back(run_fine_tune(timed));
    }
    t.model = summarize(model_s).median;
    t.stitch = summarize(stitch_s).median;
    t.total = summarize(total_s).median;
    if (fine_tune_nodes) t.fine_tune = median_or_nan(fine_tune_s);
    t.tiles = tiled.last_tile_count();
    return t;
}

std::string mode_name(const Mode& mode, const model::Graph& graph) {
    if (mode.tile == 0) return "whole image";
    const std::int64_t halo = mode.halo ? *mode.halo : tiling::default_halo(tiling::receptive_field(graph))[0];
    return fmt::format("{} x {} tiles, halo {}", mode.tile, mode.tile, halo);
}

}  // namespace

std::set<std::string> fine_tune_step_nodes(const model::Graph& int8_ft) {
    std::set<std::string> nodes;
    if (runtime::resolved_precision(int8_ft, {}) != runtime::Precision::int8) return nodes;  // not a QDQ model
    const runtime::int8::Int8Graph program = runtime::int8::lower_qdq(int8_ft);
    for (std::size_t i = 0; i < program.steps.size(); ++i) {
        const auto tail = runtime::int8::match_finetune_tail(program, i);
        if (!tail) continue;
        for (std::size_t k = tail->first_step; k <= tail->last_step; ++k) nodes.insert(program.steps[k].node.name);
        // The fused kernel's one step (runtime/onednn/lowering_int8.cpp names it so).
        nodes.insert(program.steps[tail->first_step].node.name + ".." + program.steps[tail->last_step].node.name);
        i = tail->last_step;
    }
    return nodes;
}

double fine_tune_seconds(const std::vector<ProfileStep>& steps, const std::set<std::string>& nodes) {
    double sum = 0;
    for (const ProfileStep& s : steps)
        if (nodes.count(s.node) != 0) sum += std::max(0.0, s.seconds);
    return sum;
}

std::vector<SpeedRow> measure_speed_table(const SpeedTableConfig& c,
                                          const std::function<void(const SpeedRow&)>& on_row) {
    if (!c.fp32) fail("bench: the speed table needs the fp32 model");
    if (c.runs < 1) fail("bench: --runs must be at least 1, got {}", c.runs);
    if (c.int8_ft && !c.int8) fail("bench: the Fine-Tune rows need the int8 model too (--int8)");
    std::set<std::string> fine_tune_nodes;
    if (c.int8_ft) {
        fine_tune_nodes = fine_tune_step_nodes(*c.int8_ft);
        if (fine_tune_nodes.empty())
            fail("bench: the --fine-tune model '{}' is not an int8 generator with its Fine-Tune net chained: no "
                 "Fine-Tune net found (tomoedge finetune makes one)", c.int8_ft->name);
    }
    const double gop = 2.0 * static_cast<double>(model::count_conv_macs(*c.fp32, Shape{1, c.fp32->input_channels,
                                                                                       c.size, c.size})) / 1e9;
    std::vector<SpeedRow> rows;
    auto add = [&](SpeedRow row) {
        row.gop = gop;
        row.gops = gop / row.total_s;
        row.peak_rss_mb = static_cast<double>(peak_rss_bytes()) / 1048576.0;
        rows.push_back(row);
        if (on_row) on_row(rows.back());
    };
    auto model_row = [&](const model::Graph& graph, runtime::Precision precision, const Mode& mode,
                         const std::string& name) {
        const ModeTiming t = time_mode(graph, precision, mode, c, nullptr);
        SpeedRow row{name, std::string(runtime::precision_name(precision)), mode_name(mode, graph)};
        row.tiles = t.tiles;
        row.model_s = t.model;
        row.stitch_s = mode.tile == 0 ? not_applicable : t.stitch;
        row.fine_tune_s = not_applicable;
        row.total_s = t.total;
        add(row);
        return t;
    };

    const Mode whole{}, seam_free{c.seam_free_tile, std::nullopt},
        paper{c.paper_tile, std::int64_t{0}};
    model_row(*c.fp32, runtime::Precision::fp32, whole, "fp32");
    try {
        model_row(*c.fp32, runtime::Precision::bf16, whole, "bf16");
    } catch (const Error&) {
        // oneDNN refuses bf16 on CPUs without it; the row is simply absent there.
    }
    if (!c.int8) return rows;
    const std::vector<std::pair<Mode, std::string>> int8_modes{
        {whole, "int8"}, {paper, "int8, paper's tiles"}, {seam_free, "int8, seam-free tiles"}};
    for (const auto& [mode, name] : int8_modes) {
        const ModeTiming plain = model_row(*c.int8, runtime::Precision::int8, mode, name);
        if (!c.int8_ft) continue;
        const ModeTiming chained = time_mode(*c.int8_ft, runtime::Precision::int8, mode, c, &fine_tune_nodes);
        SpeedRow row{name + " + Fine-Tune", "int8", mode_name(mode, *c.int8_ft), true, chained.tiles};
        row.model_s = plain.model;
        row.fine_tune_s = chained.fine_tune;  // inside the chained runs (NaN: no per-step profile)
        row.stitch_s = mode.tile == 0 ? not_applicable : chained.stitch;
        row.total_s = chained.total;
        add(row);
    }
    return rows;
}

std::string duration_cell(double seconds, bool* clamped) {
    if (std::isnan(seconds)) return "-";
    if (seconds < 0) {
        if (clamped) *clamped = true;
        return "0.0000*";
    }
    return fmt::format("{:.4f}", seconds);
}

SpeedTableText speed_table_text(const std::vector<SpeedRow>& rows, const std::vector<PeerRow>& peers) {
    SpeedTableText t;
    t.header = {"row", "mode", "tiles", "model s", "stitch s", "Fine-Tune s", "total s", "GOP/s", "peak RSS MB"};
    bool clamped = false, fine_tune_rows = false, untimed_fine_tune = false;
    for (const auto& r : rows) {
        t.cells.push_back({r.name, r.mode, std::to_string(r.tiles), duration_cell(r.model_s, &clamped),
                           duration_cell(r.stitch_s, &clamped), duration_cell(r.fine_tune_s, &clamped),
                           duration_cell(r.total_s, &clamped), fmt::format("{:.0f}", r.gops),
                           fmt::format("{:.0f}", r.peak_rss_mb)});
        fine_tune_rows = fine_tune_rows || r.fine_tune;
        untimed_fine_tune = untimed_fine_tune || (r.fine_tune && std::isnan(r.fine_tune_s));
    }
    for (const auto& p : peers)
        t.cells.push_back({p.name, "whole image", "1", duration_cell(p.median_s, &clamped), "-", "-",
                           duration_cell(p.median_s, &clamped), "-", "-"});
    if (fine_tune_rows)
        t.notes.push_back("Fine-Tune s: the Fine-Tune steps inside the chained model's own runs (per-step profile); "
                          "model s of a + Fine-Tune row: the generator alone.");
    if (untimed_fine_tune)
        t.notes.push_back("Fine-Tune s '-': only the onednn backend times steps inside a run.");
    if (clamped) t.notes.push_back("* a negative duration was measured (a bug): shown as 0.");
    return t;
}

}  // namespace tomoedge::evaluate
