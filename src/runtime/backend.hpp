#pragma once
// One interface for every way of running a model; the caller does not know which backend runs.
//   reference  plain C++ loops, obviously correct: the oracle of every numeric test
//   onednn     oneDNN 2.6 primitives: fp32, bf16, and int8 for QDQ models
#include "core/tensor.hpp"
#include "model/graph.hpp"

#include <memory>
#include <string>
#include <vector>

namespace tomoedge::runtime {

enum class Precision { fp32, bf16, int8 };
std::string_view precision_name(Precision p);
Precision parse_precision(std::string_view text);  // throws Error

struct BackendOptions {
    std::string backend = "onednn";  // "reference" or "onednn"
    Precision precision = Precision::fp32;
    int threads = 0;  // 0 = all cores
};

class Backend {
public:
    virtual ~Backend() = default;
    /// Runs the graph on an NCHW float32 input; returns NCHW float32. The first call for a
    /// given input shape plans memory; later calls with that shape allocate nothing.
    virtual Tensor<float> run(const Tensor<float>& input) = 0;
    virtual std::string name() const = 0;
};

/// The precision make_backend runs `graph` in: as asked, except that a QDQ (int8) model asked
/// for fp32, the default, runs as int8.
Precision resolved_precision(const model::Graph& graph, const BackendOptions& options);

/// Builds the backend named in `options` for `graph` (validated first). Throws Error for an
/// unknown backend name, an unsupported precision or an op the backend cannot run.
std::unique_ptr<Backend> make_backend(const model::Graph& graph, const BackendOptions& options);

/// Names make_backend accepts in this build ("reference", "onednn", ...).
std::vector<std::string> available_backends();

}  // namespace tomoedge::runtime
