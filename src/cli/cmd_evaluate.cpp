// `tomoedge evaluate --data DATA MODEL...`: per-slice SSIM and PSNR of each model's restoration
// (and of the noisy input) against the ground truth, summarised per model; CSV, JSON and the
// paper's Fig. 8 figures. Logic lives in the evaluate module.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/progress.hpp"
#include "core/threading.hpp"
#include "evaluate/evaluation.hpp"
#include "evaluate/figures.hpp"
#include "evaluate/report.hpp"
#include "io/data_path.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tomoedge::cli {
namespace {

struct EvaluateArgs {
    std::string data, noisy, truth, backend = "onednn", precision = "fp32", figures, csv;
    std::vector<std::string> models;
    std::vector<std::int64_t> zoom;
    int threads = 0, magnification = 0;
    std::int64_t slices = 0, tile = 0, batch = 1;
    std::optional<std::int64_t> halo, panel_slice;
    std::optional<double> data_range;
    bool json = false;
};

// --data FILE.h5 names a TomoGAN-layout file: its test_ns against its test_gt.
std::pair<io::DataPath, io::DataPath> data_pair(const EvaluateArgs& a) {
    if (a.data.empty()) return {io::parse_data_path(a.noisy), io::parse_data_path(a.truth)};
    if (!io::is_hdf5_path(a.data) || a.data.find(':') != std::string::npos)
        throw CLI::ValidationError("--data", "takes a TomoGAN-layout HDF5 file (test_ns, test_gt); name other "
                                             "datasets or TIFF stacks with --noisy and --truth");
    return {io::DataPath{a.data, "test_ns", io::StackFormat::hdf5}, io::DataPath{a.data, "test_gt", io::StackFormat::hdf5}};
}

std::string fixed(double value, int digits) {
    return std::isfinite(value) ? fmt::format("{:.{}f}", value, digits) : "inf";
}

void print_summary_table(const evaluate::Evaluation& ev, const std::vector<evaluate::MethodSummary>& summaries) {
    std::vector<std::vector<std::string>> rows;
    for (std::size_t m = 0; m < ev.methods.size(); ++m) {
        const auto& method = ev.methods[m];
        const std::string precision = method.precision.empty() ? "-" : method.precision;
        auto row = [&](const char* metric, const evaluate::Summary& s, int digits) {
            rows.push_back({method.label, precision, metric, fixed(s.mean, digits), fixed(s.min, digits),
                            fixed(s.q1, digits), fixed(s.median, digits), fixed(s.q3, digits), fixed(s.max, digits)});
        };
        row("SSIM", summaries[m].ssim, 4);
        row("PSNR dB", summaries[m].psnr, 2);
    }
    print_table({"method", "precision", "metric", "mean", "min", "q1", "median", "q3", "max"}, rows);
    std::printf("%zu of %lld slices (%lld x %lld)\n", ev.slices.size(), static_cast<long long>(ev.shape[0]),
                static_cast<long long>(ev.shape[1]), static_cast<long long>(ev.shape[2]));
    for (const auto& method : ev.methods)
        if (method.weights == "random")
            std::printf("note: %s has random weights (tomoedge.weights=random): not a restoration\n",
                        method.source.c_str());
}

void run_evaluate(const EvaluateArgs& a) {
    set_num_threads(a.threads);
    const auto [noisy, truth] = data_pair(a);
    std::vector<evaluate::ModelSpec> models;
    for (const auto& text : a.models) models.push_back(evaluate::parse_model_spec(text));

    evaluate::EvaluateOptions o;
    o.backend.backend = a.backend;
    o.backend.precision = runtime::parse_precision(a.precision);
    o.backend.threads = a.threads;
    o.tiling.tile = a.tile;
    o.tiling.halo = a.halo;
    o.tiling.batch = a.batch;
    o.slices = a.slices;
    o.data_range = a.data_range;
    o.panel_slice = a.panel_slice;
    std::unique_ptr<Progress> progress;
    o.on_slice = [&progress](std::int64_t done, std::int64_t total) {
        if (!progress) progress = std::make_unique<Progress>("evaluate", total, "slice");
        progress->advance(1, fmt::format("{}/{}", done, total));
    };
    evaluate::PanelOptions panel;
    if (!a.zoom.empty()) panel.zoom = evaluate::ZoomRegion{a.zoom[0], a.zoom[1], a.zoom[2]};
    panel.magnification = a.magnification;

    const evaluate::Evaluation ev = evaluate::evaluate_models(noisy, truth, models, o);
    if (progress) progress->finish();
    const auto summaries = evaluate::summarize_methods(ev);
    std::optional<evaluate::FigureFiles> figures;
    if (!a.figures.empty()) figures = evaluate::write_evaluation_figures(a.figures, ev, summaries, panel);
    if (!a.csv.empty()) evaluate::write_csv(a.csv, ev);

    if (a.json) {
        nlohmann::json j = evaluate::evaluation_json(ev, summaries);
        j["noisy"] = noisy.str();
        j["truth"] = truth.str();
        j["csv"] = a.csv.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.csv);
        if (figures)
            j["figures"] = {{"box_plot_png", figures->box_plot_png.string()},
                            {"box_plot_svg", figures->box_plot_svg.string()},
                            {"panel_png", figures->panel_png.string()},
                            {"panel_columns", ev.panel_labels}};
        else
            j["figures"] = nullptr;
        print_json(j);
        return;
    }
    print_summary_table(ev, summaries);
    if (figures)
        std::printf("figures: %s, %s, %s (slice %lld: %s)\n", figures->box_plot_png.string().c_str(),
                    figures->box_plot_svg.string().c_str(), figures->panel_png.string().c_str(),
                    static_cast<long long>(ev.panel_slice), fmt::format("{}", fmt::join(ev.panel_labels, " | ")).c_str());
    if (!a.csv.empty()) std::printf("per-slice scores: %s\n", a.csv.c_str());
}

