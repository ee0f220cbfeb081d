#pragma once
// A side-by-side panel of one slice: noisy | each model | ground truth, all shown through the same
// grey window (taken from the ground truth) so brightness compares across columns. Each column
// marks the zoom region with a red rectangle and carries a magnified copy of that region as an
// inset in the corner farthest from it. Pixels are composed exactly (nearest-neighbour zoom, no
// resampling of the images themselves) and saved with io::write_png. Given titles (and a
// heading), a white band above the columns names them, its text drawn by PLplot (the drivers
// of box_plot.hpp).
#include "core/tensor.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tomoedge::evaluate {

struct ZoomRegion {
    std::int64_t row = 0, col = 0, size = 0;  // top-left corner and side, in image pixels
};

struct PanelOptions {
    std::optional<ZoomRegion> zoom;  // default: a square of side min(H, W) / 6 at the centre
    int magnification = 0;           // inset scale; 0 = the largest that keeps the inset <= 1/3 of the image
    double low_pct = 0.5, high_pct = 99.5;  // grey window: these percentiles of the ground truth
    int gap = 6;                     // white pixels between columns
    std::vector<std::string> titles; // one per column, drawn above it; empty: none
    std::string heading;             // one line above the titles saying what the figure shows; empty: none
    std::string png_driver;          // PLplot memory driver for the text: "memcairo", "mem"; empty: memcairo where installed
};

/// An RGB image, row-major, 3 bytes per pixel.
struct RgbImage {
    std::int64_t height = 0, width = 0;
    std::vector<std::uint8_t> pixels;
};

inline constexpr std::uint8_t marker_rgb[3] = {230, 25, 25};  // rectangle and inset border

/// The zoom region and magnification `options` resolve to for an image of height x width.
/// Throws Error when the region does not lie inside the image or is smaller than 2 pixels.
ZoomRegion resolve_zoom(const PanelOptions& options, std::int64_t height, std::int64_t width);
int resolve_magnification(const PanelOptions& options, const ZoomRegion& zoom, std::int64_t height,
                          std::int64_t width);

/// Height in pixels of the band of titles and heading above `columns` columns `width` pixels wide
/// (0 when `options` has neither).
std::int64_t title_band_height(const PanelOptions& options, std::int64_t width, std::int64_t columns);

/// Composes the panel from `images` (each (1, H, W) or (H, W), all the same size); the last one is
/// the ground truth that sets the grey window. The band of title_band_height() comes first, then
/// the columns. Throws Error for fewer than 2 images, mixed sizes, or titles that are not one per
/// image.
RgbImage compose_slice_panel(const std::vector<const Tensor<float>*>& images, const PanelOptions& options = {});

/// compose_slice_panel, written to `file` as PNG (atomically).
void write_slice_panel(const std::filesystem::path& file, const std::vector<const Tensor<float>*>& images,
                       const PanelOptions& options = {});

}  // namespace tomoedge::evaluate
