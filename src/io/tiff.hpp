#pragma once
// TIFF stacks (libtiff): u8, u16, f32 greyscale; one multi-page file or a folder of single-page
// files in natural order; compressed input (whatever libtiff decodes: LZW, deflate, ...);
// BigTIFF output when the stack would pass 4 GiB.
#include "core/dtype.hpp"
#include "core/shape.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace tomoedge::io {

/// Folder entries ending in .tif/.tiff, sorted naturally (digit runs compare as numbers).
std::vector<std::filesystem::path> list_tiff_folder(const std::filesystem::path& folder);

/// Natural-order comparison: "img_2" < "img_10".
bool natural_less(const std::string& a, const std::string& b);

}  // namespace tomoedge::io
