#include "train/trainer.hpp"

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/threading.hpp"
#include "core/timer.hpp"
#include "metrics/image_quality.hpp"
#include "model/onnx_import.hpp"
#include "train/checkpoint.hpp"
#include "train/export.hpp"
#include "train/prefetch.hpp"
#include "train/vgg.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <optional>

namespace tomoedge::train {

namespace F = torch::nn::functional;

namespace {


void set_trainable(torch::nn::Module& module, bool on) {
    for (auto& p : module.parameters()) p.set_requires_grad(on);
}

// A status line on stderr that does not collide with the progress line.
void say(const TrainOptions& o, const std::string& line) {
    if (!o.verbose) return;
    std::fprintf(stderr, "%s%s\n", Progress::enabled() ? "\r\033[K" : "", line.c_str());
    std::fflush(stderr);
}

void check_resume_recipe(const std::filesystem::path& file, const std::string& saved, const std::string& current) {
    const auto a = nlohmann::json::parse(saved, nullptr, /*allow_exceptions=*/false);
    const auto b = nlohmann::json::parse(current);
    if (!a.is_object()) fail("{}: checkpoint recipe is not valid JSON", file.string());
    for (const auto& [key, value] : b.items()) {
        const auto it = a.find(key);
        if (it == a.end() || *it != value)
            fail("{}: checkpoint was trained with {} = {}, this run has {}: resume with the same settings",
                 file.string(), key, it == a.end() ? std::string("(unset)") : it->dump(), value.dump());
    }
}

PatchOptions patch_options(const TrainOptions& o) {
    PatchOptions patches;
    patches.patch = o.patch;
    patches.batch = o.batch;
    patches.depth = o.generator.input_depth;
    patches.augment = o.augment;
    patches.seed = o.seed;
    return patches;
}

torch::Tensor as_image(const float* data, std::int64_t h, std::int64_t w) {
    return torch::from_blob(const_cast<float*>(data), {h, w}, torch::kFloat32);
}

}  // namespace

std::vector<std::string> data_names(const std::vector<std::filesystem::path>& files) {
    std::vector<std::string> names;
    for (const auto& f : files) {
        const auto folder = f.parent_path().filename();
        names.push_back(folder.empty() ? f.filename().string() : (folder / f.filename()).string());
    }
    return names;
}

std::string recipe_json(const TrainOptions& o) {
    nlohmann::json j;
    if (o.self_supervised) {
        j["mode"] = "self-supervised";
        j["method"] = "noise2inverse";
        j["strategy"] = "X:1";
        j["splits"] = o.splits;
    } else {
        j["mode"] = "supervised";
        j["train_datasets"] = {o.train_noisy, o.train_clean};
        if (o.data.size() > 1) j["corpus"] = data_names(o.data);
    }
    if (!o.init.empty()) j["init"] = o.init.filename().string();
    j["normalisation_percentiles"] = {o.normalisation.low_percentile, o.normalisation.high_percentile};
    j["patch"] = o.patch;
    j["batch"] = o.batch;
    j["augment"] = o.augment;
    j["input_depth"] = o.generator.input_depth;
    j["width"] = o.generator.width;
    j["losses"] = o.mse_only ? "mse" : (o.vgg.empty() ? "adv+mse" : "adv+mse+perc");
    if (!o.mse_only) {
        j["lambda_mse"] = o.weights.mse;
        j["lambda_adv"] = o.weights.adv;
        if (!o.vgg.empty()) {
            j["lambda_perc"] = o.weights.perc;
            j["vgg_layer"] = o.vgg_layer;
        }
        j["gen_steps"] = o.gen_steps;
        j["disc_steps"] = o.disc_steps;
        j["adv_weighting"] = o.weights.adaptive ? "adaptive" : "fixed";
        j["adv_start"] = o.adv_start;
    }
    j["optimizer"] = "adam";
    j["lr"] = o.lr;
    j["seed"] = o.seed;
    return j.dump();
}

ValidationLog validate(GeneratorImpl& generator, const VolumePair& test, int slices) {
    torch::NoGradGuard no_grad;
    const auto& shape = test.noisy.shape();
    const std::int64_t n = shape[0], h = shape[1], w = shape[2];
    const int depth = generator.config().input_depth;
    const std::int64_t count = slices <= 0 ? n : std::min<std::int64_t>(slices, n);
    const std::int64_t ph = (8 - h % 8) % 8, pw = (8 - w % 8) % 8;  // pad to the pooling grid, crop back
    ValidationLog v;
    for (std::int64_t k = 0; k < count; ++k) {
        const std::int64_t z = (2 * k + 1) * n / (2 * count);
        std::vector<torch::Tensor> channels;
        for (auto s : slice_group(z, n, depth)) channels.push_back(as_image(test.noisy.outer(s), h, w));
        torch::Tensor x = torch::stack(channels).unsqueeze(0);
        if (ph || pw) x = F::pad(x, F::PadFuncOptions({0, pw, 0, ph}).mode(torch::kReplicate));
        torch::Tensor y = generator.forward(x).index({0, 0, torch::indexing::Slice(0, h), torch::indexing::Slice(0, w)})
                              .contiguous();
        // Scored in the data's own units, as `compare` scores the exported model's output: SSIM's
        // luminance term is not invariant to an offset, so normalised units would give another number.
        const auto raw = [&](const float* values) {
            std::vector<float> r(static_cast<std::size_t>(h * w));
            for (std::size_t i = 0; i < r.size(); ++i) r[i] = static_cast<float>(values[i] * (test.high - test.low) + test.low);
            return r;
        };
        const std::vector<float> out = raw(y.data_ptr<float>()), gt = raw(test.clean.outer(z)),
                                 noisy = raw(test.noisy.outer(z));
        const auto q = metrics::image_quality(out, gt, h, w);
        const auto q0 = metrics::image_quality(noisy, gt, h, w);
        v.ssim += q.ssim / static_cast<double>(count);
        v.psnr += q.psnr / static_cast<double>(count);
        v.input_ssim += q0.ssim / static_cast<double>(count);
        v.input_psnr += q0.psnr / static_cast<double>(count);
    }
    return v;
}

void check_train_options(const TrainOptions& o) {
    if (!o.self_supervised && o.data.empty()) fail("--data: no training data file given");
    if (o.self_supervised && !o.mse_only)
        fail("self-supervised training (Noise2Inverse) learns from noisy targets with MSE alone: set --mse-only");
    if (o.self_supervised && o.splits < 2) fail("--splits must be >= 2 angle subsets, got {}", o.splits);
    if (o.iterations < 1) fail("--iterations must be >= 1, got {}", o.iterations);
    if (o.patch < 8 || o.patch % 8 != 0)
        fail("--patch must be a positive multiple of 8 (three 2x2 poolings), got {}", o.patch);
    if (o.batch < 1) fail("--batch must be >= 1, got {}", o.batch);
    if (o.val_every < 0) fail("--val-every must be >= 0, got {}", o.val_every);
    if (o.val_slices < 0) fail("--val-slices must be >= 0 (0 = every slice), got {}", o.val_slices);
    if (o.checkpoint_every < 0) fail("--checkpoint-every must be >= 0, got {}", o.checkpoint_every);
    if (o.adv_start < 0) fail("--adv-start must be >= 0, got {}", o.adv_start);
    if (o.gen_steps < 1 || o.disc_steps < 1)
        fail("generator and discriminator steps per iteration must be >= 1, got {} and {}", o.gen_steps, o.disc_steps);
    if (!(o.lr > 0 && std::isfinite(o.lr))) fail("--lr must be a positive number, got {}", o.lr);
    for (auto [name, value] : {std::pair{"--lambda-mse", o.weights.mse}, std::pair{"--lambda-adv", o.weights.adv},
                               std::pair{"--lambda-perc", o.weights.perc}})
        if (!(value >= 0 && std::isfinite(value))) fail("{} must be >= 0, got {}", name, value);
    if (o.mse_only && !o.vgg.empty()) fail("--mse-only trains on MSE alone; drop --vgg (or --mse-only)");
}

TrainResult train_supervised(const TrainOptions& o, const std::vector<VolumePair>& train_sets,
                             std::span<const VolumePair> test_sets, Vgg19Features vgg,
                             const IterationCallback& on_iteration) {
    check_train_options(o);
    if (o.self_supervised) fail("train: self-supervised training takes sub-reconstructions (train_self_supervised)");
    const CorpusSampler sampler(train_sets, patch_options(o));
    // The first set's range is the one recorded (with one file: the range of the training data).
    return train_on(o, sampler, test_sets, {train_sets.front().low, train_sets.front().high}, std::move(vgg),
                    on_iteration);
}

TrainResult train_self_supervised(const TrainOptions& o, const SplitVolumes& volumes, const VolumePair* validation,
                                  const IterationCallback& on_iteration) {
    check_train_options(o);
    if (!o.self_supervised) fail("train_self_supervised: the options are not self-supervised");
    if (static_cast<int>(volumes.subsets.size()) != o.splits)
        fail("{} sub-reconstructions given for --splits {}", volumes.subsets.size(), o.splits);
    const Noise2InverseSampler sampler(volumes, patch_options(o));
    return train_on(o, sampler, validation ? std::span<const VolumePair>(validation, 1) : std::span<const VolumePair>(),
                    {volumes.low, volumes.high}, nullptr, on_iteration);
}

TrainResult train_on(const TrainOptions& o, const BatchSource& source, std::span<const VolumePair> test_sets,
                     std::pair<double, double> range, Vgg19Features vgg, const IterationCallback& on_iteration) {
    check_train_options(o);
    if (o.threads > 0) {
        torch::set_num_threads(o.threads);
        set_num_threads(o.threads);
    }
    const Stopwatch clock;
    TrainResult result;
    result.recipe = recipe_json(o);

    std::optional<CheckpointState> resumed;
    if (!o.resume.empty()) {
        resumed = read_checkpoint_state(o.resume);
        check_resume_recipe(o.resume, resumed->recipe, result.recipe);
        if (resumed->iteration > o.iterations)
            fail("{}: checkpoint is at iteration {}, beyond --iterations {}", o.resume.string(), resumed->iteration,
                 o.iterations);
    }

    result.norm_low = range.first;
    result.norm_high = range.second;

    // The recipe names the weights file, so the network must come from it.
    if (!o.vgg.empty() && !vgg) fail("train: VGG19 weights {} are named but were not loaded", o.vgg.string());
    if (vgg && o.vgg.empty()) fail("train: a VGG19 network was given but the options name no weights file");
    if (!o.mse_only && !vgg) say(o, "perceptual loss disabled: no VGG19 weights given");

    torch::manual_seed(o.seed);
    result.generator = Generator(o.generator);
    initialise_like_keras(*result.generator);
    if (!o.init.empty() && !resumed) {
        load_generator_weights(*result.generator, model::import_onnx(o.init), o.init.string());
        say(o, fmt::format("train: warm start from {}", o.init.string()));
    }
    if (!o.mse_only) {
        result.discriminator = Discriminator(o.patch);
        initialise_like_keras(*result.discriminator);
    }
    GeneratorImpl& gen = *result.generator;
    DiscriminatorImpl* disc = o.mse_only ? nullptr : result.discriminator.get();
    torch::optim::Adam gen_opt(gen.parameters(), torch::optim::AdamOptions(o.lr));
    std::optional<torch::optim::Adam> disc_opt;
    if (disc) disc_opt.emplace(disc->parameters(), torch::optim::AdamOptions(o.lr));
    double previous_wall = 0;
    if (resumed) {
        const auto state = load_checkpoint(o.resume, gen, disc, gen_opt, disc_opt ? &*disc_opt : nullptr);
        result.start_iteration = state.iteration;
        previous_wall = state.wall_seconds;
    }

    const std::int64_t batches_per_iteration = o.gen_steps + (disc ? o.disc_steps : 0);
    Prefetcher prefetch(source, result.start_iteration * batches_per_iteration);

    const std::int64_t checkpoint_every = o.checkpoint_every > 0 ? o.checkpoint_every : o.val_every;
    if (!o.checkpoint_dir.empty()) std::filesystem::create_directories(o.checkpoint_dir);
    auto wall = [&] { return previous_wall + clock.seconds(); };
    auto checkpoint = [&](std::int64_t it) {
        const auto file = checkpoint_path(o.checkpoint_dir, it);
        save_checkpoint(file, gen, disc, gen_opt, disc_opt ? &*disc_opt : nullptr,
                        CheckpointState{it, o.seed, wall(), result.recipe});
        result.checkpoints.push_back(file);
        say(o, fmt::format("train: iteration {}: checkpoint {}", it, file.string()));
    };
    const std::string validation_name =
        o.self_supervised ? "the full reconstruction against the reference" : o.test_noisy + " against " + o.test_clean;
    auto run_validation = [&](std::int64_t it) {
        ValidationLog v;
        v.iteration = it;
        std::int64_t slices = 0;
        const auto share = 1.0 / static_cast<double>(test_sets.size());
        for (const VolumePair& test : test_sets) {
            const ValidationLog one = validate(gen, test, o.val_slices);
            v.ssim += one.ssim * share;
            v.psnr += one.psnr * share;
            v.input_ssim += one.input_ssim * share;
            v.input_psnr += one.input_psnr * share;
            const std::int64_t n = test.noisy.shape()[0];
            slices += o.val_slices <= 0 ? n : std::min<std::int64_t>(o.val_slices, n);
        }
        result.validations.push_back(v);
        const std::string what =
            test_sets.size() == 1 ? fmt::format("{} whole slice(s) of {}", slices, validation_name)
                                  : fmt::format("{} whole slice(s) of {} in {} files (mean of the files' means)", slices,
                                                validation_name, test_sets.size());
        say(o, fmt::format("train: iteration {}: validation on {}: SSIM {:.4f} (input {:.4f}), PSNR {:.2f} dB (input "
                           "{:.2f} dB)",
                           it, what, v.ssim, v.input_ssim, v.psnr, v.input_psnr));
    };

    Progress progress("train", o.iterations - result.start_iteration, "it");
    for (std::int64_t it = result.start_iteration + 1; it <= o.iterations; ++it) {
        IterationLog log;
        log.iteration = it;
        log.gen_total = log.mse = 0;
        double adv = 0, adv_weight = 0, perc = 0, dsum = 0;
        const bool adversarial = disc && it > o.adv_start;
        if (disc) set_trainable(*disc, false);  // the generator step trains the generator only
        for (int s = 0; s < o.gen_steps; ++s) {
            const Batch b = prefetch.next();
            const torch::Tensor fake = gen.forward(b.input);
            const torch::Tensor logits = adversarial ? disc->forward(fake) : torch::Tensor();
            const GeneratorLoss loss =
                generator_loss(fake, b.target, logits, vgg ? vgg.get() : nullptr, o.weights, gen.output_weight());
            gen_opt.zero_grad();
            loss.total.backward();
            gen_opt.step();
            log.gen_total += loss.total.item<double>() / o.gen_steps;
            log.mse += loss.mse.item<double>() / o.gen_steps;
            if (loss.adv.defined()) adv += loss.adv.item<double>() / o.gen_steps;
            adv_weight += loss.adv_weight / o.gen_steps;
            if (loss.perc.defined()) perc += loss.perc.item<double>() / o.gen_steps;
        }
        if (disc) {
            set_trainable(*disc, true);
            for (int s = 0; s < o.disc_steps; ++s) {
                const Batch b = prefetch.next();
                torch::Tensor fake;
                {
                    torch::NoGradGuard no_grad;
                    fake = gen.forward(b.input);
                }
                const torch::Tensor loss = discriminator_loss(disc->forward(b.target), disc->forward(fake));
                disc_opt->zero_grad();
                loss.backward();
                disc_opt->step();
                dsum += loss.item<double>() / o.disc_steps;
            }
            if (adversarial) {
                log.adv = adv;
                log.adv_weight = adv_weight;
            }
            log.disc = dsum;
        }
        if (vgg) log.perc = perc;
        if (!std::isfinite(log.gen_total) || (disc && !std::isfinite(log.disc)))
            fail("training diverged at iteration {}: a loss is not finite (try a smaller --lr)", it);
        result.log.push_back(log);
        if (on_iteration) on_iteration(log);

        std::string note = fmt::format("g {:.4g} (mse {:.4g}", log.gen_total, log.mse);
        if (adversarial) note += fmt::format(", adv {:.4g} x {:.3g}", log.adv, log.adv_weight);
        if (vgg) note += fmt::format(", perc {:.4g}", log.perc);
        note += ")";
        if (disc) note += fmt::format("  d {:.4g}", log.disc);
        progress.advance(1, note);

        const bool last = it == o.iterations;
        if (!test_sets.empty() && ((o.val_every > 0 && it % o.val_every == 0) || last)) run_validation(it);
        if (!o.checkpoint_dir.empty() && ((checkpoint_every > 0 && it % checkpoint_every == 0) || last)) checkpoint(it);
    }
    progress.finish();
    result.iterations = o.iterations;
    result.wall_seconds = wall();
    return result;
}

}  // namespace tomoedge::train
