#include "io/png.hpp"

#include "core/atomic_file.hpp"
#include "core/checks.hpp"
#include "core/error.hpp"
#include "core/statistics.hpp"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <string>
#include <vector>

namespace tomoedge::io {
namespace {

struct PngFailure {
    char message[256] = "libpng error";
};

void on_png_error(png_structp png, png_const_charp message) {
    auto* failure = static_cast<PngFailure*>(png_get_error_ptr(png));
    std::snprintf(failure->message, sizeof failure->message, "%s", message);
    png_longjmp(png, 1);
}

void on_png_warning(png_structp, png_const_charp) {}

// libpng reports errors by longjmp, so this function holds no object with a destructor between
// setjmp and the calls that may jump. Returns false with `failure` filled on error.
bool encode(std::FILE* out, const std::uint8_t* pixels, png_uint_32 height, png_uint_32 width, int channels,
            png_bytep* rows, PngFailure* failure) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, failure, on_png_error, on_png_warning);
    if (png == nullptr) return false;
    png_infop info = png_create_info_struct(png);
    if (info == nullptr || setjmp(png_jmpbuf(png)) != 0) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_init_io(png, out);
    png_set_IHDR(png, info, width, height, 8, channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    for (png_uint_32 y = 0; y < height; ++y)
        rows[y] = const_cast<png_bytep>(pixels + static_cast<std::size_t>(y) * width * static_cast<std::size_t>(channels));
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return true;
}

}  // namespace

void write_png(const std::filesystem::path& file, std::span<const std::uint8_t> pixels, std::int64_t height,
               std::int64_t width, int channels) {
    if (channels != 1 && channels != 3) fail("{}: PNG needs 1 or 3 channels, not {}", file.string(), channels);
    if (height < 1 || width < 1 || height > 0x7fffffff || width > 0x7fffffff)
        fail("{}: bad PNG size {} x {}", file.string(), height, width);
    if (static_cast<std::int64_t>(pixels.size()) != height * width * channels)
        fail("{}: {} pixel bytes for a {} x {} x {} image", file.string(), pixels.size(), height, width, channels);
    AtomicFile atomic(file);
    std::FILE* out = std::fopen(atomic.temp_path().string().c_str(), "wb");
    if (out == nullptr) fail("{}: cannot create the file", file.string());
    std::vector<png_bytep> rows(static_cast<std::size_t>(height));
    PngFailure failure;
    const bool ok = encode(out, pixels.data(), static_cast<png_uint_32>(height), static_cast<png_uint_32>(width),
                           channels, rows.data(), &failure);
    const bool closed = std::fclose(out) == 0;
    if (!ok) fail("{}: cannot write PNG: {}", file.string(), failure.message);
    if (!closed) fail("{}: cannot write PNG: the file could not be flushed", file.string());
    atomic.commit();
}

void write_png_preview(const std::filesystem::path& file, std::span<const float> image, std::int64_t height,
                       std::int64_t width, double low_pct, double high_pct) {
    if (height < 1 || width < 1 || static_cast<std::int64_t>(image.size()) != height * width)
        fail("{}: {} pixels for a {} x {} preview", file.string(), image.size(), height, width);
    if (!(low_pct >= 0 && low_pct < high_pct && high_pct <= 100))
        fail("{}: preview window {}..{} percent is not 0 <= low < high <= 100", file.string(), low_pct, high_pct);
    require_finite(image, file.string() + ": preview image");
    const auto [low, high] = percentile_range(image, low_pct, high_pct);
    // Window [low, high] -> [0, 255]; a flat image (high == low) is black.
    const double scale = high > low ? 255.0 / (high - low) : 0.0;
    std::vector<std::uint8_t> pixels(image.size());
    for (std::size_t i = 0; i < image.size(); ++i)
        pixels[i] = static_cast<std::uint8_t>(std::lround(std::clamp((image[i] - low) * scale, 0.0, 255.0)));
    write_png(file, pixels, height, width, 1);
}

}  // namespace tomoedge::io
