#include "evaluate/figures.hpp"

#include "core/error.hpp"
#include "evaluate/box_plot.hpp"
#include "io/png.hpp"

#include <fmt/format.h>

#include <system_error>

namespace tomoedge::evaluate {

FigureFiles write_evaluation_figures(const std::filesystem::path& folder, const Evaluation& evaluation,
                                     const std::vector<MethodSummary>& summaries, const PanelOptions& panel) {
    FigureFiles files{folder / "quality_boxplot.png", folder / "quality_boxplot.svg", folder / "slice_panel.png"};
    // The panel is composed first: a bad zoom region fails before any figure is written.
    std::vector<const Tensor<float>*> images;
    for (const auto& image : evaluation.panel_images) images.push_back(&image);
    RgbImage composed;
    try {
        // The figure names what it shows: each column's method, and the slice, window and zoom.
        PanelOptions named = panel;
        if (named.titles.empty()) named.titles = evaluation.panel_labels;
        if (named.heading.empty() && !images.empty()) {
            const Tensor<float>& truth = *images.back();
            const std::int64_t h = truth.dim(truth.rank() - 2), w = truth.dim(truth.rank() - 1);
            const ZoomRegion zoom = resolve_zoom(named, h, w);
            named.heading = fmt::format("Slice {} ({} x {}), one grey window: {:g}-{:g} percentiles of the ground "
                                        "truth. Red box: shown {}x in the inset.",
                                        evaluation.panel_slice, w, h, named.low_pct, named.high_pct,
                                        resolve_magnification(named, zoom, h, w));
        }
        composed = compose_slice_panel(images, named);
    } catch (const Error& e) {
        fail("{}: {}", files.panel_png.string(), e.what());
    }
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec || !std::filesystem::is_directory(folder))
        fail("{}: cannot create the figures folder{}", folder.string(), ec ? ": " + ec.message() : "");
    const auto panels = quality_box_panels(evaluation, summaries);
    write_box_plot(files.box_plot_png, panels);
    write_box_plot(files.box_plot_svg, panels);
    io::write_png(files.panel_png, composed.pixels, composed.height, composed.width, 3);
    return files;
}

}  // namespace tomoedge::evaluate
