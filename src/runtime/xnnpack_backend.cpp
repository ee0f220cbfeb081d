#include "runtime/xnnpack_backend.hpp"

#include "core/error.hpp"
#include "core/threading.hpp"
#include "runtime/int8/qdq_graph.hpp"
#include "runtime/reference/int8_kernels.hpp"

#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace tomoedge::runtime {
namespace {

using int8::ActType;
using int8::QuantParams;

// A u8 tensor is held as signed: stored value and zero point both minus 128.
std::int32_t shift_of(ActType t) { return t == ActType::u8 ? 128 : 0; }

std::string_view status_name(xnn_status s) {
    switch (s) {
        case xnn_status_success: return "success";
        case xnn_status_uninitialized: return "uninitialized";
        case xnn_status_invalid_parameter: return "invalid parameter";
        case xnn_status_invalid_state: return "invalid state";
        case xnn_status_unsupported_parameter: return "unsupported parameter";
        case xnn_status_unsupported_hardware: return "unsupported hardware";
        case xnn_status_out_of_memory: return "out of memory";
    }
    return "unknown status";
}

void check(xnn_status s, const model::Node& node, std::string_view what) {
    if (s != xnn_status_success)
        fail("backend 'xnnpack': node '{}' ({}): XNNPACK {}: {}", node.name, model::op_name(node.op), what, status_name(s));
}

void initialise_xnnpack() {
    static std::once_flag once;
    static xnn_status status = xnn_status_uninitialized;
    std::call_once(once, [] { status = xnn_initialize(nullptr); });
    if (status != xnn_status_success) fail("backend 'xnnpack': XNNPACK cannot run on this CPU ({})", status_name(status));
}

// NHWC signed int8 activation, with XNNPACK's slack for reads past the end.
struct Activation {
    std::int64_t n = 0, h = 0, w = 0, c = 0;
    std::vector<std::int8_t> data;
    void resize(std::int64_t n_, std::int64_t h_, std::int64_t w_, std::int64_t c_) {
        n = n_, h = h_, w = w_, c = c_;
        data.assign(static_cast<std::size_t>(n * h * w * c) + XNN_EXTRA_BYTES, 0);
    }
};

std::int64_t pooled_size(std::int64_t in, int kernel, int stride, int dilation, int pad_begin, int pad_end) {
    return (in + pad_begin + pad_end - dilation * (kernel - 1) - 1) / stride + 1;
}

class XnnpackBackend final : public Backend {
public:
    XnnpackBackend(const model::Graph& graph, const BackendOptions& options) {
        if (!int8::is_qdq(graph))
            fail("backend 'xnnpack' runs int8 (QDQ) models only, and '{}' is not one: use --backend onednn or "
                 "reference, or make an int8 model with `tomoedge quantize`", graph.name);
        if (options.precision != Precision::int8)
            fail("backend 'xnnpack' runs int8 only, not {}", precision_name(options.precision));
        model::Graph g = graph.clone();
        model::validate(g);
        program_ = int8::lower_qdq(g);
        input_channels_ = g.input_channels;
        initialise_xnnpack();
        const int threads = options.threads > 0 ? options.threads : num_threads();
        if (threads > 1) pool_ = pthreadpool_create(static_cast<std::size_t>(threads));

        // Every tensor's quantization and channel count, in program order.
        quant_[program_.input] = program_.input_q;
        channels_[program_.input] = input_channels_;
        ops_.assign(program_.steps.size(), nullptr);
        for (std::size_t i = 0; i < program_.steps.size(); ++i) {
            const int8::Step& s = program_.steps[i];
            const model::Node& node = s.node;
            const QuantParams in = quant_.at(s.inputs.at(0));
            const std::int64_t c = channels_.at(s.inputs.at(0));
            std::int64_t out_c = c;
            switch (s.op) {
                case model::OpKind::Conv: {
                    const std::int64_t O = s.weights.dim(0), C = s.weights.dim(1), KH = s.weights.dim(2), KW = s.weights.dim(3);
                    if (C != c) fail("backend 'xnnpack': node '{}' (Conv): {} input channels, weights for {}", node.name, c, C);
                    // XNNPACK wants weights as (O, KH, KW, C).
                    std::vector<std::int8_t> ohwi(static_cast<std::size_t>(O * KH * KW * C));
                    for (std::int64_t o = 0; o < O; ++o)
                        for (std::int64_t ci = 0; ci < C; ++ci)
                            for (std::int64_t y = 0; y < KH; ++y)
                                for (std::int64_t x = 0; x < KW; ++x)
                                    ohwi[static_cast<std::size_t>(((o * KH + y) * KW + x) * C + ci)] =
                                        s.weights[((o * C + ci) * KH + y) * KW + x];
                    const std::int32_t out_shift = shift_of(s.out.type);
                    check(xnn_create_convolution2d_nhwc_qc8(
                              static_cast<std::uint32_t>(node.pads[0]), static_cast<std::uint32_t>(node.pads[3]),
                              static_cast<std::uint32_t>(node.pads[2]), static_cast<std::uint32_t>(node.pads[1]),
                              static_cast<std::uint32_t>(KH), static_cast<std::uint32_t>(KW),
                              static_cast<std::uint32_t>(node.strides[0]), static_cast<std::uint32_t>(node.strides[1]),
                              static_cast<std::uint32_t>(node.dilations[0]), static_cast<std::uint32_t>(node.dilations[1]),
                              1, static_cast<std::size_t>(C), static_cast<std::size_t>(O), static_cast<std::size_t>(C),
                              static_cast<std::size_t>(O), static_cast<std::int8_t>(in.zero_point - shift_of(in.type)),
                              in.scale, s.conv.weight_scale.data(), ohwi.data(), s.bias.data(),
                              static_cast<std::int8_t>(s.out.zero_point - out_shift), s.out.scale,
                              static_cast<std::int8_t>(s.conv.activation_min - out_shift),
                              static_cast<std::int8_t>(s.conv.activation_max - out_shift), 0, &ops_[i]),
                          node, "convolution (QC8)");
                    out_c = O;
                    break;
                }
                case model::OpKind::MaxPool:
                    if (!(s.out == in)) fail("backend 'xnnpack': node '{}' (MaxPool) requantizes; it must not", node.name);
                    check(xnn_create_max_pooling2d_nhwc_s8(
                              static_cast<std::uint32_t>(node.pads[0]), static_cast<std::uint32_t>(node.pads[3]),
                              static_cast<std::uint32_t>(node.pads[2]), static_cast<std::uint32_t>(node.pads[1]),
                              static_cast<std::uint32_t>(node.kernel[0]), static_cast<std::uint32_t>(node.kernel[1]),
                              static_cast<std::uint32_t>(node.strides[0]), static_cast<std::uint32_t>(node.strides[1]),
                              static_cast<std::uint32_t>(node.dilations[0]), static_cast<std::uint32_t>(node.dilations[1]),
                              static_cast<std::size_t>(c), static_cast<std::size_t>(c), static_cast<std::size_t>(c), -128, 127,
                              0, &ops_[i]),
                          node, "max pooling (s8)");
                    break;
                case model::OpKind::Resize: break;  // host: the reference kernel
                case model::OpKind::Concat:
                    if (node.axis != 1) fail("backend 'xnnpack': node '{}' (Concat): only channel concatenation (axis 1)", node.name);
                    out_c = 0;
                    for (const auto& name : s.inputs) {
                        if (!(quant_.at(name) == s.out))
                            fail("backend 'xnnpack': node '{}' (Concat): inputs quantized differently", node.name);
                        out_c += channels_.at(name);
                    }
                    break;
                default: fail("backend 'xnnpack': node '{}' ({}): no int8 kernel", node.name, model::op_name(s.op));
            }
            quant_[s.output] = s.out;
            channels_[s.output] = out_c;
        }
    }

