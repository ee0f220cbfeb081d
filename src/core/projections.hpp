#pragma once
// A scan in memory, as a detector delivers it: raw projections with their flat and dark fields
// and the angle of each projection. The Data Exchange files of io/data_exchange.hpp hold exactly
// this; recon normalises and reconstructs it without knowing where it came from.
#include "core/tensor.hpp"

#include <vector>

namespace tomoedge {

struct Projections {
    Tensor<float> data;   // (angles, rows, cols) raw counts
    Tensor<float> white;  // (flats, rows, cols) flat fields (beam, no sample)
    Tensor<float> dark;   // (darks, rows, cols) dark fields (no beam)
    std::vector<float> theta_deg;  // one angle per projection, degrees
};

}  // namespace tomoedge
