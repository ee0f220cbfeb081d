#include "runtime/onednn_backend.hpp"

#include "core/error.hpp"
#include "core/threading.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tomoedge::runtime {

namespace {

// At most this many plans (input shapes) stay cached: tiled runs use a few tile shapes; a
// stream of ever-new shapes must not keep every arena alive.
constexpr std::size_t max_plans = 8;

}  // namespace

OnednnBackend::OnednnBackend(const model::Graph& graph, const BackendOptions& options)
    : graph_(graph.clone()), precision_(options.precision), threads_(options.threads),
      engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {
    const char* env = std::getenv("TOMOEDGE_PROFILE");
    profile_to_stderr_ = env && std::strcmp(env, "1") == 0;
    profiling_ = profile_to_stderr_;
    model::validate(graph_);
    if (precision_ == Precision::int8) {
        if (!int8::is_qdq(graph_))
            fail("model '{}': int8 needs a quantized (QDQ) model; make one with `tomoedge quantize`", graph_.name);
        program_ = int8::lower_qdq(graph_);
        return;
    }
    for (const model::Node& node : graph_.nodes) {
        switch (node.op) {
            case model::OpKind::Conv:
            case model::OpKind::Relu:
            case model::OpKind::MaxPool:
            case model::OpKind::Resize:
            case model::OpKind::Concat:
            case model::OpKind::Add: break;
            default:
                fail("backend 'onednn' ({}): node '{}' ({}) is not supported", precision_name(precision_), node.name,
                     model::op_name(node.op));
        }
        if (node.op == model::OpKind::Conv)
            for (std::size_t i = 1; i < node.inputs.size(); ++i)
                if (!graph_.is_constant(node.inputs[i]))
                    fail("backend 'onednn': node '{}' (Conv): input '{}' must be a constant", node.name, node.inputs[i]);
    }
}

OnednnBackend::~OnednnBackend() {
    if (profile_to_stderr_ && !profile_.empty()) std::fputs(profile_table().c_str(), stderr);
}

onednn::Plan& OnednnBackend::plan_for(const Shape& shape) {
    if (shape.rank() != 4) fail("backend 'onednn': input must be N,C,H,W, got {}", shape.str());
    set_num_threads(threads_);  // oneDNN takes its thread count from OpenMP at each call
    const std::vector<std::int64_t> key = shape.dims();
    auto it = plans_.find(key);
    if (it == plans_.end()) {
        if (plans_.size() >= max_plans) plans_.clear();
        std::unique_ptr<onednn::Plan> plan;
        try {
            plan = program_ ? std::make_unique<onednn::Plan>(graph_, *program_, shape, engine_, stats_)
                            : std::make_unique<onednn::Plan>(graph_, shape, precision_, engine_, stats_);
        } catch (const dnnl::error& e) {
            fail("backend 'onednn': planning for input {} failed: {}", shape.str(), e.what());
        }
        it = plans_.emplace(key, std::move(plan)).first;
    }
    onednn::Plan& plan = *it->second;
    plan.bind(memory_, stats_);  // another plan may have grown the shared arena since this one ran
    if (&plan != last_plan_) profile_.clear();
    last_plan_ = &plan;
    return plan;
}

Tensor<float> OnednnBackend::run(const Tensor<float>& input) {
    onednn::Plan& plan = plan_for(input.shape());
    Tensor<float> output(plan.output_shape());
    plan.execute(stream_, input.data(), output.data(), profiling_ ? &profile_ : nullptr);
    return output;
}

Tensor<std::int32_t> OnednnBackend::run_quantized(const Tensor<std::int32_t>& input) {
    if (!program_) fail("backend 'onednn': model '{}' is not an int8 model", graph_.name);
    onednn::Plan& plan = plan_for(input.shape());
    Tensor<std::int32_t> output(plan.output_shape());
    plan.execute(stream_, input.data(), output.data(), profiling_ ? &profile_ : nullptr, /*integer_io=*/true);
    return output;
}

std::string OnednnBackend::profile_table() const {
    double total = 0;
    for (const auto& s : profile_) total += s.runs ? s.seconds / s.runs : 0.0;
    std::string out = fmt::format("{:<22} {:<36} {:<30} {:>9} {:>6} {:>8}\n", "node", "step", "implementation",
                                  "ms", "%", "GFLOP/s");
    for (const auto& s : profile_) {
        const double t = s.runs ? s.seconds / s.runs : 0.0;
        const std::string gflops = s.macs > 0 && t > 0 ? fmt::format("{:.1f}", 2.0 * static_cast<double>(s.macs) / t / 1e9) : "";
        out += fmt::format("{:<22} {:<36} {:<30} {:>9.2f} {:>6.1f} {:>8}\n", s.node, s.what, s.impl, t * 1e3,
                           total > 0 ? 100.0 * t / total : 0.0, gflops);
    }
    out += fmt::format("{:<22} {:<36} {:<30} {:>9.2f}\n", "total", "", "", total * 1e3);
    return out;
}

std::unique_ptr<Backend> make_onednn_backend(const model::Graph& graph, const BackendOptions& options) {
    return std::make_unique<OnednnBackend>(graph, options);
}

}  // namespace tomoedge::runtime
