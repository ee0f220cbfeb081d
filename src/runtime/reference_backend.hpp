#pragma once
// The reference backend: runs the graph node by node with the kernels of runtime/reference/.
// Slow and obviously correct; the oracle of every numeric test.
//   fp32 graphs: the float kernels.
//   QDQ graphs (int8/qdq_graph.hpp), or precision int8: the integer kernels of TFLite's reference
//   semantics (reference/int8_kernels.hpp) on the lowered Int8Graph. A QDQ graph can also run with
//   float Q/DQ semantics ("fake quantization", exact integers held in float) when asked.
#include "runtime/backend.hpp"
#include "runtime/int8/qdq_graph.hpp"

#include <functional>
#include <map>
#include <optional>

namespace tomoedge::runtime {

class ReferenceBackend final : public Backend {
public:
    /// `qdq_as_float`: run Q/DQ nodes as float ops instead of lowering to integer kernels.
    ReferenceBackend(const model::Graph& graph, const BackendOptions& options, bool qdq_as_float = false);
    Tensor<float> run(const Tensor<float>& input) override;
    std::string name() const override { return "reference"; }

    bool is_int8() const { return int8_.has_value(); }
    /// The lowered integer program (int8 only; throws otherwise).
    const int8::Int8Graph& int8_graph() const;
    /// "Mobile-compatible" mode (int8 only): stored integers in (the input's quantized values,
    /// e.g. uint8 0..255), stored integers out, no float conversion at either end.
    Tensor<std::int32_t> run_quantized(const Tensor<std::int32_t>& input);

    /// Every activation of the last run, by tensor name (kept only when asked: tests and
    /// debugging compare intermediate values). Float path only.
    void keep_intermediates(bool keep) { keep_all_ = keep; }
    const std::map<std::string, Tensor<float>>& intermediates() const { return kept_; }

    /// Called with every activation as it is produced (the graph input first, then each node's
    /// output), float path only: calibration collects statistics through it. Unset = no cost.
    using Observer = std::function<void(const std::string& tensor, const Tensor<float>& value)>;
    void set_observer(Observer observer) { observer_ = std::move(observer); }

private:
    Tensor<float> run_float(const Tensor<float>& input);

    model::Graph graph_;
    std::map<std::string, Tensor<float>> constants_;  // every constant as float
    std::map<std::string, int> consumers_;
    std::map<std::string, Tensor<float>> kept_;
    bool keep_all_ = false;
    Observer observer_;
    std::optional<int8::Int8Graph> int8_;
};

std::unique_ptr<Backend> make_reference_backend(const model::Graph& graph, const BackendOptions& options);

}  // namespace tomoedge::runtime
