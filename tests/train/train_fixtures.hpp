#pragma once
// Small synthetic training data for the train tests: smooth "ground truth" slices and a noisy
// copy, in the TomoGAN HDF5 layout.
#include "core/tensor.hpp"
#include "support/error_message.hpp"

#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <string>

namespace tomoedge::train_testing {

/// Writes train_ns/train_gt (train_slices x size x size) and test_ns/test_gt
/// (test_slices x test_size x test_size) to `file`. Deterministic.
void write_dataset(const std::filesystem::path& file, std::int64_t train_slices = 6, std::int64_t size = 32,
                   std::int64_t test_slices = 3, std::int64_t test_size = 24);

/// A volume whose pixel (z, y, x) is 10000 z + 100 y + x: every value says where it came from.
Tensor<float> coordinate_volume(std::int64_t slices, std::int64_t height, std::int64_t width);

/// A torch view of a tomoedge tensor (no copy; `t` must outlive it).
torch::Tensor view(const Tensor<float>& t);

using tomoedge::testing::message_of;

}  // namespace tomoedge::train_testing
