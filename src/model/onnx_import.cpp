#include "model/onnx_import.hpp"

#include "core/error.hpp"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <sstream>

namespace tomoedge::model {

namespace {

// An initializer or Constant node output before it is known what consumes it. int64 tensors
// (Resize sizes) are kept in `i64` and never reach the Graph.
struct RawConstant {
    Constant value;
    bool is_int64 = false;
    std::vector<std::int64_t> i64;
};

std::string onnx_type_name(int type) {
    switch (type) {
        case onnx::TensorProto_DataType_FLOAT: return "float";
        case onnx::TensorProto_DataType_UINT8: return "uint8";
        case onnx::TensorProto_DataType_INT8: return "int8";
        case onnx::TensorProto_DataType_INT32: return "int32";
        case onnx::TensorProto_DataType_INT64: return "int64";
        case onnx::TensorProto_DataType_DOUBLE: return "double";
        case onnx::TensorProto_DataType_FLOAT16: return "float16";
        case onnx::TensorProto_DataType_BFLOAT16: return "bfloat16";
        default: return fmt::format("type {}", type);
    }
}

class Importer {
public:
    explicit Importer(std::string what) : what_(std::move(what)) {}

    Graph run(const onnx::ModelProto& model) {
        if (!model.has_graph()) fail("{}: not an ONNX model (no graph)", what_);
        read_opsets(model);
        const onnx::GraphProto& g = model.graph();
        graph_.name = g.name().empty() ? "model" : g.name();
        for (const auto& prop : model.metadata_props()) graph_.metadata[prop.key()] = prop.value();

        for (const auto& init : g.initializer()) {
            if (init.name().empty()) fail("{}: an initializer has no name", what_);
            raw_[init.name()] = read_tensor(init, fmt::format("initializer '{}'", init.name()));
        }
        read_input(g);
        if (g.output_size() != 1) fail("{}: the graph has {} outputs; exactly one is supported", what_, g.output_size());

        std::set<std::string> names;
        for (int i = 0; i < g.node_size(); ++i) {
            const onnx::NodeProto& proto = g.node(i);
            std::string name = proto.name().empty() ? fmt::format("{}_{}", proto.op_type(), i) : proto.name();
            if (!names.insert(name).second) {
                name = fmt::format("{}_{}", name, i);
                names.insert(name);
            }
            import_node(proto, name);
        }
        graph_.output = resolve(g.output(0).name());

        // Only constants that some node reads become part of the graph.
        for (const Node& node : graph_.nodes)
            for (const auto& in : node.inputs) {
                auto it = raw_.find(in);
                if (it == raw_.end() || graph_.constants.count(in)) continue;
                if (it->second.is_int64)
                    fail("{}: node '{}' ({}): input '{}' is int64, which is unsupported here", what_, node.name,
                         op_name(node.op), in);
                graph_.constants.emplace(in, std::move(it->second.value));
            }
        try {
            validate(graph_);
            check_shapes();
        } catch (const Error& e) {
            fail("{}: {}", what_, e.what());
        }
        return std::move(graph_);
    }

private:
    std::string what_;
    Graph graph_;
    std::map<std::string, RawConstant> raw_;
    std::map<std::string, std::string> alias_;  // Identity outputs -> their input
    int opset_ = 0;

    // Channel counts do not depend on H and W, so shape inference at one generous nominal size
    // finds wrong channel counts, bad weight shapes and concat mismatches at load time. Graphs
    // with fixed-size Resize only work at their own input size and are checked when they run.
    void check_shapes() const {
        for (const Node& n : graph_.nodes)
            if (n.op == OpKind::Resize && n.sizes[0] > 0) return;
        const auto m = spatial_multiple(graph_);
        (void)infer_shapes(graph_, Shape{1, graph_.input_channels, std::max<std::int64_t>(256, m[0] * 16),
                                         std::max<std::int64_t>(256, m[1] * 16)});
    }

