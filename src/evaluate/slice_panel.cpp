#include "evaluate/slice_panel.hpp"

#include "core/error.hpp"
#include "core/statistics.hpp"
#include "evaluate/box_plot.hpp"
#include "io/png.hpp"

#include <plstream.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace tomoedge::evaluate {
namespace {

std::int64_t image_height(const Tensor<float>& t) { return t.dim(t.rank() - 2); }
std::int64_t image_width(const Tensor<float>& t) { return t.dim(t.rank() - 1); }

// Where the inset (outer side `side`, border included) goes inside one column: the corner farthest
// from the zoom region's centre.
struct Placement {
    std::int64_t row = 0, col = 0;
};

Placement inset_corner(const ZoomRegion& z, std::int64_t side, std::int64_t height, std::int64_t width) {
    const double cy = static_cast<double>(z.row) + static_cast<double>(z.size) / 2;
    const double cx = static_cast<double>(z.col) + static_cast<double>(z.size) / 2;
    Placement p;
    p.row = cy < static_cast<double>(height) / 2 ? height - side : 0;
    p.col = cx < static_cast<double>(width) / 2 ? width - side : 0;
    return p;
}

class Canvas {
public:
    explicit Canvas(RgbImage& image) : image_(image) {}
    void set(std::int64_t r, std::int64_t c, const std::uint8_t* rgb) {
        std::uint8_t* p = image_.pixels.data() + (r * image_.width + c) * 3;
        p[0] = rgb[0];
        p[1] = rgb[1];
        p[2] = rgb[2];
    }
    void grey(std::int64_t r, std::int64_t c, std::uint8_t v) {
        const std::uint8_t rgb[3] = {v, v, v};
        set(r, c, rgb);
    }
    // The outline of the rectangle [r0, r1) x [c0, c1), `thickness` pixels wide, drawn inwards.
    void outline(std::int64_t r0, std::int64_t c0, std::int64_t r1, std::int64_t c1, int thickness) {
        for (int t = 0; t < thickness; ++t) {
            const std::int64_t a = r0 + t, b = r1 - 1 - t, l = c0 + t, rr = c1 - 1 - t;
            if (a > b || l > rr) return;
            for (std::int64_t c = l; c <= rr; ++c) {
                set(a, c, marker_rgb);
                set(b, c, marker_rgb);
            }
            for (std::int64_t r = a; r <= b; ++r) {
                set(r, l, marker_rgb);
                set(r, rr, marker_rgb);
            }
        }
    }

private:
    RgbImage& image_;
};

// The band above the columns: its text size, the wrapped lines and its height, in pixels.
struct BandLayout {
    double text = 0, line = 0;  // character height; baseline to baseline
    std::vector<std::string> heading;
    std::vector<std::vector<std::string>> titles;  // per column
    std::size_t title_lines = 0;
    std::int64_t height = 0;
};

// The PLplot memory driver `o` asks for, or the best one installed.
std::string text_device(const PanelOptions& o) {
    std::string device = o.png_driver;
    if (device.empty()) device = plplot_has_device("memcairo") ? "memcairo" : "mem";
    if (device != "memcairo" && device != "mem") fail("slice panel: '{}' is not a PLplot memory driver (memcairo or mem)", device);
    if (!plplot_has_device(device)) fail("slice panel: PLplot has no '{}' output driver (install libplplot-dev's drivers)", device);
    return device;
}

BandLayout band_layout(const PanelOptions& o, std::int64_t width, std::int64_t columns) {
    BandLayout b;
    if (o.titles.empty() && o.heading.empty()) return b;
    const double aspect = plplot_char_aspect(text_device(o));
    b.text = static_cast<double>(std::clamp<std::int64_t>(width / 24, 11, 22));
    b.line = 1.45 * b.text;
    auto chars = [&](std::int64_t px) {
        return static_cast<std::size_t>(std::max(1.0, std::floor(0.94 * static_cast<double>(px) / (aspect * b.text))));
    };
    if (!o.heading.empty()) b.heading = wrap_label(o.heading, chars(columns * width + (columns - 1) * o.gap));
    for (const std::string& t : o.titles) {
        b.titles.push_back(wrap_label(t, chars(width)));
        b.title_lines = std::max(b.title_lines, b.titles.back().size());
    }
    const double gap = !b.heading.empty() && b.title_lines > 0 ? 0.4 * b.line : 0.0;
    b.height = std::lround(static_cast<double>(b.heading.size() + b.title_lines) * b.line + gap + 0.7 * b.text);
    return b;
}

// Draws the band's text with PLplot into rows [0, b.height) of `out` (white there).
void draw_band(RgbImage& out, const BandLayout& b, const PanelOptions& o, std::int64_t width) {
    const std::string device = text_device(o);
    const auto W = static_cast<double>(out.width), H = static_cast<double>(b.height);
    std::vector<std::uint8_t> band(static_cast<std::size_t>(out.width * b.height * 3), 255);
    {
        plstream pls;
        pls.sdev(device.c_str());
        pls.smem(static_cast<PLINT>(out.width), static_cast<PLINT>(b.height), band.data());
        pls.scolbg(255, 255, 255);
        pls.scol0(1, 0, 0, 0);
        pls.init();
        pls.adv(0);
        pls.vpor(0, 1, 0, 1);
        pls.wind(0, W, 0, H);  // world units: pixels, y up
        PLFLT x0 = 0, x1 = 0, y0 = 0, y1 = 0;
        pls.gspa(x0, x1, y0, y1);
        pls.schr(b.text * (x1 - x0) / W, 1.0);  // mm per pixel x pixels
        pls.col0(1);
        // plptex puts a text's reference point half a character above its baseline.
        double y = H - 0.35 * b.text - 0.5 * b.line;
        for (const std::string& line : b.heading) {
            pls.ptex(W / 2, y, 1, 0, 0.5, line.c_str());
            y -= b.line;
        }
        if (!b.heading.empty()) y -= 0.4 * b.line;
        for (std::size_t k = 0; k < b.titles.size(); ++k) {
            const double centre = static_cast<double>(static_cast<std::int64_t>(k) * (width + o.gap)) + 0.5 * static_cast<double>(width);
            double yk = y;
            for (const std::string& line : b.titles[k]) {
                pls.ptex(centre, yk, 1, 0, 0.5, line.c_str());
                yk -= b.line;
            }
        }
    }  // ~plstream ends the page: the band is complete
    std::copy(band.begin(), band.end(), out.pixels.begin());
}

}  // namespace

