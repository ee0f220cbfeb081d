#pragma once
// How users name image data on the command line (docs/DESIGN.md):
//   data.h5:test_ns        a dataset inside an HDF5 file (.h5 .hdf5 .hdf .nxs)
//   stack.tif / stack.tiff a multi-page TIFF
//   folder/                a folder of single-page TIFFs, natural order (img_2 before img_10)
#include <filesystem>
#include <string>
#include <string_view>

namespace tomoedge::io {

enum class StackFormat { hdf5, tiff_file, tiff_folder };

struct DataPath {
    std::filesystem::path file;
    std::string dataset;  // HDF5 only; may be empty when the caller supplies a default
    StackFormat format = StackFormat::hdf5;

    /// "data.h5:test_ns", "stack.tif": what error messages print.
    std::string str() const;
};

/// Parses a name as above. A path that is an existing folder, or ends in '/', is a TIFF folder.
/// Throws Error for names it cannot classify (naming the text and the accepted forms).
DataPath parse_data_path(std::string_view text);

bool is_hdf5_path(const std::filesystem::path& file);

}  // namespace tomoedge::io
