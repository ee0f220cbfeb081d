#pragma once
// Training data: a noisy/clean pair of volumes in the TomoGAN HDF5 layout, normalised as the
// denoiser will normalise at inference time, cut into random augmented patches.
//   input  = `depth` adjacent noisy slices as channels (the ends repeat their neighbour)
//   target = the clean centre slice
#include "core/tensor.hpp"
#include "model/model_info.hpp"

#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tomoedge::train {

/// A noisy and a clean volume (N, H, W) of the same shape, both mapped by the noisy volume's
/// percentile range: value -> (value - low) / (high - low).
struct VolumePair {
    Tensor<float> noisy, clean;
    double low = 0, high = 1;  // the range that was mapped to [0, 1]
};

/// The values at `low_p` and `high_p` percent of a volume, from a regular subsample of at most
/// about four million pixels (the whole volume when smaller). Throws Error when high <= low.
std::pair<double, double> robust_range(const Tensor<float>& volume, double low_p, double high_p,
                                       const std::string& what);

/// The pair (same shape, rank 3) normalised as above by the noisy volume's range. Errors name the
/// volumes as `noisy_name` and `clean_name` (the pipeline reads them from files:
/// pipeline/training_files.hpp).
VolumePair normalised_pair(Tensor<float> noisy, Tensor<float> clean, const model::Normalisation& normalisation,
                           const std::string& noisy_name, const std::string& clean_name);

/// Slice indices that form the input of centre slice `z` in a volume of `count` slices:
/// z - depth/2 .. z + (depth - 1)/2, mirrored at the ends as runtime::neighbour_slice does for
/// inference (slice -1 is slice 1: the ends repeat their neighbour; a single slice repeats).
std::vector<std::int64_t> slice_group(std::int64_t z, std::int64_t count, int depth);

/// The 8 symmetries of the square: `transform` & 3 = quarter turns counter-clockwise (as
/// numpy/torch rot90 on the last two axes), & 4 = flip left-right first.
inline constexpr int transform_count = 8;

struct PatchDraw {
    std::int64_t slice = 0, top = 0, left = 0;
    int transform = 0;
};

struct Batch {
    torch::Tensor input;   // (B, depth, P, P) float32
    torch::Tensor target;  // (B, 1, P, P) float32
};

struct PatchOptions {
    std::int64_t patch = 256;
    std::int64_t batch = 4;
    int depth = 3;
    bool augment = true;
    std::uint64_t seed = 0;
};

/// Where the training loop takes its batches from. Batch `index` must depend only on the source's
/// data, its seed and `index` (resume and prefetch rely on it). Thread-safe for const calls.
class BatchSource {
public:
    virtual ~BatchSource() = default;
    virtual Batch batch(std::int64_t index) const = 0;
};

/// Checks patch options against slices of `height` x `width` (errors name the flags).
void check_patch_options(const PatchOptions& options, std::int64_t height, std::int64_t width);

/// Draws batch `index` of a volume of `shape` (slices, height, width): slice, corner and symmetry
/// per patch, from a generator seeded by (seed, index) alone.
std::vector<PatchDraw> draw_patches(const PatchOptions& options, const Shape& shape, std::int64_t index);

/// Copies the P x P window at (top, left) of `image` (row stride `stride`) through the symmetry
/// `transform` into `out`.
void copy_transformed(const float* image, std::int64_t stride, std::int64_t top, std::int64_t left, std::int64_t p,
                      int transform, float* out);

/// Cuts batches from a VolumePair. Batch `index` depends only on (seed, index), so a run that
/// resumes at batch k sees exactly the batches an uninterrupted run sees, whatever the prefetch.
class PatchSampler final : public BatchSource {
public:
    /// Keeps a reference to `data`. Throws Error when the patch does not fit the slices or is not
    /// a positive multiple of 8.
    PatchSampler(const VolumePair& data, const PatchOptions& options);
    std::vector<PatchDraw> draws(std::int64_t index) const;
    Batch batch(std::int64_t index) const override;
    /// One patch for an explicit draw: input (depth, P, P) and target (1, P, P).
    Batch patch(const PatchDraw& draw) const;
    const PatchOptions& options() const { return options_; }

private:
    const VolumePair& data_;
    PatchOptions options_;
};

/// Cuts batches from several VolumePairs (a corpus of conditions: phantom families, doses, angle
/// counts, sizes, each normalised by its own range as denoise normalises its input). Each patch of
/// batch `index` comes from a pair chosen uniformly, so every condition weighs the same whatever
/// its size; like PatchSampler, batch `index` depends only on (seed, index).
class CorpusSampler final : public BatchSource {
public:
    /// Keeps a reference to `pairs`. Throws Error when it is empty or the patch does not fit one
    /// of them (naming which).
    CorpusSampler(const std::vector<VolumePair>& pairs, const PatchOptions& options);
    /// The pair each patch of batch `index` comes from.
    std::vector<std::size_t> sources(std::int64_t index) const;
    Batch batch(std::int64_t index) const override;

private:
    std::vector<PatchSampler> samplers_;
    PatchOptions options_;
};

}  // namespace tomoedge::train
