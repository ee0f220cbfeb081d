// Lowering of a graph to oneDNN primitives for one input shape (see plan.hpp for the choices).
#include "core/error.hpp"
#include "runtime/onednn/lowering_util.hpp"
#include "runtime/onednn/plan.hpp"
#include "runtime/reference/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <set>

namespace tomoedge::runtime::onednn {

namespace {

// The same layout with another element type (strides are in elements, so they carry over).
memory::desc with_type(const memory::desc& md, DT type) {
    dnnl_memory_desc_t raw = md.data;
    raw.data_type = static_cast<dnnl_data_type_t>(type);
    return memory::desc(raw);
}

// Whether two descriptors put every element at the same byte: plain (unblocked), unpadded, same
// type and dims, equal strides along every axis longer than 1. NHWC with one channel is NCHW.
bool same_bytes(const memory::desc& a, const memory::desc& b) {
    const dnnl_memory_desc_t &x = a.data, &y = b.data;
    if (x.ndims != y.ndims || x.data_type != y.data_type || x.offset0 != 0 || y.offset0 != 0) return false;
    if (x.format_kind != dnnl_blocked || y.format_kind != dnnl_blocked) return false;
    if (x.format_desc.blocking.inner_nblks != 0 || y.format_desc.blocking.inner_nblks != 0) return false;
    if (x.extra.flags != 0 || y.extra.flags != 0) return false;
    for (int d = 0; d < x.ndims; ++d) {
        if (x.dims[d] != y.dims[d] || x.padded_dims[d] != x.dims[d] || y.padded_dims[d] != y.dims[d]) return false;
        if (x.dims[d] > 1 && x.format_desc.blocking.strides[d] != y.format_desc.blocking.strides[d]) return false;
    }
    return true;
}

}  // namespace

class Lowering {
public:
    Lowering(Plan& plan, const model::Graph& graph, const Shape& input_shape, Precision precision,
             dnnl::engine& engine, PlanStats& stats)
        : plan_(plan), graph_(graph), engine_(engine), stats_(stats),
          dt_(precision == Precision::bf16 ? DT::bf16 : DT::f32) {
        shapes_ = model::infer_shapes(graph, input_shape);
        consumers_ = model::consumer_counts(graph);
        for (const model::Node& node : graph.nodes)
            for (const auto& in : node.inputs) readers_[in].push_back(&node);
    }

    void lower() {
        stats_.weight_bytes = 0;
        const int in = add_tensor(graph_.input, plain_f32(shapes_.at(graph_.input)), Storage::input);
        plan_.input_tensor_ = in;
        tensor_of_[graph_.input] = in;
        find_fusions();
        for (const model::Node& node : graph_.nodes) {
            if (skipped_.count(node.name)) continue;
            try {
                lower_node(node);
            } catch (const dnnl::error& e) {
                fail("onednn backend: node '{}' ({}): oneDNN refused it: {}", node.name, model::op_name(node.op), e.what());
            }
        }
        finish_output();
        plan_.output_shape_ = shapes_.at(graph_.output);
        plan_.place_memory(engine_, stats_, scratchpad_bytes_);
    }

private:
    Plan& plan_;
    const model::Graph& graph_;
    dnnl::engine& engine_;
    PlanStats& stats_;
    DT dt_;
    std::map<std::string, Shape> shapes_;
    std::map<std::string, int> consumers_;
    std::map<std::string, std::vector<const model::Node*>> readers_;
    std::map<std::string, int> tensor_of_;          // graph tensor -> plan tensor
    std::map<std::string, std::string> relu_of_;    // node -> the Relu node fused into it
    std::set<std::string> skipped_;                 // fused Relus and folded Concats
    std::map<std::string, const model::Node*> folded_concats_;  // concat output -> its node
    std::size_t scratchpad_bytes_ = 0;
    struct Converted {
        int from;
        memory::desc md;
        int to;
    };
    std::vector<Converted> converted_;

    int add_tensor(const std::string& name, const memory::desc& md, Storage storage) {
        TensorInfo info;
        info.name = name;
        info.md = md;
        info.storage = storage;
        plan_.tensors_.push_back(std::move(info));
        return static_cast<int>(plan_.tensors_.size()) - 1;
    }

    const memory::desc& md_of(int t) const { return plan_.tensors_[static_cast<std::size_t>(t)].md; }

