#include "support/error_message.hpp"
#include "core/error.hpp"
#include "model/graph_builders.hpp"
#include "model/onnx_builders.hpp"
#include "model/onnx_export.hpp"
#include "model/onnx_import.hpp"
#include "model/tomogan.hpp"
#include "support/cli_runner.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

constexpr auto error_of = &tomoedge::testing::message_of;

using namespace tomoedge;
using namespace tomoedge::model;
using namespace tomoedge::testing;

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool same_constant(const Constant& a, const Constant& b) {
    if (a.dtype != b.dtype || a.shape != b.shape) return false;
    if (a.dtype == DType::f32) return std::equal(a.f32.begin(), a.f32.end(), b.f32.begin(), b.f32.end());
    return std::equal(a.ints.begin(), a.ints.end(), b.ints.begin(), b.ints.end());
}

bool same_node(const Node& a, const Node& b) {
    return a.name == b.name && a.op == b.op && a.inputs == b.inputs && a.outputs == b.outputs && a.kernel == b.kernel &&
           a.strides == b.strides && a.dilations == b.dilations && a.pads == b.pads && a.axis == b.axis &&
           a.scales == b.scales && a.coordinate_mode == b.coordinate_mode && a.interp == b.interp &&
           (a.interp == ResizeInterp::linear || a.nearest_mode == b.nearest_mode) && a.sizes == b.sizes;
}

void expect_same_graph(const Graph& a, const Graph& b) {
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.input, b.input);
    EXPECT_EQ(a.output, b.output);
    EXPECT_EQ(a.input_channels, b.input_channels);
    EXPECT_EQ(a.metadata, b.metadata);
    ASSERT_EQ(a.nodes.size(), b.nodes.size());
    for (std::size_t i = 0; i < a.nodes.size(); ++i) EXPECT_TRUE(same_node(a.nodes[i], b.nodes[i])) << a.nodes[i].name;
    ASSERT_EQ(a.constants.size(), b.constants.size());
    for (const auto& [name, c] : a.constants) {
        ASSERT_TRUE(b.is_constant(name)) << name;
        EXPECT_TRUE(same_constant(c, b.constant(name))) << name;
    }
}

// input(1 ch) -> Q(u8 per tensor) -> DQ -> Conv(DQ(int8 weights per channel), int32 bias via DQ) -> output
Graph qdq_graph() {
    Graph g;
    g.name = "qdq";
    g.input_channels = 1;
    g.constants["a_s"] = float_constant(Shape{}, {0.05f});
    g.constants["a_zp"] = int_constant(DType::u8, Shape{}, {128});
    g.constants["w_q"] = int_constant(DType::s8, Shape{2, 1, 3, 3}, {1, -2, 3, -4, 5, -6, 7, -8, 127, -128, 0, 1, 2, 3, 4, 5, 6, 7});
    g.constants["w_s"] = float_constant(Shape{2}, {0.01f, 0.02f});
    g.constants["w_zp"] = int_constant(DType::s8, Shape{2}, {0, 0});
    g.constants["b_q"] = int_constant(DType::s32, Shape{2}, {1000, -70000});
    g.constants["b_s"] = float_constant(Shape{2}, {0.0005f, 0.001f});
    g.nodes.push_back(make_node("q", OpKind::QuantizeLinear, {"input", "a_s", "a_zp"}, "xq"));
    g.nodes.push_back(make_node("dq", OpKind::DequantizeLinear, {"xq", "a_s", "a_zp"}, "xd"));
    g.nodes.push_back(make_node("wdq", OpKind::DequantizeLinear, {"w_q", "w_s", "w_zp"}, "w"));
    g.nodes.back().axis = 0;
    g.nodes.push_back(make_node("bdq", OpKind::DequantizeLinear, {"b_q", "b_s"}, "b"));
    g.nodes.back().axis = 0;
    g.nodes.push_back(make_node("conv", OpKind::Conv, {"xd", "w", "b"}, "output"));
    g.nodes.back().kernel = {3, 3};
    g.nodes.back().pads = {1, 0, 2, 1};
    validate(g);
    return g;
}

}  // namespace

