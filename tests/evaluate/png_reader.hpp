#pragma once
// Decodes a PNG file with libpng's simplified API, as an independent check that what we wrote is a
// valid PNG (and to look at its pixels).
#include <png.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tomoedge::testing {

struct DecodedPng {
    bool ok = false;
    std::string error;
    std::uint32_t width = 0, height = 0;
    std::vector<std::uint8_t> rgb;  // 3 bytes per pixel
};

inline DecodedPng decode_png_rgb(const std::filesystem::path& file) {
    DecodedPng out;
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&image, file.string().c_str())) {
        out.error = image.message;
        return out;
    }
    image.format = PNG_FORMAT_RGB;
    out.rgb.resize(PNG_IMAGE_SIZE(image));
    if (!png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr)) {
        out.error = image.message;
        png_image_free(&image);
        return out;
    }
    out.ok = true;
    out.width = image.width;
    out.height = image.height;
    return out;
}

}  // namespace tomoedge::testing
