#include "recon/angle_split.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tomoedge::recon {

std::vector<std::vector<std::int64_t>> interleaved_angle_subsets(std::int64_t angles, int subsets) {
    if (subsets < 2) fail("the angle split needs at least 2 subsets, got {}", subsets);
    if (angles / subsets < min_angles_per_subset)
        fail("{} angles are too few for {} subsets: each needs at least {} angles (use fewer subsets)", angles,
             subsets, min_angles_per_subset);
    std::vector<std::vector<std::int64_t>> out(static_cast<std::size_t>(subsets));
    for (std::int64_t a = 0; a < angles; ++a) out[static_cast<std::size_t>(a % subsets)].push_back(a);
    return out;
}

void check_half_turn(std::span<const float> theta_deg, const std::string& source) {
    if (theta_deg.size() < 2) fail("{}: {} angle(s): a reconstruction needs a half turn of them", source, theta_deg.size());
    std::vector<double> sorted(theta_deg.begin(), theta_deg.end());
    std::sort(sorted.begin(), sorted.end());
    const double span = sorted.back() - sorted.front();
    const double step = span / static_cast<double>(sorted.size() - 1);
    const double covered = span + step;
    if (!(std::abs(covered - 180.0) <= std::max(step, 1e-3)))
        fail("{}: the angles cover {:.2f} degrees ({:.2f} to {:.2f}, step {:.3f}); parallel-beam FBP here needs a "
             "half turn (180 degrees)",
             source, covered, sorted.front(), sorted.back(), step);
}

SubsetFbp::SubsetFbp(std::span<const float> theta_deg, std::int64_t cols, int subsets, const FbpOptions& options)
    : angles_(static_cast<std::int64_t>(theta_deg.size())),
      cols_(cols),
      subsets_(interleaved_angle_subsets(angles_, subsets)) {
    for (const auto& subset : subsets_) {
        std::vector<float> theta;
        for (auto a : subset) theta.push_back(theta_deg[static_cast<std::size_t>(a)]);
        fbps_.push_back(std::make_unique<Fbp>(theta, cols, options));
    }
}

std::vector<Tensor<float>> SubsetFbp::reconstruct(const Tensor<float>& sinograms) {
    if (sinograms.rank() != 3 || sinograms.shape()[1] != angles_ || sinograms.shape()[2] != cols_)
        fail("sinograms must be (rows, {}, {}), got {}", angles_, cols_, sinograms.shape().str());
    const std::int64_t rows = sinograms.shape()[0];
    std::vector<Tensor<float>> volumes;
    for (std::size_t j = 0; j < subsets_.size(); ++j) {
        const auto& subset = subsets_[j];
        const auto n = static_cast<std::int64_t>(subset.size());
        Tensor<float> part(Shape{rows, n, cols_});
        for (std::int64_t r = 0; r < rows; ++r)
            for (std::int64_t i = 0; i < n; ++i)
                std::memcpy(part.data() + (r * n + i) * cols_,
                            sinograms.data() + (r * angles_ + subset[static_cast<std::size_t>(i)]) * cols_,
                            sizeof(float) * static_cast<std::size_t>(cols_));
        volumes.push_back(fbps_[j]->reconstruct(part));
    }
    return volumes;
}

std::vector<Tensor<float>> reconstruct_subsets(const Tensor<float>& sinograms, std::span<const float> theta_deg,
                                               int subsets, const FbpOptions& options) {
    if (sinograms.rank() != 3) fail("sinograms must be (rows, angles, cols), got {}", sinograms.shape().str());
    SubsetFbp fbp(theta_deg, sinograms.shape()[2], subsets, options);
    return fbp.reconstruct(sinograms);
}

std::vector<std::int64_t> selected_angles(std::int64_t angles, const AngleSelection& selection) {
    std::vector<std::int64_t> kept;
    if (selection.subsets == 0) {
        kept.resize(static_cast<std::size_t>(angles));
        for (std::int64_t a = 0; a < angles; ++a) kept[static_cast<std::size_t>(a)] = a;
        return kept;
    }
    if (selection.index < 0 || selection.index >= selection.subsets)
        fail("angle subset {} does not exist: subsets are numbered 0..{}", selection.index, selection.subsets - 1);
    const auto subsets = interleaved_angle_subsets(angles, selection.subsets);
    for (int j = 0; j < selection.subsets; ++j)
        if ((j == selection.index) != selection.complement)
            kept.insert(kept.end(), subsets[static_cast<std::size_t>(j)].begin(),
                        subsets[static_cast<std::size_t>(j)].end());
    std::sort(kept.begin(), kept.end());
    return kept;
}

}  // namespace tomoedge::recon