std::int64_t title_band_height(const PanelOptions& options, std::int64_t width, std::int64_t columns) {
    return band_layout(options, width, columns).height;
}

ZoomRegion resolve_zoom(const PanelOptions& options, std::int64_t height, std::int64_t width) {
    ZoomRegion z;
    if (options.zoom) {
        z = *options.zoom;
    } else {
        z.size = std::max<std::int64_t>(2, std::min(height, width) / 6);
        z.row = (height - z.size) / 2;
        z.col = (width - z.size) / 2;
    }
    if (z.size < 2 || z.row < 0 || z.col < 0 || z.row + z.size > height || z.col + z.size > width)
        fail("zoom region {} x {} at row {}, column {} does not fit a {} x {} slice", z.size, z.size, z.row, z.col,
             height, width);
    return z;
}

int resolve_magnification(const PanelOptions& options, const ZoomRegion& zoom, std::int64_t height,
                          std::int64_t width) {
    const std::int64_t room = std::min(height, width) / 3;  // the inset covers at most a third of a side
    const std::int64_t fit = std::max<std::int64_t>(1, room / zoom.size);
    if (options.magnification < 0) fail("zoom magnification {} is negative", options.magnification);
    const std::int64_t m = options.magnification > 0 ? options.magnification : fit;
    // The inset (plus a border of at least a pixel) must fit inside the column.
    if (zoom.size * m + 2 > std::min(height, width))
        fail("a {}x zoom of a {}-pixel region does not fit a {} x {} slice", m, zoom.size, height, width);
    return static_cast<int>(m);
}