void add_evaluate_command(CLI::App& app) {
    auto a = std::make_shared<EvaluateArgs>();
    auto* cmd = app.add_subcommand(
        "evaluate",
        "SSIM and PSNR of each model's restoration, and of the noisy input, against the ground truth on every "
        "slice (or --slices N evenly spaced); a summary per model (mean, min, quartiles, max); --csv per-slice "
        "rows; --figures DIR writes the paper's Fig. 8 box plot (PNG, SVG) and a side-by-side slice panel with a "
        "zoomed inset. Models run as `denoise` runs them; QDQ models run as int8.");
    cmd->add_option("MODEL", a->models, "ONNX models (.onnx); MODEL.onnx@bf16 picks one model's precision")
        ->required()
        ->expected(1, -1);
    auto* data = cmd->add_option("--data", a->data, "TomoGAN-layout HDF5 file: scores test_ns against test_gt");
    auto* noisy = cmd->add_option("--noisy", a->noisy, "Noisy stack: FILE.h5:DATASET, FILE.tif or FOLDER/");
    auto* truth = cmd->add_option("--truth", a->truth, "Ground-truth stack of the same shape");
    data->excludes(noisy)->excludes(truth);
    noisy->needs(truth);
    truth->needs(noisy);
    cmd->add_option("--slices", a->slices, "Score this many slices, evenly spaced (0 = all)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--backend", a->backend, "reference, onednn or xnnpack (int8 models; when built with XNNPACK)")->capture_default_str();
    cmd->add_option("--precision", a->precision, "fp32 or bf16 for every model without @precision")
        ->capture_default_str();
    cmd->add_option("--tile", a->tile, "Tile size in pixels as in `denoise` (0 = whole image)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--halo", a->halo, "Tile halo as in `denoise` (default: seam-free)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--batch", a->batch, "Tiles per backend call")->check(CLI::PositiveNumber)->capture_default_str();
    cmd->add_option("--data-range", a->data_range,
                    "Data range R for SSIM and PSNR (default: max - min of each ground-truth slice)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--figures", a->figures,
                    "Folder for quality_boxplot.png, quality_boxplot.svg and slice_panel.png (created if needed)");
    cmd->add_option("--panel-slice", a->panel_slice, "Volume slice shown in the panel (default: the middle one scored)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--zoom", a->zoom, "Panel zoom region ROW,COL,SIZE in pixels (default: centre, 1/6 of the side)")
        ->expected(3)
        ->delimiter(',')
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--magnification", a->magnification, "Zoom inset scale (0 = fit a third of the slice)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--csv", a->csv, "Write per-slice scores here (one row per slice and method)");
    add_threads_option(*cmd, a->threads);
    add_json_flag(*cmd, a->json);
    cmd->callback([a] {
        if (a->data.empty() && a->noisy.empty())
            throw CLI::ValidationError("evaluate", "name the data: --data FILE.h5, or --noisy A --truth B");
        run_evaluate(*a);
    });
}

}  // namespace

TOMOEDGE_COMMAND("evaluate", add_evaluate_command);

}  // namespace tomoedge::cli