    [[noreturn]] void unsupported(const onnx::NodeProto& node, const std::string& name, const std::string& detail) const {
        fail("{}: node '{}' ({}): unsupported {}", what_, name, node.op_type(), detail);
    }

    std::string resolve(const std::string& name) const {
        auto it = alias_.find(name);
        return it == alias_.end() ? name : resolve(it->second);
    }

    void read_opsets(const onnx::ModelProto& model) {
        for (const auto& op : model.opset_import())
            if (op.domain().empty() || op.domain() == "ai.onnx") opset_ = static_cast<int>(op.version());
        if (opset_ == 0) fail("{}: the model imports no default ONNX opset", what_);
        if (opset_ < 7) fail("{}: opset {} is too old (7 or later is supported)", what_, opset_);
    }

    void read_input(const onnx::GraphProto& g) {
        const onnx::ValueInfoProto* input = nullptr;
        int count = 0;
        for (const auto& vi : g.input()) {
            if (raw_.count(vi.name())) continue;  // IR < 4 lists initializers as inputs too
            input = &vi;
            ++count;
        }
        if (count != 1) fail("{}: the graph has {} inputs; exactly one (NCHW float) is supported", what_, count);
        graph_.input = input->name();
        if (!input->type().has_tensor_type()) fail("{}: input '{}' is not a tensor", what_, input->name());
        const auto& tt = input->type().tensor_type();
        if (tt.elem_type() != onnx::TensorProto_DataType_FLOAT)
            fail("{}: input '{}' is {}; only float is supported", what_, input->name(), onnx_type_name(tt.elem_type()));
        if (!tt.has_shape() || tt.shape().dim_size() != 4)
            fail("{}: input '{}' must have rank 4 (N, C, H, W)", what_, input->name());
        const auto& c = tt.shape().dim(1);
        if (!c.has_dim_value() || c.dim_value() < 1)
            fail("{}: input '{}' must have a fixed channel count (dimension 1)", what_, input->name());
        graph_.input_channels = c.dim_value();
    }

    RawConstant read_tensor(const onnx::TensorProto& t, const std::string& label) const {
        if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
            fail("{}: {} uses external data, which is unsupported", what_, label);
        std::vector<std::int64_t> dims;
        for (auto d : t.dims()) {
            if (d < 0) fail("{}: {} has a negative dimension", what_, label);
            dims.push_back(d);
        }
        Shape shape(dims);
        std::int64_t n = 0;
        try {
            n = shape.numel();
        } catch (const Error&) {
            fail("{}: {} has shape {} whose size overflows", what_, label, shape.str());
        }
        RawConstant rc;
        rc.value.shape = shape;
        const std::string& raw = t.raw_data();
        const bool has_raw = t.has_raw_data();
        auto check_count = [&](std::int64_t have) {
            if (have != n) fail("{}: {} holds {} values but its shape {} needs {}", what_, label, have, shape.str(), n);
        };
        auto check_raw = [&](std::size_t width) {
            if (raw.size() != static_cast<std::size_t>(n) * width)
                fail("{}: {} holds {} bytes of data but its shape {} needs {}", what_, label, raw.size(), shape.str(),
                     static_cast<std::size_t>(n) * width);
        };
        switch (t.data_type()) {
            case onnx::TensorProto_DataType_FLOAT: {
                rc.value.dtype = DType::f32;
                if (has_raw) check_raw(4);
                else check_count(t.float_data_size());
                rc.value.f32 = Tensor<float>(shape);
                if (has_raw && n > 0) std::memcpy(rc.value.f32.data(), raw.data(), raw.size());
                else std::copy(t.float_data().begin(), t.float_data().end(), rc.value.f32.begin());
                break;
            }
            case onnx::TensorProto_DataType_UINT8:
            case onnx::TensorProto_DataType_INT8:
            case onnx::TensorProto_DataType_INT32: {
                const bool is32 = t.data_type() == onnx::TensorProto_DataType_INT32;
                rc.value.dtype = is32 ? DType::s32 : t.data_type() == onnx::TensorProto_DataType_INT8 ? DType::s8 : DType::u8;
                const std::size_t width = is32 ? 4 : 1;
                if (has_raw) check_raw(width);
                else check_count(t.int32_data_size());
                rc.value.ints = Tensor<std::int32_t>(shape);
                for (std::int64_t i = 0; i < n; ++i) {
                    std::int32_t v = 0;
                    if (!has_raw) v = t.int32_data(static_cast<int>(i));
                    else if (is32) std::memcpy(&v, raw.data() + 4 * i, 4);
                    else if (rc.value.dtype == DType::s8) v = static_cast<std::int8_t>(raw[static_cast<std::size_t>(i)]);
                    else v = static_cast<std::uint8_t>(raw[static_cast<std::size_t>(i)]);
                    rc.value.ints[i] = v;
                }
                if (rc.value.dtype == DType::u8)
                    for (auto v : rc.value.ints)
                        if (v < 0 || v > 255) fail("{}: {} holds {} outside uint8", what_, label, v);
                if (rc.value.dtype == DType::s8)
                    for (auto v : rc.value.ints)
                        if (v < -128 || v > 127) fail("{}: {} holds {} outside int8", what_, label, v);
                break;
            }
            case onnx::TensorProto_DataType_INT64: {
                rc.is_int64 = true;
                if (has_raw) check_raw(8);
                else check_count(t.int64_data_size());
                rc.i64.resize(static_cast<std::size_t>(n));
                if (has_raw && n > 0) std::memcpy(rc.i64.data(), raw.data(), raw.size());
                else std::copy(t.int64_data().begin(), t.int64_data().end(), rc.i64.begin());
                break;
            }
            default: fail("{}: {} has unsupported element type {}", what_, label, onnx_type_name(t.data_type()));
        }
        return rc;
    }