    int tensor(const std::string& name) const {
        auto it = tensor_of_.find(name);
        if (it == tensor_of_.end()) fail("onednn backend: tensor '{}' is not computed before its use", name);
        return it->second;
    }

    bool is_graph_output(const std::string& name) const { return name == graph_.output; }

    // A node's output, with a following Relu fused into it when that Relu is its only reader.
    // Concats whose every reader is a convolution (reading it as X) are folded into them.
    void find_fusions() {
        for (const model::Node& node : graph_.nodes) {
            const std::string& out = node.outputs.at(0);
            const auto readers = readers_.find(out);
            if (node.op == model::OpKind::Conv || node.op == model::OpKind::Add) {
                if (is_graph_output(out) || readers == readers_.end() || readers->second.size() != 1) continue;
                const model::Node* next = readers->second.front();
                if (next->op == model::OpKind::Relu && consumers_.at(out) == 1) {
                    relu_of_[node.name] = next->name;
                    skipped_.insert(next->name);
                }
            } else if (node.op == model::OpKind::Concat) {
                if (node.axis != 1 || is_graph_output(out) || readers == readers_.end()) continue;
                bool all_convs = true;
                for (const model::Node* r : readers->second) {
                    const auto uses = std::count(r->inputs.begin(), r->inputs.end(), out);
                    all_convs = all_convs && r->op == model::OpKind::Conv && r->inputs[0] == out && uses == 1;
                }
                if (!all_convs) continue;
                folded_concats_[out] = &node;
                skipped_.insert(node.name);
            }
        }
    }

    // The output tensor name a node writes (that of its fused Relu, if any).
    std::string output_name(const model::Node& node) const {
        auto it = relu_of_.find(node.name);
        if (it == relu_of_.end()) return node.outputs.at(0);
        for (const model::Node& n : graph_.nodes)
            if (n.name == it->second) return n.outputs.at(0);
        return node.outputs.at(0);
    }

