#pragma once
// The reference backend: runs the graph node by node with the kernels of runtime/reference/.
// Slow and obviously correct; the oracle of every numeric test. fp32 only for now; QDQ graphs
// run with float semantics of QuantizeLinear/DequantizeLinear (exact integers held in float).
#include "runtime/backend.hpp"

#include <map>

namespace tomoedge::runtime {

class ReferenceBackend final : public Backend {
public:
    ReferenceBackend(const model::Graph& graph, const BackendOptions& options);
    Tensor<float> run(const Tensor<float>& input) override;
    std::string name() const override { return "reference"; }

    /// Every activation of the last run, by tensor name (kept only when asked: tests and
    /// debugging compare intermediate values).
    void keep_intermediates(bool keep) { keep_all_ = keep; }
    const std::map<std::string, Tensor<float>>& intermediates() const { return kept_; }

private:
    model::Graph graph_;
    std::map<std::string, Tensor<float>> constants_;  // every constant as float
    std::map<std::string, int> consumers_;
    std::map<std::string, Tensor<float>> kept_;
    bool keep_all_ = false;
};

std::unique_ptr<Backend> make_reference_backend(const model::Graph& graph, const BackendOptions& options);

}  // namespace tomoedge::runtime
