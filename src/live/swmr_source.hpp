#pragma once
// Following a Data Exchange file while the acquisition writes it in HDF5 SWMR mode (single writer,
// multiple readers): each poll refreshes /exchange/data_dark, data_white, data and theta and hands
// out the frames that appeared since the last one (darks, then flats, then projections), as a
// stream would. The file may not exist yet, or not be in SWMR mode yet: the source keeps trying.
//
// The total number of projections (the FBP weight, and when the scan is complete) comes from a
// fixed-size /exchange/theta (written in full before the projections), or from an integer
// attribute "projections" of /exchange/data; without either, the scan ends by the timeout.
// Fixed-size dark and flat datasets announce their counts the same way.
#include "live/frame_source.hpp"

#include <filesystem>
#include <memory>

namespace tomoedge::live {

std::unique_ptr<FrameSource> swmr_source(const std::filesystem::path& file);

}  // namespace tomoedge::live
