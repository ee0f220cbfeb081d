#pragma once
// TomoGAN's losses. Generator: lambda_adv x adversarial + lambda_mse x MSE + lambda_perc x
// perceptual; discriminator: real -> 1, fake -> 0. Cross entropies work on logits.
#include "train/vgg.hpp"

#include <torch/torch.h>

namespace tomoedge::train {

struct LossWeights {
    double mse = 0.5;   // TomoGAN's -lmse
    double adv = 20.0;  // -ladv; with `adaptive`, the ratio described there
    double perc = 2.0;  // -lperc
    // Adaptive adversarial weight (Esser, Rombach & Ommer, "Taming transformers", CVPR 2021): the
    // adversarial term is scaled each step so that its gradient at the generator's last layer is
    // `adv` times the gradient of the content terms (MSE and perceptual) there. A fixed weight
    // cannot do this: the BCE term is ~0.7 while the MSE of normalised images is ~1e-3, so
    // TomoGAN's 20 : 0.5 lets the adversarial term drown the content without the perceptual term.
    bool adaptive = false;
};

struct GeneratorLoss {
    torch::Tensor total;  // what the optimizer minimises
    torch::Tensor mse, adv, perc;  // unweighted terms (adv and perc undefined when not used)
    double adv_weight = 0;         // the weight the adversarial term had (fixed, or the adaptive one)
};

/// `fake` and `target` are (N, 1, H, W). `fake_logits` (discriminator on `fake`) may be
/// undefined: no adversarial term. `vgg` may be null: no perceptual term. With neither, the
/// total is the plain MSE (the --mse-only baseline), not weighted. `last_layer` (the generator's
/// output weight) is needed when weights.adaptive is set and there is an adversarial term.
GeneratorLoss generator_loss(const torch::Tensor& fake, const torch::Tensor& target, const torch::Tensor& fake_logits,
                             Vgg19FeaturesImpl* vgg, const LossWeights& weights,
                             const torch::Tensor& last_layer = torch::Tensor());

/// BCE(real_logits, 1) + BCE(fake_logits, 0), each a mean over the batch (as TomoGAN).
torch::Tensor discriminator_loss(const torch::Tensor& real_logits, const torch::Tensor& fake_logits);

}  // namespace tomoedge::train
