#pragma once
// A trained generator as the graph IR: model::build_tomogan's graph (same nodes, same constant
// names) with every constant overwritten by the libtorch parameter of that name, and metadata
// saying how it was trained. model::save_onnx then writes it like any other model.
#include "model/graph.hpp"
#include "model/model_info.hpp"
#include "train/networks.hpp"
#include "train/trainer.hpp"

namespace tomoedge::train {

/// The graph of `generator` with `normalisation` in its metadata. Throws Error when a constant
/// of the builder has no parameter of the same name and shape, or a parameter is left over.
model::Graph generator_to_graph(GeneratorImpl& generator, const model::Normalisation& normalisation);

/// generator_to_graph plus the training metadata: weights "trained", the seed, and the recipe
/// (settings, iterations, data file, wall time) as JSON under tomoedge.training.
model::Graph trained_model(const TrainResult& result, const TrainOptions& options);

/// A warm start: copies the weights of a trained fp32 TomoGAN graph (tomoedge's, or one
/// exported by PyTorch with other constant names) into `generator`. The graph's Conv nodes are
/// matched in order to GeneratorImpl::layer_names(), weight and bias by shape. Throws Error naming
/// `source` for an int8 (QDQ) model, another number of convolutions, or a shape that differs
/// (another input depth or width: "another layout").
void load_generator_weights(GeneratorImpl& generator, const model::Graph& graph, const std::string& source);

}  // namespace tomoedge::train
