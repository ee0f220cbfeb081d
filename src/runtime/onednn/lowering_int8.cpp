// Lowering of an int8 program (int8/qdq_graph.hpp) to oneDNN primitives and host steps for one
// input shape. Activations are one-byte NHWC (u8 or s8, as quantized), one arena as for fp32.
//
// Convolution: src u8/s8 x weights s8 (per output channel) -> dst u8/s8, int32 bias, all in one
// oneDNN primitive (AMX or VNNI brgemm kernels on this CPU). oneDNN 2.6 computes
//     dst = saturate(round_half_even(scale[o] * (acc + bias[o])) + dst_zp)
// with a ReLU post-op applied before the zero point, which is TFLite's clamp at max(qmin, zp).
// scale[o] is the reference's fixed-point multiplier M[o] = m * 2^(shift - 31) as a float, so
// the two differ only where scale * acc lies within float rounding of a half: at most 1 LSB.
// Zero points: the input zero point of a convolution whose taps never reach the padding is folded
// into the bias (sum (x - zp) w = sum x w - zp sum w), which keeps oneDNN's fastest (brgemm)
// kernel; otherwise it and a non-zero output zero point are oneDNN attributes (its padding then
// counts as the zero point, as in TFLite), which selects oneDNN's non-brgemm int8 kernel.
//
// MaxPool: oneDNN's int8 pooling (a max of stored integers: exact). Resize: a host step
// (int8_host.hpp), exact. Concat (channels): one buffer; a Resize whose only reader is the concat
// writes its slice directly, other parts are copied into theirs (oneDNN's convolutions cannot
// write a channel slice of an NHWC buffer at speed; the quantizer gave all parts one scale, so the
// copy is a byte copy).
//
// The Fine-Tune net's steps (int8/finetune_tail.hpp: its 3x3 convs, Concat and 1x1 residual)
// run as one fused host step, bit-exact with the reference, where the CPU takes the kernel's
// AVX-512 VNNI path: as oneDNN primitives its 1- to 4-channel convolutions cost ~4-5 ms each per
// megapixel, ten times the whole net's arithmetic. Elsewhere the general path below runs them
// (the kernel's portable C++ path is the oracle's arithmetic, not a fast kernel).
#include "core/error.hpp"
#include "runtime/int8/finetune_tail.hpp"
#include "runtime/onednn/int8_host.hpp"
#include "runtime/onednn/lowering_util.hpp"
#include "runtime/onednn/plan.hpp"

#include <cmath>
#include <map>
#include <memory>

namespace tomoedge::runtime::onednn {

namespace {

DT storage_type(int8::ActType t) { return t == int8::ActType::u8 ? DT::u8 : DT::s8; }

// A tensor of the plan as a host kernel sees it (valid once memory is placed).
NhwcView view(const Plan& plan, int t) {
    const dnnl_memory_desc_t& d = plan.tensor_info(t).md.data;
    NhwcView v;
    v.data = plan.data_of(t);
    v.n = d.dims[0];
    v.c = d.dims[1];
    v.h = d.dims[2];
    v.w = d.dims[3];
    v.pixel_stride = d.format_desc.blocking.strides[3];
    v.image_stride = d.format_desc.blocking.strides[0];
    return v;
}

}  // namespace

class Int8Lowering {
public:
    Int8Lowering(Plan& plan, const model::Graph& graph, const int8::Int8Graph& program, const Shape& input_shape,
                 dnnl::engine& engine, PlanStats& stats)
        : plan_(plan), program_(program), engine_(engine), stats_(stats) {
        shapes_ = model::infer_shapes(graph, input_shape);
        params_[program.input] = program.input_q;
        for (const int8::Step& s : program.steps) params_[s.output] = s.out;
        find_concat_targets();
    }

