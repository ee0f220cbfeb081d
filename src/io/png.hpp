#pragma once
// PNG output (libpng) for quick looks and figures. Written atomically.
#include <cstdint>
#include <filesystem>
#include <span>

namespace tomoedge::io {

/// One slice as 8-bit greyscale, windowed to [low_pct, high_pct] percentiles of its values.
void write_png_preview(const std::filesystem::path& file, std::span<const float> image, std::int64_t height,
                       std::int64_t width, double low_pct = 0.5, double high_pct = 99.5);

/// Raw 8-bit greyscale (channels = 1) or RGB (channels = 3) pixels, row-major.
void write_png(const std::filesystem::path& file, std::span<const std::uint8_t> pixels, std::int64_t height,
               std::int64_t width, int channels);

}  // namespace tomoedge::io
