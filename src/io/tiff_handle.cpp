#include "io/tiff_handle.hpp"

#include "core/error.hpp"
#include "core/memory_limit.hpp"
#include "io/pixels.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <vector>

namespace tomoedge::io {
namespace fs = std::filesystem;
namespace {

// Keeps the first error libtiff reports for a handle.
int keep_error(TIFF*, void* user, const char* module, const char* format, va_list args) {
    auto* error = static_cast<std::string*>(user);
    if (error != nullptr && error->empty()) {
        char text[512];
        std::vsnprintf(text, sizeof text, format, args);
        *error = module != nullptr && module[0] != '\0' ? fmt::format("{}: {}", module, text) : text;
    }
    return 1;  // handled: libtiff calls no global handler
}

int drop_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

void silence_libtiff_globally() {
    // Messages raised without a handle would go to the global handlers, which print to stderr.
    static std::once_flag once;
    std::call_once(once, [] {
        TIFFSetErrorHandler(nullptr);
        TIFFSetWarningHandler(nullptr);
    });
}

std::string sample_format_name(std::uint16_t format) {
    switch (format) {
        case SAMPLEFORMAT_UINT: return "unsigned";
        case SAMPLEFORMAT_INT: return "signed";
        case SAMPLEFORMAT_IEEEFP: return "float";
        default: return "other";
    }
}

}  // namespace

TiffHandle::TiffHandle(const fs::path& file, const char* mode, const std::string& display_name)
    : error_(std::make_unique<std::string>()), name_(display_name) {
    silence_libtiff_globally();
    TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
    TIFFOpenOptionsSetErrorHandlerExtR(options, keep_error, error_.get());
    TIFFOpenOptionsSetWarningHandlerExtR(options, drop_warning, nullptr);
    tif_ = TIFFOpenExt(file.string().c_str(), mode, options);
    TIFFOpenOptionsFree(options);
    if (tif_ == nullptr) {
        const std::string why = take_error();
        if (mode[0] == 'r') fail("{}: not a readable TIFF file (truncated or damaged?): {}", name_, why.empty() ? "libtiff refused it" : why);
        fail("{}: cannot create TIFF file: {}", name_, why.empty() ? "libtiff refused it" : why);
    }
}

TiffHandle::~TiffHandle() {
    if (tif_ != nullptr) TIFFClose(tif_);
}

std::string TiffHandle::take_error() {
    std::string e = std::move(*error_);
    error_->clear();
    return e;
}

void TiffHandle::close() {
    if (tif_ == nullptr) return;
    TIFFClose(tif_);
    tif_ = nullptr;
    const std::string e = take_error();
    if (!e.empty()) fail("{}: cannot finish the TIFF file: {}", name_, e);
}

PageFormat page_format(TiffHandle& tiff, const std::string& where) {
    TIFF* tif = tiff.get();
    std::uint32_t width = 0, height = 0;
    std::uint16_t bits = 1, samples = 1, format = SAMPLEFORMAT_UINT, photometric = PHOTOMETRIC_MINISBLACK;
    if (TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width) != 1 || TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height) != 1)
        fail("{}: the TIFF directory has no image size", where);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PHOTOMETRIC, &photometric);
    PageFormat page{width, height, DType::u8};
    const bool grey = samples == 1 && photometric != PHOTOMETRIC_PALETTE;
    if (grey && bits == 8 && format == SAMPLEFORMAT_UINT) page.dtype = DType::u8;
    else if (grey && bits == 16 && format == SAMPLEFORMAT_UINT) page.dtype = DType::u16;
    else if (grey && bits == 32 && format == SAMPLEFORMAT_IEEEFP) page.dtype = DType::f32;
    else
        fail("{}: unsupported pixel type: {} sample(s) per pixel of {}-bit {}{} (expected u8, u16 or f32 greyscale)",
             where, samples, bits, sample_format_name(format), photometric == PHOTOMETRIC_PALETTE ? " palette" : "");
    if (width == 0 || height == 0) fail("{}: empty image ({} x {})", where, width, height);
    return page;
}

void require_complete_directory(TiffHandle& tiff, const fs::path& file, const std::string& where) {
    TIFF* tif = tiff.get();
    const bool big = TIFFIsBigTIFF(tif) != 0;
    const std::uint64_t offset = TIFFCurrentDirOffset(tif);
    std::error_code ec;
    const std::uint64_t size = fs::file_size(file, ec);
    std::ifstream in(file, std::ios::binary);
    std::uint64_t entries = 0;
    if (!ec && in.seekg(static_cast<std::streamoff>(offset))) {
        unsigned char count[8] = {};
        in.read(reinterpret_cast<char*>(count), big ? 8 : 2);
        if (in.gcount() == (big ? 8 : 2)) {
            // The count is stored in the file's byte order (little-endian "II", big-endian "MM").
            const bool little = TIFFIsBigEndian(tif) == 0;
            const int n = big ? 8 : 2;
            for (int i = 0; i < n; ++i) entries |= std::uint64_t{count[little ? i : n - 1 - i]} << (8 * i);
        }
    }
    const std::uint64_t end = big ? offset + 8 + 20 * entries + 8 : offset + 2 + 12 * entries + 4;
    if (ec || entries == 0 || end > size)
        fail("{}: the TIFF directory runs past the end of the file (truncated?)", where);
}

