#include "model/onnx_export.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>

namespace tomoedge::model {

namespace {

void set_tensor(onnx::TensorProto& t, const std::string& name, const Constant& c) {
    t.set_name(name);
    for (auto d : c.shape.dims()) t.add_dims(d);
    std::string raw;
    switch (c.dtype) {
        case DType::f32:
            t.set_data_type(onnx::TensorProto_DataType_FLOAT);
            raw.resize(static_cast<std::size_t>(c.f32.size()) * 4);
            if (!raw.empty()) std::memcpy(raw.data(), c.f32.data(), raw.size());
            break;
        case DType::s32:
            t.set_data_type(onnx::TensorProto_DataType_INT32);
            raw.resize(static_cast<std::size_t>(c.ints.size()) * 4);
            if (!raw.empty()) std::memcpy(raw.data(), c.ints.data(), raw.size());
            break;
        case DType::u8:
        case DType::s8:
            t.set_data_type(c.dtype == DType::u8 ? onnx::TensorProto_DataType_UINT8 : onnx::TensorProto_DataType_INT8);
            for (auto v : c.ints) raw.push_back(static_cast<char>(static_cast<std::uint8_t>(v)));
            break;
        default: fail("ONNX export: constant '{}' has unsupported type {}", name, dtype_name(c.dtype));
    }
    t.set_raw_data(raw);
}

void add_ints(onnx::NodeProto& n, const char* key, std::initializer_list<std::int64_t> values) {
    auto* a = n.add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto_AttributeType_INTS);
    for (auto v : values) a->add_ints(v);
}
void add_int(onnx::NodeProto& n, const char* key, std::int64_t value) {
    auto* a = n.add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto_AttributeType_INT);
    a->set_i(value);
}
void add_string(onnx::NodeProto& n, const char* key, std::string_view value) {
    auto* a = n.add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto_AttributeType_STRING);
    a->set_s(std::string(value));
}

void set_value_info(onnx::ValueInfoProto& vi, const std::string& name, const std::array<std::string, 4>& params,
                    const std::array<std::int64_t, 4>& values) {
    vi.set_name(name);
    auto* tt = vi.mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto_DataType_FLOAT);
    auto* shape = tt->mutable_shape();
    for (std::size_t i = 0; i < 4; ++i) {
        auto* d = shape->add_dim();
        if (!params[i].empty()) d->set_dim_param(params[i]);
        else if (values[i] > 0) d->set_dim_value(values[i]);
    }
}

std::string_view resize_mode(ResizeInterp interp) { return interp == ResizeInterp::linear ? "linear" : "nearest"; }

}  // namespace

