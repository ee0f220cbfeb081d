#include "io/png.hpp"

#include "core/error.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <png.h>

#include <cmath>
#include <vector>

using namespace tomoedge;
using namespace tomoedge::io;
using tomoedge::testing::TempDir;

namespace {

struct Decoded {
    png_uint_32 width = 0, height = 0, format = 0;
    std::vector<std::uint8_t> pixels;
};

// Reads a PNG back with libpng's simplified API, as 8-bit grey.
Decoded decode(const std::filesystem::path& file) {
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    EXPECT_NE(png_image_begin_read_from_file(&image, file.c_str()), 0) << image.message;
    Decoded d{image.width, image.height, image.format, {}};
    image.format = PNG_FORMAT_GRAY;
    d.pixels.resize(PNG_IMAGE_SIZE(image));
    EXPECT_NE(png_image_finish_read(&image, nullptr, d.pixels.data(), 0, nullptr), 0) << image.message;
    return d;
}

}  // namespace

TEST(Png, PreviewWindowsByPercentiles) {
    TempDir dir;
    // 0..99 in a 10 x 10 image: the 10th and 90th percentiles are 9.9 and 89.1 (numpy linear).
    std::vector<float> image(100);
    for (int i = 0; i < 100; ++i) image[static_cast<std::size_t>(i)] = static_cast<float>(i);
    write_png_preview(dir / "p.png", image, 10, 10, 10.0, 90.0);
    const Decoded d = decode(dir / "p.png");
    EXPECT_EQ(d.width, 10u);
    EXPECT_EQ(d.height, 10u);
    EXPECT_EQ(d.format, static_cast<png_uint_32>(PNG_FORMAT_GRAY));  // stored as 8-bit grey
    const double low = 9.9, high = 89.1;
    for (int i = 0; i < 100; ++i) {
        const double expected = std::clamp((i - low) / (high - low) * 255.0, 0.0, 255.0);
        ASSERT_NEAR(d.pixels[static_cast<std::size_t>(i)], std::round(expected), 1.0) << i;
    }
    EXPECT_EQ(d.pixels[0], 0);
    EXPECT_EQ(d.pixels[5], 0);     // below the window
    EXPECT_EQ(d.pixels[95], 255);  // above it
    EXPECT_EQ(d.pixels[50], std::lround((50 - low) / (high - low) * 255.0));
}

TEST(Png, FlatImageIsBlackAndRgbWorks) {
    TempDir dir;
    write_png_preview(dir / "flat.png", std::vector<float>(12, 3.0f), 3, 4);
    for (auto v : decode(dir / "flat.png").pixels) EXPECT_EQ(v, 0);
    std::vector<std::uint8_t> rgb{255, 0, 0, 0, 255, 0};
    write_png(dir / "rgb.png", rgb, 1, 2, 3);
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    ASSERT_NE(png_image_begin_read_from_file(&image, (dir / "rgb.png").c_str()), 0);
    EXPECT_EQ(image.format, static_cast<png_uint_32>(PNG_FORMAT_RGB));
    png_image_free(&image);
}

TEST(Png, BadArgumentsFailAndLeaveNothing) {
    TempDir dir;
    EXPECT_THROW(write_png_preview(dir / "a.png", std::vector<float>(5, 1.0f), 2, 3), Error);
    EXPECT_THROW(write_png_preview(dir / "a.png", std::vector<float>(6, 1.0f), 2, 3, 60, 40), Error);
    std::vector<float> nan(6, 1.0f);
    nan[2] = std::nanf("");
    EXPECT_THROW(write_png_preview(dir / "a.png", nan, 2, 3), Error);
    EXPECT_THROW(write_png(dir / "a.png", std::vector<std::uint8_t>(6), 2, 3, 2), Error);
    EXPECT_THROW(write_png(dir / "missing_folder" / "a.png", std::vector<std::uint8_t>(6), 2, 3, 1), Error);
    EXPECT_EQ(dir.entry_count(), 0u);
}
