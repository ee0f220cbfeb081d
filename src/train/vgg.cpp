#include "train/vgg.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cstring>

namespace tomoedge::train {

namespace {

// Output channels of each VGG19 block and its number of conv layers.
struct Block {
    int channels, layers;
};
constexpr Block vgg19_blocks[] = {{64, 2}, {128, 2}, {256, 4}, {512, 4}, {512, 4}};

std::string shape_text(const std::vector<std::int64_t>& dims) { return fmt::format("({})", fmt::join(dims, ", ")); }

}  // namespace

const std::vector<std::string>& vgg19_layer_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (int b = 0; b < 5; ++b)
            for (int l = 0; l < vgg19_blocks[b].layers; ++l) v.push_back(fmt::format("conv{}_{}", b + 1, l + 1));
        return v;
    }();
    return names;
}

Vgg19FeaturesImpl::Vgg19FeaturesImpl(const std::string& last_layer) : last_layer_(last_layer) {
    const auto& names = vgg19_layer_names();
    const auto last = std::find(names.begin(), names.end(), last_layer);
    if (last == names.end())
        fail("VGG19: '{}' is not a conv layer (conv1_1 .. conv5_4, e.g. conv3_4 or conv5_4)", last_layer);
    const auto count = static_cast<std::size_t>(last - names.begin()) + 1;
    std::int64_t in = 3;
    std::size_t index = 0;
    for (int b = 0; b < 5 && index < count; ++b) {
        for (int l = 0; l < vgg19_blocks[b].layers && index < count; ++l, ++index) {
            auto conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(in, vgg19_blocks[b].channels, 3).padding(1));
            convs_.push_back(register_module(names[index], conv));
            pool_before_.push_back(b > 0 && l == 0);
            in = vgg19_blocks[b].channels;
        }
    }
    // torchvision's ImageNet statistics; buffers so they follow the module and stay constant.
    mean_ = register_buffer("mean", torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1}));
    std_ = register_buffer("std", torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1}));
    torch::NoGradGuard no_grad;
    for (auto& p : parameters()) p.zero_();
}

std::vector<std::string> Vgg19FeaturesImpl::layers() const {
    const auto& names = vgg19_layer_names();
    return {names.begin(), names.begin() + static_cast<std::ptrdiff_t>(convs_.size())};
}

torch::Tensor Vgg19FeaturesImpl::forward(const torch::Tensor& grey) {
    if (grey.dim() != 4 || grey.size(1) != 1) fail("VGG19: input must be (N, 1, H, W) grey images");
    torch::Tensor x = (grey.expand({grey.size(0), 3, grey.size(2), grey.size(3)}) - mean_) / std_;
    for (std::size_t i = 0; i < convs_.size(); ++i) {
        if (pool_before_[i]) x = torch::max_pool2d(x, 2, 2);
        x = torch::relu(convs_[i]->forward(x));
    }
    return x;
}

Vgg19Features load_vgg19(const Vgg19Weights& weights, const std::string& source, const std::string& last_layer) {
    Vgg19Features net(last_layer);
    torch::NoGradGuard no_grad;
    for (auto& item : net->named_parameters()) {
        const std::string& name = item.key();  // "conv2_1.weight"
        const auto dot = name.find('.');
        const std::string dataset = name.substr(0, dot) + "/" + name.substr(dot + 1);
        torch::Tensor& param = item.value();
        const std::vector<std::int64_t> expected(param.sizes().begin(), param.sizes().end());
        const std::optional<Tensor<float>> values = weights(dataset);
        if (!values)
            fail("{}: VGG19 weights lack dataset '{}' (layers conv1_1 .. {} are needed; see docs/vgg19-weights.md)",
                 source, dataset, last_layer);
        if (values->shape().dims() != expected)
            fail("{}: dataset '{}' has shape {}, VGG19 needs {}", source, dataset, values->shape().str(),
                 shape_text(expected));
        std::memcpy(param.data_ptr<float>(), values->data(), sizeof(float) * static_cast<std::size_t>(values->size()));
    }
    for (auto& p : net->parameters()) p.set_requires_grad(false);
    net->eval();
    return net;
}

}  // namespace tomoedge::train
