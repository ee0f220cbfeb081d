#include "evaluate/slice_panel.hpp"

#include "core/error.hpp"
#include "core/statistics.hpp"
#include "io/png.hpp"

#include <algorithm>
#include <cmath>

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

}  // namespace

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
    const ZoomRegion zoom = resolve_zoom(options, h, w);
    const int mag = resolve_magnification(options, zoom, h, w);
    auto [low, high] = percentile_range(truth.span(), options.low_pct, options.high_pct);
    if (!(high > low)) high = low + 1;  // a flat truth: any window shows it

    const auto columns = static_cast<std::int64_t>(images.size());
    RgbImage out;
    out.height = h;
    out.width = columns * w + (columns - 1) * options.gap;
    out.pixels.assign(static_cast<std::size_t>(out.height * out.width * 3), 255);
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
            for (std::int64_t c = 0; c < w; ++c) canvas.grey(r, x0 + c, to_grey(px[r * w + c]));
        canvas.outline(zoom.row, x0 + zoom.col, zoom.row + zoom.size, x0 + zoom.col + zoom.size, line);
        // The inset: the region's pixels, each repeated mag x mag, inside a red border.
        const std::int64_t ir = inset.row + line, ic = x0 + inset.col + line;
        for (std::int64_t r = 0; r < side; ++r)
            for (std::int64_t c = 0; c < side; ++c)
                canvas.grey(ir + r, ic + c, to_grey(px[(zoom.row + r / mag) * w + zoom.col + c / mag]));
        canvas.outline(inset.row, x0 + inset.col, inset.row + outer, x0 + inset.col + outer, line);
    }
    return out;
}

void write_slice_panel(const std::filesystem::path& file, const std::vector<const Tensor<float>*>& images,
                       const PanelOptions& options) {
    const RgbImage image = compose_slice_panel(images, options);
    io::write_png(file, image.pixels, image.height, image.width, 3);
}

}  // namespace tomoedge::evaluate
