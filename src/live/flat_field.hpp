#pragma once
// Dark and flat frames of a live scan, kept for the detector rows being reconstructed, and the
// flat/dark normalisation of projections once they are all in. The mean fields are taken in frame
// index order with recon::frame_mean, and each value goes through recon::line_integral, so a live
// projection is normalised exactly as `tomoedge recon` normalises the same frame.
#include "core/tensor.hpp"
#include "recon/normalise.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <vector>

namespace tomoedge::live {

class FlatField {
public:
    /// Frames hold `rows` x `cols` values (the rows being reconstructed). `floor` as in recon.
    FlatField(std::int64_t rows, std::int64_t cols, float floor = 0.5f);

    /// Stores a dark or flat frame. False when a frame of that index is already there (ignored).
    bool add_dark(std::int64_t index, const float* pixels);
    bool add_flat(std::int64_t index, const float* pixels);
    /// Frames received (before or after fix()).
    std::int64_t darks() const { return fixed_ ? dark_count_ : static_cast<std::int64_t>(darks_.size()); }
    std::int64_t flats() const { return fixed_ ? flat_count_ : static_cast<std::int64_t>(flats_.size()); }

    /// Freezes the reference: mean dark and mean flat over the frames received, in index order.
    /// Error (naming `source`) when there is no dark or no flat. Frames are then released.
    void fix(const std::string& source);
    bool fixed() const { return fixed_; }
    /// Whether the reference was made with this dark / flat index (a sender re-sending its
    /// references for receivers that join late sends the same indices again).
    bool used_dark(std::int64_t index) const { return used_darks_.count(index) > 0; }
    bool used_flat(std::int64_t index) const { return used_flats_.count(index) > 0; }

    /// Line integrals of one projection (rows x cols values) into `out`: -log((p - dark) / (flat - dark)).
    void normalise(const float* projection, float* out, std::int64_t out_stride, recon::NormaliseStats& stats) const;

private:
    std::int64_t rows_, cols_;
    float floor_;
    std::map<std::int64_t, std::vector<float>> darks_, flats_;
    std::vector<float> dark_, white_;
    std::int64_t dark_count_ = 0, flat_count_ = 0;
    std::set<std::int64_t> used_darks_, used_flats_;
    bool fixed_ = false;
};

}  // namespace tomoedge::live
