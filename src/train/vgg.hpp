#pragma once
// VGG19 convolution features for the perceptual loss (TomoGAN compares VGG19 features of the
// output and of the ground truth). The weights come from a file the user names; none ship and
// none are downloaded. File format (docs/vgg19-weights.md): HDF5, one group per conv layer up to
// the layer the loss uses, "conv1_1/weight" (out, in, 3, 3) and "conv1_1/bias" (out), float32,
// trained for torchvision's input convention (RGB in [0, 1], ImageNet mean/std normalised).
#include <torch/torch.h>

#include "core/tensor.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tomoedge::train {

/// VGG19's 16 conv layers in order: "conv1_1", "conv1_2", "conv2_1", ..., "conv5_4".
const std::vector<std::string>& vgg19_layer_names();

/// The default feature layer: the last conv of VGG19, closest to TomoGAN's (the whole
/// convolutional stack of keras' VGG19).
inline constexpr const char* default_vgg_layer = "conv5_4";

class Vgg19FeaturesImpl : public torch::nn::Module {
public:
    /// Conv layers conv1_1 .. `last_layer` (ReLU after each, 2x2 max-pool between blocks), with
    /// zero weights until loaded. Throws Error for a name that is not a VGG19 conv layer.
    explicit Vgg19FeaturesImpl(const std::string& last_layer = default_vgg_layer);
    /// (N, 1, H, W) grey images in [0, 1] -> the ReLU output of the last layer. The grey channel
    /// is repeated as R, G and B and normalised with the ImageNet mean and std.
    torch::Tensor forward(const torch::Tensor& grey);
    const std::string& last_layer() const { return last_layer_; }
    /// Layer names this network holds, in order.
    std::vector<std::string> layers() const;

private:
    std::string last_layer_;
    std::vector<torch::nn::Conv2d> convs_;
    std::vector<bool> pool_before_;  // a 2x2 max-pool precedes this conv (first conv of blocks 2..5)
    torch::Tensor mean_, std_;
};
TORCH_MODULE(Vgg19Features);

/// Where VGG19's parameters come from: dataset "conv2_1/weight" (or ".../bias") -> its values, or
/// nothing when the source lacks it. The pipeline reads them from an HDF5 file
/// (pipeline/training_files.hpp; the layout is in docs/vgg19-weights.md).
using Vgg19Weights = std::function<std::optional<Tensor<float>>(const std::string& dataset)>;

/// Loads the layers of a Vgg19Features for `last_layer` from `weights`, freezes them (no gradients
/// for VGG; gradients still flow through it to the generator) and puts it in eval mode. Throws
/// Error naming `source` and the dataset for a missing layer or a wrong shape.
Vgg19Features load_vgg19(const Vgg19Weights& weights, const std::string& source,
                         const std::string& last_layer = default_vgg_layer);

}  // namespace tomoedge::train
