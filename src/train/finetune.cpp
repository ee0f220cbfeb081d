#include "train/finetune.hpp"

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/threading.hpp"
#include "core/timer.hpp"
#include "core/slice_stream.hpp"
#include "model/model_info.hpp"
#include "quant/quantize_follower.hpp"
#include "runtime/denoiser.hpp"
#include "runtime/int8/qdq_graph.hpp"
#include "train/finetune_net.hpp"
#include "train/patches.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <random>

namespace tomoedge::train {

void check_finetune_options(const FineTuneOptions& o) {
    if (o.data.empty()) fail("--data: no training data file given");
    if (o.slices < 1) fail("--slices must be >= 1, got {}", o.slices);
    if (o.iterations < 1) fail("--iterations must be >= 1, got {}", o.iterations);
    if (o.patch < 8 || o.patch % 8 != 0) fail("--patch must be a positive multiple of 8, got {}", o.patch);
    if (o.batch < 1) fail("--batch must be >= 1, got {}", o.batch);
    if (!(o.lr > 0 && std::isfinite(o.lr))) fail("--lr must be a positive number, got {}", o.lr);
    if (o.net.channels < 1 || o.net.channels > 256) fail("--channels must be in 1..256, got {}", o.net.channels);
    if (o.net.convs < 2 || o.net.convs > 16) fail("--convs must be in 2..16, got {}", o.net.convs);
    if (o.calibration.method == quant::Method::percentile &&
        !(o.calibration.percentile > 50 && o.calibration.percentile <= 100))
        fail("--percentile {} is not in (50, 100]", o.calibration.percentile);
}

namespace {

double mse(const float* a, const float* b, std::int64_t n) {
    double s = 0;
    for (std::int64_t i = 0; i < n; ++i) {
        const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
        s += d * d;
    }
    return s / static_cast<double>(n);
}

}  // namespace

FineTuneResult finetune(const model::Graph& int8_model, Tensor<float> noisy, Tensor<float> clean,
                        const FineTuneOptions& o) {
    check_finetune_options(o);
    if (!runtime::int8::is_qdq(int8_model))
        fail("model '{}' is not an int8 (QDQ) model; quantize it first (tomoedge quantize), then fine-tune",
             int8_model.name);
    const model::ModelInfo info = model::read_model_info(int8_model);
    if (!info.finetune.empty())
        fail("model '{}' already has a Fine-Tune net ({}); fine-tune the int8 model without one",
             int8_model.name, model::keys::finetune);
    if (!info.normalisation)
        fail("model '{}' has no normalisation in its metadata ({}); the Fine-Tune data must be normalised as "
             "denoise normalises",
             int8_model.name, model::keys::norm_low);
    if (o.threads > 0) {
        torch::set_num_threads(o.threads);
        set_num_threads(o.threads);
    }
    const int depth = model::effective_input_depth(int8_model);
    // The generator's output grid: the correction lives on it (model/finetune.hpp).
    const runtime::int8::QuantParams out_q = runtime::int8::lower_qdq(int8_model).output_q;
    const double g_low = runtime::int8::dequantize_value(out_q.qmin(), out_q);
    const double g_high = runtime::int8::dequantize_value(out_q.qmax(), out_q);

    FineTuneResult result;
    const VolumePair data = normalised_pair(std::move(noisy), std::move(clean), *info.normalisation,
                                            fmt::format("{}:{}", o.data.string(), o.train_noisy),
                                            fmt::format("{}:{}", o.data.string(), o.train_clean));
    const Shape& shape = data.noisy.shape();
    const std::int64_t n = shape[0], h = shape[1], w = shape[2];
    if (o.slices > n)
        fail("{}:{}: has {} slices, fewer than --slices {}", o.data.string(), o.train_noisy, n, o.slices);

    // 1. The int8 outputs, through the runtime as denoise runs the model. The volume is already
    // normalised, so the window is the identity.
    VolumePair pairs;
    pairs.noisy = Tensor<float>(Shape{o.slices, h, w});
    pairs.clean = Tensor<float>(Shape{o.slices, h, w});
    {
        Stopwatch watch;
        runtime::Denoiser denoiser(int8_model, o.backend);
        Progress progress("finetune: int8", o.slices, "slice");
        for (int k = 0; k < o.slices; ++k) {
            const std::int64_t z = o.slices == 1 ? n / 2 : k * (n - 1) / (o.slices - 1);
            Tensor<float> group(Shape{depth, h, w});
            const auto members = slice_group(z, n, depth);
            for (int c = 0; c < depth; ++c)
                std::copy_n(data.noisy.outer(members[static_cast<std::size_t>(c)]), h * w, group.outer(c));
            const Tensor<float> y = denoiser.denoise_group(group, runtime::ValueWindow{0.0, 1.0});
            std::copy_n(y.data(), h * w, pairs.noisy.outer(k));
            std::copy_n(data.clean.outer(z), h * w, pairs.clean.outer(k));
            progress.advance(1);
        }
        progress.finish();
        result.int8_seconds = watch.seconds();
    }
    result.int8_mse = mse(pairs.noisy.data(), pairs.clean.data(), pairs.noisy.size());

    // 2. Train the Fine-Tune net on patches of (int8 output, ground truth).
    model::FineTuneConfig net_config = o.net;
    net_config.offset = 0.5 * (g_low + g_high);
    torch::manual_seed(o.seed);
    FineTuneNet net(net_config, g_low - net_config.offset, g_high - net_config.offset);
    {
        Stopwatch watch;
        PatchOptions po;
        po.patch = std::min({o.patch, h - h % 8, w - w % 8});
        po.batch = o.batch;
        po.depth = 1;
        po.augment = o.augment;
        po.seed = o.seed;
        const PatchSampler sampler(pairs, po);
        torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(o.lr));
        Progress progress("finetune: train", o.iterations, "it");
        for (std::int64_t it = 0; it < o.iterations; ++it) {
            const Batch b = sampler.batch(it);
            const torch::Tensor loss = torch::mse_loss(net->forward(b.input), b.target);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            const double value = loss.item<double>();
            if (!std::isfinite(value)) fail("Fine-Tune training diverged at iteration {} (try a smaller --lr)", it + 1);
            result.losses.push_back(value);
            progress.advance(1, fmt::format("mse {:.4g}", value));
        }
        progress.finish();
        result.train_seconds = watch.seconds();
    }
    {
        torch::NoGradGuard no_grad;
        for (int k = 0; k < o.slices; ++k) {
            const torch::Tensor g = torch::from_blob(pairs.noisy.outer(k), {1, 1, h, w}, torch::kFloat32);
            const torch::Tensor y = net->forward(g).contiguous();
            result.finetune_mse += mse(y.data_ptr<float>(), pairs.clean.outer(k), h * w) / o.slices;
        }
    }
    result.finetune_fp32 = finetune_to_graph(*net);

