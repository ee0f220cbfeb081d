#include "evaluate/box_plot.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "io/png.hpp"

#include <plstream.h>

#include <algorithm>
#include <array>
#include <cctype>
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

// Whether wrap_label may break `text` after its character `i`.
bool breaks_after(const std::string& text, std::size_t i) {
    const char c = text[i];
    if (c == '.') return i + 1 >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 1]));  // not 0.5
    return c == '-' || c == '_' || c == '/' || c == '@' || c == ' ';
}

// The longest run of `label` between places wrap_label breaks it (a trailing space not counted).
std::size_t longest_piece(const std::string& label) {
    std::size_t longest = 0, run = 0;
    for (std::size_t i = 0; i < label.size(); ++i) {
        ++run;
        if (breaks_after(label, i)) {
            longest = std::max(longest, label[i] == ' ' ? run - 1 : run);
            run = 0;
        }
    }
    return std::max(longest, run);
}

void draw_panel(plstream& pls, const BoxPanel& panel, double char_aspect) {
    const auto n = static_cast<double>(panel.series.size());
    const auto [y0, y1] = value_limits(panel);
    pls.adv(0);
    // Each label is wrapped to its box's share of the axis, measured in mm on this subpage with the
    // character height, so none runs into its neighbour or past the frame: in a smaller font
    // (down to 3/4) when a word of it would not fit otherwise. The bottom margin grows with the
    // lines the longest label needs.
    PLFLT sx0 = 0, sx1 = 0, sy0 = 0, sy1 = 0, default_height = 0, char_height = 0;
    pls.gspa(sx0, sx1, sy0, sy1);
    pls.gchr(default_height, char_height);
    constexpr double vx0 = 0.19, vx1 = 0.97, vy1 = 0.90;  // room on the left for tick labels and the axis title
    constexpr double first_line = 1.6, line_step = 1.3;   // in label character heights below the axis
    const double slot_mm = (vx1 - vx0) * (sx1 - sx0) / n;
    std::size_t longest = 1;
    for (const auto& s : panel.series) longest = std::max(longest, longest_piece(s.label));
    double scale = 1.0;
    auto max_chars = [&] {
        return static_cast<std::size_t>(std::max(1.0, std::floor(0.92 * slot_mm / (char_aspect * char_height * scale))));
    };
    for (double s : {1.0, 0.9, 0.8, 0.75}) {
        scale = s;
        if (max_chars() >= longest) break;
    }
    std::vector<std::vector<std::string>> labels;
    std::size_t lines = 1;
    for (const auto& s : panel.series) {
        labels.push_back(wrap_label(s.label, max_chars()));
        lines = std::max(lines, labels.back().size());
    }
    const double bottom_mm = (first_line + line_step * static_cast<double>(lines - 1) + 1.0) * char_height * scale;
    pls.vpor(vx0, vx1, std::max(0.18, bottom_mm / (sy1 - sy0)), vy1);
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
        pls.schr(0, scale);
        for (std::size_t k = 0; k < labels[i].size(); ++k)
            pls.mtex("b", first_line + line_step * static_cast<double>(k), (x - 0.5) / n, 0.5, labels[i][k].c_str());
        pls.schr(0, 1.0);
    }
    pls.col0(black);
    pls.box("bc", 0, 0, "bcnstv", 0, 0);
    pls.lab("", "", panel.title.c_str());
    pls.mtex("l", 5.2, 0.5, 0.5, panel.y_label.c_str());  // clear of the widest tick labels
}

void draw(plstream& pls, const std::vector<BoxPanel>& panels, const std::string& device) {
    pls.scolbg(255, 255, 255);
    pls.scol0(black, 0, 0, 0);
    pls.scol0(grid_grey, 215, 215, 215);
    pls.scol0(white, 255, 255, 255);
    for (std::size_t i = 0; i < box_colours.size(); ++i)
        pls.scol0(first_box_colour + static_cast<int>(i), box_colours[i][0], box_colours[i][1], box_colours[i][2]);
    pls.ssub(static_cast<PLINT>(panels.size()), 1);
    pls.init();
    pls.schr(0, 1.0);
    for (const auto& panel : panels) draw_panel(pls, panel, plplot_char_aspect(device));
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
        draw(pls, panels, device);
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
        draw(pls, panels, "svg");
    }  // ~plstream closes the file
    if (std::filesystem::file_size(temp) == 0) fail("{}: PLplot wrote nothing", file.string());
    atomic.commit();
}

}  // namespace

double plplot_char_aspect(const std::string& device) { return device == "mem" ? 1.0 : 0.85; }

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

std::vector<std::string> wrap_label(const std::string& label, std::size_t max_chars) {
    max_chars = std::max<std::size_t>(1, max_chars);
    // Pieces that end at a place to break (the break character stays with the piece before it).
    std::vector<std::string> pieces;
    std::string piece;
    for (std::size_t i = 0; i < label.size(); ++i) {
        piece += label[i];
        if (breaks_after(label, i)) {
            pieces.push_back(piece);
            piece.clear();
        }
    }
    if (!piece.empty()) pieces.push_back(piece);
    auto visible = [](const std::string& text) {  // a space at the end of a line is not drawn
        std::size_t end = text.size();
        while (end > 0 && text[end - 1] == ' ') --end;
        return end;
    };
    std::vector<std::string> lines;
    std::string line;
    auto finish = [&] {
        line.resize(visible(line));
        if (!line.empty()) lines.push_back(line);
        line.clear();
    };
    for (std::string p : pieces) {
        if (!line.empty() && visible(line + p) > max_chars) finish();
        while (visible(p) > max_chars) {  // longer than a line on its own: cut
            lines.push_back(p.substr(0, max_chars));
            p.erase(0, max_chars);
        }
        line += p;
    }
    finish();
    if (lines.empty()) lines.push_back(label);
    return lines;
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