    // ---- attributes -------------------------------------------------------------------------
    struct Attributes {
        std::map<std::string, const onnx::AttributeProto*> byname;
        const onnx::AttributeProto* get(const std::string& key) const {
            auto it = byname.find(key);
            return it == byname.end() ? nullptr : it->second;
        }
    };

    Attributes attributes(const onnx::NodeProto& node, const std::string& name, std::initializer_list<const char*> known) const {
        Attributes a;
        for (const auto& attr : node.attribute()) {
            bool ok = false;
            for (const char* k : known) ok = ok || attr.name() == k;
            if (!ok) unsupported(node, name, fmt::format("attribute '{}'", attr.name()));
            a.byname[attr.name()] = &attr;
        }
        return a;
    }

    std::int64_t int_attr(const Attributes& a, const char* key, std::int64_t fallback) const {
        const auto* attr = a.get(key);
        return attr ? attr->i() : fallback;
    }
    std::string string_attr(const Attributes& a, const char* key, const std::string& fallback) const {
        const auto* attr = a.get(key);
        return attr ? attr->s() : fallback;
    }
    std::vector<std::int64_t> ints_attr(const Attributes& a, const char* key) const {
        const auto* attr = a.get(key);
        if (!attr) return {};
        return {attr->ints().begin(), attr->ints().end()};
    }

    // Shape of a tensor known at import time: a constant, or a DequantizeLinear of one.
    std::optional<Shape> known_shape(const std::string& tensor) const {
        if (auto it = raw_.find(tensor); it != raw_.end()) return it->second.value.shape;
        for (const Node& n : graph_.nodes)
            if (n.outputs[0] == tensor && n.op == OpKind::DequantizeLinear) return known_shape(n.inputs[0]);
        return std::nullopt;
    }

    const RawConstant* constant_input(const onnx::NodeProto& node, int index) const {
        if (index >= node.input_size() || node.input(index).empty()) return nullptr;
        auto it = raw_.find(resolve(node.input(index)));
        return it == raw_.end() ? nullptr : &it->second;
    }