    // 3. Quantize it, calibrated on the int8 outputs, its input on the generator's output grid.
    quant::QuantizeOptions qo;
    qo.calibration = o.calibration;
    qo.activations = out_q.type;
    qo.slices = o.slices;
    model::Graph& ft_int8 = result.finetune_int8;
    {
        VolumeSource int8_outputs(VolumeView(pairs.noisy), fmt::format("{}:{} through the int8 generator", o.data.string(), o.train_noisy));
        ft_int8 = quant::quantize_follower(result.finetune_fp32, int8_outputs, qo, out_q);
    }

    // 4. One graph, and the recipe.
    result.model = model::chain_models(int8_model, ft_int8);
    const Shape slice1024{1, int8_model.input_channels, 1024, 1024};
    const std::int64_t gen_macs = model::count_conv_macs(int8_model, slice1024);
    const std::int64_t ft_macs = model::count_conv_macs(result.finetune_fp32, Shape{1, 1, 1024, 1024});
    nlohmann::json r;
    r["net"] = {{"layout", fmt::format("{} 3x3 convs ({} channels, ReLU) -> correction; output = generator + "
                                       "correction (Concat + fixed 1x1 conv)",
                                       net_config.convs, net_config.channels)},
                {"channels", net_config.channels},
                {"convs", net_config.convs},
                {"offset", net_config.offset}};
    r["data"] = o.data.filename().string();
    r["datasets"] = {o.train_noisy, o.train_clean};
    r["slices"] = o.slices;
    r["int8_backend"] = o.backend.backend;
    r["loss"] = "mse";
    r["optimizer"] = "adam";
    r["lr"] = o.lr;
    r["iterations"] = o.iterations;
    r["patch"] = std::min({o.patch, h - h % 8, w - w % 8});
    r["batch"] = o.batch;
    r["augment"] = o.augment;
    r["seed"] = o.seed;
    r["calibration"] = quant::describe_method(o.calibration);
    r["mse"] = {{"int8", result.int8_mse}, {"int8_finetune_fp32", result.finetune_mse}};
    r["macs_1024"] = {{"generator", gen_macs}, {"finetune", ft_macs}};
    r["tool"] = "tomoedge finetune";
    result.recipe = r.dump();
    model::ModelInfo chained = model::read_model_info(result.model);
    chained.finetune = result.recipe;
    model::write_model_info(result.model, chained);
    return result;
}

}  // namespace tomoedge::train
