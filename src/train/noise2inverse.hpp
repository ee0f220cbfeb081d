#pragma once
// Noise2Inverse training data (Hendriksen, Pelt & Batenburg, IEEE TCI 2020), on tensors.
//
// A scan's angles are dealt into K interleaved subsets and each is reconstructed on its own
// (recon/angle_split.hpp). The sub-reconstructions show the same object with independent noise,
// so a network trained to map the mean of K - 1 of them (the input) to the remaining one (the
// target) converges to the map to the expected value of the target given the input: the object,
// not its noise. No clean image is needed. This is the paper's "X:1" strategy: each draw picks
// the target subset j at random, and the input is the mean of the others.
//
// Units: all volumes are mapped by one affine map, (v - low) / (high - low), with low and high
// the percentiles of the full reconstruction (the mean of all K), because that is the volume
// `denoise` normalises at inference. An affine map commutes with means, so the leave-one-out mean
// of the mapped volumes is the mapped leave-one-out mean.
#include "core/tensor.hpp"
#include "model/model_info.hpp"
#include "train/patches.hpp"

#include <cstdint>
#include <vector>

namespace tomoedge::train {

struct SplitVolumes {
    std::vector<Tensor<float>> subsets;  // K sub-reconstructions (slices, height, width), normalised
    Tensor<float> sum;                   // their voxel-wise sum, normalised
    double low = 0, high = 1;            // the raw values mapped to 0 and 1
};

/// Normalises K >= 2 sub-reconstructions of one shape by the percentiles of their mean. Errors
/// for fewer than 2 volumes, shapes that differ, non-finite values, or a constant volume.
SplitVolumes make_split_volumes(std::vector<Tensor<float>> subsets, const model::Normalisation& normalisation);

/// The mean of all subsets: the full reconstruction, normalised (the edge variant's input).
Tensor<float> full_reconstruction(const SplitVolumes& volumes);

/// The mean of every subset but `target`: the X:1 input for that target, normalised.
Tensor<float> leave_one_out_mean(const SplitVolumes& volumes, int target);

/// X:1 batches: each patch draws a slice, a corner, a symmetry and a target subset j. Input:
/// `depth` adjacent slices (slice_group) of the mean of the other subsets; target: subset j's
/// centre slice. Batch `index` depends only on (seed, index).
class Noise2InverseSampler final : public BatchSource {
public:
    /// Keeps a reference to `volumes`. Errors as PatchSampler's.
    Noise2InverseSampler(const SplitVolumes& volumes, const PatchOptions& options);
    Batch batch(std::int64_t index) const override;
    /// The target subset of each patch of batch `index`.
    std::vector<int> targets(std::int64_t index) const;

private:
    const SplitVolumes& volumes_;
    PatchOptions options_;
};

}  // namespace tomoedge::train
