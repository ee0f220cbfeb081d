#pragma once
// The networks TomoGAN trains, as libtorch modules.
//   Generator      the same layers, channel counts and parameter names as model::build_tomogan,
//                  so a trained generator exports to the graph IR by copying constants by name
//                  ("down1_conv1.weight", ...).
//   Discriminator  the public TomoGAN critic (ramsesproject/TomoGAN models.py `tomogan_disc`):
//                  3x3 convs 64, 64/2, 128, 128/2, 128, 4/2 with ReLU, dense 64 + ReLU, dense 1
//                  (a logit). Its dense layer sees the whole patch, so it is built for one size.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tomoedge::train {

struct GeneratorConfig {
    int input_depth = 3;  // adjacent slices as channels
    double width = 1.0;   // channel multiplier, as model::TomoGanConfig (1.0 = published)
};

class GeneratorImpl : public torch::nn::Module {
public:
    explicit GeneratorImpl(const GeneratorConfig& config = {});
    /// (N, depth, H, W) -> (N, 1, H, W); H and W multiples of 8 (three 2x2 poolings).
    torch::Tensor forward(torch::Tensor x);
    const GeneratorConfig& config() const { return config_; }
    /// Conv layer names in forward order (those of model::build_tomogan).
    static const std::vector<std::string>& layer_names();
    /// The weight of the last layer (head2): where the adaptive adversarial weight compares the
    /// gradients of the loss terms (losses.hpp).
    torch::Tensor output_weight() { return convs_.back()->weight; }

private:
    torch::nn::Conv2d& layer(const std::string& name);
    GeneratorConfig config_;
    std::vector<torch::nn::Conv2d> convs_;  // in layer_names() order
};
TORCH_MODULE(Generator);

class DiscriminatorImpl : public torch::nn::Module {
public:
    /// For square patches of `patch` pixels (a multiple of 8).
    explicit DiscriminatorImpl(std::int64_t patch);
    /// (N, 1, patch, patch) -> (N, 1) logits.
    torch::Tensor forward(torch::Tensor x);
    std::int64_t patch() const { return patch_; }

private:
    std::int64_t patch_;
    std::vector<torch::nn::Conv2d> convs_;
    torch::nn::Linear dense1_{nullptr}, dense2_{nullptr};
};
TORCH_MODULE(Discriminator);

/// Keras' defaults, which TomoGAN trained with: Glorot-uniform weights and zero biases, drawn
/// from libtorch's global generator (seed it first with torch::manual_seed).
void initialise_like_keras(torch::nn::Module& module);

}  // namespace tomoedge::train
