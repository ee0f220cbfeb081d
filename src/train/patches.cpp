#include "train/patches.hpp"

#include "runtime/denoiser.hpp"

#include "core/error.hpp"
#include "core/statistics.hpp"

#include <algorithm>
#include <random>
#include <utility>

namespace tomoedge::train {

std::pair<double, double> robust_range(const Tensor<float>& volume, double low_p, double high_p,
                                       const std::string& what) {
    constexpr std::int64_t max_samples = std::int64_t{1} << 22;
    const std::int64_t step = std::max<std::int64_t>(1, (volume.size() + max_samples - 1) / max_samples);
    std::vector<float> sample;
    sample.reserve(static_cast<std::size_t>(volume.size() / step + 1));
    for (std::int64_t i = 0; i < volume.size(); i += step) sample.push_back(volume[i]);
    const auto [low, high] = percentile_range(sample, low_p, high_p);
    if (!(high > low))
        fail("{}: percentiles {} and {} are equal ({}): nothing to normalise (a constant volume?)", what, low_p,
             high_p, low);
    return {low, high};
}

VolumePair normalised_pair(Tensor<float> noisy, Tensor<float> clean, const model::Normalisation& normalisation,
                           const std::string& noisy_name, const std::string& clean_name) {
    VolumePair pair;
    pair.noisy = std::move(noisy);
    pair.clean = std::move(clean);
    if (pair.noisy.rank() != 3) fail("{}: must be (slices, height, width), got {}", noisy_name, pair.noisy.shape().str());
    if (pair.clean.shape() != pair.noisy.shape())
        fail("{}: shape {} differs from {} of {}", clean_name, pair.clean.shape().str(), pair.noisy.shape().str(),
             noisy_name);
    const auto [low, high] = robust_range(pair.noisy, normalisation.low_percentile, normalisation.high_percentile,
                                          noisy_name);
    pair.low = low;
    pair.high = high;
    const float scale = static_cast<float>(1.0 / (high - low));
    const float offset = static_cast<float>(low);
    for (auto* t : {&pair.noisy, &pair.clean})
        for (auto& v : *t) v = (v - offset) * scale;
    return pair;
}

std::vector<std::int64_t> slice_group(std::int64_t z, std::int64_t count, int depth) {
    if (count < 1 || z < 0 || z >= count || depth < 1)
        fail("slice_group: slice {} of {} with depth {} is out of range", z, count, depth);
    std::vector<std::int64_t> group;
    // The same rule as inference (runtime::neighbour_slice), so training sees what denoise feeds.
    for (int k = 0; k < depth; ++k) group.push_back(runtime::neighbour_slice(z, k - depth / 2, count));
    return group;
}

void check_patch_options(const PatchOptions& options, std::int64_t height, std::int64_t width) {
    if (options.patch < 8 || options.patch % 8 != 0)
        fail("--patch must be a positive multiple of 8 (three 2x2 poolings), got {}", options.patch);
    if (options.patch > height || options.patch > width)
        fail("--patch {} does not fit slices of {} x {}", options.patch, height, width);
    if (options.batch < 1) fail("--batch must be >= 1, got {}", options.batch);
    if (options.depth < 1) fail("input depth must be >= 1, got {}", options.depth);
}

std::vector<PatchDraw> draw_patches(const PatchOptions& options, const Shape& shape, std::int64_t index) {
    // One generator per batch, seeded by (seed, index): batches are independent of the order in
    // which they are produced.
    std::seed_seq seq{static_cast<std::uint32_t>(options.seed), static_cast<std::uint32_t>(options.seed >> 32),
                      static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(static_cast<std::uint64_t>(index) >> 32)};
    std::mt19937_64 rng(seq);
    std::uniform_int_distribution<std::int64_t> slice(0, shape[0] - 1), top(0, shape[1] - options.patch),
        left(0, shape[2] - options.patch);
    std::uniform_int_distribution<int> transform(0, transform_count - 1);
    std::vector<PatchDraw> out(static_cast<std::size_t>(options.batch));
    for (auto& d : out) {
        d.slice = slice(rng);
        d.top = top(rng);
        d.left = left(rng);
        d.transform = options.augment ? transform(rng) : 0;
    }
    return out;
}

PatchSampler::PatchSampler(const VolumePair& data, const PatchOptions& options) : data_(data), options_(options) {
    const auto& shape = data.noisy.shape();
    if (shape.rank() != 3 || shape.numel() == 0) fail("training data: need a non-empty (slices, height, width) volume");
    check_patch_options(options, shape[1], shape[2]);
}

std::vector<PatchDraw> PatchSampler::draws(std::int64_t index) const {
    return draw_patches(options_, data_.noisy.shape(), index);
}

// out[i][j] = window[a][b] with (a, b) the inverse-mapped position.
void copy_transformed(const float* image, std::int64_t stride, std::int64_t top, std::int64_t left, std::int64_t p,
                      int transform, float* out) {
    const int turns = transform & 3;
    const bool flip = (transform & 4) != 0;
    for (std::int64_t i = 0; i < p; ++i) {
        for (std::int64_t j = 0; j < p; ++j) {
            // rot90 counter-clockwise once: out[i][j] = in[j][p-1-i]; undo the turns, then the flip.
            std::int64_t a = i, b = j;
            for (int t = 0; t < turns; ++t) {
                const std::int64_t na = b, nb = p - 1 - a;
                a = na;
                b = nb;
            }
            if (flip) b = p - 1 - b;
            out[i * p + j] = image[(top + a) * stride + left + b];
        }
    }
}

Batch PatchSampler::patch(const PatchDraw& draw) const {
    const auto& shape = data_.noisy.shape();
    const std::int64_t p = options_.patch;
    if (draw.slice < 0 || draw.slice >= shape[0] || draw.top < 0 || draw.left < 0 || draw.top + p > shape[1] ||
        draw.left + p > shape[2] || draw.transform < 0 || draw.transform >= transform_count)
        fail("patch draw (slice {}, top {}, left {}, transform {}) is outside the volume", draw.slice, draw.top,
             draw.left, draw.transform);
    Batch b;
    b.input = torch::empty({options_.depth, p, p}, torch::kFloat32);
    b.target = torch::empty({1, p, p}, torch::kFloat32);
    const auto group = slice_group(draw.slice, shape[0], options_.depth);
    for (int c = 0; c < options_.depth; ++c)
        copy_transformed(data_.noisy.outer(group[static_cast<std::size_t>(c)]), shape[2], draw.top, draw.left, p,
                         draw.transform, b.input.data_ptr<float>() + c * p * p);
    copy_transformed(data_.clean.outer(draw.slice), shape[2], draw.top, draw.left, p, draw.transform,
                     b.target.data_ptr<float>());
    return b;
}

Batch PatchSampler::batch(std::int64_t index) const {
    std::vector<torch::Tensor> inputs, targets;
    for (const auto& d : draws(index)) {
        Batch one = patch(d);
        inputs.push_back(std::move(one.input));
        targets.push_back(std::move(one.target));
    }
    return {torch::stack(inputs), torch::stack(targets)};
}

CorpusSampler::CorpusSampler(const std::vector<VolumePair>& pairs, const PatchOptions& options) : options_(options) {
    if (pairs.empty()) fail("training data: no volume pairs given");
    samplers_.reserve(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        try {
            samplers_.emplace_back(pairs[i], options);
        } catch (const Error& e) {
            fail("training data set {} of {}: {}", i + 1, pairs.size(), e.what());
        }
    }
}

std::vector<std::size_t> CorpusSampler::sources(std::int64_t index) const {
    // Its own stream (the high bit set in the index), so the choice does not echo the patch draws.
    std::seed_seq seq{static_cast<std::uint32_t>(options_.seed), static_cast<std::uint32_t>(options_.seed >> 32),
                      static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(static_cast<std::uint64_t>(index) >> 32),
                      0x80000000u};
    std::mt19937_64 rng(seq);
    std::uniform_int_distribution<std::size_t> pick(0, samplers_.size() - 1);
    std::vector<std::size_t> out(static_cast<std::size_t>(options_.batch));
    for (auto& s : out) s = pick(rng);
    return out;
}

Batch CorpusSampler::batch(std::int64_t index) const {
    if (samplers_.size() == 1) return samplers_.front().batch(index);  // exactly PatchSampler's batches
    const std::vector<std::size_t> from = sources(index);
    std::vector<std::vector<PatchDraw>> draws(samplers_.size());
    std::vector<torch::Tensor> inputs, targets;
    for (std::size_t k = 0; k < from.size(); ++k) {
        auto& d = draws[from[k]];
        if (d.empty()) d = samplers_[from[k]].draws(index);
        Batch one = samplers_[from[k]].patch(d[k]);
        inputs.push_back(std::move(one.input));
        targets.push_back(std::move(one.target));
    }
    return {torch::stack(inputs), torch::stack(targets)};
}

}  // namespace tomoedge::train
