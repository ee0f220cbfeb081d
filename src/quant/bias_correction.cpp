#include "quant/bias_correction.hpp"

#include "core/error.hpp"
#include "core/progress.hpp"
#include "quant/qdq_rewrite.hpp"
#include "runtime/reference_backend.hpp"

#include <algorithm>
#include <cmath>

namespace tomoedge::quant {

namespace {

// Per-channel means of an (N, C, H, W) tensor.
std::vector<double> channel_means(const Tensor<float>& t) {
    const std::int64_t n = t.dim(0), c = t.dim(1), hw = t.dim(2) * t.dim(3);
    std::vector<double> mean(static_cast<std::size_t>(c), 0.0);
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t k = 0; k < c; ++k) {
            const float* p = t.data() + (i * c + k) * hw;
            double s = 0;
            for (std::int64_t j = 0; j < hw; ++j) s += p[j];
            mean[static_cast<std::size_t>(k)] += s / static_cast<double>(hw * n);
        }
    return mean;
}

// Runs `g` on `batch` and returns the per-channel means of the outputs of the nodes `wanted`
// (by node name).
std::map<std::string, std::vector<double>> output_means(runtime::ReferenceBackend& backend, const model::Graph& g,
                                                        const std::vector<std::string>& wanted, const Tensor<float>& batch) {
    std::map<std::string, std::string> node_of_output;
    for (const auto& n : g.nodes)
        if (std::find(wanted.begin(), wanted.end(), n.name) != wanted.end()) node_of_output[n.outputs[0]] = n.name;
    std::map<std::string, std::vector<double>> means;
    backend.set_observer([&](const std::string& tensor, const Tensor<float>& value) {
        if (auto it = node_of_output.find(tensor); it != node_of_output.end()) means[it->second] = channel_means(value);
    });
    backend.run(batch);
    return means;
}

}  // namespace

std::vector<BiasCorrection> correct_biases(model::Graph& fp32, const std::map<std::string, QuantParams>& params,
                                           const Tensor<float>& batch) {
    if (batch.size() == 0) fail("bias correction: no calibration inputs");
    const runtime::BackendOptions options{"reference", runtime::Precision::fp32, 0};
    std::vector<std::string> convs;
    for (const auto& n : fp32.nodes)
        if (n.op == model::OpKind::Conv && n.inputs.size() > 2 && fp32.is_constant(n.inputs[2])) convs.push_back(n.name);
    runtime::ReferenceBackend reference(fp32, options);
    const auto target = output_means(reference, fp32, convs, batch);

    std::vector<BiasCorrection> done;
    Progress progress("bias correction", static_cast<std::int64_t>(convs.size()), "layer");
    for (const auto& name : convs) {
        const model::Graph q = make_qdq_graph(fp32, params);
        runtime::ReferenceBackend simulated(q, options, /*qdq_as_float=*/true);
        const auto got = output_means(simulated, q, {name}, batch).at(name);
        const auto& want = target.at(name);
        const auto node = std::find_if(fp32.nodes.begin(), fp32.nodes.end(), [&](const auto& n) { return n.name == name; });
        Tensor<float>& bias = fp32.constants.at(node->inputs[2]).f32;
        BiasCorrection c{name, 0};
        for (std::int64_t o = 0; o < bias.size(); ++o) {
            const double shift = got[static_cast<std::size_t>(o)] - want[static_cast<std::size_t>(o)];
            bias[o] = static_cast<float>(bias[o] - shift);
            c.max_shift = std::max(c.max_shift, std::abs(shift));
        }
        done.push_back(c);
        progress.advance(1);
    }
    return done;
}

}  // namespace tomoedge::quant
