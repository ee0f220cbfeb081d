#pragma once
// TomoGAN's losses. Generator: lambda_adv x adversarial + lambda_mse x MSE + lambda_perc x
// perceptual; discriminator: real -> 1, fake -> 0. Cross entropies work on logits.
#include "train/vgg.hpp"

#include <torch/torch.h>

namespace tomoedge::train {

struct LossWeights {
    double mse = 0.5;   // TomoGAN's -lmse
    double adv = 20.0;  // -ladv
    double perc = 2.0;  // -lperc
};

struct GeneratorLoss {
    torch::Tensor total;  // what the optimizer minimises
    torch::Tensor mse, adv, perc;  // unweighted terms (adv and perc undefined when not used)
};

/// `fake` and `target` are (N, 1, H, W). `fake_logits` (discriminator on `fake`) may be
/// undefined: no adversarial term. `vgg` may be null: no perceptual term. With neither, the
/// total is the plain MSE (the --mse-only baseline), not weighted.
GeneratorLoss generator_loss(const torch::Tensor& fake, const torch::Tensor& target, const torch::Tensor& fake_logits,
                             Vgg19FeaturesImpl* vgg, const LossWeights& weights);

/// BCE(real_logits, 1) + BCE(fake_logits, 0), each a mean over the batch (as TomoGAN).
torch::Tensor discriminator_loss(const torch::Tensor& real_logits, const torch::Tensor& fake_logits);

}  // namespace tomoedge::train
