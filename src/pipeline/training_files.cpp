#include "pipeline/training_files.hpp"

#include "core/error.hpp"
#include "io/hdf5.hpp"

#include <utility>
#include <vector>

namespace tomoedge::pipeline {

namespace {

struct RawPair {
    Tensor<float> noisy, clean;
    std::string noisy_name, clean_name;
};

RawPair read_raw_pair(const std::filesystem::path& file, const std::string& noisy, const std::string& clean) {
    io::Hdf5Reader reader(file);
    for (const auto& name : {noisy, clean})
        if (!reader.has(name))
            fail("{}: no dataset '{}' (the TomoGAN layout has train_ns, train_gt, test_ns, test_gt)", file.string(),
                 name);
    return {reader.read(noisy), reader.read(clean), reader.describe(noisy), reader.describe(clean)};
}

}  // namespace

train::VolumePair read_volume_pair(const std::filesystem::path& file, const std::string& noisy,
                                   const std::string& clean, const model::Normalisation& normalisation) {
    RawPair raw = read_raw_pair(file, noisy, clean);
    return train::normalised_pair(std::move(raw.noisy), std::move(raw.clean), normalisation, raw.noisy_name,
                                  raw.clean_name);
}

train::Vgg19Features load_vgg19(const std::filesystem::path& file, const std::string& last_layer) {
    io::Hdf5Reader reader(file);
    const auto weights = [&](const std::string& dataset) -> std::optional<Tensor<float>> {
        if (!reader.has(dataset)) return std::nullopt;
        return reader.read(dataset);
    };
    return train::load_vgg19(weights, file.string(), last_layer);
}

train::TrainResult train_supervised(const train::TrainOptions& o, const train::IterationCallback& on_iteration) {
    train::check_train_options(o);
    std::vector<train::VolumePair> train_sets, test_sets;
    for (const auto& file : o.data) {
        train_sets.push_back(read_volume_pair(file, o.train_noisy, o.train_clean, o.normalisation));
        if (o.val_every > 0) test_sets.push_back(read_volume_pair(file, o.test_noisy, o.test_clean, o.normalisation));
    }
    train::Vgg19Features vgg{nullptr};
    if (!o.vgg.empty()) vgg = load_vgg19(o.vgg, o.vgg_layer);
    return train::train_supervised(o, train_sets, test_sets, std::move(vgg), on_iteration);
}

train::FineTuneResult finetune_file(const model::Graph& int8_model, const train::FineTuneOptions& o) {
    train::check_finetune_options(o);
    RawPair raw = read_raw_pair(o.data, o.train_noisy, o.train_clean);
    return train::finetune(int8_model, std::move(raw.noisy), std::move(raw.clean), o);
}

}  // namespace tomoedge::pipeline
