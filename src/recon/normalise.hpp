#pragma once
// Flat/dark normalisation and -log: raw counts -> line integrals, as sinograms.
#include "core/tensor.hpp"
#include "io/data_exchange.hpp"

#include <cstdint>
#include <string>

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

/// p = -log((data - dark) / (white - dark)) with white and dark averaged over their frames,
/// returned as sinograms (rows, angles, cols). Checks that white and dark match the data's
/// rows and columns and that theta has one entry per projection (Error naming the source).
/// Clamped values are counted in `stats` and reported once per process on stderr.
Tensor<float> normalise(const io::Projections& scan, NormaliseStats& stats, const NormaliseOptions& options = {});

}  // namespace tomoedge::recon
