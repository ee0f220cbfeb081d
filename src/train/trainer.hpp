#pragma once
// The TomoGAN training loop: Adam on generator and discriminator, `gen_steps` generator steps
// then `disc_steps` discriminator steps per iteration (TomoGAN's -itg 1 / -itd 2), each step on
// a fresh prefetched batch; validation SSIM/PSNR on the test volumes; checkpoints and resume.
// With the same seed, data and thread count (1 thread on CPU), runs are bit-for-bit repeatable,
// and a resumed run continues exactly as the uninterrupted run would have.
#include "model/model_info.hpp"
#include "train/losses.hpp"
#include "train/networks.hpp"
#include "train/noise2inverse.hpp"
#include "train/patches.hpp"
#include "train/vgg.hpp"

#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace tomoedge::train {

struct TrainOptions {
    // TomoGAN layout: train_ns, train_gt (and test_ns, test_gt). Several files make a corpus: each is
    // normalised by its own range and every patch comes from one chosen uniformly (CorpusSampler).
    std::vector<std::filesystem::path> data;
    // Self-supervised (Noise2Inverse, noise2inverse.hpp): no clean data; the recipe records the
    // scan and the number of angle subsets. Implies MSE (mse_only must be set).
    bool self_supervised = false;
    std::filesystem::path scan;  // the scan trained on (recorded in the recipe)
    int splits = 4;              // K interleaved angle subsets
    std::filesystem::path init;  // warm start: an fp32 TomoGAN ONNX model of the same layout
    std::string train_noisy = "train_ns", train_clean = "train_gt";
    std::string test_noisy = "test_ns", test_clean = "test_gt";
    model::Normalisation normalisation{0.5, 99.5};

    std::int64_t iterations = 1000;  // the total to reach (a resumed run continues up to it)
    std::int64_t patch = 256;
    std::int64_t batch = 4;
    bool augment = true;
    GeneratorConfig generator;  // input depth, width
    bool mse_only = false;      // no discriminator, no perceptual term: loss = MSE
    std::filesystem::path vgg;  // VGG19 weights (empty: no perceptual term)
    std::string vgg_layer = default_vgg_layer;
    LossWeights weights;
    double lr = 1e-4;
    int gen_steps = 1, disc_steps = 2;
    // Iterations the generator trains on the content terms alone before the adversarial term joins
    // (the discriminator trains from the first iteration, so it is informed when it does).
    std::int64_t adv_start = 0;

    std::int64_t val_every = 100;  // 0 = never
    int val_slices = 0;            // test slices evaluated (evenly spaced), whole slices; 0 = all of them,
                                   // so the number is what `tomoedge compare` gives on the whole volume
    std::filesystem::path checkpoint_dir;  // empty = no checkpoints
    std::int64_t checkpoint_every = 0;     // 0 = at every validation (or only at the end)
    std::filesystem::path resume;          // a checkpoint to continue from

    std::uint64_t seed = 0;
    int threads = 0;       // 0 = libtorch's default
    bool verbose = true;   // one line per validation/checkpoint and the VGG note on stderr
};

inline constexpr double not_used = std::numeric_limits<double>::quiet_NaN();

struct IterationLog {
    std::int64_t iteration = 0;  // 1-based
    double gen_total = 0, mse = 0, adv = not_used, perc = not_used, disc = not_used;  // means over the steps
    double adv_weight = not_used;  // the adversarial term's weight (adaptive: this iteration's)
};

struct ValidationLog {
    std::int64_t iteration = 0;
    double ssim = 0, psnr = 0;              // the generator's output against test_gt
    double input_ssim = 0, input_psnr = 0;  // the noisy centre slice against test_gt
};

struct TrainResult {
    Generator generator{nullptr};
    Discriminator discriminator{nullptr};  // null for MSE-only
    std::vector<IterationLog> log;         // the iterations this run made
    std::vector<ValidationLog> validations;
    std::int64_t start_iteration = 0;      // > 0 when resumed
    std::int64_t iterations = 0;           // reached
    double wall_seconds = 0;               // over all resumed runs
    double norm_low = 0, norm_high = 0;    // the training volume's percentile values
    std::vector<std::filesystem::path> checkpoints;  // written by this run
    std::string recipe;                    // JSON: the settings (see recipe_json)
};

using IterationCallback = std::function<void(const IterationLog&)>;

/// Checks the options alone (their values and combinations), before any data is read; the
/// training functions below start with it. Errors name the command-line flag of the option.
void check_train_options(const TrainOptions& options);

/// Supervised training on a corpus of normalised pairs (options.data names them in the recipe;
/// pipeline::train_supervised reads them from the TomoGAN-layout files): batches from every set
/// (CorpusSampler), validation on `test_sets`, the first set's range recorded. `vgg` (null: no
/// perceptual term) holds the VGG19 weights the options.vgg file gave. `on_iteration` (optional)
/// sees each iteration's losses as it ends.
TrainResult train_supervised(const TrainOptions& options, const std::vector<VolumePair>& train_sets,
                             std::span<const VolumePair> test_sets, Vgg19Features vgg = nullptr,
                             const IterationCallback& on_iteration = {});

/// Self-supervised (Noise2Inverse X:1) training on sub-reconstructions. `validation` (optional):
/// the full reconstruction as `noisy` and a reference image as `clean`, both in the units of
/// `volumes`; it only reports, it never trains.
TrainResult train_self_supervised(const TrainOptions& options, const SplitVolumes& volumes,
                                  const VolumePair* validation, const IterationCallback& on_iteration = {});

/// The loop itself on in-memory data: batches from `source`, validation on each of `validation`
/// (may be empty; with several, the printed and recorded numbers are the mean over them, each
/// weighing the same), `range` (the raw values mapped to 0 and 1) recorded in the result, `vgg`
/// the perceptual term's network (null: none).
TrainResult train_on(const TrainOptions& options, const BatchSource& source, std::span<const VolumePair> validation,
                     std::pair<double, double> range, Vgg19Features vgg = nullptr,
                     const IterationCallback& on_iteration = {});

/// How a recipe names training files: the file name and the folder holding it ("dose1000/dataset.h5"),
/// since simulate names every data file dataset.h5.
std::vector<std::string> data_names(const std::vector<std::filesystem::path>& files);

/// The settings that define a run (and must match on resume), as a JSON object text.
std::string recipe_json(const TrainOptions& options);

/// Validation of `generator` on up to `slices` (0: all) evenly spaced whole slices of a normalised pair:
/// the generator's output for slice z (from `test.noisy`) against `test.clean` slice z, SSIM and
/// PSNR with the data range of each reference slice (max - min), in the data's own units (mapped
/// back with test.low/high), as `tomoedge compare` measures the exported model's `denoise` output
/// against the same slices.
ValidationLog validate(GeneratorImpl& generator, const VolumePair& test, int slices);

}  // namespace tomoedge::train
