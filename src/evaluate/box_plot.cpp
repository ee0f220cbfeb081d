#include "evaluate/box_plot.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "io/png.hpp"

#include <plstream.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace tomoedge::evaluate {
namespace {

// Fill colours of the boxes, in method order (noisy first), colour-blind safe (Okabe-Ito).
constexpr std::array<std::array<int, 3>, 8> box_colours = {{{230, 159, 0},
                                                            {86, 180, 233},
                                                            {0, 158, 115},
                                                            {240, 228, 66},
                                                            {0, 114, 178},
                                                            {213, 94, 0},
                                                            {204, 121, 167},
                                                            {153, 153, 153}}};
constexpr int black = 1, grid_grey = 2, white = 3, first_box_colour = 4;

// Vertical extent of a panel: every whisker inside, with a margin; never empty.
std::pair<double, double> value_limits(const BoxPanel& panel) {
    double lo = panel.series.front().summary.min, hi = panel.series.front().summary.max;
    for (const auto& s : panel.series) {
        lo = std::min(lo, s.summary.min);
        hi = std::max(hi, s.summary.max);
    }
    const double span = hi - lo;
    const double margin = span > 0 ? 0.08 * span : std::max(1e-3, 0.01 * std::abs(hi));
    return {lo - margin, hi + margin};
}

void draw_panel(plstream& pls, const BoxPanel& panel) {
    const auto n = static_cast<double>(panel.series.size());
    const auto [y0, y1] = value_limits(panel);
    pls.adv(0);
    pls.vpor(0.19, 0.97, 0.18, 0.90);  // room on the left for tick labels and the axis title
    pls.wind(0.5, n + 0.5, y0, y1);
    pls.col0(grid_grey);
    pls.box("", 0, 0, "g", 0, 0);  // horizontal grid lines behind the boxes
    for (std::size_t i = 0; i < panel.series.size(); ++i) {
        const Summary& s = panel.series[i].summary;
        const double x = static_cast<double>(i) + 1, half = 0.3, cap = 0.12;
        const PLFLT bx[4] = {x - half, x + half, x + half, x - half};
        const PLFLT by[4] = {s.q1, s.q1, s.q3, s.q3};
        pls.col0(first_box_colour + static_cast<int>(i % box_colours.size()));
        pls.fill(4, bx, by);
        pls.col0(black);
        pls.width(1.5);
        const PLFLT ox[5] = {x - half, x + half, x + half, x - half, x - half};
        const PLFLT oy[5] = {s.q1, s.q1, s.q3, s.q3, s.q1};
        pls.line(5, ox, oy);
        pls.join(x, s.q3, x, s.max);
        pls.join(x, s.q1, x, s.min);
        pls.join(x - cap, s.max, x + cap, s.max);
        pls.join(x - cap, s.min, x + cap, s.min);
        pls.width(3.0);
        pls.join(x - half, s.median, x + half, s.median);
        pls.width(1.0);
        // The mean: a diamond drawn in data units (a font glyph would sit off-centre in some drivers).
        const double dx = 0.07, dy = 0.018 * (y1 - y0);
        const PLFLT dxs[5] = {x - dx, x, x + dx, x, x - dx};
        const PLFLT dys[5] = {s.mean, s.mean + dy, s.mean, s.mean - dy, s.mean};
        pls.col0(white);
        pls.fill(4, dxs, dys);
        pls.col0(black);
        pls.line(5, dxs, dys);
        // Model names are long: with more than three boxes every other label drops a line so
        // neighbours do not overprint.
        const double label_line = 1.6 + (n > 3 && i % 2 == 1 ? 1.4 : 0.0);
        pls.mtex("b", label_line, (x - 0.5) / n, 0.5, panel.series[i].label.c_str());
    }
    pls.col0(black);
    pls.box("bc", 0, 0, "bcnstv", 0, 0);
    pls.lab("", "", panel.title.c_str());
    pls.mtex("l", 5.2, 0.5, 0.5, panel.y_label.c_str());  // clear of the widest tick labels
}

void draw(plstream& pls, const std::vector<BoxPanel>& panels) {
    pls.scolbg(255, 255, 255);
    pls.scol0(black, 0, 0, 0);
    pls.scol0(grid_grey, 215, 215, 215);
    pls.scol0(white, 255, 255, 255);
    for (std::size_t i = 0; i < box_colours.size(); ++i)
        pls.scol0(first_box_colour + static_cast<int>(i), box_colours[i][0], box_colours[i][1], box_colours[i][2]);
    pls.ssub(static_cast<PLINT>(panels.size()), 1);
    pls.init();
    pls.schr(0, 1.0);
    for (const auto& panel : panels) draw_panel(pls, panel);
}

void check_panels(const std::filesystem::path& file, const std::vector<BoxPanel>& panels) {
    if (panels.empty()) fail("{}: a box plot needs at least one panel", file.string());
    for (const auto& panel : panels)
        if (panel.series.empty()) fail("{}: box plot panel '{}' has no boxes", file.string(), panel.title);
}

void require_device(const std::filesystem::path& file, const std::string& device) {
    if (!plplot_has_device(device))
        fail("{}: PLplot has no '{}' output driver (install libplplot-dev's drivers)", file.string(), device);
}

void write_png_figure(const std::filesystem::path& file, const std::vector<BoxPanel>& panels, FigureSize size) {
    // memcairo draws anti-aliased text and lines; the plain mem driver ships with PLplot itself.
    std::string device = size.png_driver;
    if (device.empty()) device = plplot_has_device("memcairo") ? "memcairo" : "mem";
    if (device != "memcairo" && device != "mem")
        fail("{}: '{}' is not a PLplot memory driver (memcairo or mem)", file.string(), device);
    require_device(file, device);
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(size.width) * static_cast<std::size_t>(size.height) * 3,
                                     255);  // the drivers draw onto what the buffer holds: white
    {
        plstream pls;
        pls.sdev(device.c_str());
        pls.smem(size.width, size.height, pixels.data());
        draw(pls, panels);
    }  // ~plstream ends the page: the buffer is complete
    io::write_png(file, pixels, size.height, size.width, 3);
}

