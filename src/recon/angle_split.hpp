#pragma once
// Noise2Inverse's split of a scan (Hendriksen, Pelt & Batenburg, IEEE TCI 2020): the projection
// angles are dealt into K interleaved subsets, subset j = angles j, j + K, j + 2K, ..., and each
// subset is reconstructed on its own. Photon noise of different projections is independent, so
// the K sub-reconstructions carry independent noise on the same object: a network trained to
// predict one of them from the others learns the object, never having seen a clean image.
//
// FBP is linear and weights a reconstruction by pi / angles, so the mean of sub-reconstructions
// equals the FBP of the union of their angles: the mean of all K is the full reconstruction.
#include "core/tensor.hpp"
#include "recon/fbp.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace tomoedge::recon {

/// Fewest angles a subset may hold: FBP from fewer views is mostly streaks.
inline constexpr std::int64_t min_angles_per_subset = 8;

/// The K interleaved subsets of `angles` projection indices (every index in exactly one subset,
/// subset j starting at j). Error when K < 2 or a subset would hold fewer than
/// min_angles_per_subset angles.
std::vector<std::vector<std::int64_t>> interleaved_angle_subsets(std::int64_t angles, int subsets);

/// Checks that `theta_deg` (one entry per projection, in acquisition order) spans a half turn
/// evenly enough for FBP with weight pi / angles: sorted span plus one mean step within one step
/// of 180 degrees. Error naming `source` otherwise (e.g. a full-turn scan, or a few degrees).
void check_half_turn(std::span<const float> theta_deg, const std::string& source);

/// Which projections to reconstruct from: all, or Noise2Inverse's interleaved subset `index` of
/// `subsets` (angle_split.hpp), or all but that subset (`complement`: the leave-one-out input).
struct AngleSelection {
    int subsets = 0;  // 0 = all angles
    int index = 0;
    bool complement = false;
};

/// The projection indices `selection` keeps of `angles` (all when selection.subsets == 0). Error
/// for an index outside 0..subsets-1 or too few angles for the split.
std::vector<std::int64_t> selected_angles(std::int64_t angles, const AngleSelection& selection);

/// One FBP geometry per subset, set up once and reused for every slab of sinograms.
class SubsetFbp {
public:
    /// `theta_deg` has one entry per angle of the whole scan.
    SubsetFbp(std::span<const float> theta_deg, std::int64_t cols, int subsets, const FbpOptions& options);
    /// (rows, angles, cols) sinograms of the whole scan -> one (rows, size, size) volume per subset.
    std::vector<Tensor<float>> reconstruct(const Tensor<float>& sinograms);
    int subsets() const { return static_cast<int>(subsets_.size()); }

private:
    std::int64_t angles_, cols_;
    std::vector<std::vector<std::int64_t>> subsets_;
    std::vector<std::unique_ptr<Fbp>> fbps_;
};

/// SubsetFbp for one batch of sinograms.
std::vector<Tensor<float>> reconstruct_subsets(const Tensor<float>& sinograms, std::span<const float> theta_deg,
                                               int subsets, const FbpOptions& options);

}  // namespace tomoedge::recon
