#pragma once
// The oneDNN backend (libdnnl 2.6): fp32, bf16 (convolutions, pooling and resampling in bf16 with
// f32 accumulation; bf16 weights, f32 biases; the graph's input and output stay f32), and int8 for
// QDQ models (u8/s8 x s8 convolutions with requantization fused, within 1 LSB of the reference
// backend's TFLite arithmetic per layer: onednn/lowering_int8.cpp).
// Convolutions run with bias and a following ReLU fused; layouts are oneDNN's choice; a plan of
// primitives is built once per input shape and reused; all plans share one activation arena, as
// large as the largest plan's (runtime/onednn/plan.hpp).
#include "runtime/backend.hpp"
#include "runtime/int8/qdq_graph.hpp"
#include "runtime/onednn/plan.hpp"

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace tomoedge::runtime {

class OnednnBackend final : public Backend {
public:
    OnednnBackend(const model::Graph& graph, const BackendOptions& options);
    ~OnednnBackend() override;

    Tensor<float> run(const Tensor<float>& input) override;
    std::string name() const override { return "onednn"; }

    bool is_int8() const { return program_.has_value(); }
    /// "Mobile-compatible" mode (int8 only), as ReferenceBackend::run_quantized: the input's stored
    /// integers in (e.g. uint8 0..255, NCHW), the output's stored integers out.
    Tensor<std::int32_t> run_quantized(const Tensor<std::int32_t>& input);

    /// Planning counters: tests check that a repeated shape builds nothing and allocates
    /// nothing large (only the returned output tensor).
    const onednn::PlanStats& stats() const { return stats_; }

    /// Per-step timing (one wait per step, so slightly slower runs). Also on when the
    /// environment has TOMOEDGE_PROFILE=1; then the table goes to stderr when the backend ends.
    void set_profiling(bool on) { profiling_ = on; }
    /// Summed step times of the profiled runs since the last plan change (steps of the most
    /// recently run plan, in execution order).
    const std::vector<onednn::StepTime>& profile() const { return profile_; }
    /// The profile as a readable table.
    std::string profile_table() const;

private:
    onednn::Plan& plan_for(const Shape& shape);

    model::Graph graph_;
    Precision precision_;
    std::optional<int8::Int8Graph> program_;  // int8: the lowered QDQ program
    int threads_;
    dnnl::engine engine_;
    dnnl::stream stream_;
    onednn::PlanMemory memory_;  // shared by plans_ (declared first: outlives them)
    std::map<std::vector<std::int64_t>, std::unique_ptr<onednn::Plan>> plans_;
    const onednn::Plan* last_plan_ = nullptr;
    onednn::PlanStats stats_;
    bool profiling_ = false;
    bool profile_to_stderr_ = false;
    std::vector<onednn::StepTime> profile_;
};

std::unique_ptr<Backend> make_onednn_backend(const model::Graph& graph, const BackendOptions& options);

}  // namespace tomoedge::runtime