    // `t` in layout `md`, through a reorder (once per tensor and layout) when it is not already.
    int ensure(int t, const memory::desc& md, const std::string& node) {
        if (md_of(t) == md) return t;
        for (const Converted& c : converted_)
            if (c.from == t && c.md == md) return c.to;
        const int to = add_tensor(plan_.tensors_[static_cast<std::size_t>(t)].name + ":reordered", md, Storage::arena);
        dnnl::reorder::primitive_desc pd(engine_, md_of(t), engine_, md, make_attr());
        add_step(node, "Reorder", pd, dnnl::reorder(pd), {{DNNL_ARG_SRC, t}, {DNNL_ARG_DST, to}});
        converted_.push_back({t, md, to});
        return to;
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

    // A persistent buffer of layout `md` filled from float data `src` described by `src_md`.
    int owned_from(const std::string& name, const memory::desc& md, const memory::desc& src_md, const float* src) {
        const int t = add_tensor(name, md, Storage::owned);
        TensorInfo& info = plan_.tensors_[static_cast<std::size_t>(t)];
        info.memory = memory(md, engine_);
        ++stats_.allocations;
        stats_.weight_bytes += static_cast<std::int64_t>(md.get_size());
        memory user(src_md, engine_, const_cast<float*>(src));
        dnnl::stream stream(engine_);
        dnnl::reorder(user, info.memory).execute(stream, user, info.memory);
        stream.wait();
        return t;
    }

    // The input as the compute type (a bf16 plan converts the f32 graph input once).
    int computed(int t, const std::string& node) {
        if (md_of(t).data_type() == dt_) return t;
        return ensure(t, with_type(md_of(t), dt_), node);
    }

    void lower_node(const model::Node& node) {
        switch (node.op) {
            case model::OpKind::Conv: lower_conv(node); return;
            case model::OpKind::Relu: lower_relu(node); return;
            case model::OpKind::MaxPool: lower_maxpool(node); return;
            case model::OpKind::Resize: lower_resize(node); return;
            case model::OpKind::Concat: lower_concat(node); return;
            case model::OpKind::Add: lower_add(node); return;
            default: break;
        }
        fail("onednn backend: node '{}' ({}) is not supported", node.name, model::op_name(node.op));
    }

    struct Part {
        std::string tensor;
        std::int64_t offset, channels;
    };

    void lower_conv(const model::Node& node) {
        const std::string& x = node.inputs.at(0);
        const model::Constant& w = graph_.constant(node.inputs.at(1));
        if (w.dtype != DType::f32) fail("onednn backend: node '{}' (Conv): weights must be float32", node.name);
        const model::Constant* b = node.inputs.size() > 2 ? &graph_.constant(node.inputs[2]) : nullptr;
        if (b && b->dtype != DType::f32) fail("onednn backend: node '{}' (Conv): bias must be float32", node.name);

        std::vector<Part> parts;
        if (auto folded = folded_concats_.find(x); folded != folded_concats_.end()) {
            std::int64_t offset = 0;
            for (const auto& in : folded->second->inputs) {
                const std::int64_t c = shapes_.at(in)[1];
                parts.push_back({in, offset, c});
                offset += c;
            }
        } else {
            parts.push_back({x, 0, shapes_.at(x)[1]});
        }
        const std::string out = output_name(node);
        const bool relu = relu_of_.count(node.name) != 0;
        const Shape& out_shape = shapes_.at(out);
        const Shape& x_shape = shapes_.at(x);
        const std::int64_t oc = w.shape[0], ic = w.shape[1], kh = w.shape[2], kw = w.shape[3];
        const memory::desc w_user({oc, ic, kh, kw}, DT::f32, Tag::oihw);
        const bool to_output = is_graph_output(out);
        const DT out_type = to_output ? DT::f32 : dt_;

        std::optional<memory::desc> dst;  // fixed once the first part has chosen it
        int out_tensor = -1;
        for (std::size_t j = 0; j < parts.size(); ++j) {
            const Part& p = parts[j];
            const Dims src_dims{x_shape[0], p.channels, x_shape[2], x_shape[3]};
            dnnl::post_ops ops;
            if (j > 0) ops.append_sum(1.0f);
            if (relu && j + 1 == parts.size()) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
            const bool with_bias = b && j == 0;
            auto make_pd = [&](const memory::desc& dst_md) {
                const memory::desc bias_md = with_bias ? memory::desc({oc}, DT::f32, Tag::any) : memory::desc();
                dnnl::convolution_forward::desc d(
                    dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                    memory::desc(src_dims, dt_, Tag::any), memory::desc({oc, p.channels, kh, kw}, dt_, Tag::any),
                    bias_md, dst_md,
                    {node.strides[0], node.strides[1]}, {node.dilations[0] - 1, node.dilations[1] - 1},
                    {node.pads[0], node.pads[1]}, {node.pads[2], node.pads[3]});
                return dnnl::convolution_forward::primitive_desc(d, make_attr(&ops), engine_, true);
            };
            // oneDNN chooses the layout, also for the graph output: forcing NCHW there makes it
            // pick a slower kernel and reorder its source (measured); finish_output binds the
            // caller's buffer directly when the layouts agree byte for byte.
            const auto pd = make_pd(dst ? *dst : memory::desc(to_dims(out_shape), out_type, Tag::any));
            if (!pd) fail("onednn backend: node '{}' (Conv): oneDNN has no convolution for this shape", node.name);
            if (!dst) {
                dst = pd.dst_desc();
                out_tensor = add_tensor(out, *dst, Storage::arena);
            }
            // One reorder at most: it converts layout and type together (the graph input edge).
            const int src = ensure(tensor(p.tensor), pd.src_desc(), node.name);
            const int weights = owned_from(node.inputs[1], pd.weights_desc(),
                                           w_user.submemory_desc({oc, p.channels, kh, kw}, {0, p.offset, 0, 0}),
                                           w.f32.data());
            std::vector<std::pair<int, int>> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, out_tensor}};
            if (with_bias)
                args.emplace_back(DNNL_ARG_BIAS, owned_from(node.inputs[2], pd.bias_desc(),
                                                            memory::desc({oc}, DT::f32, Tag::x), b->f32.data()));
            const std::int64_t macs = out_shape.numel() * p.channels * kh * kw;
            std::string what = fmt::format("Conv {}x{} {}->{}{}{}", kh, kw, p.channels, oc, j > 0 ? " +sum" : "",
                                           relu && j + 1 == parts.size() ? " +relu" : "");
            if (parts.size() > 1) what += fmt::format(" (concat part {})", j + 1);
            add_step(node.name, what, pd, dnnl::convolution_forward(pd), std::move(args), macs);
        }
        tensor_of_[out] = out_tensor;
    }