    void lower() {
        stats_.weight_bytes = 0;
        lower_input();
        for (std::size_t i = 0; i < program_.steps.size(); ++i) {
            if (auto tail = int8::match_finetune_tail(program_, i); tail && int8::avx512_vnni_usable(*tail)) {
                i = tail->last_step;
                lower_finetune_tail(std::move(*tail));
                continue;
            }
            const int8::Step& s = program_.steps[i];
            try {
                switch (s.op) {
                    case model::OpKind::Conv: lower_conv(s); break;
                    case model::OpKind::MaxPool: lower_maxpool(s); break;
                    case model::OpKind::Resize: lower_resize(s); break;
                    case model::OpKind::Concat: lower_concat(s); break;
                    default: fail("node '{}' ({}): no int8 lowering", s.node.name, model::op_name(s.op));
                }
            } catch (const dnnl::error& e) {
                fail("onednn backend (int8): node '{}' ({}): oneDNN refused it: {}", s.node.name, model::op_name(s.op),
                     e.what());
            }
        }
        lower_output();
        plan_.output_shape_ = shapes_.at(program_.float_output);
        plan_.place_memory(engine_, stats_, scratchpad_bytes_);
    }

private:
    struct Slice {
        const int8::Step* concat;
        std::int64_t channel_offset;
    };

    Plan& plan_;
    const int8::Int8Graph& program_;
    dnnl::engine& engine_;
    PlanStats& stats_;
    std::map<std::string, Shape> shapes_;
    std::map<std::string, int8::QuantParams> params_;  // integer tensor -> its quantization
    std::map<std::string, int> tensor_of_;              // integer tensor -> plan tensor
    std::map<std::string, Slice> concat_target_;        // Resize output -> where in a concat it goes
    std::map<const int8::Step*, int> concat_buffer_;    // Concat step -> its buffer
    std::size_t scratchpad_bytes_ = 0;

    // Resizes read only by one channel concat (not twice) write straight into its buffer.
    void find_concat_targets() {
        std::map<std::string, int> readers;
        for (const int8::Step& s : program_.steps)
            for (const auto& in : s.inputs) ++readers[in];
        std::map<std::string, const int8::Step*> resizes;
        for (const int8::Step& s : program_.steps)
            if (s.op == model::OpKind::Resize) resizes[s.output] = &s;
        for (const int8::Step& s : program_.steps) {
            if (s.op != model::OpKind::Concat || s.node.axis != 1) continue;
            std::int64_t offset = 0;
            for (const auto& in : s.inputs) {
                if (resizes.count(in) && readers[in] == 1 && in != program_.output) concat_target_[in] = {&s, offset};
                offset += shapes_.at(in)[1];
            }
        }
    }

    int add_tensor(const std::string& name, const memory::desc& md, Storage storage) {
        TensorInfo info;
        info.name = name;
        info.md = md;
        info.storage = storage;
        plan_.tensors_.push_back(std::move(info));
        return static_cast<int>(plan_.tensors_.size()) - 1;
    }

    int tensor(const std::string& name) const {
        auto it = tensor_of_.find(name);
        if (it == tensor_of_.end()) fail("onednn backend (int8): tensor '{}' is not computed before its use", name);
        return it->second;
    }

    memory::desc nhwc(const std::string& name) const {
        return memory::desc(to_dims(shapes_.at(name)), storage_type(params_.at(name).type), Tag::nhwc);
    }

    // A dense NHWC arena tensor for integer tensor `name`.
    int new_activation(const std::string& name) {
        const int t = add_tensor(name, nhwc(name), Storage::arena);
        tensor_of_[name] = t;
        return t;
    }

    // Integer tensor `name` as channels [offset, offset + C) of concat buffer `buffer`.
    int new_slice(const std::string& name, int buffer, std::int64_t offset) {
        const Shape& s = shapes_.at(name);
        const std::int64_t total = plan_.tensors_[static_cast<std::size_t>(buffer)].md.dims()[1];
        const memory::desc md(to_dims(s), storage_type(params_.at(name).type), Dims{s[2] * s[3] * total, 1, s[3] * total, total});
        const int t = add_tensor(name + ":in_concat", md, Storage::view);
        plan_.tensors_[static_cast<std::size_t>(t)].view_of = buffer;
        plan_.tensors_[static_cast<std::size_t>(t)].offset = static_cast<std::size_t>(offset);
        return t;
    }