TEST(OnnxExport, TomoGanRoundTripsExactly) {
    TomoGanConfig c;
    c.width = 0.25;
    c.seed = 3;
    const Graph g = build_tomogan(c);
    const std::string bytes = export_onnx_bytes(g);
    const Graph back = import_onnx_bytes(bytes, "mem.onnx");
    expect_same_graph(g, back);

    onnx::ModelProto m;
    ASSERT_TRUE(m.ParseFromString(bytes));
    EXPECT_EQ(m.opset_import(0).version(), 13);
    const auto& in = m.graph().input(0).type().tensor_type().shape();
    EXPECT_EQ(in.dim(0).dim_param(), "N");
    EXPECT_EQ(in.dim(1).dim_value(), 3);
    EXPECT_EQ(in.dim(2).dim_param(), "H");
    EXPECT_EQ(in.dim(3).dim_param(), "W");
    EXPECT_EQ(m.graph().output(0).type().tensor_type().shape().dim(1).dim_value(), 1);
    bool random = false;
    for (const auto& p : m.metadata_props()) random = random || (p.key() == "tomoedge.weights" && p.value() == "random");
    EXPECT_TRUE(random);
}

TEST(OnnxExport, QdqAndNearestAndAsymmetricPadsRoundTrip) {
    Graph g = qdq_graph();
    g.nodes.push_back(make_node("near", OpKind::Resize, {"output"}, "up"));
    g.nodes.back().interp = ResizeInterp::nearest;
    g.nodes.back().coordinate_mode = CoordinateMode::asymmetric;
    g.nodes.back().nearest_mode = NearestMode::floor;
    g.nodes.back().scales = {2.0f, 3.0f};
    g.nodes.push_back(make_node("pool", OpKind::MaxPool, {"up"}, "final"));
    g.nodes.back().kernel = {3, 2};
    g.nodes.back().strides = {2, 1};
    g.nodes.back().dilations = {1, 2};
    g.nodes.back().pads = {1, 0, 1, 0};
    g.output = "final";
    validate(g);
    expect_same_graph(g, import_onnx_bytes(export_onnx_bytes(g), "mem.onnx"));
}

TEST(OnnxExport, WritesAtomicallyAndRefusesInvalidGraphs) {
    TempDir dir;
    const Graph g = build_tomogan(TomoGanConfig{1, 0.125, 5, {}});
    export_onnx(g, dir / "m.onnx");
    expect_same_graph(g, import_onnx(dir / "m.onnx"));
    Graph bad = tiny_graph();
    bad.nodes[1].inputs = {"nothing"};
    EXPECT_THROW(export_onnx(bad, dir / "bad.onnx"), Error);
    EXPECT_FALSE(std::filesystem::exists(dir / "bad.onnx"));
    EXPECT_EQ(dir.entry_count(), 1u);
    Graph sized = tiny_graph();
    sized.nodes.push_back(make_node("up", OpKind::Resize, {"output"}, "big"));
    sized.nodes.back().sizes = {8, 8};
    sized.output = "big";
    EXPECT_NE(error_of([&] { export_onnx_bytes(sized); }).find("node 'up' (Resize)"), std::string::npos);
}

TEST(OnnxImport, PytorchTomoGanFixtureStructure) {
    const Graph g = import_onnx(fixture("pytorch/tomogan_small.onnx"));
    EXPECT_EQ(g.input_channels, 3);
    int convs = 0, resizes = 0;
    for (const auto& n : g.nodes) {
        convs += n.op == OpKind::Conv;
        if (n.op == OpKind::Resize) {
            ++resizes;
            EXPECT_EQ(n.coordinate_mode, CoordinateMode::half_pixel);  // F.interpolate(align_corners=False)
            EXPECT_EQ(n.scales, (std::array<float, 2>{2.0f, 2.0f}));
        }
    }
    EXPECT_EQ(convs, 16);
    EXPECT_EQ(resizes, 3);
    EXPECT_EQ(spatial_multiple(g), (std::array<std::int64_t, 2>{8, 8}));
    EXPECT_EQ(infer_shapes(g, Shape{1, 3, 32, 48}).at(g.output), (Shape{1, 1, 32, 48}));
}

