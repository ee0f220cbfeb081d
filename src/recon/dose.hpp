#pragma once
// The dose model: what a detector counts for given line integrals (Beer-Lambert), with Poisson
// photon noise, flat and dark fields; and sparse views (every k-th angle).
#include "core/tensor.hpp"
#include "core/projections.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace tomoedge::recon {

struct DoseOptions {
    double i0 = 1000;      // incident photons per detector pixel per projection (flat-field level)
    double dark = 50;      // mean dark count per pixel (detector offset)
    bool noise = true;     // false: the expected counts exactly (stored as float)
    int flats = 10, darks = 10;
    std::uint64_t seed = 0;
};

/// Counts for line integrals p of shape (angles, rows, cols): data = Poisson(i0 exp(-p)) +
/// Poisson(dark); white = Poisson(i0) + Poisson(dark); dark = Poisson(dark). Deterministic for a
/// seed whatever the thread count (each projection draws from its own seeded stream).
Projections expose(const Tensor<float>& line_integrals, std::vector<float> theta_deg, const DoseOptions& options);

/// Indices 0, k, 2k, ... below `angles` (k >= 1).
std::vector<std::int64_t> sparse_view_indices(std::int64_t angles, std::int64_t k);

/// The projections at the given angle indices (flats and darks kept).
Projections select_views(const Projections& scan, std::span<const std::int64_t> indices);

/// A Poisson draw from a stream keyed by (seed, stream): splitmix64 mixing, so streams for
/// neighbouring keys are independent.
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream);

}  // namespace tomoedge::recon
