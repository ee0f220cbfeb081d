#include "io/data_path.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <fstream>

namespace tomoedge::io {
namespace fs = std::filesystem;
namespace {

std::string lower_extension(const fs::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

bool is_tiff_name(const fs::path& file) {
    const std::string ext = lower_extension(file);
    return ext == ".tif" || ext == ".tiff";
}

enum class Sniffed { unknown, hdf5, tiff };

// Looks at the bytes, for files whose name does not say what they are. The HDF5 signature may
// sit after a user block (offset 0, 512, 1024, 2048, ...).
Sniffed sniff(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Sniffed::unknown;
    std::array<char, 8> head{};
    in.read(head.data(), head.size());
    if (in.gcount() >= 4) {
        const std::string_view h(head.data(), 4);
        if (h == std::string_view("II*\0", 4) || h == std::string_view("MM\0*", 4) ||
            h == std::string_view("II+\0", 4) || h == std::string_view("MM\0+", 4))
            return Sniffed::tiff;
    }
    static constexpr char signature[] = "\x89HDF\r\n\x1a\n";
    for (std::streamoff offset = 0; offset <= 65536; offset = offset == 0 ? 512 : offset * 2) {
        in.clear();
        in.seekg(offset);
        in.read(head.data(), head.size());
        if (in.gcount() < 8) break;
        if (std::memcmp(head.data(), signature, 8) == 0) return Sniffed::hdf5;
    }
    return Sniffed::unknown;
}

[[noreturn]] void unclassifiable(std::string_view text, std::string_view why) {
    fail("{}: {} (name an HDF5 dataset as FILE.h5:DATASET, a TIFF stack as FILE.tif or a FOLDER/ of .tif files)",
         text, why);
}

}  // namespace

bool is_hdf5_path(const fs::path& file) {
    const std::string ext = lower_extension(file);
    return ext == ".h5" || ext == ".hdf5" || ext == ".hdf" || ext == ".nxs";
}

std::string DataPath::str() const {
    switch (format) {
        case StackFormat::hdf5: return dataset.empty() ? file.string() : file.string() + ":" + dataset;
        case StackFormat::tiff_file: return file.string();
        case StackFormat::tiff_folder: return file.string() + "/";
    }
    return file.string();
}

DataPath parse_data_path(std::string_view text) {
    if (text.empty()) fail("empty file name (name an HDF5 dataset as FILE.h5:DATASET, a .tif file or a folder)");
    const std::string name(text);

    // FILE:DATASET: the first ':' whose left side is an HDF5 file (by name, or by content when
    // it exists). Dataset names may themselves hold '/' (and, rarely, ':').
    for (std::size_t colon = name.find(':'); colon != std::string::npos; colon = name.find(':', colon + 1)) {
        const fs::path file = name.substr(0, colon);
        const bool hdf5 = is_hdf5_path(file) ||
                          (fs::is_regular_file(file) && !is_tiff_name(file) && sniff(file) == Sniffed::hdf5);
        if (!hdf5) continue;
        DataPath p{file, name.substr(colon + 1), StackFormat::hdf5};
        if (p.dataset.empty()) fail("{}: empty dataset name after ':'", name);
        return p;
    }

    if (name.back() == '/') {
        std::string trimmed = name;
        while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
        return {fs::path(trimmed), {}, StackFormat::tiff_folder};
    }
    const fs::path file(name);
    if (is_hdf5_path(file)) return {file, {}, StackFormat::hdf5};
    if (is_tiff_name(file)) return {file, {}, StackFormat::tiff_file};
    if (fs::is_directory(file)) return {file, {}, StackFormat::tiff_folder};
    if (!fs::exists(file)) unclassifiable(name, "no such file or folder, and its name does not say its format");
    switch (sniff(file)) {
        case Sniffed::hdf5: return {file, {}, StackFormat::hdf5};
        case Sniffed::tiff: return {file, {}, StackFormat::tiff_file};
        case Sniffed::unknown: break;
    }
    unclassifiable(name, "neither an HDF5 file nor a TIFF image");
}

}  // namespace tomoedge::io
