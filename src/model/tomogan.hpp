#pragma once
// The TomoGAN generator (Liu et al., "TomoGAN", arXiv:1902.07582) as a graph IR.
#include "model/graph.hpp"
#include "model/model_info.hpp"

#include <cstdint>

namespace tomoedge::model {

struct TomoGanConfig {
    int input_depth = 3;   // adjacent slices as input channels
    double width = 1.0;    // channel multiplier: 1.0 is the published network (8, 32, 64, 128, ...)
    std::uint64_t seed = 0;
    Normalisation normalisation{0.5, 99.5};
};

/// Builds the generator with He-normal random weights drawn from `seed` (bias uniform in
/// +-0.05), labelled tomoedge.weights=random: good for speed and agreement checks, not images.
/// Validated; node and constant names are stable ("down1_conv1", "down1_conv1.weight", ...).
Graph build_tomogan(const TomoGanConfig& config = {});

/// Channel count of a published layer width under the multiplier (at least 1).
std::int64_t scaled_channels(int published, double width);

}  // namespace tomoedge::model
