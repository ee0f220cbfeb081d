#pragma once
// Flat/dark normalisation and -log: raw counts -> line integrals, as sinograms.
#include "core/tensor.hpp"
#include "core/projections.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace tomoedge::recon {

struct NormaliseStats {
    std::int64_t values = 0;      // projection values normalised
    std::int64_t clamped = 0;     // data - dark <= 0: clamped to `floor` counts
    std::int64_t bad_flat = 0;    // white - dark <= 0 (dead or saturated pixel): transmission set to 1
    NormaliseStats& operator+=(const NormaliseStats& o) {
        values += o.values;
        clamped += o.clamped;
        bad_flat += o.bad_flat;
        return *this;
    }
};

struct NormaliseOptions {
    /// A reading at or below the dark level carries no more than about one photon; it is
    /// replaced by this many counts so -log stays finite (and the pixel is counted).
    float floor = 0.5f;
    /// Named in the warning (file, slab).
    std::string source = "projections";
};

/// The per-value step of normalise(), shared with the live reconstruction (live/) so both give the
/// same line integrals: -log((data - dark) / (white - dark)); 0 where white <= dark (counted in
/// `bad_flat`); a reading at or below dark replaced by `floor` counts (counted in `clamped`).
inline float line_integral(float data, float white, float dark, float floor, std::int64_t& clamped,
                           std::int64_t& bad_flat) {
    const float den = white - dark;
    if (!(den > 0)) {
        ++bad_flat;
        return 0.0f;
    }
    float num = data - dark;
    if (!(num > 0)) {
        ++clamped;
        num = floor;
    }
    return -std::log(num / den);
}

/// Per-pixel mean over the frames of (frames, rows, cols), accumulated in double in frame order:
/// the white and dark fields normalise() uses.
std::vector<float> frame_mean(const Tensor<float>& frames);

/// p = -log((data - dark) / (white - dark)) with white and dark averaged over their frames,
/// returned as sinograms (rows, angles, cols). Checks that white and dark match the data's
/// rows and columns and that theta has one entry per projection (Error naming the source).
/// Clamped values are counted in `stats` and reported once per process on stderr.
Tensor<float> normalise(const Projections& scan, NormaliseStats& stats, const NormaliseOptions& options = {});

}  // namespace tomoedge::recon
