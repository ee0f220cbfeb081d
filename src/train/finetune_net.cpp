#include "train/finetune_net.hpp"

#include "core/error.hpp"

#include <cstring>
#include <set>

namespace tomoedge::train {

FineTuneNetImpl::FineTuneNetImpl(const model::FineTuneConfig& config, double low, double high)
    : config_(config), low_(low), high_(high) {
    (void)model::build_finetune(config);  // the same checks as the graph builder
    if (!(low < high)) fail("Fine-Tune net: correction bounds {} and {} are not ordered", low, high);
    const auto names = model::finetune_layer_names(config);
    std::int64_t in = 1;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::int64_t out = i + 1 == names.size() ? 1 : config.channels;
        convs_.push_back(register_module(names[i], torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1))));
        in = out;
    }
    // Start as the identity: a zero correction. The hidden layers keep libtorch's default init
    // (they still get gradients through the correction's weights once those move).
    torch::NoGradGuard no_grad;
    convs_.back()->weight.mul_(0.01);
    convs_.back()->bias.zero_();
}

torch::Tensor FineTuneNetImpl::forward(torch::Tensor g) {
    if (g.dim() != 4 || g.size(1) != 1)
        fail("Fine-Tune net: input must be (N, 1, H, W), got ({})", fmt::join(g.sizes(), ", "));
    torch::Tensor x = g;
    for (std::size_t i = 0; i + 1 < convs_.size(); ++i) x = torch::relu(convs_[i]->forward(x));
    torch::Tensor c = convs_.back()->forward(x);
    if (std::isfinite(low_) || std::isfinite(high_)) c = torch::clamp(c, low_, high_);
    return g + c;
}

model::Graph finetune_to_graph(FineTuneNetImpl& net) {
    model::Graph graph = model::build_finetune(net.config());
    torch::NoGradGuard no_grad;
    std::set<std::string> learned;
    for (const auto& name : model::finetune_layer_names(net.config())) {
        learned.insert(name + ".weight");
        learned.insert(name + ".bias");
    }
    for (const auto& item : net.named_parameters()) {
        const std::string& name = item.key();
        auto it = graph.constants.find(name);
        if (it == graph.constants.end() || !learned.count(name))
            fail("export: Fine-Tune parameter '{}' has no constant in the Fine-Tune graph", name);
        const torch::Tensor value = item.value().detach().to(torch::kFloat32).contiguous();
        const std::vector<std::int64_t> dims(value.sizes().begin(), value.sizes().end());
        model::Constant& c = it->second;
        if (c.shape.dims() != dims)
            fail("export: parameter '{}' has shape ({}), the Fine-Tune graph expects {}", name, fmt::join(dims, ", "),
                 c.shape.str());
        std::memcpy(c.f32.data(), value.data_ptr<float>(), sizeof(float) * static_cast<std::size_t>(c.f32.size()));
        learned.erase(name);
    }
    if (!learned.empty()) fail("export: Fine-Tune graph constant '{}' has no parameter", *learned.begin());
    // The graph computes c + offset then subtracts the offset again (model/finetune.hpp).
    const std::string last = model::finetune_layer_names(net.config()).back();
    graph.constants.at(last + ".bias").f32[0] += static_cast<float>(net.config().offset);
    return graph;
}

}  // namespace tomoedge::train
