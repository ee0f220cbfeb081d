#pragma once
// `tomoedge recon`: Data Exchange projections in, reconstructed slices out, slab by slab.
//
// Memory is bounded by the slab: each slab of detector rows is read (io::read_projections),
// normalised, filtered, backprojected and written (io::StackWriter) before the next is read,
// so peak memory is about slab_rows x (2 x angles x cols + size^2) floats plus the flat and
// dark fields of those rows, whatever the number of slices.
#include "io/data_path.hpp"
#include "io/stack.hpp"
#include "recon/fbp_filter.hpp"
#include "recon/geometry.hpp"
#include "recon/angle_split.hpp"
#include "recon/normalise.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace tomoedge::pipeline {

struct ReconOptions {
    recon::FilterWindow window = recon::FilterWindow::shepp_logan;
    /// Detector column of the rotation axis. Unset: the convention's default (geometry.hpp),
    /// cols // 2 (TomoPy's) or (cols - 1) / 2.
    std::optional<double> centre;
    /// Where the axis is in the image (geometry.hpp): pixel size // 2 (TomoPy's) or (size - 1) / 2.
    recon::AxisConvention convention = recon::AxisConvention::tomopy;
    bool mask_outside_field_of_view = false;  // FbpOptions: zero the pixels no ray covers at all angles
    bool auto_centre = false;  // find it from the data (rotation_centre.hpp) instead
    std::int64_t row_first = 0;
    std::int64_t row_count = -1;  // -1: to the last row
    std::int64_t slab_rows = 8;
    recon::AngleSelection angles;
    io::WriteOptions write;
};

struct ReconSummary {
    std::int64_t slices = 0, size = 0, angles = 0, cols = 0;
    double centre = 0;
    std::string centre_source;  // "middle", "given" or "auto (opposite-projection matching)"
    recon::NormaliseStats stats;
    double seconds = 0;
};

/// Applies the --center text to `options`: "auto" (find it from the data), a detector column
/// (e.g. "511.5"), or empty (the middle). Error for anything else.
void parse_centre(const std::string& text, ReconOptions& options);

/// Parses "a:b" (rows a..b-1; either end may be left out) into (first, count) for `rows` rows.
std::pair<std::int64_t, std::int64_t> parse_row_range(const std::string& text, std::int64_t rows);

/// Reconstructs rows [row_first, row_first + row_count) of `input` into `output` (one slice per
/// detector row). `on_slab` (optional) is told the slices done so far after each slab.
ReconSummary reconstruct_file(const std::filesystem::path& input, const io::DataPath& output,
                              const ReconOptions& options,
                              const std::function<void(std::int64_t done, std::int64_t total)>& on_slab = {});

/// Noise2Inverse's sub-reconstructions of rows [row_first, row_first + row_count) of `input`:
/// `subsets` volumes (rows, size, size), each the FBP of one interleaved angle subset, with the
/// normalisation, centre and filter of `options` (options.angles and options.write are unused).
/// Error naming the file when the angles do not span a half turn or are too few for the split.
std::vector<Tensor<float>> reconstruct_subsets_file(const std::filesystem::path& input, const ReconOptions& options,
                                                    int subsets, ReconSummary* summary = nullptr);

}  // namespace tomoedge::pipeline
