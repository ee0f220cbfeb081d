// `tomoedge recon INPUT.h5 -o OUTPUT`: FBP of Data Exchange projections, slab by slab. The work
// is in pipeline/reconstruct_file.hpp.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/threading.hpp"
#include "io/data_exchange.hpp"
#include "io/data_path.hpp"
#include "pipeline/reconstruct_file.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>

namespace tomoedge::cli {
namespace {

struct ReconArgs {
    std::string input, output, filter = "shepp-logan", centre, rows, dtype = "f32", convention = "tomopy";
    std::int64_t slab_rows = 8;
    int split = 0, subset = -1, leave_out = -1;
    bool json = false, circle = false;
    int threads = 0;
};

void run_recon(const ReconArgs& a) {
    set_num_threads(a.threads);
    pipeline::ReconOptions o;
    o.window = recon::parse_filter_window(a.filter);
    o.slab_rows = a.slab_rows;
    o.write.dtype = parse_dtype(a.dtype);
    o.convention = recon::parse_axis_convention(a.convention);
    o.mask_outside_field_of_view = a.circle;
    pipeline::parse_centre(a.centre, o);
    if ((a.subset >= 0 || a.leave_out >= 0) && a.split < 2)
        fail("--subset and --leave-out need --split K (K >= 2 interleaved angle subsets)");
    if (a.subset >= 0 && a.leave_out >= 0) fail("give --subset or --leave-out, not both");
    if (a.split != 0 && a.subset < 0 && a.leave_out < 0)
        fail("--split {} needs --subset J (angles J, J+K, ...) or --leave-out J (all the others)", a.split);
    if (a.split != 0) o.angles = {a.split, a.subset >= 0 ? a.subset : a.leave_out, a.leave_out >= 0};
    io::DataPath out = io::parse_data_path(a.output);
    if (out.format == io::StackFormat::hdf5 && out.dataset.empty()) out.dataset = "recon";
    if (!a.rows.empty()) {
        const io::ProjectionInfo info = io::read_projection_info(a.input);
        std::tie(o.row_first, o.row_count) = pipeline::parse_row_range(a.rows, info.rows);
    }
    Progress progress("recon", 0, "slice");
    std::int64_t shown = 0;
    const pipeline::ReconSummary s = pipeline::reconstruct_file(a.input, out, o, [&](std::int64_t done, std::int64_t) {
        progress.advance(done - shown);
        shown = done;
    });
    progress.finish();
    if (a.json) {
        print_json({{"input", a.input},
                    {"output", out.str()},
                    {"slices", s.slices},
                    {"size", s.size},
                    {"angles", s.angles},
                    {"centre", s.centre},
                    {"centre_source", s.centre_source},
                    {"convention", std::string(recon::axis_convention_name(o.convention))},
                    {"filter", a.filter},
                    {"clamped", s.stats.clamped},
                    {"bad_flat", s.stats.bad_flat},
                    {"seconds", s.seconds},
                    {"seconds_per_slice", s.seconds / static_cast<double>(s.slices)}});
        return;
    }
    print_table({"item", "value"},
                {{"output", out.str()},
                 {"slices", fmt::format("{} ({}x{}) from {} angles", s.slices, s.size, s.size, s.angles)},
                 {"centre", fmt::format("{:.2f} ({}; axis convention {})", s.centre, s.centre_source,
                                        recon::axis_convention_name(o.convention))},
                 {"filter", a.filter},
                 {"values clamped", std::to_string(s.stats.clamped)},
                 {"dead flat pixels", std::to_string(s.stats.bad_flat)},
                 {"seconds", fmt::format("{:.2f} ({:.4f} per slice)", s.seconds, s.seconds / static_cast<double>(s.slices))}});
}

void add_recon_command(CLI::App& app) {
    auto a = std::make_shared<ReconArgs>();
    auto* cmd = app.add_subcommand(
        "recon",
        "Filtered backprojection of parallel-beam projections in Data Exchange (/exchange/data, data_white, "
        "data_dark, theta in degrees over 180): flat/dark normalisation, -log, ramp filter with a window, "
        "backprojection. One slice per detector row, in attenuation per pixel; works slab by slab in bounded memory.");
    cmd->add_option("INPUT", a->input, "Data Exchange HDF5 file")->required();
    cmd->add_option("-o,--output", a->output, "FILE.h5[:DATASET] (default dataset 'recon'), FILE.tif or FOLDER/")
        ->required();
    cmd->add_option("--filter", a->filter, "Window on the ramp: " + recon::filter_window_names())->capture_default_str();
    cmd->add_option("--center", a->centre,
                    "Rotation axis as a detector column (0 = the first), or 'auto' (opposite-projection matching); "
                    "default: the middle, cols // 2 ((cols - 1) / 2 with --convention centred)");
    cmd->add_option("--convention", a->convention,
                    "Where the rotation axis is in the image: 'tomopy' (pixel size // 2, as TomoPy's gridrec and "
                    "scikit-image's iradon) or 'centred' (the geometric centre, (size - 1) / 2, as ASTRA). Both "
                    "orient the image as TomoPy and scikit-image: x to the right, y up, row 0 at the top")
        ->capture_default_str();
    cmd->add_flag("--circle", a->circle,
                  "Zero the pixels outside the field of view (the disc about the axis every projection covers), "
                  "as scikit-image's iradon(circle=True) does");
    cmd->add_option("--rows", a->rows, "Detector rows FIRST:END (END exclusive; either may be left out)");
    cmd->add_option("--slab-rows", a->slab_rows, "Detector rows per slab (memory ~ rows x angles x cols x 8 bytes)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--split", a->split,
                    "Deal the angles into K interleaved subsets (Noise2Inverse): with --subset J reconstruct angles J, "
                    "J+K, J+2K, ...; with --leave-out J all the others");
    cmd->add_option("--subset", a->subset, "With --split K: reconstruct only angle subset J (0..K-1)");
    cmd->add_option("--leave-out", a->leave_out, "With --split K: reconstruct every angle but those of subset J");
    cmd->add_option("--dtype", a->dtype, "Output type: f32, u16 or u8 (rounded and clamped)")->capture_default_str();
    add_threads_option(*cmd, a->threads);
    add_json_flag(*cmd, a->json);
    cmd->callback([a] { run_recon(*a); });
}

}  // namespace

TOMOEDGE_COMMAND("recon", add_recon_command);

}  // namespace tomoedge::cli