RgbImage compose_slice_panel(const std::vector<const Tensor<float>*>& images, const PanelOptions& options) {
    if (images.size() < 2) fail("slice panel: needs at least an image and its ground truth, got {}", images.size());
    const Tensor<float>& truth = *images.back();
    const std::int64_t h = image_height(truth), w = image_width(truth);
    for (const Tensor<float>* image : images)
        if (image->size() != h * w || image_height(*image) != h || image_width(*image) != w)
            fail("slice panel: image of shape {} among slices of {} x {}", image->shape().str(), h, w);
    if (options.gap < 0) fail("slice panel: negative gap {}", options.gap);
    if (!options.titles.empty() && options.titles.size() != images.size())
        fail("slice panel: {} titles for {} columns", options.titles.size(), images.size());
    const ZoomRegion zoom = resolve_zoom(options, h, w);
    const int mag = resolve_magnification(options, zoom, h, w);
    // Plain variables, not a structured binding: to_grey captures them, which clang before 16 refuses.
    const auto window = percentile_range(truth.span(), options.low_pct, options.high_pct);
    const double low = window.first;
    const double high = window.second > low ? window.second : low + 1;  // a flat truth: any window shows it

    const auto columns = static_cast<std::int64_t>(images.size());
    const BandLayout band = band_layout(options, w, columns);
    const std::int64_t top = band.height;  // the columns start below the band
    RgbImage out;
    out.height = top + h;
    out.width = columns * w + (columns - 1) * options.gap;
    out.pixels.assign(static_cast<std::size_t>(out.height * out.width * 3), 255);
    if (top > 0) draw_band(out, band, options, w);
    Canvas canvas(out);
    auto to_grey = [&](float v) {
        const double t = std::clamp((static_cast<double>(v) - low) / (high - low), 0.0, 1.0);
        return static_cast<std::uint8_t>(std::lround(t * 255.0));
    };
    const std::int64_t side = zoom.size * mag;
    // Lines thick enough to see on a 1024-pixel slice scaled down, never thicker than the inset allows.
    const int line = static_cast<int>(std::clamp<std::int64_t>(std::min(h, w) / 300, 1, (std::min(h, w) - side) / 2));
    const std::int64_t outer = side + 2 * line;
    const Placement inset = inset_corner(zoom, outer, h, w);
    for (std::int64_t k = 0; k < columns; ++k) {
        const float* px = images[static_cast<std::size_t>(k)]->data();
        const std::int64_t x0 = k * (w + options.gap);
        for (std::int64_t r = 0; r < h; ++r)
            for (std::int64_t c = 0; c < w; ++c) canvas.grey(top + r, x0 + c, to_grey(px[r * w + c]));
        canvas.outline(top + zoom.row, x0 + zoom.col, top + zoom.row + zoom.size, x0 + zoom.col + zoom.size, line);
        // The inset: the region's pixels, each repeated mag x mag, inside a red border.
        const std::int64_t ir = top + inset.row + line, ic = x0 + inset.col + line;
        for (std::int64_t r = 0; r < side; ++r)
            for (std::int64_t c = 0; c < side; ++c)
                canvas.grey(ir + r, ic + c, to_grey(px[(zoom.row + r / mag) * w + zoom.col + c / mag]));
        canvas.outline(top + inset.row, x0 + inset.col, top + inset.row + outer, x0 + inset.col + outer, line);
    }
    return out;
}

void write_slice_panel(const std::filesystem::path& file, const std::vector<const Tensor<float>*>& images,
                       const PanelOptions& options) {
    const RgbImage image = compose_slice_panel(images, options);
    io::write_png(file, image.pixels, image.height, image.width, 3);
}

}  // namespace tomoedge::evaluate
