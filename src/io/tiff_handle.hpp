#pragma once
// Internal to io: one open libtiff file whose warnings are dropped and whose errors are kept
// for our Error message (libtiff would otherwise print them to stderr).
#include "core/dtype.hpp"

#include <tiffio.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace tomoedge::io {

class TiffHandle {
public:
    /// mode "r", "w" or "w8" (BigTIFF). Throws Error naming the file when libtiff refuses it.
    TiffHandle(const std::filesystem::path& file, const char* mode, const std::string& display_name);
    ~TiffHandle();
    TiffHandle(const TiffHandle&) = delete;
    TiffHandle& operator=(const TiffHandle&) = delete;

    TIFF* get() const { return tif_; }
    /// The first libtiff error since the last call ("" if none), then forgets it.
    std::string take_error();
    /// Closes the file (flushing it); throws if libtiff reported an error while writing.
    void close();

private:
    std::unique_ptr<std::string> error_;  // stable address: libtiff holds a pointer to it
    TIFF* tif_ = nullptr;
    std::string name_;
};

struct PageFormat {
    std::uint32_t width = 0, height = 0;
    DType dtype = DType::u8;
};

/// The current directory's size and pixel type; throws for anything but u8/u16/f32 greyscale.
PageFormat page_format(TiffHandle& tiff, const std::string& where);

/// libtiff treats a directory whose "next" link is cut off by the end of the file as the last
/// one, silently dropping the pages after it. This checks that the current directory lies wholly
/// inside `file`, so a truncated stack is an error rather than a shorter stack.
void require_complete_directory(TiffHandle& tiff, const std::filesystem::path& file, const std::string& where);

/// Decodes the current directory (strips or tiles, any codec libtiff has) into width*height floats.
void read_page_pixels(TiffHandle& tiff, const PageFormat& format, float* out, const std::string& where);

/// Decodes rows [row, row + rows) of the current directory into rows*width floats, touching only
/// the strips or tiles that hold them.
void read_page_rows(TiffHandle& tiff, const PageFormat& format, std::uint32_t row, std::uint32_t rows, float* out,
                    const std::string& where);

}  // namespace tomoedge::io