    int concat_buffer(const int8::Step& concat) {
        if (auto it = concat_buffer_.find(&concat); it != concat_buffer_.end()) return it->second;
        const int t = add_tensor(concat.output, nhwc(concat.output), Storage::arena);
        concat_buffer_[&concat] = t;
        return t;
    }

    template <typename PD>
    void add_step(const std::string& node, std::string what, const PD& pd, dnnl::primitive primitive,
                  std::vector<std::pair<int, int>> args, std::int64_t macs = 0) {
        Step step;
        step.node = node;
        step.what = std::move(what);
        step.impl = pd.impl_info_str();
        step.primitive = std::move(primitive);
        step.args = std::move(args);
        step.macs = macs;
        scratchpad_bytes_ = std::max(scratchpad_bytes_, pd.scratchpad_desc().get_size());
        plan_.steps_.push_back(std::move(step));
    }

    void add_host_step(const std::string& node, std::string what, std::vector<std::pair<int, int>> args,
                       std::function<void()> run, std::string impl = "host", std::int64_t macs = 0) {
        Step step;
        step.node = node;
        step.what = std::move(what);
        step.impl = std::move(impl);
        step.macs = macs;
        step.args = std::move(args);
        step.host = std::move(run);
        plan_.steps_.push_back(std::move(step));
    }

    // A persistent buffer of layout `md` filled (through a reorder) from `src` described by `src_md`.
    int owned_from(const std::string& name, const memory::desc& md, const memory::desc& src_md, const void* src) {
        const int t = add_tensor(name, md, Storage::owned);
        TensorInfo& info = plan_.tensors_[static_cast<std::size_t>(t)];
        info.memory = memory(md, engine_);
        ++stats_.allocations;
        stats_.weight_bytes += static_cast<std::int64_t>(md.get_size());
        memory user(src_md, engine_, const_cast<void*>(src));
        dnnl::stream stream(engine_);
        dnnl::reorder(user, info.memory).execute(stream, user, info.memory);
        stream.wait();
        return t;
    }

    int owned_scalar(const std::string& name, std::int32_t value) {
        const memory::desc md({1}, DT::s32, Tag::x);
        return owned_from(name, md, md, &value);
    }

    void lower_input() {
        const Shape& s = shapes_.at(program_.float_input);
        const int in = add_tensor(program_.float_input, plain_f32(s), Storage::input);
        plan_.input_tensor_ = in;
        const int q = new_activation(program_.input);
        const int8::QuantParams p = program_.input_q;
        Plan* plan = &plan_;
        add_host_step(program_.float_input, fmt::format("QuantizeLinear -> {} NHWC", int8::act_type_name(p.type)),
                      {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, q}}, [plan, in, q, p] {
                          if (plan->integer_io())
                              integers_input(reinterpret_cast<const std::int32_t*>(plan->data_of(in)), view(*plan, q), p);
                          else
                              quantize_input(reinterpret_cast<const float*>(plan->data_of(in)), view(*plan, q), p);
                      });
    }

    void lower_output() {
        const Shape& s = shapes_.at(program_.float_output);
        const int q = tensor(program_.output);
        const int out = add_tensor(program_.float_output, plain_f32(s), Storage::output);
        plan_.output_tensor_ = out;
        const int8::QuantParams p = program_.output_q;
        Plan* plan = &plan_;
        add_host_step(program_.float_output, "DequantizeLinear -> f32 NCHW", {{DNNL_ARG_SRC, q}, {DNNL_ARG_DST, out}},
                      [plan, q, out, p] {
                          if (plan->integer_io())
                              integers_output(view(*plan, q), reinterpret_cast<std::int32_t*>(plan->data_of(out)), p);
                          else
                              dequantize_output(view(*plan, q), reinterpret_cast<float*>(plan->data_of(out)), p);
                      });
    }

