// Which activations cost int8 its accuracy: the QDQ model run in float simulation (reference
// backend) with only one activation tensor quantized, and with all but that one, scored by SSIM
// and PSNR against the fp32 model's output on centre crops of a few slices. Weights stay int8
// throughout ("weights only" = no activation quantized).
//
//   build/bench/quant_sensitivity FP32.onnx INT8.onnx DATA [CROP=256] [SLICES=2]
//
// DATA is FILE.h5:DATASET (or a TIFF stack) of low-dose slices; slow (2 reference runs per tensor).
#include "io/stack.hpp"
#include "io/data_path.hpp"
#include "metrics/image_quality.hpp"
#include "model/model_info.hpp"
#include "model/onnx_import.hpp"
#include "runtime/denoiser.hpp"
#include "runtime/reference_backend.hpp"
#include "quant/qdq_rewrite.hpp"
#include <fmt/format.h>
#include <set>
#include <cstdlib>
using namespace tomoedge;

// Removes the Q/DQ pair of every quantized activation tensor not in `keep`.
model::Graph keep_only(const model::Graph& q, const std::set<std::string>& keep, const std::vector<std::string>& all) {
    model::Graph g = q.clone();
    for (const auto& t : all) {
        if (keep.count(t)) continue;
        std::string source;
        std::vector<model::Node> nodes;
        for (auto& n : g.nodes) {
            if (n.name == t + "_quantize") { source = n.inputs[0]; continue; }
            if (n.name == t + "_dequantize") continue;
            nodes.push_back(n);
        }
        const std::string dq = t == q.output ? q.output : t + "_dequantized";
        if (t == q.input) {
            for (auto& n : nodes) for (auto& in : n.inputs) if (in == dq) in = q.input;
        } else if (t == q.output) {
            for (auto& n : nodes) for (auto& o : n.outputs) if (o == source) o = q.output;
            for (auto& n : nodes) for (auto& in : n.inputs) if (in == source) in = q.output;
        } else {
            for (auto& n : nodes) for (auto& in : n.inputs) if (in == dq) in = source;
        }
        g.nodes = nodes;
    }
    return g;
}

int main(int argc, char** argv) {
    if (argc < 4) {
        fmt::print(stderr, "usage: quant_sensitivity FP32.onnx INT8.onnx DATA [CROP=256] [SLICES=2]\n");
        return 2;
    }
    const auto fp32 = model::import_onnx(argv[1]);
    const auto q = model::import_onnx(argv[2]);
    auto data = io::parse_data_path(argv[3]);
    const int crop = argc > 4 ? std::atoi(argv[4]) : 256;  // a multiple of the network's pooling
    const int nslices = argc > 5 ? std::atoi(argv[5]) : 2;
    auto reader = io::StackReader::open(data);
    const auto info = model::read_model_info(fp32);
    if (!info.normalisation) {
        fmt::print(stderr, "{}: has no normalisation metadata\n", argv[1]);
        return 1;
    }
    const auto window = runtime::volume_window(*reader, *info.normalisation);
    const int depth = info.input_depth;
    const int radius = depth / 2;
    const auto n = reader->info().shape[0], H = reader->info().shape[1], W = reader->info().shape[2];
    std::vector<Tensor<float>> inputs;
    for (int k = 0; k < nslices; ++k) {
        const std::int64_t idx = radius + k * (n - 1 - 2 * radius) / std::max(1, nslices - 1);
        Tensor<float> x(Shape{1, depth, crop, crop});
        for (int c = 0; c < depth; ++c) {
            const Tensor<float> s = reader->read(idx - radius + c, 1);
            for (int y = 0; y < crop; ++y)
                for (int xx = 0; xx < crop; ++xx)
                    x[(c * crop + y) * crop + xx] = static_cast<float>(
                        (s[(H / 2 - crop / 2 + y) * W + (W / 2 - crop / 2 + xx)] - window.low) / (window.high - window.low));
        }
        inputs.push_back(std::move(x));
    }
    runtime::BackendOptions opt{"reference", runtime::Precision::fp32, 0};
    runtime::ReferenceBackend ref(fp32, opt);
    std::vector<Tensor<float>> refs;
    for (auto& x : inputs) refs.push_back(ref.run(x));
    auto score = [&](const model::Graph& g) {
        runtime::ReferenceBackend b(g, opt, true);
        double s = 0, p = 0;
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            const auto y = b.run(inputs[i]);
            s += metrics::ssim(y.span(), refs[i].span(), crop, crop);
            p += metrics::psnr(y.span(), refs[i].span());
        }
        return std::pair{s / inputs.size(), p / inputs.size()};
    };
    // The activation tensors: every QuantizeLinear is named "<tensor>_quantize".
    std::vector<std::string> all;
    for (auto& nd : q.nodes)
        if (nd.op == model::OpKind::QuantizeLinear && nd.name.size() > 9) all.push_back(nd.name.substr(0, nd.name.size() - 9));
    std::set<std::string> everything(all.begin(), all.end());
    auto [s0, p0] = score(q);
    fmt::print("all quantized: ssim {:.4f} psnr {:.2f}\n", s0, p0);
    { auto [sw, pw] = score(keep_only(q, {}, all)); fmt::print("weights only: ssim {:.4f} psnr {:.2f}\n", sw, pw); }
    std::fflush(stdout);
    for (const auto& t : all) {
        auto [s1, p1] = score(keep_only(q, {t}, all));
        std::set<std::string> rest = everything; rest.erase(t);
        auto [s2, p2] = score(keep_only(q, rest, all));
        fmt::print("{:14s} only: ssim {:.4f} psnr {:.2f} | all but: ssim {:.4f} psnr {:.2f}\n", t, s1, p1, s2, p2);
        std::fflush(stdout);
    }
}
