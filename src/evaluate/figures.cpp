#include "evaluate/figures.hpp"

#include "core/error.hpp"
#include "evaluate/box_plot.hpp"
#include "io/png.hpp"

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
        composed = compose_slice_panel(images, panel);
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