    // Sliding-window attributes shared by Conv and MaxPool.
    void window(const onnx::NodeProto& proto, const std::string& name, const Attributes& a, Node& node) const {
        auto two = [&](const char* key, std::array<int, 2>& out) {
            auto v = ints_attr(a, key);
            if (v.empty()) return;
            if (v.size() != 2) unsupported(proto, name, fmt::format("{} with {} values (2-D only)", key, v.size()));
            for (std::size_t i = 0; i < 2; ++i) {
                if (v[i] < 1 || v[i] > 1 << 20) fail("{}: node '{}' ({}): {} {} is out of range", what_, name, proto.op_type(), key, v[i]);
                out[i] = static_cast<int>(v[i]);
            }
        };
        two("kernel_shape", node.kernel);
        two("strides", node.strides);
        two("dilations", node.dilations);
        auto pads = ints_attr(a, "pads");
        if (!pads.empty()) {
            if (pads.size() != 4) unsupported(proto, name, fmt::format("pads with {} values (2-D only)", pads.size()));
            for (std::size_t i = 0; i < 4; ++i) {
                if (pads[i] < 0 || pads[i] > 1 << 20) fail("{}: node '{}' ({}): pad {} is out of range", what_, name, proto.op_type(), pads[i]);
                node.pads[i] = static_cast<int>(pads[i]);
            }
        }
        const std::string auto_pad = string_attr(a, "auto_pad", "NOTSET");
        if (auto_pad == "NOTSET") return;
        if (auto_pad == "VALID") {
            node.pads = {0, 0, 0, 0};
            return;
        }
        if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
            // At stride 1 "same" padding does not depend on the input size.
            if (node.strides[0] != 1 || node.strides[1] != 1)
                unsupported(proto, name, fmt::format("auto_pad {} with stride > 1", auto_pad));
            for (std::size_t i = 0; i < 2; ++i) {
                const int total = node.dilations[i] * (node.kernel[i] - 1);
                const int small = total / 2, large = total - small;
                node.pads[i] = auto_pad == "SAME_UPPER" ? small : large;
                node.pads[i + 2] = auto_pad == "SAME_UPPER" ? large : small;
            }
            return;
        }
        unsupported(proto, name, fmt::format("auto_pad '{}'", auto_pad));
    }