    ~XnnpackBackend() override {
        for (xnn_operator_t op : ops_)
            if (op) xnn_delete_operator(op);
        if (pool_) pthreadpool_destroy(pool_);
    }
    XnnpackBackend(const XnnpackBackend&) = delete;
    XnnpackBackend& operator=(const XnnpackBackend&) = delete;

    std::string name() const override { return "xnnpack"; }

    Tensor<float> run(const Tensor<float>& input) override {
        if (input.rank() != 4 || input.dim(1) != input_channels_)
            fail("backend 'xnnpack': input {} is not (N, {}, H, W)", input.shape().str(), input_channels_);
        const std::int64_t N = input.dim(0), C = input.dim(1), H = input.dim(2), W = input.dim(3);
        std::map<std::string, Activation> acts;
        std::map<std::string, int> remaining;
        for (const auto& step : program_.steps)
            for (const auto& in : step.inputs) ++remaining[in];
        ++remaining[program_.output];

        {  // QuantizeLinear as the reference does it, into NHWC signed storage
            Activation& x = acts[program_.input];
            x.resize(N, H, W, C);
            const std::int32_t shift = shift_of(program_.input_q.type);
            for (std::int64_t n = 0; n < N; ++n)
                for (std::int64_t c = 0; c < C; ++c)
                    for (std::int64_t i = 0; i < H * W; ++i)
                        x.data[static_cast<std::size_t>((n * H * W + i) * C + c)] = static_cast<std::int8_t>(
                            int8::quantize_value(input[(n * C + c) * H * W + i], program_.input_q) - shift);
        }

        for (std::size_t i = 0; i < program_.steps.size(); ++i) {
            const int8::Step& s = program_.steps[i];
            const Activation& x = acts.at(s.inputs[0]);
            Activation y;
            switch (s.op) {
                case model::OpKind::Conv:
                case model::OpKind::MaxPool: {
                    const model::Node& node = s.node;
                    const int kh = s.op == model::OpKind::Conv ? static_cast<int>(s.weights.dim(2)) : node.kernel[0];
                    const int kw = s.op == model::OpKind::Conv ? static_cast<int>(s.weights.dim(3)) : node.kernel[1];
                    y.resize(N, pooled_size(x.h, kh, node.strides[0], node.dilations[0], node.pads[0], node.pads[2]),
                             pooled_size(x.w, kw, node.strides[1], node.dilations[1], node.pads[1], node.pads[3]),
                             channels_.at(s.output));
                    if (s.op == model::OpKind::Conv) {
                        check(xnn_setup_convolution2d_nhwc_qc8(ops_[i], static_cast<std::size_t>(N), static_cast<std::size_t>(x.h),
                                                               static_cast<std::size_t>(x.w), x.data.data(), y.data.data(), pool_),
                              node, "convolution setup");
                    } else {
                        check(xnn_setup_max_pooling2d_nhwc_s8(ops_[i], static_cast<std::size_t>(N), static_cast<std::size_t>(x.h),
                                                              static_cast<std::size_t>(x.w), x.data.data(), y.data.data(), pool_),
                              node, "max pooling setup");
                    }
                    check(xnn_run_operator(ops_[i], pool_), node, "run");
                    break;
                }
                case model::OpKind::Resize: y = resize(x, s); break;
                case model::OpKind::Concat: y = concat(acts, s, N); break;
                default: fail("backend 'xnnpack': node '{}': no int8 kernel", s.node.name);
            }
            for (const auto& name : s.inputs)
                if (--remaining[name] == 0) acts.erase(name);
            acts.insert_or_assign(s.output, std::move(y));
        }

        const Activation& z = acts.at(program_.output);
        Tensor<float> out(Shape{N, z.c, z.h, z.w});
        const std::int32_t shift = shift_of(program_.output_q.type);
        for (std::int64_t n = 0; n < N; ++n)
            for (std::int64_t c = 0; c < z.c; ++c)
                for (std::int64_t i = 0; i < z.h * z.w; ++i)
                    out[(n * z.c + c) * z.h * z.w + i] = int8::dequantize_value(
                        z.data[static_cast<std::size_t>((n * z.h * z.w + i) * z.c + c)] + shift, program_.output_q);
        return out;
    }

private:
    // The reference kernel on the stored (unshifted) integers: TFLite's reference rounding, which
    // XNNPACK's own bilinear kernels do not reproduce.
    static Activation resize(const Activation& x, const int8::Step& s) {
        const std::int32_t shift = shift_of(s.out.type);
        Tensor<std::int32_t> nchw(Shape{x.n, x.c, x.h, x.w});
        for (std::int64_t n = 0; n < x.n; ++n)
            for (std::int64_t c = 0; c < x.c; ++c)
                for (std::int64_t i = 0; i < x.h * x.w; ++i)
                    nchw[(n * x.c + c) * x.h * x.w + i] = x.data[static_cast<std::size_t>((n * x.h * x.w + i) * x.c + c)] + shift;
        const Tensor<std::int32_t> r = reference::resize2d_int8(nchw, s.node, s.out.type);
        Activation y;
        y.resize(r.dim(0), r.dim(2), r.dim(3), r.dim(1));
        for (std::int64_t n = 0; n < y.n; ++n)
            for (std::int64_t c = 0; c < y.c; ++c)
                for (std::int64_t i = 0; i < y.h * y.w; ++i)
                    y.data[static_cast<std::size_t>((n * y.h * y.w + i) * y.c + c)] =
                        static_cast<std::int8_t>(r[(n * y.c + c) * y.h * y.w + i] - shift);
        return y;
    }

