#include "io/tiff.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cctype>

namespace tomoedge::io {
namespace fs = std::filesystem;

bool natural_less(const std::string& a, const std::string& b) {
    const auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (digit(a[i]) && digit(b[j])) {
            // Compare digit runs as numbers: skip leading zeros, then the longer run is larger,
            // then the first differing digit decides.
            std::size_t ie = i, je = j;
            while (ie < a.size() && digit(a[ie])) ++ie;
            while (je < b.size() && digit(b[je])) ++je;
            std::size_t iz = i, jz = j;
            while (iz + 1 < ie && a[iz] == '0') ++iz;
            while (jz + 1 < je && b[jz] == '0') ++jz;
            if (ie - iz != je - jz) return ie - iz < je - jz;
            const int c = a.compare(iz, ie - iz, b, jz, je - jz);
            if (c != 0) return c < 0;
            i = ie;
            j = je;
        } else {
            if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
            ++i;
            ++j;
        }
    }
    if ((a.size() - i) != (b.size() - j)) return a.size() - i < b.size() - j;
    return a < b;  // equal by number ("img_01" vs "img_1"): fall back to plain order, stable
}

std::vector<fs::path> list_tiff_folder(const fs::path& folder) {
    std::error_code ec;
    if (!fs::exists(folder, ec)) fail("{}/: no such folder", folder.string());
    if (!fs::is_directory(folder, ec)) fail("{}: is not a folder", folder.string());
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        std::string ext = entry.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
        // Hidden files include our own half-written temporaries and macOS "._x.tif" sidecars.
        if (name.empty() || name.front() == '.' || (ext != ".tif" && ext != ".tiff")) continue;
        if (entry.is_regular_file(ec)) files.push_back(entry.path());
    }
    if (ec) fail("{}/: cannot list the folder: {}", folder.string(), ec.message());
    std::sort(files.begin(), files.end(),
              [](const fs::path& x, const fs::path& y) { return natural_less(x.filename().string(), y.filename().string()); });
    return files;
}

}  // namespace tomoedge::io