TEST(OnnxImport, TruncatedGarbageAndEmptyFilesAreErrors) {
    TempDir dir;
    const std::string good = read_file(fixture("pytorch/tomogan_small.onnx"));
    for (std::size_t cut : {good.size() / 2, good.size() - 1, std::size_t{10}, std::size_t{1}}) {
        std::ofstream(dir / "cut.onnx", std::ios::binary).write(good.data(), static_cast<std::streamsize>(cut));
        const std::string msg = error_of([&] { import_onnx(dir / "cut.onnx"); });
        EXPECT_NE(msg.find("cut.onnx"), std::string::npos) << msg;
    }
    std::string garbage(4096, '\0');
    for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 2654435761u) >> 13);
    std::ofstream(dir / "garbage.onnx", std::ios::binary) << garbage;
    EXPECT_NE(error_of([&] { import_onnx(dir / "garbage.onnx"); }).find("garbage.onnx"), std::string::npos);
    std::ofstream(dir / "empty.onnx").close();
    EXPECT_NE(error_of([&] { import_onnx(dir / "empty.onnx"); }).find("empty"), std::string::npos);
    EXPECT_NE(error_of([&] { import_onnx(dir / "missing.onnx"); }).find("no such model file"), std::string::npos);
    std::ofstream(dir / "text.onnx") << "this is not a model\n";
    EXPECT_NE(error_of([&] { import_onnx(dir / "text.onnx"); }).find("text.onnx"), std::string::npos);
}

TEST(OnnxImport, UnsupportedOpAndAttributeNameTheNode) {
    auto m = onnx_model(13, 1);
    onnx_node(m, "Sigmoid", "squash", {"x"}, "y");
    EXPECT_EQ(error_of([&] { import_onnx_bytes(serialize(m), "f.onnx"); }), "f.onnx: node 'squash' (Sigmoid): unsupported op");

    auto g2 = onnx_model(13, 2);
    onnx_float_init(g2, "w", {2, 1, 1, 1}, {1, 1});
    onnx_int(onnx_node(g2, "Conv", "grouped", {"x", "w"}, "y"), "group", 2);
    EXPECT_EQ(error_of([&] { import_onnx_bytes(serialize(g2), "f.onnx"); }),
              "f.onnx: node 'grouped' (Conv): unsupported group 2 (only group 1)");

    auto a = onnx_model(13, 1);
    onnx_int(onnx_node(a, "Relu", "r", {"x"}, "y"), "alpha", 1);
    EXPECT_NE(error_of([&] { import_onnx_bytes(serialize(a), "f.onnx"); }).find("node 'r' (Relu): unsupported attribute 'alpha'"),
              std::string::npos);

    auto p = onnx_model(13, 1);
    auto* pool = onnx_node(p, "MaxPool", "", {"x"}, "y");
    onnx_ints(pool, "kernel_shape", {2, 2});
    onnx_int(pool, "ceil_mode", 1);
    EXPECT_NE(error_of([&] { import_onnx_bytes(serialize(p), "f.onnx"); }).find("node 'MaxPool_0' (MaxPool): unsupported ceil_mode"),
              std::string::npos);

    auto r = onnx_model(13, 1);
    onnx_float_init(r, "s", {4}, {1, 1, 2, 2});
    auto* rs = onnx_node(r, "Resize", "cubic", {"x", "", "s"}, "y");
    onnx_string(rs, "mode", "cubic");
    EXPECT_NE(error_of([&] { import_onnx_bytes(serialize(r), "f.onnx"); }).find("node 'cubic' (Resize): unsupported mode 'cubic'"),
              std::string::npos);

    auto s = onnx_model(13, 1);
    onnx_float_init(s, "w", {1, 1, 3, 3}, std::vector<float>(9, 1.0f));
    auto* same = onnx_node(s, "Conv", "c", {"x", "w"}, "y");
    onnx_string(same, "auto_pad", "SAME_UPPER");
    onnx_ints(same, "strides", {2, 2});
    EXPECT_NE(error_of([&] { import_onnx_bytes(serialize(s), "f.onnx"); }).find("node 'c' (Conv): unsupported auto_pad SAME_UPPER with stride > 1"),
              std::string::npos);
}

