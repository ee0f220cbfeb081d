#pragma once
// Training checkpoints (libtorch archives): generator, discriminator, both Adam optimizers, the
// iteration reached, the seed, the wall time so far and the recipe (JSON) that a resumed run
// must repeat. Written atomically, so a crash mid-save leaves the previous checkpoint intact.
#include "train/networks.hpp"

#include <torch/torch.h>

#include <filesystem>
#include <string>

namespace tomoedge::train {

struct CheckpointState {
    std::int64_t iteration = 0;   // iterations completed
    std::uint64_t seed = 0;
    double wall_seconds = 0;      // training time up to this checkpoint, over all resumed runs
    std::string recipe;           // JSON of the settings that must match on resume
};

/// `discriminator` and `disc_optimizer` are null for MSE-only training.
void save_checkpoint(const std::filesystem::path& file, GeneratorImpl& generator, DiscriminatorImpl* discriminator,
                     torch::optim::Optimizer& gen_optimizer, torch::optim::Optimizer* disc_optimizer,
                     const CheckpointState& state);

/// Reads only the state (to check the recipe before building anything). Errors name the file.
CheckpointState read_checkpoint_state(const std::filesystem::path& file);

/// Restores the networks and optimizers (built with the checkpoint's recipe) and returns the
/// state. Errors name the file: not a checkpoint, a missing part, shapes that do not match.
CheckpointState load_checkpoint(const std::filesystem::path& file, GeneratorImpl& generator,
                                DiscriminatorImpl* discriminator, torch::optim::Optimizer& gen_optimizer,
                                torch::optim::Optimizer* disc_optimizer);

/// "DIR/ckpt-000001200.pt" for iteration 1200.
std::filesystem::path checkpoint_path(const std::filesystem::path& dir, std::int64_t iteration);

}  // namespace tomoedge::train
