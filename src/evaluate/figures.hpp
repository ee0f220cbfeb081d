#pragma once
// The figures of one evaluation, into one folder: the Fig. 8 box plot (PNG and SVG) and the
// side-by-side panel of the panel slice (PNG).
#include "evaluate/evaluation.hpp"
#include "evaluate/report.hpp"
#include "evaluate/slice_panel.hpp"

#include <filesystem>

namespace tomoedge::evaluate {

struct FigureFiles {
    std::filesystem::path box_plot_png, box_plot_svg, panel_png;
};

/// Creates `folder` if needed and writes quality_boxplot.png, quality_boxplot.svg and
/// slice_panel.png there (each atomically). Returns their paths.
FigureFiles write_evaluation_figures(const std::filesystem::path& folder, const Evaluation& evaluation,
                                     const std::vector<MethodSummary>& summaries, const PanelOptions& panel = {});

}  // namespace tomoedge::evaluate