    void lower_conv(const int8::Step& s) {
        const model::Node& node = s.node;
        const int8::QuantParams in = params_.at(s.inputs[0]);
        const std::int64_t O = s.weights.dim(0), C = s.weights.dim(1), KH = s.weights.dim(2), KW = s.weights.dim(3);
        const bool no_padding = node.pads == std::array<int, 4>{0, 0, 0, 0};
        const bool fold_src_zp = in.zero_point != 0 && no_padding;
        const bool src_zp = in.zero_point != 0 && !no_padding;
        const bool dst_zp = s.out.zero_point != 0;
        const bool relu = s.conv.activation_min > s.out.qmin();  // a fused ReLU the saturation does not do

        std::vector<std::int32_t> bias(s.bias.begin(), s.bias.end());
        if (fold_src_zp)
            for (std::int64_t o = 0; o < O; ++o) {
                std::int32_t sum = 0;
                for (std::int64_t i = 0; i < C * KH * KW; ++i) sum += s.weights[o * C * KH * KW + i];
                bias[static_cast<std::size_t>(o)] -= in.zero_point * sum;
            }
        std::vector<float> scales;
        for (const int8::QuantizedMultiplier& m : s.conv.output_multiplier)
            scales.push_back(static_cast<float>(std::ldexp(static_cast<double>(m.multiplier), m.shift - 31)));

        dnnl::post_ops ops;
        if (relu) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
        dnnl::primitive_attr attr = make_attr(&ops);
        attr.set_output_scales(1 << 1, scales);  // per output channel (dimension 1 of dst)
        if (src_zp) attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
        if (dst_zp) attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});

        const int src = tensor(s.inputs[0]);
        const memory::desc bias_md({O}, DT::s32, Tag::x);
        dnnl::convolution_forward::desc d(
            dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, plan_.tensors_[static_cast<std::size_t>(src)].md,
            memory::desc({O, C, KH, KW}, DT::s8, Tag::any), bias_md, nhwc(s.output), {node.strides[0], node.strides[1]},
            {node.dilations[0] - 1, node.dilations[1] - 1}, {node.pads[0], node.pads[1]}, {node.pads[2], node.pads[3]});
        const dnnl::convolution_forward::primitive_desc pd(d, attr, engine_);

        const int out = new_activation(s.output);
        const int weights = owned_from(node.inputs[1], pd.weights_desc(), memory::desc({O, C, KH, KW}, DT::s8, Tag::oihw),
                                       s.weights.data());
        std::vector<std::pair<int, int>> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, out},
                                              {DNNL_ARG_BIAS, owned_from(node.name + ".bias", pd.bias_desc(), bias_md, bias.data())}};
        if (src_zp) args.emplace_back(DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, owned_scalar(node.name + ".src_zp", in.zero_point));
        if (dst_zp) args.emplace_back(DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST, owned_scalar(node.name + ".dst_zp", s.out.zero_point));
        const std::string what = fmt::format("Conv {}x{} {}->{} {}{}", KH, KW, C, O, int8::act_type_name(s.out.type),
                                             relu ? " +relu" : "");
        add_step(node.name, what, pd, dnnl::convolution_forward(pd), std::move(args), shapes_.at(s.output).numel() * C * KH * KW);
    }

    void lower_finetune_tail(int8::FineTuneTail tail) {
        const int src = tensor(tail.input);
        const int out = new_activation(tail.output);
        const Shape& shape = shapes_.at(tail.output);
        std::int64_t macs_per_pixel = 2;  // the residual
        for (const int8::TailConv& c : tail.convs) macs_per_pixel += 9 * c.in_channels * c.out_channels;
        const int8::TailPath path = int8::TailPath::avx512_vnni;
        const std::string node = program_.steps[tail.first_step].node.name + ".." + program_.steps[tail.last_step].node.name;
        const std::string what = fmt::format("Fine-Tune tail, {} convs fused", tail.convs.size() + 1);
        auto shared = std::make_shared<const int8::FineTuneTail>(std::move(tail));
        Plan* plan = &plan_;
        add_host_step(node, what, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, out}}, [plan, src, out, shared, path] {
            const auto image = [plan](int t) {
                const NhwcView v = view(*plan, t);
                return int8::TailImage{v.data, v.n, v.h, v.w, v.pixel_stride, v.image_stride};
            };
            int8::run_finetune_tail(*shared, image(src), image(out), path);
        }, fmt::format("host:{}", int8::tail_path_name(path)), shape.numel() * macs_per_pixel);
    }

    void lower_maxpool(const int8::Step& s) {
        const model::Node& node = s.node;
        const int src = tensor(s.inputs[0]);
        dnnl::pooling_v2_forward::desc d(
            dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max, plan_.tensors_[static_cast<std::size_t>(src)].md,
            nhwc(s.output), {node.strides[0], node.strides[1]}, {node.kernel[0], node.kernel[1]},
            {node.dilations[0] - 1, node.dilations[1] - 1}, {node.pads[0], node.pads[1]}, {node.pads[2], node.pads[3]});
        const dnnl::pooling_v2_forward::primitive_desc pd(d, make_attr(), engine_);
        const int out = new_activation(s.output);
        add_step(node.name, fmt::format("MaxPool {}x{}", node.kernel[0], node.kernel[1]), pd, dnnl::pooling_v2_forward(pd),
                 {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, out}});
    }

    void lower_resize(const int8::Step& s) {
        const int src = tensor(s.inputs[0]);
        int out = -1;
        std::string where;
        if (auto it = concat_target_.find(s.output); it != concat_target_.end()) {
            out = new_slice(s.output, concat_buffer(*it->second.concat), it->second.channel_offset);
            tensor_of_[s.output] = out;
            where = " (into concat)";
        } else {
            out = new_activation(s.output);
        }
        const Shape& is = shapes_.at(s.inputs[0]);
        const Shape& os = shapes_.at(s.output);
        const bool x2 = is_bilinear_x2(s.node, is[2], is[3], os[2], os[3]);
        const model::Node node = s.node;
        const int8::ActType type = s.out.type;
        Plan* plan = &plan_;
        add_host_step(node.name, (x2 ? "Resize bilinear x2" : "Resize (reference kernel)") + where,
                      {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, out}}, [plan, src, out, node, type, x2] {
                          if (x2)
                              resize_bilinear_x2(view(*plan, src), view(*plan, out), type);
                          else
                              resize_general(view(*plan, src), view(*plan, out), node, type);
                      });
    }

    void lower_concat(const int8::Step& s) {
        if (s.node.axis != 1)
            fail("onednn backend (int8): node '{}' (Concat): only channel concatenation (axis 1) is supported, not axis {}",
                 s.node.name, s.node.axis);
        const int buffer = concat_buffer(s);
        std::int64_t offset = 0;
        for (std::size_t i = 0; i < s.inputs.size(); ++i) {
            const std::string& in = s.inputs[i];
            const bool written = concat_target_.count(in) && concat_target_.at(in).concat == &s;
            if (!written) {
                const int src = tensor(in);
                const int dst = new_slice(in, buffer, offset);
                Plan* plan = &plan_;
                add_host_step(s.node.name, fmt::format("Concat part {} (copy)", i + 1), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}},
                              [plan, src, dst] { copy_channels(view(*plan, src), view(*plan, dst)); });
            }
            offset += shapes_.at(in)[1];
        }
        tensor_of_[s.output] = buffer;
    }
};

Plan::Plan(const model::Graph& graph, const int8::Int8Graph& program, const Shape& input_shape, dnnl::engine& engine,
           PlanStats& stats) {
    int8_ = true;
    Int8Lowering(*this, graph, program, input_shape, engine, stats).lower();
    ++stats.plans_built;
}

}  // namespace tomoedge::runtime::onednn
