#pragma once
// A Data Exchange file (io/data_exchange.hpp) read as the frames an acquisition would send: every
// dark, then every flat, then the projections in file order, one frame in memory at a time.
// Behind `tomoedge replay` (which sends them) and `tomoedge live --from SCAN.h5`.
#include "core/tensor.hpp"
#include "io/hdf5.hpp"
#include "live/frame.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace tomoedge::live {

class ScanFrames {
public:
    /// Opens and validates the file (Error naming it).
    explicit ScanFrames(const std::filesystem::path& file);

    /// The next frame (header with the scan totals announced, pixels as (rows, cols) float32), or
    /// nullopt after the last projection.
    std::optional<std::pair<FrameHeader, Tensor<float>>> next();
    /// The end-of-scan message for this file.
    FrameHeader end_header() const;

    std::int64_t darks() const { return darks_; }
    std::int64_t flats() const { return flats_; }
    std::int64_t projections() const { return projections_; }
    std::int64_t frames() const { return darks_ + flats_ + projections_; }
    /// The type the file stores counts in: what a detector would send (uint16, or float32).
    PixelType file_pixel_type() const { return pixel_type_; }

private:
    io::Hdf5Reader reader_;
    std::int64_t darks_ = 0, flats_ = 0, projections_ = 0, rows_ = 0, cols_ = 0, position_ = 0;
    std::vector<float> theta_deg_;
    PixelType pixel_type_ = PixelType::u16;
};

}  // namespace tomoedge::live