TEST(OnnxImport, CycleDanglingAndChannelErrors) {
    auto c = onnx_model(13, 1);
    onnx_node(c, "Add", "a", {"x", "b_out"}, "a_out");
    onnx_node(c, "Relu", "b", {"a_out"}, "b_out");
    onnx_node(c, "Relu", "out", {"a_out"}, "y");
    const std::string cycle = error_of([&] { import_onnx_bytes(serialize(c), "c.onnx"); });
    EXPECT_NE(cycle.find("c.onnx: node '"), std::string::npos) << cycle;
    EXPECT_NE(cycle.find("cycle"), std::string::npos) << cycle;

    auto d = onnx_model(13, 1);
    onnx_node(d, "Add", "sum", {"x", "ghost"}, "y");
    EXPECT_NE(error_of([&] { import_onnx_bytes(serialize(d), "d.onnx"); }).find("d.onnx: node 'sum' (Add): input 'ghost'"),
              std::string::npos);

    auto w = onnx_model(13, 3);
    onnx_float_init(w, "w", {4, 2, 3, 3}, std::vector<float>(72, 0.5f));
    onnx_node(w, "Conv", "first", {"x", "w"}, "y");
    const std::string channels = error_of([&] { import_onnx_bytes(serialize(w), "w.onnx"); });
    EXPECT_NE(channels.find("w.onnx"), std::string::npos) << channels;
    EXPECT_NE(channels.find("node 'first' (Conv): input has 3 channels"), std::string::npos) << channels;

    auto two_out = onnx_model(13, 1);
    two_out.mutable_graph()->add_output()->set_name("z");
    onnx_node(two_out, "Relu", "r", {"x"}, "y");
    EXPECT_NE(error_of([&] { import_onnx_bytes(serialize(two_out), "o.onnx"); }).find("2 outputs"), std::string::npos);
}

TEST(OnnxImport, OverflowingAndInconsistentInitializers) {
    auto m = onnx_model(13, 1);
    auto* t = m.mutable_graph()->add_initializer();
    t->set_name("huge");
    t->set_data_type(onnx::TensorProto_DataType_FLOAT);
    t->add_dims(std::int64_t{1} << 40);
    t->add_dims(std::int64_t{1} << 40);
    onnx_node(m, "Add", "a", {"x", "huge"}, "y");
    EXPECT_NE(error_of([&] { import_onnx_bytes(serialize(m), "h.onnx"); }).find("overflows"), std::string::npos);

    auto n = onnx_model(13, 1);
    onnx_float_init(n, "w", {1, 1, 3, 3}, {1, 2, 3}, true);  // 3 values for 9
    onnx_node(n, "Conv", "c", {"x", "w"}, "y");
    EXPECT_NE(error_of([&] { import_onnx_bytes(serialize(n), "n.onnx"); }).find("initializer 'w'"), std::string::npos);

    auto neg = onnx_model(13, 1);
    onnx_float_init(neg, "w", {1, -1, 3, 3}, {});
    onnx_node(neg, "Conv", "c", {"x", "w"}, "y");
    EXPECT_NE(error_of([&] { import_onnx_bytes(serialize(neg), "n.onnx"); }).find("negative"), std::string::npos);

    auto dyn = onnx_model(13, 1);
    dyn.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(1)->set_dim_param("C");
    onnx_node(dyn, "Relu", "r", {"x"}, "y");
    EXPECT_NE(error_of([&] { import_onnx_bytes(serialize(dyn), "c.onnx"); }).find("fixed channel count"), std::string::npos);
}

