#include "train/losses.hpp"

#include "core/error.hpp"

#include <algorithm>

namespace tomoedge::train {

namespace F = torch::nn::functional;

namespace {

// ||d content / d W|| / ||d adv / d W|| at the last layer W, with a floor on the denominator and a
// ceiling on the ratio so a discriminator that has saturated cannot blow the weight up.
double gradient_ratio(const torch::Tensor& content, const torch::Tensor& adv, const torch::Tensor& last_layer) {
    const auto g_content = torch::autograd::grad({content}, {last_layer}, {}, /*retain_graph=*/true)[0];
    const auto g_adv = torch::autograd::grad({adv}, {last_layer}, {}, /*retain_graph=*/true)[0];
    const double ratio = g_content.norm().item<double>() / (g_adv.norm().item<double>() + 1e-8);
    return std::min(ratio, 1e4);
}

}  // namespace

GeneratorLoss generator_loss(const torch::Tensor& fake, const torch::Tensor& target, const torch::Tensor& fake_logits,
                             Vgg19FeaturesImpl* vgg, const LossWeights& weights, const torch::Tensor& last_layer) {
    GeneratorLoss loss;
    loss.mse = F::mse_loss(fake, target);
    if (!fake_logits.defined() && vgg == nullptr) {
        loss.total = loss.mse;
        return loss;
    }
    torch::Tensor content = weights.mse * loss.mse;
    if (vgg != nullptr) {
        torch::Tensor target_features;
        {
            torch::NoGradGuard no_grad;  // the target side needs no graph
            target_features = vgg->forward(target);
        }
        loss.perc = F::mse_loss(vgg->forward(fake), target_features);
        content = content + weights.perc * loss.perc;
    }
    loss.total = content;
    if (fake_logits.defined()) {
        loss.adv = F::binary_cross_entropy_with_logits(fake_logits, torch::ones_like(fake_logits));
        if (weights.adaptive) {
            if (!last_layer.defined()) fail("generator_loss: the adaptive adversarial weight needs the last layer");
            loss.adv_weight = weights.adv * gradient_ratio(content, loss.adv, last_layer);
        } else {
            loss.adv_weight = weights.adv;
        }
        loss.total = loss.total + loss.adv_weight * loss.adv;
    }
    return loss;
}

torch::Tensor discriminator_loss(const torch::Tensor& real_logits, const torch::Tensor& fake_logits) {
    return F::binary_cross_entropy_with_logits(real_logits, torch::ones_like(real_logits)) +
           F::binary_cross_entropy_with_logits(fake_logits, torch::zeros_like(fake_logits));
}

}  // namespace tomoedge::train
