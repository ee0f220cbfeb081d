#pragma once
// Box plots drawn by PLplot (axes, ticks, text and shapes are the library's), in the style of the
// paper's Fig. 8: one panel per score, one box per method. A box spans the first to the third
// quartile with a line at the median, whiskers reach the minimum and maximum, and a diamond marks
// the mean.
#include "evaluate/report.hpp"
#include "evaluate/summary.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace tomoedge::evaluate {

struct BoxSeries {
    std::string label;
    Summary summary;
};

struct BoxPanel {
    std::string title, y_label;
    std::vector<BoxSeries> series;
};

struct FigureSize {
    int width = 1400, height = 560;  // pixels (PNG) or points (SVG)
    /// PNG only: the PLplot memory driver, "memcairo" or "mem"; empty = memcairo where installed.
    std::string png_driver;
};

/// Writes `panels` side by side into `file`, atomically. The extension picks the output: ".png"
/// (PLplot renders into memory through its memcairo driver, or its plain mem driver where the cairo
/// driver is not installed; io::write_png saves the pixels) or ".svg" (PLplot's svg driver).
/// Throws Error for another extension, no panels, a panel without series, or a missing driver.
void write_box_plot(const std::filesystem::path& file, const std::vector<BoxPanel>& panels, FigureSize size = {});

/// The two panels of Fig. 8 (SSIM, PSNR) with one box per method of the evaluation.
std::vector<BoxPanel> quality_box_panels(const Evaluation& evaluation, const std::vector<MethodSummary>& summaries);

/// Whether this PLplot installation has the named output driver ("svg", "memcairo", ...).
bool plplot_has_device(const std::string& name);

/// `label` in lines of at most `max_chars` characters (at least 1), broken after '-', '_', '/',
/// '@', a '.' that is no decimal point, or at a space where it can be, else cut: how long model names fit under a box or a
/// column of a figure. Never drops a character (a space it breaks at excepted).
std::vector<std::string> wrap_label(const std::string& label, std::size_t max_chars);

/// Width of a character of PLplot's text relative to its character height on output driver
/// `device`, generous (measured on lower-case names): Hershey's stroke font ("mem") is wider than
/// the sans font of cairo and svg. The estimate wrap_label's `max_chars` is made from.
double plplot_char_aspect(const std::string& device);

}  // namespace tomoedge::evaluate