TEST(OnnxImport, KerasStyleUpsampleAutoPadConstantsAndIdentity) {
    // Opset 9: Upsample with a scales input from a Constant node; SAME_UPPER conv with typed
    // float_data weights; Identity folded; int8 per-axis DequantizeLinear weights in raw_data.
    auto m = onnx_model(9, 2);
    onnx_float_init(m, "w", {1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
    auto* conv = onnx_node(m, "Conv", "same", {"x", "w"}, "c");
    onnx_string(conv, "auto_pad", "SAME_UPPER");
    auto* k = onnx_node(m, "Constant", "k", {}, "scales");
    auto* attr = k->add_attribute();
    attr->set_name("value_floats");
    attr->set_type(onnx::AttributeProto_AttributeType_FLOATS);
    for (float v : {1.0f, 1.0f, 2.0f, 2.0f}) attr->add_floats(v);
    onnx_node(m, "Identity", "id", {"c"}, "c2");
    onnx_string(onnx_node(m, "Upsample", "up", {"c2", "scales"}, "y"), "mode", "linear");
    const Graph g = import_onnx_bytes(serialize(m), "k.onnx");
    ASSERT_EQ(g.nodes.size(), 2u);
    EXPECT_EQ(g.nodes[0].pads, (std::array<int, 4>{0, 0, 1, 1}));
    EXPECT_EQ(g.nodes[1].inputs[0], "c");  // Identity folded away
    EXPECT_EQ(g.nodes[1].coordinate_mode, CoordinateMode::asymmetric);
    EXPECT_EQ(g.nodes[1].scales, (std::array<float, 2>{2.0f, 2.0f}));
    EXPECT_EQ(g.constants.count("scales"), 0u);  // consumed as an attribute
    EXPECT_EQ(infer_shapes(g, Shape{1, 2, 5, 7}).at("y"), (Shape{1, 1, 10, 14}));

    auto q = onnx_model(13, 1);
    auto* wq = q.mutable_graph()->add_initializer();
    wq->set_name("wq");
    wq->set_data_type(onnx::TensorProto_DataType_INT8);
    for (auto d : {2, 1, 1, 1}) wq->add_dims(d);
    wq->set_raw_data(std::string{static_cast<char>(-3), static_cast<char>(100)});
    onnx_float_init(q, "ws", {2}, {0.5f, 0.25f}, true);
    auto* zp = q.mutable_graph()->add_initializer();
    zp->set_name("wz");
    zp->set_data_type(onnx::TensorProto_DataType_INT8);
    zp->add_dims(2);
    zp->add_int32_data(0);
    zp->add_int32_data(-1);
    onnx_int(onnx_node(q, "DequantizeLinear", "wdq", {"wq", "ws", "wz"}, "w"), "axis", 0);
    onnx_node(q, "Conv", "c", {"x", "w"}, "y");
    const Graph gq = import_onnx_bytes(serialize(q), "q.onnx");
    EXPECT_EQ(gq.constant("wq").dtype, DType::s8);
    EXPECT_EQ(gq.constant("wq").ints[0], -3);
    EXPECT_EQ(gq.constant("wq").ints[1], 100);
    EXPECT_EQ(gq.constant("wz").ints[1], -1);
    EXPECT_EQ(gq.nodes[0].axis, 0);
    EXPECT_EQ(gq.nodes[1].kernel, (std::array<int, 2>{1, 1}));
}

TEST(OnnxImport, ResizeWithSizesAndOpset10) {
    auto m = onnx_model(13, 1);
    auto* sizes = m.mutable_graph()->add_initializer();
    sizes->set_name("sizes");
    sizes->set_data_type(onnx::TensorProto_DataType_INT64);
    sizes->add_dims(4);
    for (std::int64_t v : {1, 1, 7, 9}) sizes->add_int64_data(v);
    auto* r = onnx_node(m, "Resize", "fixed", {"x", "", "", "sizes"}, "y");
    onnx_string(r, "mode", "linear");
    onnx_string(r, "coordinate_transformation_mode", "align_corners");
    const Graph g = import_onnx_bytes(serialize(m), "s.onnx");
    EXPECT_EQ(g.nodes[0].sizes, (std::array<std::int64_t, 2>{7, 9}));
    EXPECT_EQ(g.nodes[0].coordinate_mode, CoordinateMode::align_corners);
    EXPECT_TRUE(g.constants.empty());

    auto old = onnx_model(10, 1);
    onnx_float_init(old, "s", {4}, {1, 1, 2, 2});
    onnx_node(old, "Resize", "r10", {"x", "s"}, "y");
    const Graph g10 = import_onnx_bytes(serialize(old), "10.onnx");
    EXPECT_EQ(g10.nodes[0].coordinate_mode, CoordinateMode::asymmetric);
    EXPECT_EQ(g10.nodes[0].interp, ResizeInterp::nearest);

    auto batch = onnx_model(13, 1);
    onnx_float_init(batch, "s", {4}, {2, 1, 2, 2});
    onnx_node(batch, "Resize", "rb", {"x", "", "s"}, "y");
    EXPECT_NE(error_of([&] { import_onnx_bytes(serialize(batch), "b.onnx"); }).find("node 'rb' (Resize): unsupported scaling"),
              std::string::npos);
}
