#include "train/export.hpp"

#include "core/error.hpp"
#include "model/tomogan.hpp"

#include <nlohmann/json.hpp>

#include <cstring>
#include <set>

namespace tomoedge::train {

model::Graph generator_to_graph(GeneratorImpl& generator, const model::Normalisation& normalisation) {
    model::TomoGanConfig config;
    config.input_depth = generator.config().input_depth;
    config.width = generator.config().width;
    config.normalisation = normalisation;
    model::Graph graph = model::build_tomogan(config);

    torch::NoGradGuard no_grad;
    std::set<std::string> unused;
    for (const auto& [name, constant] : graph.constants) unused.insert(name);
    for (const auto& item : generator.named_parameters()) {
        const std::string& name = item.key();
        auto it = graph.constants.find(name);
        if (it == graph.constants.end()) fail("export: generator parameter '{}' has no constant in the TomoGAN graph", name);
        model::Constant& c = it->second;
        const torch::Tensor value = item.value().detach().to(torch::kFloat32).contiguous();
        const std::vector<std::int64_t> dims(value.sizes().begin(), value.sizes().end());
        if (c.dtype != DType::f32 || c.shape.dims() != dims)
            fail("export: parameter '{}' has shape ({}), the TomoGAN graph expects {}", name, fmt::join(dims, ", "),
                 c.shape.str());
        std::memcpy(c.f32.data(), value.data_ptr<float>(), sizeof(float) * static_cast<std::size_t>(c.f32.size()));
        unused.erase(name);
    }
    if (!unused.empty()) fail("export: TomoGAN graph constant '{}' has no generator parameter", *unused.begin());
    // build_tomogan labels its weights random; these are not, and there is no seed of theirs.
    model::ModelInfo info = model::read_model_info(graph);
    info.weights = "trained";
    info.seed.reset();
    model::write_model_info(graph, info);
    return graph;
}

void load_generator_weights(GeneratorImpl& generator, const model::Graph& graph, const std::string& source) {
    std::vector<const model::Node*> convs;
    for (const auto& node : graph.nodes)
        if (node.op == model::OpKind::Conv) convs.push_back(&node);
    const auto& names = GeneratorImpl::layer_names();
    if (convs.size() != names.size())
        fail("{}: {} convolutions where the TomoGAN generator has {}: not a TomoGAN model of this layout", source,
             convs.size(), names.size());
    auto params = generator.named_parameters();
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < convs.size(); ++i) {
        const model::Node& node = *convs[i];
        for (std::size_t k = 1; k <= 2; ++k) {
            const std::string pname = names[i] + (k == 1 ? ".weight" : ".bias");
            torch::Tensor* param = params.find(pname);
            if (!param) fail("{}: the generator has no parameter '{}'", source, pname);
            if (node.inputs.size() <= k || !graph.is_constant(node.inputs[k]))
                fail("{}: Conv '{}' has no constant {} (an int8 QDQ model? warm starts need the fp32 model)", source,
                     node.name, k == 1 ? "weight" : "bias");
            const model::Constant& c = graph.constant(node.inputs[k]);
            const std::vector<std::int64_t> dims(param->sizes().begin(), param->sizes().end());
            if (c.dtype != DType::f32)
                fail("{}: Conv '{}' {} is not float32 (an int8 model? warm starts need the fp32 model)", source,
                     node.name, node.inputs[k]);
            if (c.shape.dims() != dims)
                fail("{}: Conv '{}' ({}) has shape {} where generator layer '{}' needs ({}): another layout (input "
                     "depth or --width)",
                     source, node.name, node.inputs[k], c.shape.str(), pname, fmt::join(dims, ", "));
            const torch::Tensor value =
                torch::from_blob(const_cast<float*>(c.f32.data()), param->sizes(), torch::kFloat32);
            param->copy_(value);
        }
    }
}

model::Graph trained_model(const TrainResult& result, const TrainOptions& options) {
    model::Graph graph = generator_to_graph(*result.generator.ptr(), options.normalisation);
    model::ModelInfo info = model::read_model_info(graph);
    info.seed = options.seed;
    nlohmann::json recipe = nlohmann::json::parse(result.recipe);
    recipe["iterations"] = result.iterations;
    if (options.self_supervised)
        recipe["data"] = options.scan.filename().string();
    else if (options.data.size() == 1)
        recipe["data"] = options.data.front().filename().string();
    else
        recipe["data"] = data_names(options.data);
    recipe["wall_seconds"] = std::round(result.wall_seconds * 10) / 10;
    recipe["tool"] = "tomoedge train";
    if (!result.validations.empty()) {
        const auto& v = result.validations.back();
        recipe["validation"] = {{"iteration", v.iteration}, {"ssim", v.ssim}, {"psnr", v.psnr},
                                {"input_ssim", v.input_ssim}, {"input_psnr", v.input_psnr}};
    }
    info.training = recipe.dump();
    model::write_model_info(graph, info);
    return graph;
}

}  // namespace tomoedge::train
