// The slice panel: layout, the grey window, the zoom rectangle and the magnified inset, pixel by
// pixel against the definition.
#include "core/error.hpp"
#include "evaluate/box_plot.hpp"
#include "evaluate/slice_panel.hpp"
#include "png_reader.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace tomoedge;
using namespace tomoedge::evaluate;
using tomoedge::testing::TempDir;

namespace {

// (1, h, w) with values 0..255 (so a 0/100 percentile window maps value v to grey v).
Tensor<float> pattern(std::int64_t h, std::int64_t w, int seed) {
    Tensor<float> t(Shape{1, h, w});
    for (std::int64_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>((i * 37 + seed * 11) % 256);
    t[0] = 0;
    t[1] = 255;  // the full range is present in every image
    return t;
}

const std::uint8_t* pixel(const RgbImage& img, std::int64_t r, std::int64_t c) {
    return img.pixels.data() + (r * img.width + c) * 3;
}

bool is_marker(const RgbImage& img, std::int64_t r, std::int64_t c) {
    const std::uint8_t* p = pixel(img, r, c);
    return p[0] == marker_rgb[0] && p[1] == marker_rgb[1] && p[2] == marker_rgb[2];
}

}  // namespace

TEST(SlicePanel, LayoutWindowRectangleAndInset) {
    const std::int64_t h = 60, w = 48;
    const Tensor<float> a = pattern(h, w, 1), b = pattern(h, w, 2), truth = pattern(h, w, 3);
    PanelOptions o;
    o.zoom = ZoomRegion{10, 8, 6};  // top-left area: the inset goes bottom-right
    o.magnification = 2;
    o.low_pct = 0;
    o.high_pct = 100;
    o.gap = 4;
    const RgbImage img = compose_slice_panel({&a, &b, &truth}, o);
    ASSERT_EQ(img.height, h);
    ASSERT_EQ(img.width, 3 * w + 2 * 4);
    const std::vector<const Tensor<float>*> images = {&a, &b, &truth};
    const std::int64_t side = 12, outer = side + 2;  // min(h, w) / 300 < 1: 1-pixel lines
    for (std::int64_t k = 0; k < 3; ++k) {
        const std::int64_t x0 = k * (w + 4);
        const float* px = images[static_cast<std::size_t>(k)]->data();
        // Away from the marks, every pixel is the image's value as grey.
        EXPECT_EQ(pixel(img, 30, x0 + 3)[0], static_cast<std::uint8_t>(px[30 * w + 3]));
        EXPECT_EQ(pixel(img, 30, x0 + 3)[1], pixel(img, 30, x0 + 3)[2]);
        // The rectangle's corners and edges; the region's interior is untouched.
        EXPECT_TRUE(is_marker(img, 10, x0 + 8));
        EXPECT_TRUE(is_marker(img, 15, x0 + 13));
        EXPECT_TRUE(is_marker(img, 12, x0 + 8));
        EXPECT_FALSE(is_marker(img, 12, x0 + 10));
        EXPECT_EQ(pixel(img, 12, x0 + 10)[0], static_cast<std::uint8_t>(px[12 * w + 10]));
        // The inset sits in the bottom-right corner, bordered, each source pixel repeated 2 x 2.
        const std::int64_t r0 = h - outer, c0 = x0 + w - outer;
        EXPECT_TRUE(is_marker(img, r0, c0));
        EXPECT_TRUE(is_marker(img, h - 1, x0 + w - 1));
        for (std::int64_t r = 0; r < side; ++r)
            for (std::int64_t c = 0; c < side; ++c) {
                const float v = px[(10 + r / 2) * w + 8 + c / 2];
                ASSERT_EQ(pixel(img, r0 + 1 + r, c0 + 1 + c)[0], static_cast<std::uint8_t>(v)) << k << " " << r << " " << c;
            }
    }
    // The gaps are white.
    EXPECT_EQ(pixel(img, 5, w + 1)[0], 255);
    EXPECT_EQ(pixel(img, 5, w + 1)[1], 255);
}

TEST(SlicePanel, WindowComesFromTheTruthAndClamps) {
    const std::int64_t h = 30, w = 30;
    Tensor<float> truth(Shape{1, h, w}), bright(Shape{1, h, w}, 1000.0f);
    for (std::int64_t i = 0; i < truth.size(); ++i) truth[i] = static_cast<float>(i % 11);  // 0..10
    PanelOptions o;
    o.low_pct = 0;
    o.high_pct = 100;
    const RgbImage img = compose_slice_panel({&bright, &truth}, o);
    EXPECT_EQ(pixel(img, 0, 0)[0], 255);                       // far above the window: white
    EXPECT_EQ(pixel(img, 0, w + o.gap + 5)[0], std::lround(5 / 10.0 * 255));  // truth value 5 of 0..10
}

TEST(SlicePanel, InsetMovesAwayFromTheRegion) {
    const std::int64_t h = 48, w = 48;
    const Tensor<float> a = pattern(h, w, 4), truth = pattern(h, w, 5);
    PanelOptions o;
    o.zoom = ZoomRegion{36, 36, 6};  // bottom-right region: inset at the top-left
    o.magnification = 2;
    const RgbImage img = compose_slice_panel({&a, &truth}, o);
    EXPECT_TRUE(is_marker(img, 0, 0));
    EXPECT_TRUE(is_marker(img, 13, 13));
    EXPECT_FALSE(is_marker(img, h - 1, w - 1));
}

TEST(SlicePanel, DefaultZoomIsCentredAndFits) {
    const ZoomRegion z = resolve_zoom({}, 120, 90);
    EXPECT_EQ(z.size, 15);
    EXPECT_EQ(z.row, (120 - 15) / 2);
    EXPECT_EQ(z.col, (90 - 15) / 2);
    EXPECT_EQ(resolve_magnification({}, z, 120, 90), 2);  // 30 / 15
}

TEST(SlicePanel, WritesAValidPng) {
    TempDir dir;
    const Tensor<float> a = pattern(40, 50, 1), truth = pattern(40, 50, 2);
    write_slice_panel(dir / "panel.png", {&a, &truth});
    const auto png = tomoedge::testing::decode_png_rgb(dir / "panel.png");
    ASSERT_TRUE(png.ok) << png.error;
    EXPECT_EQ(png.height, 40u);
    EXPECT_EQ(png.width, 2u * 50 + 6);
}

class SlicePanelTitles : public ::testing::TestWithParam<std::string> {};

TEST_P(SlicePanelTitles, AreDrawnInABandAboveTheColumns) {
    if (!tomoedge::evaluate::plplot_has_device(GetParam())) GTEST_SKIP() << GetParam() << " is not installed";
    const std::int64_t h = 120, w = 160;
    const Tensor<float> a = pattern(h, w, 1), b = pattern(h, w, 2), truth = pattern(h, w, 3);
    PanelOptions plain;
    plain.zoom = ZoomRegion{10, 8, 12};
    plain.magnification = 2;
    PanelOptions titled = plain;
    titled.titles = {"noisy", "tomogan-sim512-int8-ft", "ground truth"};
    titled.heading = "Slice 4: what the columns show";
    titled.png_driver = GetParam();
    const std::int64_t band = title_band_height(titled, w, 3);
    ASSERT_GT(band, 0);
    EXPECT_EQ(title_band_height(plain, w, 3), 0);
    const RgbImage without = compose_slice_panel({&a, &b, &truth}, plain);
    const RgbImage with = compose_slice_panel({&a, &b, &truth}, titled);
    ASSERT_EQ(with.width, without.width);
    ASSERT_EQ(with.height, without.height + band);
    // Below the band: the same pixels as without titles.
    for (std::int64_t r = 0; r < without.height; ++r)
        for (std::int64_t c = 0; c < without.width; ++c)
            ASSERT_EQ(pixel(with, band + r, c)[0], pixel(without, r, c)[0]) << r << " " << c;
    // In the band: text (dark pixels) above every column, and white everywhere else.
    for (std::int64_t k = 0; k < 3; ++k) {
        std::size_t dark = 0;
        for (std::int64_t r = 0; r < band; ++r)
            for (std::int64_t c = k * (w + plain.gap); c < k * (w + plain.gap) + w; ++c) dark += pixel(with, r, c)[0] < 100;
        EXPECT_GT(dark, 20u) << "column " << k;
    }
    for (std::int64_t c = 0; c < with.width; ++c) {
        EXPECT_GT(pixel(with, 0, c)[0], 200) << "top row, column " << c;  // nothing cut at the top
        EXPECT_GT(pixel(with, band - 1, c)[0], 200) << "last band row, column " << c;  // nor at the images
    }
}

INSTANTIATE_TEST_SUITE_P(Drivers, SlicePanelTitles, ::testing::Values("memcairo", "mem"));

TEST(SlicePanel, Errors) {
    const Tensor<float> a = pattern(40, 50, 1), small = pattern(30, 50, 1);
    EXPECT_THROW(compose_slice_panel({&a}), Error);
    EXPECT_THROW(compose_slice_panel({&a, &small}), Error);
    PanelOptions outside;
    outside.zoom = ZoomRegion{35, 10, 8};
    EXPECT_THROW(compose_slice_panel({&a, &a}, outside), Error);
    PanelOptions too_big;
    too_big.zoom = ZoomRegion{0, 0, 10};
    too_big.magnification = 4;  // a 40-pixel inset in a 40-pixel slice
    EXPECT_THROW(compose_slice_panel({&a, &a}, too_big), Error);
    PanelOptions titles;
    titles.titles = {"only one"};
    EXPECT_THROW(compose_slice_panel({&a, &a}, titles), Error);
    TempDir dir;
    EXPECT_THROW(write_slice_panel(dir / "p.png", {&a, &small}), Error);
    EXPECT_EQ(dir.entry_count(), 0u);
}