    static Activation concat(const std::map<std::string, Activation>& acts, const int8::Step& s, std::int64_t N) {
        const Activation& first = acts.at(s.inputs[0]);
        std::int64_t channels = 0;
        for (const auto& name : s.inputs) {
            const Activation& a = acts.at(name);
            if (a.h != first.h || a.w != first.w)
                fail("backend 'xnnpack': node '{}' (Concat): inputs of different sizes", s.node.name);
            channels += a.c;
        }
        Activation y;
        y.resize(N, first.h, first.w, channels);
        std::int64_t offset = 0;
        for (const auto& name : s.inputs) {
            const Activation& a = acts.at(name);
            for (std::int64_t p = 0; p < N * a.h * a.w; ++p)
                std::memcpy(y.data.data() + p * channels + offset, a.data.data() + p * a.c, static_cast<std::size_t>(a.c));
            offset += a.c;
        }
        return y;
    }

    int8::Int8Graph program_;
    std::int64_t input_channels_ = 0;
    std::map<std::string, QuantParams> quant_;
    std::map<std::string, std::int64_t> channels_;
    std::vector<xnn_operator_t> ops_;  // one per step; null for host steps
    pthreadpool_t pool_ = nullptr;     // null: XNNPACK runs on the calling thread
};

}  // namespace

std::unique_ptr<Backend> make_xnnpack_backend(const model::Graph& graph, const BackendOptions& options) {
    return std::make_unique<XnnpackBackend>(graph, options);
}

}  // namespace tomoedge::runtime
