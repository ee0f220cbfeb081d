#include "train/noise2inverse.hpp"

#include "core/error.hpp"

#include <cmath>
#include <random>

namespace tomoedge::train {

SplitVolumes make_split_volumes(std::vector<Tensor<float>> subsets, const model::Normalisation& normalisation) {
    if (subsets.size() < 2) fail("Noise2Inverse needs at least 2 sub-reconstructions, got {}", subsets.size());
    const Shape shape = subsets.front().shape();
    if (shape.rank() != 3 || shape.numel() == 0)
        fail("sub-reconstructions must be non-empty (slices, height, width) volumes, got {}", shape.str());
    for (std::size_t j = 0; j < subsets.size(); ++j) {
        if (subsets[j].shape() != shape)
            fail("sub-reconstruction {} has shape {}, sub-reconstruction 0 has {}", j, subsets[j].shape().str(),
                 shape.str());
        for (float v : subsets[j])
            if (!std::isfinite(v)) fail("sub-reconstruction {} holds a non-finite value (NaN or Inf)", j);
    }
    SplitVolumes out;
    out.sum = Tensor<float>(shape, 0.0f);
    for (const auto& s : subsets)
        for (std::int64_t i = 0; i < s.size(); ++i) out.sum[i] += s[i];
    Tensor<float> mean(shape);
    const float k = static_cast<float>(subsets.size());
    for (std::int64_t i = 0; i < mean.size(); ++i) mean[i] = out.sum[i] / k;
    const auto [low, high] = robust_range(mean, normalisation.low_percentile, normalisation.high_percentile,
                                          "the full reconstruction (mean of the sub-reconstructions)");
    out.low = low;
    out.high = high;
    const float scale = static_cast<float>(1.0 / (high - low));
    const float offset = static_cast<float>(low);
    for (auto& s : subsets)
        for (auto& v : s) v = (v - offset) * scale;
    // The sum of K mapped volumes: each term carries one offset.
    for (auto& v : out.sum) v = (v - k * offset) * scale;
    out.subsets = std::move(subsets);
    return out;
}

Tensor<float> full_reconstruction(const SplitVolumes& volumes) {
    Tensor<float> out(volumes.sum.shape());
    const float k = static_cast<float>(volumes.subsets.size());
    for (std::int64_t i = 0; i < out.size(); ++i) out[i] = volumes.sum[i] / k;
    return out;
}

Tensor<float> leave_one_out_mean(const SplitVolumes& volumes, int target) {
    const int k = static_cast<int>(volumes.subsets.size());
    if (target < 0 || target >= k) fail("target subset {} does not exist: subsets are 0..{}", target, k - 1);
    const Tensor<float>& t = volumes.subsets[static_cast<std::size_t>(target)];
    Tensor<float> out(volumes.sum.shape());
    const float others = static_cast<float>(k - 1);
    for (std::int64_t i = 0; i < out.size(); ++i) out[i] = (volumes.sum[i] - t[i]) / others;
    return out;
}

Noise2InverseSampler::Noise2InverseSampler(const SplitVolumes& volumes, const PatchOptions& options)
    : volumes_(volumes), options_(options) {
    if (volumes.subsets.size() < 2) fail("Noise2Inverse needs at least 2 sub-reconstructions");
    const auto& shape = volumes.sum.shape();
    if (shape.rank() != 3 || shape.numel() == 0) fail("training data: need a non-empty (slices, height, width) volume");
    check_patch_options(options, shape[1], shape[2]);
}

std::vector<int> Noise2InverseSampler::targets(std::int64_t index) const {
    // Its own stream, keyed like the patch draws, so the draws match PatchSampler's for a seed.
    std::seed_seq seq{static_cast<std::uint32_t>(options_.seed), static_cast<std::uint32_t>(options_.seed >> 32),
                      static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(static_cast<std::uint64_t>(index) >> 32),
                      0x4e32u};
    std::mt19937_64 rng(seq);
    std::uniform_int_distribution<int> pick(0, static_cast<int>(volumes_.subsets.size()) - 1);
    std::vector<int> out(static_cast<std::size_t>(options_.batch));
    for (auto& t : out) t = pick(rng);
    return out;
}

Batch Noise2InverseSampler::batch(std::int64_t index) const {
    const auto& shape = volumes_.sum.shape();
    const std::int64_t p = options_.patch, pp = p * p;
    const auto draws = draw_patches(options_, shape, index);
    const auto target = targets(index);
    const float others = static_cast<float>(volumes_.subsets.size() - 1);
    torch::Tensor input = torch::empty({options_.batch, options_.depth, p, p}, torch::kFloat32);
    torch::Tensor goal = torch::empty({options_.batch, 1, p, p}, torch::kFloat32);
    std::vector<float> left_out(static_cast<std::size_t>(pp));
    for (std::size_t b = 0; b < draws.size(); ++b) {
        const PatchDraw& d = draws[b];
        const Tensor<float>& t = volumes_.subsets[static_cast<std::size_t>(target[b])];
        const auto group = slice_group(d.slice, shape[0], options_.depth);
        for (int c = 0; c < options_.depth; ++c) {
            float* x = input.data_ptr<float>() + (static_cast<std::int64_t>(b) * options_.depth + c) * pp;
            const std::int64_t s = group[static_cast<std::size_t>(c)];
            copy_transformed(volumes_.sum.outer(s), shape[2], d.top, d.left, p, d.transform, x);
            copy_transformed(t.outer(s), shape[2], d.top, d.left, p, d.transform, left_out.data());
            for (std::int64_t i = 0; i < pp; ++i) x[i] = (x[i] - left_out[static_cast<std::size_t>(i)]) / others;
        }
        copy_transformed(t.outer(d.slice), shape[2], d.top, d.left, p, d.transform,
                         goal.data_ptr<float>() + static_cast<std::int64_t>(b) * pp);
    }
    return {input, goal};
}

}  // namespace tomoedge::train
