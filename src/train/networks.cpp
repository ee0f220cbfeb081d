#include "train/networks.hpp"

#include "core/error.hpp"
#include "model/tomogan.hpp"

namespace tomoedge::train {

namespace F = torch::nn::functional;

namespace {

// Layer table of the generator: name, input channels and output channels at published width
// (negative = "two published widths concatenated"), kernel size. Mirrors model/tomogan.cpp.
struct LayerSpec {
    const char* name;
    int in_a, in_b, out, kernel;  // in = scaled(in_a) + scaled(in_b) (in_b 0 = none)
};
constexpr LayerSpec generator_layers[] = {
    {"stack", 0, 0, 8, 1},  // in_a 0 = the input depth
    {"down1_conv1", 8, 0, 32, 3},    {"down1_conv2", 32, 0, 32, 3},   {"down2_conv1", 32, 0, 64, 3},
    {"down2_conv2", 64, 0, 64, 3},   {"down3_conv1", 64, 0, 128, 3},  {"down3_conv2", 128, 0, 128, 3},
    {"bottleneck", 128, 0, 128, 3},  {"up1_conv1", 128, 128, 64, 3},  {"up1_conv2", 64, 0, 64, 3},
    {"up2_conv1", 64, 64, 32, 3},    {"up2_conv2", 32, 0, 32, 3},     {"up3_conv1", 32, 32, 32, 3},
    {"up3_conv2", 32, 0, 32, 3},     {"head1", 32, 0, 16, 1},         {"head2", 16, 0, -1, 1},  // out -1 = 1 channel
};

torch::Tensor up2(const torch::Tensor& x) {
    // Bilinear, half-pixel centres: ONNX Resize linear/half_pixel, as build_tomogan.
    return F::interpolate(x, F::InterpolateFuncOptions()
                                 .scale_factor(std::vector<double>{2.0, 2.0})
                                 .mode(torch::kBilinear)
                                 .align_corners(false));
}

torch::Tensor pool2(const torch::Tensor& x) { return F::max_pool2d(x, F::MaxPool2dFuncOptions(2).stride(2)); }

}  // namespace

const std::vector<std::string>& GeneratorImpl::layer_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto& spec : generator_layers) v.emplace_back(spec.name);
        return v;
    }();
    return names;
}

GeneratorImpl::GeneratorImpl(const GeneratorConfig& config) : config_(config) {
    if (config.input_depth < 1) fail("generator: input depth must be >= 1, got {}", config.input_depth);
    if (!(config.width > 0 && config.width <= 16))
        fail("generator: width multiplier must be in (0, 16], got {}", config.width);
    auto ch = [&](int published) { return model::scaled_channels(published, config.width); };
    for (const auto& spec : generator_layers) {
        const std::int64_t in = spec.in_a == 0 ? config.input_depth : ch(spec.in_a) + (spec.in_b ? ch(spec.in_b) : 0);
        const std::int64_t out = spec.out < 0 ? 1 : ch(spec.out);
        auto options = torch::nn::Conv2dOptions(in, out, spec.kernel).padding(spec.kernel / 2);
        convs_.push_back(register_module(spec.name, torch::nn::Conv2d(options)));
    }
}

torch::Tensor GeneratorImpl::forward(torch::Tensor x) {
    if (x.dim() != 4 || x.size(1) != config_.input_depth || x.size(2) % 8 != 0 || x.size(3) % 8 != 0)
        fail("generator: input must be (N, {}, H, W) with H and W multiples of 8, got {}", config_.input_depth,
             fmt::format("{}", fmt::join(x.sizes(), ", ")));
    std::size_t next = 0;
    auto conv = [&](const torch::Tensor& t) { return torch::relu(convs_[next++]->forward(t)); };
    x = conv(x);                           // stack
    const auto d1 = conv(conv(x));         // down1
    const auto d2 = conv(conv(pool2(d1)));  // down2
    const auto d3 = conv(conv(pool2(d2)));  // down3
    x = conv(pool2(d3));                   // bottleneck
    x = conv(conv(torch::cat({d3, up2(x)}, 1)));  // up1: skip first, then the upsampled path
    x = conv(conv(torch::cat({d2, up2(x)}, 1)));  // up2
    x = conv(conv(torch::cat({d1, up2(x)}, 1)));  // up3
    x = conv(x);                                  // head1
    return convs_[next]->forward(x);              // head2: no activation
}

DiscriminatorImpl::DiscriminatorImpl(std::int64_t patch) : patch_(patch) {
    if (patch < 8 || patch % 8 != 0) fail("discriminator: patch size must be a positive multiple of 8, got {}", patch);
    struct Spec {
        int out, stride;
    };
    constexpr Spec specs[] = {{64, 1}, {64, 2}, {128, 1}, {128, 2}, {128, 1}, {4, 2}};
    std::int64_t in = 1;
    int index = 1;
    for (const auto& s : specs) {
        auto options = torch::nn::Conv2dOptions(in, s.out, 3).stride(s.stride).padding(1);
        convs_.push_back(register_module(fmt::format("conv{}", index++), torch::nn::Conv2d(options)));
        in = s.out;
    }
    const std::int64_t side = patch / 8;
    dense1_ = register_module("dense1", torch::nn::Linear(4 * side * side, 64));
    dense2_ = register_module("dense2", torch::nn::Linear(64, 1));
}

torch::Tensor DiscriminatorImpl::forward(torch::Tensor x) {
    if (x.dim() != 4 || x.size(1) != 1 || x.size(2) != patch_ || x.size(3) != patch_)
        fail("discriminator: input must be (N, 1, {}, {}), got ({})", patch_, patch_, fmt::join(x.sizes(), ", "));
    for (auto& conv : convs_) x = torch::relu(conv->forward(x));
    x = torch::relu(dense1_->forward(x.flatten(1)));
    return dense2_->forward(x);
}

void initialise_like_keras(torch::nn::Module& module) {
    torch::NoGradGuard no_grad;
    for (auto& p : module.named_parameters()) {
        const std::string& name = p.key();
        if (name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0)
            p.value().zero_();
        else
            torch::nn::init::xavier_uniform_(p.value());
    }
}

}  // namespace tomoedge::train