void read_page_pixels(TiffHandle& tiff, const PageFormat& f, float* out, const std::string& where) {
    read_page_rows(tiff, f, 0, f.height, out, where);
}

void read_page_rows(TiffHandle& tiff, const PageFormat& f, std::uint32_t row, std::uint32_t rows, float* out,
                    const std::string& where) {
    TIFF* tif = tiff.get();
    const std::size_t size = dtype_size(f.dtype);
    const std::size_t w = f.width, h = f.height;
    const std::size_t end = std::min<std::size_t>(h, std::size_t{row} + rows);  // rows [row, end) wanted
    const auto decode_failed = [&](const char* what, std::uint32_t index) {
        const std::string e = tiff.take_error();
        fail("{}: cannot decode {} {} (truncated or damaged?): {}", where, what, index, e.empty() ? "libtiff error" : e);
    };
    if (TIFFIsTiled(tif) != 0) {
        std::uint32_t tw = 0, th = 0;
        TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
        TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
        if (tw == 0 || th == 0) fail("{}: tiled TIFF without a tile size", where);
        // The tile size comes from the file and sizes the buffer: refuse tiles far larger than the image
        // (writers use up to the image rounded to 16, or a fixed size like 256 even for small images).
        const auto limit = [](std::size_t side) { return std::max<std::size_t>((side + 15) / 16 * 16, 4096); };
        if (tw > limit(w) || th > limit(h))
            fail("{}: tile size {} x {} is far larger than the image ({} x {}): damaged file?", where, tw, th, w, h);
        const tmsize_t tile_bytes = TIFFTileSize(tif);
        if (tile_bytes <= 0) fail("{}: invalid tile size {} x {}: {}", where, tw, th, tiff.take_error());
        check_allocation(static_cast<std::uint64_t>(tile_bytes), fmt::format("{}: one tile", where));
        std::vector<std::byte> buffer(static_cast<std::size_t>(tile_bytes));
        for (std::size_t y = row / th * th; y < end; y += th) {
            for (std::uint32_t x = 0; x < w; x += tw) {
                const std::uint32_t tile = TIFFComputeTile(tif, x, static_cast<std::uint32_t>(y), 0, 0);
                if (TIFFReadEncodedTile(tif, tile, buffer.data(), static_cast<tmsize_t>(buffer.size())) < 0)
                    decode_failed("tile", tile);
                const std::size_t first = std::max<std::size_t>(y, row), last = std::min<std::size_t>(y + th, end);
                const std::size_t cols = std::min<std::size_t>(tw, w - x);
                for (std::size_t r = first; r < last; ++r)
                    convert_to_float(buffer.data() + (r - y) * tw * size, f.dtype, {out + (r - row) * w + x, cols});
            }
        }
        return;
    }
    std::uint32_t rows_per_strip = 0;
    TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
    rows_per_strip = std::clamp<std::uint32_t>(rows_per_strip, 1, f.height);
    const auto strip_bytes = static_cast<std::uint64_t>(std::max<tmsize_t>(TIFFStripSize(tif), 1));
    check_allocation(strip_bytes, fmt::format("{}: one strip", where));
    std::vector<std::byte> buffer(static_cast<std::size_t>(strip_bytes));
    const std::uint32_t strips = TIFFNumberOfStrips(tif);
    for (std::uint32_t s = row / rows_per_strip; s < strips; ++s) {
        const std::size_t y = static_cast<std::size_t>(s) * rows_per_strip;
        if (y >= end) break;
        const std::size_t strip_rows = std::min<std::size_t>(rows_per_strip, h - y);
        const tmsize_t got = TIFFReadEncodedStrip(tif, s, buffer.data(), static_cast<tmsize_t>(buffer.size()));
        if (got < 0 || static_cast<std::size_t>(got) < strip_rows * w * size) decode_failed("strip", s);
        const std::size_t first = std::max<std::size_t>(y, row), last = std::min(y + strip_rows, end);
        convert_to_float(buffer.data() + (first - y) * w * size, f.dtype, {out + (first - row) * w, (last - first) * w});
    }
}

}  // namespace tomoedge::io
