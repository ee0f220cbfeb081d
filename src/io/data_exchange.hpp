#pragma once
// Projections in the Data Exchange layout (APS/TomoPy convention):
//   /exchange/data        (angles, rows, cols)  raw counts
//   /exchange/data_white  (flats, rows, cols)   flat fields (beam, no sample)
//   /exchange/data_dark   (darks, rows, cols)   dark fields (no beam)
//   /exchange/theta       (angles)              degrees
#include "core/projections.hpp"

#include <filesystem>
#include <vector>

namespace tomoedge::io {

struct ProjectionInfo {
    std::int64_t angles = 0, rows = 0, cols = 0, flats = 0, darks = 0;
};


/// Opens and validates the layout: the datasets exist, rows/cols of white and dark match the
/// data, theta has one entry per angle. Errors name the file and dataset.
ProjectionInfo read_projection_info(const std::filesystem::path& file);

/// Detector rows [row_first, row_first + row_count) of data, white and dark (the sinograms of
/// those slices), and theta. Bounded memory: only those rows are read.
Projections read_projections(const std::filesystem::path& file, std::int64_t row_first, std::int64_t row_count);

/// Writes all four datasets atomically (data as u16 when `counts_u16`, as detectors do).
void write_projections(const std::filesystem::path& file, const Projections& p, bool counts_u16 = true);

}  // namespace tomoedge::io
