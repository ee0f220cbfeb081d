#pragma once
// The Fine-Tune net (model/finetune.hpp explains the design) as a libtorch module, with the
// parameter names of model::build_finetune ("ft_conv1.weight", ...) so it exports by name.
//   forward(g) = g + clamp(c(g), low, high)
// The clamp is what int8 does to the correction: it is stored on the generator output's grid,
// so it saturates where that grid ends; training sees the same limit.
#include "model/finetune.hpp"
#include "model/graph.hpp"

#include <torch/torch.h>

#include <limits>
#include <vector>

namespace tomoedge::train {

class FineTuneNetImpl : public torch::nn::Module {
public:
    /// `low`/`high` bound the correction (defaults: none).
    explicit FineTuneNetImpl(const model::FineTuneConfig& config = {},
                             double low = -std::numeric_limits<double>::infinity(),
                             double high = std::numeric_limits<double>::infinity());
    /// (N, 1, H, W) -> (N, 1, H, W), any H and W.
    torch::Tensor forward(torch::Tensor g);
    const model::FineTuneConfig& config() const { return config_; }

private:
    model::FineTuneConfig config_;
    double low_, high_;
    std::vector<torch::nn::Conv2d> convs_;
};
TORCH_MODULE(FineTuneNet);

/// The fp32 graph of `net` (model::build_finetune with its config, every learned constant
/// copied by name; the offset added to the correction's bias). Throws Error on a name or shape
/// that does not match.
model::Graph finetune_to_graph(FineTuneNetImpl& net);

}  // namespace tomoedge::train
