#include "runtime/backend.hpp"

#include "core/error.hpp"
#include "runtime/int8/qdq_graph.hpp"
#include "runtime/onednn_backend.hpp"
#include "runtime/reference_backend.hpp"
#ifdef TOMOEDGE_HAVE_XNNPACK
#include "runtime/xnnpack_backend.hpp"
#endif

#include <functional>
#include <utility>
#include <vector>

namespace tomoedge::runtime {

std::string_view precision_name(Precision p) {
    switch (p) {
        case Precision::fp32: return "fp32";
        case Precision::bf16: return "bf16";
        case Precision::int8: return "int8";
    }
    return "?";
}

Precision parse_precision(std::string_view text) {
    if (text == "fp32") return Precision::fp32;
    if (text == "bf16") return Precision::bf16;
    if (text == "int8") return Precision::int8;
    fail("unknown precision '{}' (use fp32, bf16 or int8)", text);
}

namespace {

using Factory = std::function<std::unique_ptr<Backend>(const model::Graph&, const BackendOptions&)>;

// Every backend this build has, by name. A backend adds one line here. (xnnpack: int8 QDQ
// models only, when built with XNNPACK; runtime/xnnpack_backend.hpp.)
const std::vector<std::pair<std::string, Factory>>& factories() {
    static const std::vector<std::pair<std::string, Factory>> list = {
        {"reference", make_reference_backend},
        {"onednn", make_onednn_backend},
#ifdef TOMOEDGE_HAVE_XNNPACK
        {"xnnpack", make_xnnpack_backend},  // int8 only; built when libxnnpack-dev is installed
#endif
    };
    return list;
}

}  // namespace

std::vector<std::string> available_backends() {
    std::vector<std::string> names;
    for (const auto& [name, factory] : factories()) names.push_back(name);
    return names;
}

Precision resolved_precision(const model::Graph& graph, const BackendOptions& options) {
    // A QDQ model is an int8 model: run it as one without extra flags (denoise, run, bench).
    if (options.precision == Precision::fp32 && int8::is_qdq(graph)) return Precision::int8;
    return options.precision;
}

std::unique_ptr<Backend> make_backend(const model::Graph& graph, const BackendOptions& options) {
    BackendOptions resolved = options;
    resolved.precision = resolved_precision(graph, options);
    for (const auto& [name, factory] : factories())
        if (name == resolved.backend) return factory(graph, resolved);
    fail("unknown backend '{}' (available: {})", options.backend, fmt::join(available_backends(), ", "));
}

}  // namespace tomoedge::runtime
