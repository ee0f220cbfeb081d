#include "train/losses.hpp"

namespace tomoedge::train {

namespace F = torch::nn::functional;

GeneratorLoss generator_loss(const torch::Tensor& fake, const torch::Tensor& target, const torch::Tensor& fake_logits,
                             Vgg19FeaturesImpl* vgg, const LossWeights& weights) {
    GeneratorLoss loss;
    loss.mse = F::mse_loss(fake, target);
    if (!fake_logits.defined() && vgg == nullptr) {
        loss.total = loss.mse;
        return loss;
    }
    loss.total = weights.mse * loss.mse;
    if (fake_logits.defined()) {
        loss.adv = F::binary_cross_entropy_with_logits(fake_logits, torch::ones_like(fake_logits));
        loss.total = loss.total + weights.adv * loss.adv;
    }
    if (vgg != nullptr) {
        torch::Tensor target_features;
        {
            torch::NoGradGuard no_grad;  // the target side needs no graph
            target_features = vgg->forward(target);
        }
        loss.perc = F::mse_loss(vgg->forward(fake), target_features);
        loss.total = loss.total + weights.perc * loss.perc;
    }
    return loss;
}

torch::Tensor discriminator_loss(const torch::Tensor& real_logits, const torch::Tensor& fake_logits) {
    return F::binary_cross_entropy_with_logits(real_logits, torch::ones_like(real_logits)) +
           F::binary_cross_entropy_with_logits(fake_logits, torch::zeros_like(fake_logits));
}

}  // namespace tomoedge::train