    // ---- nodes ------------------------------------------------------------------------------
    void import_node(const onnx::NodeProto& proto, const std::string& name) {
        const std::string& op = proto.op_type();
        if (!(proto.domain().empty() || proto.domain() == "ai.onnx"))
            fail("{}: node '{}' ({}): unsupported op domain '{}'", what_, name, op, proto.domain());
        if (proto.output_size() < 1 || proto.output(0).empty())
            fail("{}: node '{}' ({}): has no output", what_, name, op);
        for (int i = 1; i < proto.output_size(); ++i)
            if (!proto.output(i).empty()) unsupported(proto, name, fmt::format("second output '{}'", proto.output(i)));

        if (op == "Constant") return import_constant(proto, name);
        if (op == "Identity") {
            attributes(proto, name, {});
            if (proto.input_size() != 1) fail("{}: node '{}' (Identity): needs one input", what_, name);
            alias_[proto.output(0)] = resolve(proto.input(0));
            return;
        }

        Node node;
        node.name = name;
        node.outputs = {proto.output(0)};
        auto add_inputs = [&](int count) {
            for (int i = 0; i < std::min(count, proto.input_size()); ++i)
                if (!proto.input(i).empty()) node.inputs.push_back(resolve(proto.input(i)));
        };
        if (op == "Conv") {
            node.op = OpKind::Conv;
            auto a = attributes(proto, name, {"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"});
            if (int_attr(a, "group", 1) != 1)
                unsupported(proto, name, fmt::format("group {} (only group 1)", int_attr(a, "group", 1)));
            if (proto.input_size() < 2) fail("{}: node '{}' (Conv): needs input and weights", what_, name);
            if (auto w = known_shape(resolve(proto.input(1)))) {
                if (w->rank() != 4) unsupported(proto, name, fmt::format("weights of shape {} (2-D convolution only)", w->str()));
                if (!a.get("kernel_shape")) node.kernel = {static_cast<int>((*w)[2]), static_cast<int>((*w)[3])};
            } else if (!a.get("kernel_shape")) {
                unsupported(proto, name, "weights that are not constant and no kernel_shape");
            }
            window(proto, name, a, node);
            add_inputs(3);
        } else if (op == "Relu") {
            node.op = OpKind::Relu;
            attributes(proto, name, {});
            add_inputs(1);
        } else if (op == "MaxPool") {
            node.op = OpKind::MaxPool;
            auto a = attributes(proto, name, {"kernel_shape", "strides", "pads", "dilations", "ceil_mode", "storage_order", "auto_pad"});
            if (!a.get("kernel_shape")) fail("{}: node '{}' (MaxPool): kernel_shape is required", what_, name);
            if (int_attr(a, "ceil_mode", 0) != 0) unsupported(proto, name, "ceil_mode 1");
            window(proto, name, a, node);
            add_inputs(1);
        } else if (op == "Resize") {
            import_resize(proto, name, node);
        } else if (op == "Upsample") {
            import_upsample(proto, name, node);
        } else if (op == "Concat") {
            node.op = OpKind::Concat;
            auto a = attributes(proto, name, {"axis"});
            if (!a.get("axis")) fail("{}: node '{}' (Concat): axis is required", what_, name);
            std::int64_t axis = int_attr(a, "axis", 1);
            if (axis < 0) axis += 4;
            if (axis < 0 || axis > 3) unsupported(proto, name, fmt::format("axis {} (rank-4 tensors)", int_attr(a, "axis", 1)));
            node.axis = static_cast<int>(axis);
            add_inputs(proto.input_size());
        } else if (op == "Add") {
            node.op = OpKind::Add;
            attributes(proto, name, {});
            add_inputs(2);
        } else if (op == "QuantizeLinear" || op == "DequantizeLinear") {
            node.op = op == "QuantizeLinear" ? OpKind::QuantizeLinear : OpKind::DequantizeLinear;
            auto a = attributes(proto, name, {"axis"});
            std::int64_t axis = int_attr(a, "axis", 1);
            if (axis < 0) axis += 4;  // activations and conv weights are rank 4
            if (axis < 0 || axis > 3) unsupported(proto, name, fmt::format("axis {}", int_attr(a, "axis", 1)));
            node.axis = static_cast<int>(axis);
            const RawConstant* scale = constant_input(proto, 1);
            if (!scale || scale->is_int64 || scale->value.dtype != DType::f32)
                unsupported(proto, name, "scale that is not a float constant");
            if (const RawConstant* zp = constant_input(proto, 2)) {
                if (zp->is_int64) unsupported(proto, name, "int64 zero point");
                if (node.op == OpKind::QuantizeLinear && zp->value.dtype != DType::u8 && zp->value.dtype != DType::s8)
                    unsupported(proto, name, fmt::format("zero point type {}", dtype_name(zp->value.dtype)));
            } else if (proto.input_size() > 2 && !proto.input(2).empty()) {
                unsupported(proto, name, "zero point that is not a constant");
            }
            add_inputs(3);
        } else {
            fail("{}: node '{}' ({}): unsupported op", what_, name, op);
        }
        graph_.nodes.push_back(std::move(node));
    }