    void lower_relu(const model::Node& node) {
        const int src = computed(tensor(node.inputs.at(0)), node.name);
        dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::eltwise_relu, md_of(src),
                                      0.0f, 0.0f);
        dnnl::eltwise_forward::primitive_desc pd(d, make_attr(), engine_);
        const int out = add_tensor(node.outputs[0], pd.dst_desc(), Storage::arena);
        add_step(node.name, "Relu", pd, dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, out}});
        tensor_of_[node.outputs[0]] = out;
    }

    void lower_maxpool(const model::Node& node) {
        const int src = computed(tensor(node.inputs.at(0)), node.name);
        const Shape& out_shape = shapes_.at(node.outputs[0]);
        dnnl::pooling_v2_forward::desc d(
            dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max, md_of(src),
            memory::desc(to_dims(out_shape), dt_, Tag::any), {node.strides[0], node.strides[1]},
            {node.kernel[0], node.kernel[1]}, {node.dilations[0] - 1, node.dilations[1] - 1},
            {node.pads[0], node.pads[1]}, {node.pads[2], node.pads[3]});
        dnnl::pooling_v2_forward::primitive_desc pd(d, make_attr(), engine_);
        const int out = add_tensor(node.outputs[0], pd.dst_desc(), Storage::arena);
        add_step(node.name, fmt::format("MaxPool {}x{}", node.kernel[0], node.kernel[1]), pd,
                 dnnl::pooling_v2_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, out}});
        tensor_of_[node.outputs[0]] = out;
    }

    void lower_resize(const model::Node& node) {
        const Shape& in_shape = shapes_.at(node.inputs.at(0));
        const Shape& out_shape = shapes_.at(node.outputs[0]);
        // oneDNN's linear resampling maps with (o + 0.5) * in / out - 0.5 and clamps: ONNX
        // half_pixel exactly when the scale equals out / in (pytorch_half_pixel too when out > 1).
        bool native = node.interp == model::ResizeInterp::linear;
        for (int a = 0; a < 2 && native; ++a) {
            const std::int64_t in = in_shape[static_cast<std::size_t>(2 + a)];
            const std::int64_t out = out_shape[static_cast<std::size_t>(2 + a)];
            const double scale = node.sizes[0] > 0 ? static_cast<double>(out) / static_cast<double>(in)
                                                   : static_cast<double>(node.scales[static_cast<std::size_t>(a)]);
            const bool mode_ok = node.coordinate_mode == model::CoordinateMode::half_pixel ||
                                 (node.coordinate_mode == model::CoordinateMode::pytorch_half_pixel && out > 1);
            native = mode_ok && static_cast<double>(out) == static_cast<double>(in) * scale;
        }
        if (!native) return lower_resize_on_host(node);
        const int src = computed(tensor(node.inputs[0]), node.name);
        const std::vector<float> factors{static_cast<float>(out_shape[2]) / static_cast<float>(in_shape[2]),
                                         static_cast<float>(out_shape[3]) / static_cast<float>(in_shape[3])};
        dnnl::resampling_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::resampling_linear,
                                         factors, md_of(src), memory::desc(to_dims(out_shape), dt_, Tag::any));
        dnnl::resampling_forward::primitive_desc pd(d, make_attr(), engine_);
        const int out = add_tensor(node.outputs[0], pd.dst_desc(), Storage::arena);
        add_step(node.name, "Resize linear", pd, dnnl::resampling_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, out}});
        tensor_of_[node.outputs[0]] = out;
    }

    // Modes oneDNN does not offer (align_corners, asymmetric, nearest with ONNX rounding, scales
    // that differ from out / in) run the reference kernel on NCHW float32 between reorders. This
    // path allocates per run; TomoGAN and PyTorch/Keras bilinear exports never take it.
    void lower_resize_on_host(const model::Node& node) {
        const Shape& in_shape = shapes_.at(node.inputs.at(0));
        const Shape& out_shape = shapes_.at(node.outputs[0]);
        const int src = ensure(tensor(node.inputs[0]), plain_f32(in_shape), node.name);
        const int out = add_tensor(node.outputs[0], plain_f32(out_shape), Storage::arena);
        Step step;
        step.node = node.name;
        step.what = fmt::format("Resize {} {}", node.interp == model::ResizeInterp::linear ? "linear" : "nearest",
                                model::coordinate_mode_name(node.coordinate_mode));
        step.impl = "host (reference kernel)";
        step.args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, out}};
        Plan* plan = &plan_;
        step.host = [plan, src, out, node, in_shape]() {
            const TensorInfo& s = plan->tensors_[static_cast<std::size_t>(src)];
            const TensorInfo& d = plan->tensors_[static_cast<std::size_t>(out)];
            Tensor<float> x(in_shape);
            std::memcpy(x.data(), s.memory.get_data_handle(), sizeof(float) * static_cast<std::size_t>(x.size()));
            const Tensor<float> y = reference::resize2d(x, node);
            std::memcpy(d.memory.get_data_handle(), y.data(), sizeof(float) * static_cast<std::size_t>(y.size()));
        };
        plan_.steps_.push_back(std::move(step));
        tensor_of_[node.outputs[0]] = out;
    }

    void lower_concat(const model::Node& node) {
        std::vector<memory::desc> srcs;
        std::vector<std::pair<int, int>> args;
        for (std::size_t i = 0; i < node.inputs.size(); ++i) {
            const int t = computed(tensor(node.inputs[i]), node.name);
            srcs.push_back(md_of(t));
            args.emplace_back(DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i), t);
        }
        const Shape& out_shape = shapes_.at(node.outputs[0]);
        dnnl::concat::primitive_desc pd(memory::desc(to_dims(out_shape), dt_, Tag::any), node.axis, srcs, engine_,
                                        make_attr());
        const int out = add_tensor(node.outputs[0], pd.dst_desc(), Storage::arena);
        args.emplace_back(DNNL_ARG_DST, out);
        add_step(node.name, "Concat (copy)", pd, dnnl::concat(pd), std::move(args));
        tensor_of_[node.outputs[0]] = out;
    }

    void lower_add(const model::Node& node) {
        const int a = computed(tensor(node.inputs.at(0)), node.name);
        const int b = ensure(computed(tensor(node.inputs.at(1)), node.name), md_of(a), node.name);
        const bool relu = relu_of_.count(node.name) != 0;
        dnnl::post_ops ops;
        if (relu) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
        dnnl::binary::desc d(dnnl::algorithm::binary_add, md_of(a), md_of(b), md_of(a));
        dnnl::binary::primitive_desc pd(d, make_attr(&ops), engine_);
        const std::string out_name = output_name(node);
        const int out = add_tensor(out_name, pd.dst_desc(), Storage::arena);
        add_step(node.name, relu ? "Add +relu" : "Add", pd, dnnl::binary(pd),
                 {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, b}, {DNNL_ARG_DST, out}});
        tensor_of_[out_name] = out;
    }

    // The graph output lands in the caller's NCHW float32 buffer: directly when its producer
    // already writes that layout, else through one reorder (the output edge).
    void finish_output() {
        const int t = tensor(graph_.output);
        const memory::desc user = plain_f32(shapes_.at(graph_.output));
        TensorInfo& info = plan_.tensors_[static_cast<std::size_t>(t)];
        if (info.storage == Storage::arena && same_bytes(info.md, user)) {
            info.storage = Storage::output;
            plan_.output_tensor_ = t;
            return;
        }
        const int out = add_tensor(graph_.output, user, Storage::output);
        dnnl::reorder::primitive_desc pd(engine_, md_of(t), engine_, user, make_attr());
        add_step(graph_.output, "Reorder (output)", pd, dnnl::reorder(pd), {{DNNL_ARG_SRC, t}, {DNNL_ARG_DST, out}});
        plan_.output_tensor_ = out;
    }
};

Plan::Plan(const model::Graph& graph, const Shape& input_shape, Precision precision, dnnl::engine& engine,
           PlanStats& stats) {
    if (precision != Precision::fp32 && precision != Precision::bf16)
        fail("backend 'onednn' runs fp32 and bf16, not {}", precision_name(precision));
    Lowering(*this, graph, input_shape, precision, engine, stats).lower();
    ++stats.plans_built;
}

}  // namespace tomoedge::runtime::onednn
