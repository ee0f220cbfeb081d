// `tomoedge convert IN OUT`: HDF5 dataset <-> TIFF stack (or within one format), streamed slab
// by slab, with dtype and scaling options.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/dtype.hpp"
#include "io/convert.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

namespace tomoedge::cli {
namespace {

struct ConvertCliOptions {
    std::string input, output, dtype, scale = "auto";
    std::vector<double> percentiles;
    int deflate = 0;
    bool json = false;
};

void run_convert(const ConvertCliOptions& o) {
    io::ConvertOptions c;
    if (!o.dtype.empty()) c.dtype = parse_dtype(o.dtype);
    c.scaling = io::parse_scaling(o.scale);
    if (!o.percentiles.empty()) {
        c.low_pct = o.percentiles[0];
        c.high_pct = o.percentiles[1];
    }
    c.deflate_level = o.deflate;
    const io::ConvertReport r = io::convert_stack(o.input, o.output, c);
    if (o.json) {
        print_json({{"input", r.input},
                    {"output", r.output},
                    {"shape", r.shape.dims()},
                    {"input_dtype", dtype_name(r.input_dtype)},
                    {"output_dtype", dtype_name(r.output_dtype)},
                    {"scale", io::scaling_name(r.scaling)},
                    {"window", {r.window_low, r.window_high}}});
        return;
    }
    std::string how = std::string(io::scaling_name(r.scaling));
    if (r.scaling != io::Scaling::none) how += fmt::format(" [{:.6g}, {:.6g}]", r.window_low, r.window_high);
    fmt::print("{} {} {} -> {} {} (scale {})\n", r.input, r.shape.str(), dtype_name(r.input_dtype), r.output,
               dtype_name(r.output_dtype), how);
}

void add_convert_command(CLI::App& app) {
    auto o = std::make_shared<ConvertCliOptions>();
    auto* cmd = app.add_subcommand(
        "convert",
        "Copy an image stack between an HDF5 dataset and a TIFF stack (or HDF5 -> HDF5, TIFF -> TIFF), slice slab by "
        "slab so any size fits in memory. The output appears only when complete; an HDF5 output file is written "
        "anew (it replaces an existing file, and may not be the input's file).");
    cmd->add_option("IN", o->input, "Input: FILE.h5:DATASET, FILE.tif or FOLDER/")->required();
    cmd->add_option("OUT", o->output,
                    "Output: FILE.h5[:DATASET] (default dataset: the input's, or 'data'), FILE.tif (multi-page, "
                    "BigTIFF past 4 GiB) or FOLDER/ (one file per slice)")
        ->required();
    cmd->add_option("--dtype", o->dtype,
                    "Output type; default: the input's (f32 for types other than u8/u16/f32). Floats become integers "
                    "by rounding to nearest and clamping to the type's range")
        ->check(CLI::IsMember({"u8", "u16", "f32"}));
    cmd->add_option("--scale", o->scale,
                    "How values map to the output: 'none' keeps them (then rounds and clamps); 'minmax' maps the "
                    "stack's [min, max] to [0, 255] (u8), [0, 65535] (u16) or [0, 1] (f32); 'percentile' maps the "
                    "--percentiles window the same way and clamps outside it; 'auto' (default) is minmax when the "
                    "output is an integer type the input values may not fit (float -> u8/u16, u16 -> u8), else none")
        ->check(CLI::IsMember({"auto", "none", "minmax", "percentile"}));
    cmd->add_option("--percentiles", o->percentiles,
                    "LO HI window for --scale percentile, in percent of the stack's values (default 0.5 99.5; "
                    "implies --scale percentile)")
        ->expected(2)
        ->check(CLI::Range(0.0, 100.0));
    cmd->add_option("--deflate", o->deflate, "Deflate level 1-9 for the output (HDF5 chunks, TIFF pages); 0 = none")
        ->check(CLI::Range(0, 9));
    add_json_flag(*cmd, o->json);
    cmd->callback([cmd, o] {
        if (!o->percentiles.empty()) {
            if (o->percentiles[0] >= o->percentiles[1])
                throw CLI::ValidationError("--percentiles", "LO must be below HI");
            if (cmd->count("--scale") == 0) o->scale = "percentile";
            else if (o->scale != "percentile")
                throw CLI::ValidationError("--percentiles", "only applies with --scale percentile");
        }
        run_convert(*o);
    });
}

}  // namespace

TOMOEDGE_COMMAND("convert", add_convert_command);

}  // namespace tomoedge::cli
