#pragma once
// Hand-built ONNX ModelProtos for importer tests (what other exporters could produce).
#include <onnx/onnx_pb.h>

#include <cstring>
#include <string>
#include <vector>

namespace tomoedge::testing {

inline onnx::ModelProto onnx_model(int opset, std::int64_t channels, const std::string& input = "x",
                                   const std::string& output = "y") {
    onnx::ModelProto m;
    m.set_ir_version(7);
    auto* op = m.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    auto* g = m.mutable_graph();
    g->set_name("test");
    auto* in = g->add_input();
    in->set_name(input);
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto_DataType_FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_param("N");
    tt->mutable_shape()->add_dim()->set_dim_value(channels);
    tt->mutable_shape()->add_dim()->set_dim_param("H");
    tt->mutable_shape()->add_dim()->set_dim_param("W");
    g->add_output()->set_name(output);
    return m;
}

inline onnx::NodeProto* onnx_node(onnx::ModelProto& m, const std::string& op, const std::string& name,
                                  std::vector<std::string> inputs, const std::string& output) {
    auto* n = m.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (auto& i : inputs) n->add_input(i);
    n->add_output(output);
    return n;
}

inline void onnx_ints(onnx::NodeProto* n, const std::string& key, std::vector<std::int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto_AttributeType_INTS);
    for (auto x : v) a->add_ints(x);
}
inline void onnx_int(onnx::NodeProto* n, const std::string& key, std::int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto_AttributeType_INT);
    a->set_i(v);
}
inline void onnx_string(onnx::NodeProto* n, const std::string& key, const std::string& v) {
    auto* a = n->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto_AttributeType_STRING);
    a->set_s(v);
}
inline void onnx_floats(onnx::NodeProto* n, const std::string& key, std::vector<float> v) {
    auto* a = n->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto_AttributeType_FLOATS);
    for (auto x : v) a->add_floats(x);
}

/// Float initializer in float_data (typed field) or raw_data.
inline onnx::TensorProto* onnx_float_init(onnx::ModelProto& m, const std::string& name, std::vector<std::int64_t> dims,
                                          std::vector<float> values, bool raw = false) {
    auto* t = m.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_FLOAT);
    for (auto d : dims) t->add_dims(d);
    if (raw) {
        std::string bytes(values.size() * 4, '\0');
        std::memcpy(bytes.data(), values.data(), bytes.size());
        t->set_raw_data(bytes);
    } else {
        for (float v : values) t->add_float_data(v);
    }
    return t;
}

inline std::string serialize(const onnx::ModelProto& m) {
    std::string s;
    m.SerializeToString(&s);
    return s;
}

}  // namespace tomoedge::testing
