#pragma once
// The file side of training (built with libtorch only): the TomoGAN-layout HDF5 files that hold
// training pairs (train_ns/train_gt, test_ns/test_gt), VGG19 weights in HDF5
// (docs/vgg19-weights.md), and the `train` and `finetune` jobs that read them and hand arrays to
// the train module.
#include "train/finetune.hpp"
#include "train/patches.hpp"
#include "train/trainer.hpp"
#include "train/vgg.hpp"

#include <filesystem>
#include <string>

namespace tomoedge::pipeline {

/// Reads `file:noisy` and `file:clean` and normalises them (train::normalised_pair). Errors name
/// the file and dataset.
train::VolumePair read_volume_pair(const std::filesystem::path& file, const std::string& noisy,
                                   const std::string& clean, const model::Normalisation& normalisation);

/// VGG19's layers up to `last_layer` from the HDF5 file `file` (train::load_vgg19).
train::Vgg19Features load_vgg19(const std::filesystem::path& file,
                                const std::string& last_layer = train::default_vgg_layer);

/// Supervised training on the files options.data (and the VGG19 weights options.vgg, if named):
/// reads them, then train::train_supervised.
train::TrainResult train_supervised(const train::TrainOptions& options,
                                    const train::IterationCallback& on_iteration = {});

/// Fine-Tune on options.data's training pair: checks the options, reads the pair, then
/// train::finetune.
train::FineTuneResult finetune_file(const model::Graph& int8_model, const train::FineTuneOptions& options);

}  // namespace tomoedge::pipeline