    void import_constant(const onnx::NodeProto& proto, const std::string& name) {
        auto a = attributes(proto, name, {"value", "value_float", "value_floats", "value_int", "value_ints"});
        RawConstant rc;
        if (const auto* v = a.get("value")) {
            rc = read_tensor(v->t(), fmt::format("node '{}' (Constant) value", name));
        } else if (const auto* f = a.get("value_float")) {
            rc.value.shape = Shape{};
            rc.value.f32 = Tensor<float>(Shape{}, f->f());
        } else if (const auto* fs = a.get("value_floats")) {
            rc.value.shape = Shape{static_cast<std::int64_t>(fs->floats_size())};
            rc.value.f32 = Tensor<float>(rc.value.shape);
            std::copy(fs->floats().begin(), fs->floats().end(), rc.value.f32.begin());
        } else if (const auto* i = a.get("value_int")) {
            rc.is_int64 = true;
            rc.value.shape = Shape{};
            rc.i64 = {i->i()};
        } else if (const auto* is = a.get("value_ints")) {
            rc.is_int64 = true;
            rc.value.shape = Shape{static_cast<std::int64_t>(is->ints_size())};
            rc.i64.assign(is->ints().begin(), is->ints().end());
        } else {
            fail("{}: node '{}' (Constant): has no value", what_, name);
        }
        if (raw_.count(proto.output(0)))
            fail("{}: node '{}' (Constant): output '{}' is also an initializer", what_, name, proto.output(0));
        raw_[proto.output(0)] = std::move(rc);
    }

    // Scales for N, C, H, W from a float constant; N and C must stay 1.
    void set_scales(const onnx::NodeProto& proto, const std::string& name, const std::vector<float>& s, Node& node) const {
        if (s.size() != 4) unsupported(proto, name, fmt::format("scales with {} values (rank-4 only)", s.size()));
        if (s[0] != 1.0f || s[1] != 1.0f) unsupported(proto, name, "scaling of the batch or channel axis");
        for (std::size_t i = 2; i < 4; ++i)
            if (!(std::isfinite(s[i]) && s[i] > 0 && s[i] <= 1024))
                fail("{}: node '{}' ({}): scale {} is out of range", what_, name, proto.op_type(), s[i]);
        node.scales = {s[2], s[3]};
    }

    std::vector<float> float_values(const onnx::NodeProto& proto, const std::string& name, int index, const char* what) const {
        const RawConstant* c = constant_input(proto, index);
        if (!c) unsupported(proto, name, fmt::format("{} that are not constant", what));
        if (c->is_int64 || c->value.dtype != DType::f32) unsupported(proto, name, fmt::format("{} that are not float", what));
        return {c->value.f32.begin(), c->value.f32.end()};
    }

    void set_interp(const onnx::NodeProto& proto, const std::string& name, const std::string& mode, Node& node) const {
        if (mode == "nearest") node.interp = ResizeInterp::nearest;
        else if (mode == "linear" || mode == "bilinear") node.interp = ResizeInterp::linear;
        else unsupported(proto, name, fmt::format("mode '{}'", mode));
    }

