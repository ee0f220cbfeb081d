#pragma once
// Small int8 (QDQ) models for Table I tests, made in memory: a random-weight TomoGAN, alone or
// chained with a Fine-Tune net as `tomoedge finetune` writes it (model::chain_models), quantized
// with made-up ranges (every group of tensors that shares a scale gets one; timing does not care
// what the outputs are).
#include "model/finetune.hpp"
#include "model/tomogan.hpp"
#include "quant/qdq_rewrite.hpp"
#include "quant/scheme.hpp"

#include <map>
#include <random>
#include <string>

namespace tomoedge::testing {

inline model::Graph with_random_ranges(const model::Graph& fp32, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> high(0.5, 4.0);
    std::map<std::string, runtime::int8::QuantParams> params;
    for (const auto& group : quant::shared_scale_groups(fp32, quant::quantized_tensors(fp32))) {
        const double hi = high(rng);
        for (const auto& name : group)
            params[name] = quant::activation_params({-0.05 * hi, hi}, runtime::int8::ActType::u8);
    }
    return quant::make_qdq_graph(fp32, params);
}

inline model::Graph tiny_generator(unsigned seed) {
    model::TomoGanConfig config;
    config.width = 0.125;
    config.seed = seed;
    return model::build_tomogan(config);
}

/// The int8 generator alone.
inline model::Graph tiny_int8_generator(unsigned seed = 1) { return with_random_ranges(tiny_generator(seed), seed); }

/// The int8 generator with its Fine-Tune net (4 channels, 3 convs), one graph.
inline model::Graph tiny_int8_with_fine_tune(unsigned seed = 1) {
    const model::Graph chained = model::chain_models(tiny_generator(seed), model::build_finetune({4, 3, 0.0, seed}));
    return with_random_ranges(chained, seed);
}

}  // namespace tomoedge::testing
