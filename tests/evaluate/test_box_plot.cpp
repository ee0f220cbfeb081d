// Box plots through PLplot: the files are real PNG / SVG, carry the boxes' colours and labels, and
// bad requests leave nothing behind.
#include "core/error.hpp"
#include "evaluate/box_plot.hpp"
#include "png_reader.hpp"
#include "support/temp_dir.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <utility>
#include <sstream>
#include <string>

using namespace tomoedge;
using namespace tomoedge::evaluate;
using tomoedge::testing::TempDir;

namespace {

std::vector<BoxPanel> two_panels() {
    Summary a{10, 0, 0.60, 0.50, 0.55, 0.60, 0.65, 0.70};
    Summary b{10, 0, 0.85, 0.80, 0.83, 0.85, 0.88, 0.90};
    Summary pa{10, 0, 20, 18, 19, 20, 21, 22};
    Summary pb{10, 0, 28, 26, 27, 28, 29, 31};
    return {BoxPanel{"SSIM", "SSIM", {{"noisy", a}, {"fp32model", b}}},
            BoxPanel{"PSNR", "PSNR (dB)", {{"noisy", pa}, {"fp32model", pb}}}};
}

// PLplot's svg driver writes every character of a text as a hexadecimal entity.
std::string svg_text(const std::string& text) {
    std::string out;
    for (unsigned char c : text) out += fmt::format("&#x{:x};", c);
    return out;
}

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

class BoxPlotPng : public ::testing::TestWithParam<std::string> {};

TEST_P(BoxPlotPng, IsValidAndShowsTheBoxes) {
    if (!plplot_has_device(GetParam())) GTEST_SKIP() << "PLplot driver " << GetParam() << " is not installed";
    TempDir dir;
    write_box_plot(dir / "box.png", two_panels(), {800, 400, GetParam()});
    const auto png = tomoedge::testing::decode_png_rgb(dir / "box.png");
    ASSERT_TRUE(png.ok) << png.error;
    EXPECT_EQ(png.width, 800u);
    EXPECT_EQ(png.height, 400u);
    // The first box's fill colour (230, 159, 0) and black (axes, text) are both drawn.
    std::size_t orange = 0, dark = 0;
    for (std::size_t i = 0; i + 2 < png.rgb.size(); i += 3) {
        const int r = png.rgb[i], g = png.rgb[i + 1], b = png.rgb[i + 2];
        if (std::abs(r - 230) < 8 && std::abs(g - 159) < 8 && b < 8) ++orange;
        if (r < 60 && g < 60 && b < 60) ++dark;
    }
    EXPECT_GT(orange, 400u);  // two boxes, each tens of pixels square
    EXPECT_GT(dark, 1000u);
}

// memcairo (anti-aliased) where the cairo driver is installed; mem, PLplot's own, everywhere.
INSTANTIATE_TEST_SUITE_P(Drivers, BoxPlotPng, ::testing::Values("memcairo", "mem"));

TEST(BoxPlot, SvgIsAnSvgDocumentWithTheLabels) {
    TempDir dir;
    write_box_plot(dir / "box.svg", two_panels());
    const std::string svg = read_text(dir / "box.svg");
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
    EXPECT_NE(svg.find(svg_text("fp32model")), std::string::npos);
    EXPECT_NE(svg.find(svg_text("PSNR (dB)")), std::string::npos);
    EXPECT_EQ(dir.entry_count(), 1u);  // no temporary file left beside it
}

TEST(BoxPlot, QualityPanelsFollowTheMethods) {
    Evaluation ev;
    ev.slices = {0, 1, 2};
    ev.methods.resize(2);
    ev.methods[0].label = "noisy";
    ev.methods[1].label = "m";
    std::vector<MethodSummary> s(2);
    s[1].ssim.median = 0.9;
    s[1].psnr.median = 30;
    const auto panels = quality_box_panels(ev, s);
    ASSERT_EQ(panels.size(), 2u);
    EXPECT_EQ(panels[0].title, "SSIM over 3 slices");
    ASSERT_EQ(panels[1].series.size(), 2u);
    EXPECT_EQ(panels[1].series[1].label, "m");
    EXPECT_DOUBLE_EQ(panels[1].series[1].summary.median, 30);
    EXPECT_DOUBLE_EQ(panels[0].series[1].summary.median, 0.9);
    EXPECT_THROW(quality_box_panels(ev, std::vector<MethodSummary>(1)), Error);
}

TEST(BoxPlot, Errors) {
    TempDir dir;
    EXPECT_THROW(write_box_plot(dir / "box.jpg", two_panels()), Error);
    EXPECT_THROW(write_box_plot(dir / "box.png", {}), Error);
    EXPECT_THROW(write_box_plot(dir / "box.svg", {BoxPanel{"empty", "y", {}}}), Error);
    EXPECT_THROW(write_box_plot(dir / "box.png", two_panels(), {10, 10, ""}), Error);
    EXPECT_THROW(write_box_plot(dir / "box.png", two_panels(), {800, 400, "svg"}), Error);
    EXPECT_THROW(write_box_plot(dir / "missing" / "box.svg", two_panels()), Error);
    EXPECT_EQ(dir.entry_count(), 0u);
}

// Model names as the demo's (file stems), long enough to run past their box's share of the axis.
std::vector<BoxPanel> long_label_panels() {
    Summary a{8, 0, 0.03, 0.03, 0.03, 0.03, 0.04, 0.04};
    Summary b{8, 0, 0.89, 0.85, 0.88, 0.89, 0.90, 0.90};
    BoxPanel panel{"SSIM over 8 slices", "SSIM", {}};
    for (const char* label : {"noisy", "tomogan-sim512", "tomogan-sim512-int8", "tomogan-sim512-int8-ft"})
        panel.series.push_back({label, panel.series.empty() ? a : b});
    return {panel, panel};
}

TEST_P(BoxPlotPng, LongLabelsStayInsideTheFigure) {
    if (!plplot_has_device(GetParam())) GTEST_SKIP() << "PLplot driver " << GetParam() << " is not installed";
    for (const auto& [width, height] : {std::pair{1400, 560}, std::pair{800, 400}}) {
        TempDir dir;
        write_box_plot(dir / "box.png", long_label_panels(), {width, height, GetParam()});
        const auto png = tomoedge::testing::decode_png_rgb(dir / "box.png");
        ASSERT_TRUE(png.ok) << png.error;
        auto dark = [&](std::size_t x, std::size_t y) {
            const std::size_t i = (y * png.width + x) * 3;
            return png.rgb[i] < 128 && png.rgb[i + 1] < 128 && png.rgb[i + 2] < 128;
        };
        // Nothing drawn on the outermost pixels: a label cut by the frame would touch them.
        for (std::size_t y = 0; y < png.height; ++y) {
            EXPECT_FALSE(dark(png.width - 1, y)) << width << " x " << height << ", right edge, row " << y;
            EXPECT_FALSE(dark(0, y)) << width << " x " << height << ", left edge, row " << y;
        }
        for (std::size_t x = 0; x < png.width; ++x)
            EXPECT_FALSE(dark(x, png.height - 1)) << width << " x " << height << ", bottom edge, column " << x;
        // The labels are there: dark pixels in the strip under the left panel's axis.
        std::size_t text = 0;
        for (std::size_t y = png.height * 85 / 100; y < png.height; ++y)
            for (std::size_t x = 0; x < png.width / 2; ++x) text += dark(x, y);
        EXPECT_GT(text, 100u) << width << " x " << height;
    }
}

TEST(BoxPlot, WrapLabel) {
    using Lines = std::vector<std::string>;
    EXPECT_EQ(wrap_label("noisy", 10), Lines{"noisy"});
    EXPECT_EQ(wrap_label("tomogan-sim512-int8-ft", 30), Lines{"tomogan-sim512-int8-ft"});
    EXPECT_EQ(wrap_label("tomogan-sim512-int8-ft", 12), (Lines{"tomogan-", "sim512-int8-", "ft"}));
    EXPECT_EQ(wrap_label("tomogan-sim512-int8-ft", 8), (Lines{"tomogan-", "sim512-", "int8-ft"}));
    EXPECT_EQ(wrap_label("ground truth", 8), (Lines{"ground", "truth"}));
    EXPECT_EQ(wrap_label("abcdefghij", 4), (Lines{"abcd", "efgh", "ij"}));  // no place to break: cut
    EXPECT_EQ(wrap_label("model@bf16", 6), (Lines{"model@", "bf16"}));
    EXPECT_EQ(wrap_label("window: 0.5-99.5 percentiles", 12), (Lines{"window: 0.5-", "99.5", "percentiles"}));
    EXPECT_EQ(wrap_label("", 5), Lines{""});
    EXPECT_EQ(wrap_label("ab", 0), (Lines{"a", "b"}));  // at least one character a line
    for (std::size_t width : {1u, 3u, 7u, 11u})
        for (const auto& line : wrap_label("tomogan-sim512-int8-ft with a_long/name.onnx", width))
            EXPECT_LE(line.size(), width) << line;
}

TEST(BoxPlot, PlplotHasTheDriversWeUse) {
    EXPECT_TRUE(plplot_has_device("svg"));
    EXPECT_TRUE(plplot_has_device("mem"));
    EXPECT_FALSE(plplot_has_device("no-such-driver"));
}