    void import_resize(const onnx::NodeProto& proto, const std::string& name, Node& node) {
        node.op = OpKind::Resize;
        auto a = attributes(proto, name, {"mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a",
                                          "exclude_outside", "extrapolation_value"});
        set_interp(proto, name, string_attr(a, "mode", "nearest"), node);
        if (int_attr(a, "exclude_outside", 0) != 0) unsupported(proto, name, "exclude_outside 1");
        if (proto.input_size() < 1 || proto.input(0).empty()) fail("{}: node '{}' (Resize): needs an input", what_, name);
        node.inputs = {resolve(proto.input(0))};
        if (opset_ < 11) {  // Resize-10: (X, scales), asymmetric coordinates
            node.coordinate_mode = CoordinateMode::asymmetric;
            node.nearest_mode = NearestMode::floor;
            set_scales(proto, name, float_values(proto, name, 1, "scales"), node);
            return;
        }
        const std::string ctm = string_attr(a, "coordinate_transformation_mode", "half_pixel");
        if (ctm == "half_pixel") node.coordinate_mode = CoordinateMode::half_pixel;
        else if (ctm == "pytorch_half_pixel") node.coordinate_mode = CoordinateMode::pytorch_half_pixel;
        else if (ctm == "align_corners") node.coordinate_mode = CoordinateMode::align_corners;
        else if (ctm == "asymmetric") node.coordinate_mode = CoordinateMode::asymmetric;
        else unsupported(proto, name, fmt::format("coordinate_transformation_mode '{}'", ctm));
        const std::string nm = string_attr(a, "nearest_mode", "round_prefer_floor");
        if (nm == "round_prefer_floor") node.nearest_mode = NearestMode::round_prefer_floor;
        else if (nm == "round_prefer_ceil") node.nearest_mode = NearestMode::round_prefer_ceil;
        else if (nm == "floor") node.nearest_mode = NearestMode::floor;
        else if (nm == "ceil") node.nearest_mode = NearestMode::ceil;
        else unsupported(proto, name, fmt::format("nearest_mode '{}'", nm));
        // roi (input 1) only matters for tf_crop_and_resize, which is refused above.
        const RawConstant* scales = constant_input(proto, 2);
        const bool has_sizes = proto.input_size() > 3 && !proto.input(3).empty();
        if (scales && scales->value.shape.numel() > 0) {
            if (has_sizes) fail("{}: node '{}' (Resize): both scales and sizes are given", what_, name);
            set_scales(proto, name, float_values(proto, name, 2, "scales"), node);
            return;
        }
        if (!scales && proto.input_size() > 2 && !proto.input(2).empty() && !has_sizes)
            unsupported(proto, name, "scales that are not constant");
        if (!has_sizes) fail("{}: node '{}' (Resize): neither scales nor sizes are given", what_, name);
        const RawConstant* sizes = constant_input(proto, 3);
        if (!sizes || !sizes->is_int64) unsupported(proto, name, "sizes that are not an int64 constant");
        if (sizes->i64.size() != 4) unsupported(proto, name, fmt::format("sizes with {} values", sizes->i64.size()));
        for (std::size_t i = 2; i < 4; ++i)
            if (sizes->i64[i] < 1 || sizes->i64[i] > (std::int64_t{1} << 31))
                fail("{}: node '{}' (Resize): size {} is out of range", what_, name, sizes->i64[i]);
        node.sizes = {sizes->i64[2], sizes->i64[3]};
    }

    void import_upsample(const onnx::NodeProto& proto, const std::string& name, Node& node) {
        // Upsample (deprecated in opset 10): output = floor(input * scale) with asymmetric
        // coordinates; "nearest" takes the floor of the source coordinate.
        node.op = OpKind::Resize;
        auto a = attributes(proto, name, {"mode", "scales", "height_scale", "width_scale"});
        set_interp(proto, name, string_attr(a, "mode", "nearest"), node);
        node.coordinate_mode = CoordinateMode::asymmetric;
        node.nearest_mode = NearestMode::floor;
        if (proto.input_size() < 1 || proto.input(0).empty()) fail("{}: node '{}' (Upsample): needs an input", what_, name);
        node.inputs = {resolve(proto.input(0))};
        if (const auto* s = a.get("scales")) {
            set_scales(proto, name, {s->floats().begin(), s->floats().end()}, node);
        } else if (proto.input_size() > 1) {
            set_scales(proto, name, float_values(proto, name, 1, "scales"), node);
        } else if (a.get("height_scale") && a.get("width_scale")) {
            set_scales(proto, name, {1.0f, 1.0f, a.get("height_scale")->f(), a.get("width_scale")->f()}, node);
        } else {
            fail("{}: node '{}' (Upsample): has no scales", what_, name);
        }
    }
};

}  // namespace

Graph import_onnx_bytes(std::string_view bytes, const std::string& what) {
    if (bytes.empty()) fail("{}: empty file, not an ONNX model", what);
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        fail("{}: file of {} bytes is too large for a protobuf model", what, bytes.size());
    onnx::ModelProto model;
    if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        fail("{}: not a valid ONNX model (truncated or corrupt protobuf)", what);
    return Importer(what).run(model);
}

Graph import_onnx(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) fail("{}: no such model file", file.string());
    std::ifstream in(file, std::ios::binary);
    if (!in) fail("{}: cannot open the model file", file.string());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) fail("{}: read error", file.string());
    return import_onnx_bytes(buffer.str(), file.string());
}

}  // namespace tomoedge::model
