// Layer list of the public TomoGAN generator (github.com/ramsesproject/TomoGAN, `unet` in
// models.py; tools/fixtures/make_pytorch_tomogan_fixture.py ports it to PyTorch at 1/4 width):
//   1x1 conv depth->8, ReLU
//   down1: 3x3 conv 8->32, 32->32            (each followed by ReLU)
//   2x2 max-pool; down2: 3x3 conv 32->64, 64->64
//   2x2 max-pool; down3: 3x3 conv 64->128, 128->128
//   2x2 max-pool; bottleneck: one 3x3 conv 128->128
//   bilinear x2, concat [down3, up] (256) -> up1: 3x3 conv 256->64, 64->64
//   bilinear x2, concat [down2, up] (128) -> up2: 3x3 conv 128->32, 32->32
//   bilinear x2, concat [down1, up] (64)  -> up3: 3x3 conv 64->32, 32->32
//   1x1 head 32->16, ReLU; 1x1 head 16->1 (no activation)
// At 1024 x 1024 this is 97.2 GMAC of convolution (the paper's number; tests check it exactly).
// Upsampling is bilinear with half_pixel coordinates (Keras UpSampling2D "bilinear" and PyTorch
// interpolate(align_corners=False) agree on it).
#include "model/tomogan.hpp"

#include "core/error.hpp"

#include <cmath>
#include <random>

namespace tomoedge::model {

std::int64_t scaled_channels(int published, double width) {
    return std::max<std::int64_t>(1, std::llround(published * width));
}

namespace {

class Builder {
public:
    Builder(Graph& graph, std::uint64_t seed) : graph_(graph), rng_(seed) {}

    // Conv (+ ReLU) with "same" padding; returns the output tensor name.
    std::string conv(const std::string& name, const std::string& input, std::int64_t cin, std::int64_t cout, int k,
                     bool relu = true) {
        Constant w;
        w.shape = Shape{cout, cin, k, k};
        w.f32 = Tensor<float>(w.shape);
        std::normal_distribution<float> normal(0.0f, static_cast<float>(std::sqrt(2.0 / static_cast<double>(cin * k * k))));
        for (auto& v : w.f32) v = normal(rng_);
        Constant b;
        b.shape = Shape{cout};
        b.f32 = Tensor<float>(b.shape);
        std::uniform_real_distribution<float> uniform(-0.05f, 0.05f);
        for (auto& v : b.f32) v = uniform(rng_);
        graph_.constants[name + ".weight"] = std::move(w);
        graph_.constants[name + ".bias"] = std::move(b);

        Node node;
        node.name = name;
        node.op = OpKind::Conv;
        node.inputs = {input, name + ".weight", name + ".bias"};
        node.outputs = {relu ? name + ".conv" : name};
        node.kernel = {k, k};
        const int pad = k / 2;
        node.pads = {pad, pad, pad, pad};
        graph_.nodes.push_back(node);
        if (!relu) return node.outputs[0];
        return add(name + ".relu", OpKind::Relu, {node.outputs[0]}, name);
    }

    std::string maxpool(const std::string& name, const std::string& input) {
        Node node;
        node.name = name;
        node.op = OpKind::MaxPool;
        node.kernel = {2, 2};
        node.strides = {2, 2};
        node.inputs = {input};
        node.outputs = {name};
        graph_.nodes.push_back(node);
        return name;
    }

    std::string upsample(const std::string& name, const std::string& input) {
        Node node;
        node.name = name;
        node.op = OpKind::Resize;
        node.scales = {2.0f, 2.0f};
        node.coordinate_mode = CoordinateMode::half_pixel;
        node.interp = ResizeInterp::linear;
        node.inputs = {input};
        node.outputs = {name};
        graph_.nodes.push_back(node);
        return name;
    }

    std::string add(const std::string& name, OpKind op, std::vector<std::string> inputs, const std::string& output) {
        Node node;
        node.name = name;
        node.op = op;
        node.inputs = std::move(inputs);
        node.outputs = {output};
        graph_.nodes.push_back(node);
        return output;
    }

private:
    Graph& graph_;
    std::mt19937_64 rng_;
};

}  // namespace

Graph build_tomogan(const TomoGanConfig& config) {
    if (config.input_depth < 1) fail("TomoGAN: input depth must be >= 1, got {}", config.input_depth);
    if (!(config.width > 0 && config.width <= 16)) fail("TomoGAN: width multiplier must be in (0, 16], got {}", config.width);
    auto ch = [&](int published) { return scaled_channels(published, config.width); };

    Graph g;
    g.name = "tomogan";
    g.input = "input";
    g.output = "output";
    g.input_channels = config.input_depth;
    Builder b(g, config.seed);

    std::string x = b.conv("stack", g.input, config.input_depth, ch(8), 1);
    x = b.conv("down1_conv1", x, ch(8), ch(32), 3);
    const std::string d1 = b.conv("down1_conv2", x, ch(32), ch(32), 3);
    x = b.maxpool("pool1", d1);
    x = b.conv("down2_conv1", x, ch(32), ch(64), 3);
    const std::string d2 = b.conv("down2_conv2", x, ch(64), ch(64), 3);
    x = b.maxpool("pool2", d2);
    x = b.conv("down3_conv1", x, ch(64), ch(128), 3);
    const std::string d3 = b.conv("down3_conv2", x, ch(128), ch(128), 3);
    x = b.maxpool("pool3", d3);
    x = b.conv("bottleneck", x, ch(128), ch(128), 3);

    x = b.upsample("up1_resize", x);
    x = b.add("up1_concat", OpKind::Concat, {d3, x}, "up1_concat");
    x = b.conv("up1_conv1", x, ch(128) + ch(128), ch(64), 3);
    x = b.conv("up1_conv2", x, ch(64), ch(64), 3);
    x = b.upsample("up2_resize", x);
    x = b.add("up2_concat", OpKind::Concat, {d2, x}, "up2_concat");
    x = b.conv("up2_conv1", x, ch(64) + ch(64), ch(32), 3);
    x = b.conv("up2_conv2", x, ch(32), ch(32), 3);
    x = b.upsample("up3_resize", x);
    x = b.add("up3_concat", OpKind::Concat, {d1, x}, "up3_concat");
    x = b.conv("up3_conv1", x, ch(32) + ch(32), ch(32), 3);
    x = b.conv("up3_conv2", x, ch(32), ch(32), 3);
    x = b.conv("head1", x, ch(32), ch(16), 1);
    b.conv("head2", x, ch(16), 1, 1, /*relu=*/false);
    g.nodes.back().outputs = {g.output};

    ModelInfo info;
    info.architecture = "tomogan";
    info.input_depth = config.input_depth;
    info.width = config.width;
    info.normalisation = config.normalisation;
    info.weights = "random";
    info.seed = config.seed;
    write_model_info(g, info);
    validate(g);
    return g;
}

}  // namespace tomoedge::model