std::string export_onnx_bytes(const Graph& source, const StaticInput& static_input) {
    // Validate a copy: export must not reorder the caller's graph, and must refuse a broken one.
    Graph graph = source.clone();
    validate(graph);

    onnx::ModelProto model;
    model.set_ir_version(7);  // the IR version of opset 13
    model.set_producer_name("tomoedge");
    model.set_producer_version(TOMOEDGE_MODEL_VERSION);
    auto* opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(onnx_export_opset);
    for (const auto& [key, value] : source.metadata) {
        auto* p = model.add_metadata_props();
        p->set_key(key);
        p->set_value(value);
    }

    onnx::GraphProto* g = model.mutable_graph();
    g->set_name(source.name);
    if (static_input) {
        const auto [h, w] = *static_input;
        const auto multiple = spatial_multiple(source);
        if (h < 1 || w < 1 || h % multiple[0] != 0 || w % multiple[1] != 0)
            fail("ONNX export of '{}': static input size {} x {} is not a positive multiple of {} x {} (the network's "
                 "pooling grid)", source.name, h, w, multiple[0], multiple[1]);
        const Shape in{1, source.input_channels, h, w};
        const Shape out = infer_shapes(source, in).at(source.output);
        set_value_info(*g->add_input(), source.input, {"", "", "", ""}, {1, in[1], in[2], in[3]});
        set_value_info(*g->add_output(), source.output, {"", "", "", ""}, {1, out[1], out[2], out[3]});
    } else {
        set_value_info(*g->add_input(), source.input, {"N", "", "H", "W"}, {0, source.input_channels, 0, 0});
    }

    // The output's channel count from shape inference at a small nominal size; spatial sizes
    // are symbolic ("H", "W" when the network keeps the input size).
    if (!static_input) {
        const auto multiple = spatial_multiple(source);
        const Shape nominal{1, source.input_channels, multiple[0] * 4, multiple[1] * 4};
        const Shape out = infer_shapes(source, nominal).at(source.output);
        set_value_info(*g->add_output(), source.output,
                       {"N", "", out[2] == nominal[2] ? "H" : "H_out", out[3] == nominal[3] ? "W" : "W_out"},
                       {0, out[1], 0, 0});
    }
    for (const auto& [name, c] : source.constants) set_tensor(*g->add_initializer(), name, c);

    for (const Node& node : graph.nodes) {
        onnx::NodeProto* n = g->add_node();
        n->set_name(node.name);
        n->set_op_type(std::string(op_name(node.op)));
        for (const auto& in : node.inputs) n->add_input(in);
        n->add_output(node.outputs[0]);
        switch (node.op) {
            case OpKind::Conv:
            case OpKind::MaxPool:
                add_ints(*n, "kernel_shape", {node.kernel[0], node.kernel[1]});
                add_ints(*n, "strides", {node.strides[0], node.strides[1]});
                add_ints(*n, "pads", {node.pads[0], node.pads[1], node.pads[2], node.pads[3]});
                add_ints(*n, "dilations", {node.dilations[0], node.dilations[1]});
                if (node.op == OpKind::Conv) add_int(*n, "group", 1);
                break;
            case OpKind::Resize: {
                if (node.sizes[0] > 0)
                    fail("ONNX export: node '{}' (Resize) has fixed output sizes, which opset {} cannot state with a "
                         "symbolic batch", node.name, onnx_export_opset);
                n->add_input("");  // roi
                const std::string scales = node.name + ".scales";
                if (source.is_constant(scales) || source.is_constant(node.name + ".roi"))
                    fail("ONNX export: node '{}' (Resize): constant name '{}' is taken", node.name, scales);
                n->add_input(scales);
                Constant s;
                s.shape = Shape{4};
                s.f32 = Tensor<float>(s.shape);
                s.f32[0] = 1;
                s.f32[1] = 1;
                s.f32[2] = node.scales[0];
                s.f32[3] = node.scales[1];
                set_tensor(*g->add_initializer(), scales, s);
                add_string(*n, "mode", resize_mode(node.interp));
                add_string(*n, "coordinate_transformation_mode", coordinate_mode_name(node.coordinate_mode));
                if (node.interp == ResizeInterp::nearest) add_string(*n, "nearest_mode", nearest_mode_name(node.nearest_mode));
                break;
            }
            case OpKind::Concat: add_int(*n, "axis", node.axis); break;
            case OpKind::QuantizeLinear:
            case OpKind::DequantizeLinear:
                add_int(*n, "axis", node.axis);
                break;
            case OpKind::Relu:
            case OpKind::Add: break;
        }
    }

    try {
        onnx::checker::check_model(model);
    } catch (const std::exception& e) {
        fail("ONNX export of '{}': the ONNX checker rejects the model: {}", source.name, e.what());
    }
    std::string bytes;
    if (!model.SerializeToString(&bytes)) fail("ONNX export of '{}': serialization failed (model over 2 GB?)", source.name);
    return bytes;
}

void export_onnx(const Graph& graph, const std::filesystem::path& file, const StaticInput& static_input) {
    const std::string bytes = export_onnx_bytes(graph, static_input);
    AtomicFile atomic(file);
    {
        std::ofstream out(atomic.temp_path(), std::ios::binary);
        if (!out) fail("{}: cannot create the file", file.string());
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) fail("{}: write failed (disk full?)", file.string());
    }
    atomic.commit();
}

}  // namespace tomoedge::model
