#pragma once
// Receptive-field analysis of a graph: how many input pixels beyond its own footprint each output
// pixel depends on. This, not a hard-coded number, decides the halo a seam-free tile needs.
#include "model/graph.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <string>

namespace tomoedge::tiling {

/// Per tensor, per axis (H, W). A pixel of a tensor at cumulative stride s covers input pixels
/// [j*s, (j+1)*s) (its footprint) and depends on input pixels at most `radius` outside it.
struct FieldInfo {
    std::array<std::int64_t, 2> radius{0, 0};
    std::array<std::int64_t, 2> stride{1, 1};
};

struct ReceptiveField {
    std::array<std::int64_t, 2> radius{0, 0};    // of the graph output, in input pixels
    std::array<std::int64_t, 2> multiple{1, 1};  // pooling multiple: the largest cumulative stride
    std::map<std::string, FieldInfo> tensors;    // every activation
};

/// Walks the graph in topological order (validated). Conv/MaxPool widen the field by the kernel's
/// reach beyond the output footprint, scaled by the input's stride; an integer upsampling Resize by
/// how far the coarse pixels it reads (both linear neighbours) reach beyond the fine pixel's
/// footprint; Concat/Add take the widest input. Throws Error for what cannot be tiled: Resize to
/// fixed sizes or with align_corners, non-integer or downsampling scales, branches of different
/// strides joined, an output not at the input's resolution.
ReceptiveField receptive_field(const model::Graph& graph);

/// The default halo: the radius rounded up to the pooling multiple (per axis).
std::array<std::int64_t, 2> default_halo(const ReceptiveField& field);

}  // namespace tomoedge::tiling