void write_svg_figure(const std::filesystem::path& file, const std::vector<BoxPanel>& panels, FigureSize size) {
    require_device(file, "svg");
    AtomicFile atomic(file);
    const std::string temp = atomic.temp_path().string();
    // PLplot ends the process when it cannot open its output; find out first, with a clear error.
    std::FILE* probe = std::fopen(temp.c_str(), "wb");
    if (probe == nullptr) fail("{}: cannot create the file", file.string());
    std::fclose(probe);
    {
        plstream pls;
        pls.sdev("svg");
        pls.sfnam(temp.c_str());
        pls.spage(0, 0, size.width, size.height, 0, 0);
        draw(pls, panels);
    }  // ~plstream closes the file
    if (std::filesystem::file_size(temp) == 0) fail("{}: PLplot wrote nothing", file.string());
    atomic.commit();
}

}  // namespace

bool plplot_has_device(const std::string& name) {
    int count = 64;
    std::vector<const char*> menu(static_cast<std::size_t>(count)), names(static_cast<std::size_t>(count));
    const char** menu_ptr = menu.data();
    const char** names_ptr = names.data();
    plgDevs(&menu_ptr, &names_ptr, &count);  // fills at most `count` entries, sets count
    for (int i = 0; i < count; ++i)
        if (names_ptr[i] != nullptr && name == names_ptr[i]) return true;
    return false;
}

void write_box_plot(const std::filesystem::path& file, const std::vector<BoxPanel>& panels, FigureSize size) {
    check_panels(file, panels);
    if (size.width < 100 || size.height < 100)
        fail("{}: figure size {} x {} is too small", file.string(), size.width, size.height);
    const std::string ext = file.extension().string();
    if (ext == ".png")
        write_png_figure(file, panels, size);
    else if (ext == ".svg")
        write_svg_figure(file, panels, size);
    else
        fail("{}: box plots are written as .png or .svg, not '{}'", file.string(), ext);
}

std::vector<BoxPanel> quality_box_panels(const Evaluation& evaluation, const std::vector<MethodSummary>& summaries) {
    if (summaries.size() != evaluation.methods.size())
        fail("evaluate: {} summaries for {} methods", summaries.size(), evaluation.methods.size());
    BoxPanel ssim{"SSIM", "SSIM", {}}, psnr{"PSNR", "PSNR (dB)", {}};
    for (std::size_t m = 0; m < summaries.size(); ++m) {
        ssim.series.push_back({evaluation.methods[m].label, summaries[m].ssim});
        psnr.series.push_back({evaluation.methods[m].label, summaries[m].psnr});
    }
    const auto n = static_cast<std::int64_t>(evaluation.slices.size());
    ssim.title = fmt::format("SSIM over {} slice{}", n, n == 1 ? "" : "s");
    psnr.title = fmt::format("PSNR over {} slice{}", n, n == 1 ? "" : "s");
    return {ssim, psnr};
}

}  // namespace tomoedge::evaluate
