// `tomoedge seams STITCHED WHOLE --tile 64`: what stitching tiles without halo costs in quality:
// SSIM of the stitched slice against the whole-image one, the error along tile borders vs inside
// tiles, and a picture (whole | stitched | |stitched - whole| amplified). Logic in tiling/seams.
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "io/png.hpp"
#include "io/stack.hpp"
#include "metrics/image_quality.hpp"
#include "tiling/seams.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace tomoedge::cli {
namespace {

struct SeamsArgs {
    std::string stitched, whole, png;
    std::int64_t tile = 64, band = 1, slice = 0, crop = 256;
    double gain = 10;
    bool json = false;
};

// One RGB row-major picture of the top-left h x w pixels of images `stride` wide: whole | stitched
// (grey, one shared window) | error x gain (red).
std::vector<std::uint8_t> seam_picture(const Tensor<float>& a, const Tensor<float>& b, std::int64_t h, std::int64_t w,
                                       std::int64_t stride, double range, double gain) {
    const auto [lo, hi] = std::minmax_element(b.begin(), b.end());
    const double low = *lo, span = std::max(1e-30, static_cast<double>(*hi) - low);
    const std::int64_t gap = 8, width = 3 * w + 2 * gap;
    std::vector<std::uint8_t> rgb(static_cast<std::size_t>(h * width * 3), 255);
    auto grey = [&](double v) { return static_cast<std::uint8_t>(std::clamp((v - low) / span * 255.0, 0.0, 255.0)); };
    for (std::int64_t y = 0; y < h; ++y)
        for (std::int64_t x = 0; x < w; ++x) {
            const std::size_t i = static_cast<std::size_t>(y * stride + x);
            const auto put = [&](std::int64_t column, std::uint8_t r, std::uint8_t g, std::uint8_t bl) {
                std::uint8_t* p = rgb.data() + (y * width + column) * 3;
                p[0] = r;
                p[1] = g;
                p[2] = bl;
            };
            const std::uint8_t gb = grey(b[i]), ga = grey(a[i]);
            put(x, gb, gb, gb);
            put(w + gap + x, ga, ga, ga);
            const double e = std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i])) / range * gain;
            const auto v = static_cast<std::uint8_t>(std::clamp(e * 255.0, 0.0, 255.0));
            put(2 * (w + gap) + x, v, static_cast<std::uint8_t>(v / 4), 0);
        }
    return rgb;
}

void run_seams(const SeamsArgs& o) {
    const auto ra = io::StackReader::open(io::parse_data_path(o.stitched));
    const auto rb = io::StackReader::open(io::parse_data_path(o.whole));
    const Shape sa = ra->info().shape, sb = rb->info().shape;
    if (sa != sb) fail("{}: shape {} differs from {} ({})", o.stitched, sa.str(), o.whole, sb.str());
    if (o.slice < 0 || o.slice >= sa[0]) fail("{}: no slice {} (it has {})", o.stitched, o.slice, sa[0]);
    const std::int64_t h = sa[1], w = sa[2];
    const Tensor<float> a = ra->read(o.slice, 1), b = rb->read(o.slice, 1);
    const double range = metrics::reference_data_range(b.span());
    if (!(range > 0)) fail("{}: slice {} is constant; no range to measure errors against", o.whole, o.slice);
    const tiling::SeamStats s = tiling::seam_stats(a.span(), b.span(), h, w, o.tile, o.band);
    const double ssim = metrics::ssim(a.span(), b.span(), h, w, range);
    if (!o.png.empty()) {
        const std::int64_t ch = std::min(h, o.crop), cw = std::min(w, o.crop);
        io::write_png(o.png, seam_picture(a, b, ch, cw, w, range, o.gain), ch, 3 * cw + 16, 3);
    }
    if (o.json) {
        print_json({{"stitched", o.stitched}, {"whole", o.whole}, {"slice", o.slice}, {"tile", o.tile},
                    {"band", o.band}, {"ssim", ssim}, {"data_range", range},
                    {"border", {{"pixels", s.border_pixels}, {"mean_abs", s.border_mean / range}, {"max_abs", s.border_max / range}}},
                    {"interior", {{"pixels", s.interior_pixels}, {"mean_abs", s.interior_mean / range}, {"max_abs", s.interior_max / range}}},
                    {"png", o.png}});
        return;
    }
    print_table({"seams", "value"},
                {{"SSIM stitched vs whole", fmt::format("{:.6f}", ssim)},
                 {"border pixels", fmt::format("{} (within {} px of a {}-px tile edge)", s.border_pixels, o.band, o.tile)},
                 {"border |error| mean / max", fmt::format("{:.3e} / {:.3e} of the range", s.border_mean / range, s.border_max / range)},
                 {"interior |error| mean / max", fmt::format("{:.3e} / {:.3e} of the range", s.interior_mean / range, s.interior_max / range)},
                 {"picture", o.png.empty() ? "none" : o.png}});
}

void add_seams_command(CLI::App& app) {
    auto a = std::make_shared<SeamsArgs>();
    auto* cmd = app.add_subcommand("seams", "Quality cost of stitched tiles: SSIM of STITCHED vs WHOLE (one slice), the "
                                            "error along tile borders vs inside tiles, and a picture of the seams.");
    cmd->add_option("STITCHED", a->stitched, "Tiled output: FILE.h5:DATASET, FILE.tif or FOLDER/")->required();
    cmd->add_option("WHOLE", a->whole, "Whole-image output of the same shape")->required();
    cmd->add_option("--tile", a->tile, "Tile size the stitched output was made with")->check(CLI::PositiveNumber)->capture_default_str();
    cmd->add_option("--band", a->band, "Pixels each side of a tile edge counted as border")->check(CLI::PositiveNumber)->capture_default_str();
    cmd->add_option("--slice", a->slice, "Slice to measure")->check(CLI::NonNegativeNumber)->capture_default_str();
    cmd->add_option("--png", a->png, "Write whole | stitched | |error| x gain (red) side by side");
    cmd->add_option("--crop", a->crop, "The picture shows the top-left CROP x CROP pixels")->check(CLI::PositiveNumber)->capture_default_str();
    cmd->add_option("--gain", a->gain, "Amplification of the error picture (1 = full range is white)")->check(CLI::PositiveNumber)->capture_default_str();
    add_json_flag(*cmd, a->json);
    cmd->callback([a] { run_seams(*a); });
}

}  // namespace

TOMOEDGE_COMMAND("seams", add_seams_command);

}  // namespace tomoedge::cli
