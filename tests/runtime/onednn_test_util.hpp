#pragma once
// Shared helpers of the oneDNN backend tests: random tensors and graphs, and the comparison
// against the reference backend (the oracle).
#include "model/graph.hpp"
#include "model/graph_builders.hpp"
#include "runtime/backend.hpp"

#include <cmath>
#include <random>
#include <string>

namespace tomoedge::testing {

inline Tensor<float> random_tensor(const Shape& shape, unsigned seed, float lo = -1.0f, float hi = 1.0f) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(lo, hi);
    Tensor<float> t(shape);
    for (float& v : t.span()) v = u(rng);
    return t;
}

/// ||a - b|| / ||b||
inline double relative_l2(const Tensor<float>& a, const Tensor<float>& b) {
    double num = 0, den = 0;
    for (std::int64_t i = 0; i < a.size(); ++i) {
        const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
        num += d * d;
        den += static_cast<double>(b[i]) * static_cast<double>(b[i]);
    }
    return std::sqrt(num / std::max(den, 1e-300));
}

/// Adds a Conv node with random weights (scaled like He init so activations keep their size).
inline void add_conv(model::Graph& g, const std::string& name, const std::string& in, const std::string& out,
                     std::int64_t cin, std::int64_t cout, int k, unsigned seed, bool bias = true) {
    const float scale = std::sqrt(2.0f / static_cast<float>(cin * k * k));
    Tensor<float> w = random_tensor(Shape{cout, cin, k, k}, seed, -scale * 1.7f, scale * 1.7f);
    model::Constant wc;
    wc.shape = w.shape();
    wc.f32 = std::move(w);
    g.constants[name + ".w"] = std::move(wc);
    model::Node n = make_node(name, model::OpKind::Conv, {in, name + ".w"}, out);
    n.kernel = {k, k};
    n.pads = {k / 2, k / 2, k / 2, k / 2};
    if (bias) {
        model::Constant bc;
        bc.shape = Shape{cout};
        bc.f32 = random_tensor(Shape{cout}, seed + 1000, -0.1f, 0.1f);
        g.constants[name + ".b"] = std::move(bc);
        n.inputs.push_back(name + ".b");
    }
    g.nodes.push_back(std::move(n));
}

inline runtime::BackendOptions options(const std::string& backend, runtime::Precision p = runtime::Precision::fp32) {
    runtime::BackendOptions o;
    o.backend = backend;
    o.precision = p;
    o.threads = 2;
    return o;
}

/// Relative L2 distance of the oneDNN output from the reference output for `input`.
inline double onednn_vs_reference(const model::Graph& g, const Tensor<float>& input,
                                  runtime::Precision p = runtime::Precision::fp32) {
    auto ref = runtime::make_backend(g, options("reference"));
    auto dnn = runtime::make_backend(g, options("onednn", p));
    const Tensor<float> expected = ref->run(input);
    const Tensor<float> got = dnn->run(input);
    if (got.shape() != expected.shape()) return 1e9;
    return relative_l2(got, expected);
}

}  // namespace tomoedge::testing
