// `tomoedge simulate -o OUT`: phantom volumes -> projections (Data Exchange) -> noisy/clean FBP
// slice pairs in the TomoGAN layout. The work is in pipeline/simulate.hpp.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/threading.hpp"
#include "io/data_path.hpp"
#include "pipeline/simulate.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>

namespace tomoedge::cli {
namespace {

struct SimulateArgs {
    pipeline::SimulateOptions sim;
    std::string output, projections, preview, filter = "shepp-logan";
    bool no_projections = false, json = false;
    int threads = 0;
};

void run_simulate(SimulateArgs& a) {
    set_num_threads(a.threads);
    pipeline::SimulateOptions& o = a.sim;
    o.window = recon::parse_filter_window(a.filter);
    const std::filesystem::path out = a.output;
    if (io::is_hdf5_path(out)) {
        o.dataset = out;
        if (!a.projections.empty()) o.projections_dir = a.projections;
    } else {
        std::filesystem::create_directories(out);
        o.dataset = out / "dataset.h5";
        o.projections_dir = a.projections.empty() ? out / "projections" : std::filesystem::path(a.projections);
    }
    if (a.no_projections) o.projections_dir.clear();
    if (!a.preview.empty()) o.preview_png = a.preview;

    const std::int64_t total = o.volumes * o.slices;
    Progress progress("simulate", total, "slice");
    std::int64_t shown = 0;
    const pipeline::SimulateSummary s = pipeline::simulate(o, [&](std::int64_t done, std::int64_t) {
        progress.advance(done - shown);
        shown = done;
    });
    progress.finish();
    const std::string projections = o.projections_dir.empty() ? "" : o.projections_dir.string();
    if (a.json) {
        print_json({{"dataset", o.dataset.string()},
                    {"projections", projections},
                    {"preview", o.preview_png.string()},
                    {"size", o.size},
                    {"train_slices", s.train_slices},
                    {"test_slices", s.test_slices},
                    {"angles", s.angles},
                    {"low_dose_angles", s.low_dose_angles},
                    {"i0", o.i0},
                    {"gt_i0", o.gt_i0},
                    {"clamped", s.clamped},
                    {"seconds", s.seconds}});
        return;
    }
    print_table({"item", "value"},
                {{"dataset", o.dataset.string()},
                 {"projections", projections.empty() ? "(not written)" : projections},
                 {"slices train/test", fmt::format("{} / {} ({}x{})", s.train_slices, s.test_slices, o.size, o.size)},
                 {"angles normal/low dose", fmt::format("{} / {}", s.angles, s.low_dose_angles)},
                 {"i0 low/normal dose", fmt::format("{} / {}", o.i0, o.gt_i0 > 0 ? fmt::format("{}", o.gt_i0) : "noise-free")},
                 {"values clamped", std::to_string(s.clamped)},
                 {"seconds", fmt::format("{:.2f}", s.seconds)}});
}

void add_simulate_command(CLI::App& app) {
    auto a = std::make_shared<SimulateArgs>();
    auto* cmd = app.add_subcommand(
        "simulate",
        "Simulate a tomography dataset: 3-D phantoms, exact parallel-beam projections, Poisson low dose and sparse "
        "views, FBP. Writes noisy/clean slice pairs (train_ns, train_gt, test_ns, test_gt; attenuation per pixel, "
        "float32) and the scans in Data Exchange. gt = FBP of all angles at normal dose (noise-free unless --gt-i0), "
        "ns = FBP of every --sparse-th angle at --i0 photons. Volumes, not slices, are split into train and test. "
        "Default: a small 256x256 set in seconds. A 1024x1024 set: --size 1024 --angles 1024 --sparse 8 --slices 16.");
    cmd->add_option("-o,--output", a->output,
                    "FOLDER (writes FOLDER/dataset.h5 and FOLDER/projections/) or FILE.h5 (slices only)")
        ->required();
    cmd->add_option("--phantom", a->sim.phantom, "foam (random spheres/ellipsoids in a cylinder), shepp-logan (the 3-D head), ellipses (random overlapping "
                    "ellipsoids), fibres (a fibre composite) or layers (nested layers with pores)")
        ->capture_default_str();
    cmd->add_option("--size", a->sim.size, "Image and detector width in pixels")->capture_default_str();
    cmd->add_option("--slices", a->sim.slices, "Slices per volume (adjacent slices one voxel apart)")->capture_default_str();
    cmd->add_option("--volumes", a->sim.volumes, "Volumes (independent phantoms)")->capture_default_str();
    cmd->add_option("--test-volumes", a->sim.test_volumes, "Volumes held out as test_ns/test_gt")->capture_default_str();
    cmd->add_option("--angles", a->sim.angles, "Normal-dose angles over 180 degrees (0: pi/2 x size, a multiple of --sparse)")
        ->capture_default_str();
    cmd->add_option("--sparse", a->sim.sparse, "Low dose keeps every k-th angle (1 = all)")->capture_default_str();
    cmd->add_option("--i0", a->sim.i0, "Low-dose incident photons per detector pixel per projection")->capture_default_str();
    cmd->add_option("--gt-i0", a->sim.gt_i0, "Normal-dose photons (0 = noise-free ground truth)")->capture_default_str();
    cmd->add_option("--dark", a->sim.dark, "Mean dark count per pixel")->capture_default_str();
    cmd->add_option("--seed", a->sim.seed, "Random seed (phantoms and noise)")->capture_default_str();
    cmd->add_option("--filter", a->filter, "FBP window: " + recon::filter_window_names())->capture_default_str();
    cmd->add_option("--projections", a->projections, "Folder for the Data Exchange scans (v000_lowdose.h5, ...)");
    cmd->add_flag("--no-projections", a->no_projections, "Do not write the Data Exchange scans");
    cmd->add_option("--preview", a->preview,
                    "PNG of the middle slice of the first test volume: phantom | low-dose FBP | normal-dose FBP");
    add_threads_option(*cmd, a->threads);
    add_json_flag(*cmd, a->json);
    cmd->callback([a] { run_simulate(*a); });
}

}  // namespace

TOMOEDGE_COMMAND("simulate", add_simulate_command);

}  // namespace tomoedge::cli
