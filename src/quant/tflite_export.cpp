#include "quant/tflite_export.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "quant/tflite/schema_generated.h"

#include <charconv>
#include <fstream>

namespace tomoedge::quant {

namespace {

namespace tfl = tomoedge::tflite;
using model::Node;
using model::OpKind;
using runtime::int8::ActType;
using runtime::int8::Int8Graph;
using runtime::int8::QuantParams;
using runtime::int8::Step;

constexpr std::uint32_t schema_version = 3;

// The TFLite op versions that declare what we use (TFLite's op_version rules): int8 kernels
// are version 2, per-channel int8 conv 3, bilinear resize with half-pixel centres 3.
constexpr int conv_version = 3, pool_version = 2, concat_version = 2, quantize_version = 2;

std::string_view builtin_name(tfl::BuiltinOperator op) { return tfl::EnumNameBuiltinOperator(op); }

// NCHW axis -> NHWC axis.
int nhwc_axis(int axis) {
    if (axis < 0) axis += 4;
    constexpr int map[4] = {0, 3, 1, 2};
    return map[axis];
}

std::vector<std::int32_t> nhwc(const Shape& s) {
    return {static_cast<std::int32_t>(s[0]), static_cast<std::int32_t>(s[2]), static_cast<std::int32_t>(s[3]),
            static_cast<std::int32_t>(s[1])};
}

QuantParams as_type(QuantParams q, ActType type) {
    if (q.type == type) return q;
    q.zero_point += type == ActType::s8 ? -128 : 128;
    q.type = type;
    return q;
}

// TFLite output size and leading pad of SAME / VALID along one axis, as its kernels compute them.
struct AxisPadding {
    std::int64_t out = 0, before = 0, after = 0;
};
AxisPadding tflite_padding(tfl::Padding padding, std::int64_t in, int kernel, int stride, int dilation) {
    const std::int64_t effective = std::int64_t{kernel - 1} * dilation + 1;
    AxisPadding p;
    if (padding == tfl::Padding_VALID) {
        p.out = (in - effective + stride) / stride;
        return p;
    }
    p.out = (in + stride - 1) / stride;
    const std::int64_t total = std::max<std::int64_t>((p.out - 1) * stride + effective - in, 0);
    p.before = total / 2;
    p.after = total - p.before;
    return p;
}

// The TFLite padding that equals the node's explicit ONNX pads for this input size, if any.
tfl::Padding padding_for(const Node& n, const Shape& in, const Shape& out) {
    for (tfl::Padding padding : {tfl::Padding_VALID, tfl::Padding_SAME}) {
        bool same = true;
        for (int axis = 0; axis < 2; ++axis) {
            const AxisPadding p = tflite_padding(padding, in[2 + axis], n.kernel[axis], n.strides[axis], n.dilations[axis]);
            same = same && p.out == out[2 + axis] && p.before == n.pads[axis] && p.after == n.pads[2 + axis];
        }
        if (same) return padding;
    }
    fail("node '{}' ({}): pads {},{},{},{} for a {} x {} input are neither TFLite SAME nor VALID padding", n.name,
         model::op_name(n.op), n.pads[0], n.pads[1], n.pads[2], n.pads[3], in[2], in[3]);
}

class Writer {
public:
    Writer() {
        buffers_.push_back(tfl::CreateBuffer(b_));  // the empty sentinel every data-less tensor points at
    }

    int add_buffer(const void* data, std::size_t bytes) {
        const auto* p = static_cast<const std::uint8_t*>(data);
        const std::vector<std::uint8_t> v(p, p + bytes);
        buffers_.push_back(tfl::CreateBufferDirect(b_, &v));
        parameter_bytes_ += static_cast<std::int64_t>(bytes);
        return static_cast<int>(buffers_.size() - 1);
    }

    int add_tensor(const std::string& name, const std::vector<std::int32_t>& shape, tfl::TensorType type,
                   int buffer, const std::vector<float>& scale, const std::vector<std::int64_t>& zero_point,
                   int quantized_dimension = 0) {
        auto q = tfl::CreateQuantizationParametersDirect(b_, nullptr, nullptr, &scale, &zero_point,
                                                         tfl::QuantizationDetails_NONE, 0, quantized_dimension);
        tensors_.push_back(tfl::CreateTensorDirect(b_, &shape, type, static_cast<std::uint32_t>(buffer), name.c_str(), q));
        return static_cast<int>(tensors_.size() - 1);
    }

    int add_activation(const std::string& name, const std::vector<std::int32_t>& shape, const QuantParams& q) {
        const int index = add_tensor(name, shape, q.type == ActType::s8 ? tfl::TensorType_INT8 : tfl::TensorType_UINT8,
                                     0, {q.scale}, {q.zero_point});
        activation_[name] = index;
        return index;
    }

    int activation(const std::string& name) const {
        auto it = activation_.find(name);
        if (it == activation_.end()) fail("TFLite export: tensor '{}' is read before it is written", name);
        return it->second;
    }

    void add_operator(tfl::BuiltinOperator op, int version, const std::vector<std::int32_t>& inputs,
                      const std::vector<std::int32_t>& outputs, tfl::BuiltinOptions options_type = tfl::BuiltinOptions_NONE,
                      flatbuffers::Offset<void> options = 0) {
        std::uint32_t code = 0;
        while (code < codes_.size() && codes_[code] != std::pair{op, version}) ++code;
        if (code == codes_.size()) codes_.emplace_back(op, version);
        operators_.push_back(tfl::CreateOperatorDirect(b_, code, &inputs, &outputs, options_type, options));
        ++operator_counts_[std::string(builtin_name(op))];
    }

    flatbuffers::FlatBufferBuilder& builder() { return b_; }

    std::string finish(const std::string& description, int input, int output) {
        std::vector<flatbuffers::Offset<tfl::OperatorCode>> codes;
        for (const auto& [op, version] : codes_)
            codes.push_back(tfl::CreateOperatorCode(b_, static_cast<std::int8_t>(op), 0, version, op));
        const std::vector<std::int32_t> inputs{input}, outputs{output};
        const std::vector<flatbuffers::Offset<tfl::SubGraph>> subgraphs{
            tfl::CreateSubGraphDirect(b_, &tensors_, &inputs, &outputs, &operators_, "main")};
        tfl::FinishModelBuffer(b_, tfl::CreateModelDirect(b_, schema_version, &codes, &subgraphs, description.c_str(), &buffers_));
        return {reinterpret_cast<const char*>(b_.GetBufferPointer()), b_.GetSize()};
    }

    std::int64_t parameter_bytes() const { return parameter_bytes_; }
    std::int64_t tensor_count() const { return static_cast<std::int64_t>(tensors_.size()); }
    const std::map<std::string, int>& operator_counts() const { return operator_counts_; }

private:
    flatbuffers::FlatBufferBuilder b_{1 << 16};
    std::vector<flatbuffers::Offset<tfl::Buffer>> buffers_;
    std::vector<flatbuffers::Offset<tfl::Tensor>> tensors_;
    std::vector<flatbuffers::Offset<tfl::Operator>> operators_;
    std::vector<std::pair<tfl::BuiltinOperator, int>> codes_;
    std::map<std::string, int> activation_;
    std::map<std::string, int> operator_counts_;
    std::int64_t parameter_bytes_ = 0;
};

class Exporter {
public:
    Exporter(const model::Graph& s8, const Int8Graph& program, const std::map<std::string, Shape>& shapes)
        : g_(s8), p_(program), shapes_(shapes) {}

    void conv(const Step& s) {
        const Node& n = s.node;
        const Shape& in = shapes_.at(s.inputs[0]);
        const Shape& out = shapes_.at(s.output);
        const tfl::Padding padding = padding_for(n, in, out);
        // Weights OIHW -> OHWI.
        const std::int64_t O = s.weights.dim(0), I = s.weights.dim(1), KH = s.weights.dim(2), KW = s.weights.dim(3);
        std::vector<std::int8_t> w(static_cast<std::size_t>(s.weights.size()));
        for (std::int64_t o = 0; o < O; ++o)
            for (std::int64_t i = 0; i < I; ++i)
                for (std::int64_t y = 0; y < KH; ++y)
                    for (std::int64_t x = 0; x < KW; ++x)
                        w[static_cast<std::size_t>(((o * KH + y) * KW + x) * I + i)] = s.weights[((o * I + i) * KH + y) * KW + x];
        const QuantParams in_q = g_in(s.inputs[0]);
        std::vector<float> bias_scale;
        for (float ws : s.conv.weight_scale) bias_scale.push_back(in_q.scale * ws);  // TFLite checks this product
        const std::vector<std::int64_t> zeros(static_cast<std::size_t>(O), 0);
        const int weights = w_.add_tensor(n.name + ".weights", {static_cast<std::int32_t>(O), static_cast<std::int32_t>(KH),
                                                                static_cast<std::int32_t>(KW), static_cast<std::int32_t>(I)},
                                          tfl::TensorType_INT8, w_.add_buffer(w.data(), w.size()), s.conv.weight_scale, zeros, 0);
        const int bias = w_.add_tensor(n.name + ".bias", {static_cast<std::int32_t>(O)}, tfl::TensorType_INT32,
                                       w_.add_buffer(s.bias.data(), static_cast<std::size_t>(s.bias.size()) * 4), bias_scale,
                                       zeros, 0);
        const int input = w_.activation(s.inputs[0]);
        const int output = w_.add_activation(s.output, nhwc(out), s.out);
        auto options = tfl::CreateConv2DOptions(w_.builder(), padding, n.strides[1], n.strides[0],
                                                s.conv.fused_relu ? tfl::ActivationFunctionType_RELU : tfl::ActivationFunctionType_NONE,
                                                n.dilations[1], n.dilations[0]);
        w_.add_operator(tfl::BuiltinOperator_CONV_2D, conv_version, {input, weights, bias}, {output},
                        tfl::BuiltinOptions_Conv2DOptions, options.Union());
    }

    void maxpool(const Step& s) {
        const Node& n = s.node;
        const Shape& in = shapes_.at(s.inputs[0]);
        const Shape& out = shapes_.at(s.output);
        if (n.dilations[0] != 1 || n.dilations[1] != 1)
            fail("node '{}' (MaxPool): dilated pooling has no TFLite op", n.name);
        const tfl::Padding padding = padding_for(n, in, out);
        const int input = w_.activation(s.inputs[0]);
        const int output = w_.add_activation(s.output, nhwc(out), s.out);
        auto options = tfl::CreatePool2DOptions(w_.builder(), padding, n.strides[1], n.strides[0], n.kernel[1], n.kernel[0],
                                                tfl::ActivationFunctionType_NONE);
        w_.add_operator(tfl::BuiltinOperator_MAX_POOL_2D, pool_version, {input}, {output},
                        tfl::BuiltinOptions_Pool2DOptions, options.Union());
    }

    void resize(const Step& s) {
        const Node& n = s.node;
        const Shape& out = shapes_.at(s.output);
        if (n.interp != model::ResizeInterp::linear)
            fail("node '{}' (Resize): nearest-neighbour resize is not exported (supported: bilinear)", n.name);
        bool half_pixel = false, align = false;
        switch (n.coordinate_mode) {
            case model::CoordinateMode::half_pixel: half_pixel = true; break;
            case model::CoordinateMode::pytorch_half_pixel:
                // Equal to half_pixel unless an output axis has one pixel.
                if (out[2] == 1 || out[3] == 1)
                    fail("node '{}' (Resize): pytorch_half_pixel to a single pixel has no TFLite equivalent", n.name);
                half_pixel = true;
                break;
            case model::CoordinateMode::align_corners: align = true; break;
            case model::CoordinateMode::asymmetric: break;
        }
        const std::vector<std::int32_t> size_data{static_cast<std::int32_t>(out[2]), static_cast<std::int32_t>(out[3])};
        const int size = w_.add_tensor(n.name + ".size", {2}, tfl::TensorType_INT32,
                                       w_.add_buffer(size_data.data(), size_data.size() * 4), {}, {});
        const int input = w_.activation(s.inputs[0]);
        const int output = w_.add_activation(s.output, nhwc(out), s.out);
        auto options = tfl::CreateResizeBilinearOptions(w_.builder(), align, half_pixel);
        w_.add_operator(tfl::BuiltinOperator_RESIZE_BILINEAR, half_pixel ? 3 : 2, {input, size}, {output},
                        tfl::BuiltinOptions_ResizeBilinearOptions, options.Union());
    }

    void concat(const Step& s) {
        std::vector<std::int32_t> inputs;
        for (const auto& in : s.inputs) inputs.push_back(w_.activation(in));
        const int output = w_.add_activation(s.output, nhwc(shapes_.at(s.output)), s.out);
        auto options = tfl::CreateConcatenationOptions(w_.builder(), nhwc_axis(s.node.axis), tfl::ActivationFunctionType_NONE);
        w_.add_operator(tfl::BuiltinOperator_CONCATENATION, concat_version, inputs, {output},
                        tfl::BuiltinOptions_ConcatenationOptions, options.Union());
    }

    TfliteExport run(ActType io) {
        TfliteExport result;
        result.io = io;
        // Input: the io-typed tensor the caller fills, then (u8) a QUANTIZE to int8.
        const Shape& in_shape = shapes_.at(p_.input);
        result.input_q = as_type(p_.input_q, io);
        int graph_input = 0;
        if (io == ActType::s8) {
            graph_input = w_.add_activation(p_.input, nhwc(in_shape), p_.input_q);
        } else {
            graph_input = w_.add_activation(p_.float_input, nhwc(in_shape), result.input_q);
            const int q = w_.add_activation(p_.input, nhwc(in_shape), p_.input_q);
            w_.add_operator(tfl::BuiltinOperator_QUANTIZE, quantize_version, {graph_input}, {q});
        }
        for (const Step& s : p_.steps) {
            switch (s.op) {
                case OpKind::Conv: conv(s); break;
                case OpKind::MaxPool: maxpool(s); break;
                case OpKind::Resize: resize(s); break;
                case OpKind::Concat: concat(s); break;
                default: fail("node '{}' ({}): has no TFLite export", s.node.name, model::op_name(s.op));
            }
        }
        const Shape& out_shape = shapes_.at(p_.output);
        result.output_q = as_type(p_.output_q, io);
        int graph_output = w_.activation(p_.output);
        if (io == ActType::u8) {
            const int out = w_.add_activation(p_.float_output, nhwc(out_shape), result.output_q);
            w_.add_operator(tfl::BuiltinOperator_QUANTIZE, quantize_version, {graph_output}, {out});
            graph_output = out;
        }
        const auto in_nhwc = nhwc(in_shape), out_nhwc = nhwc(out_shape);
        std::copy(in_nhwc.begin(), in_nhwc.end(), result.input_shape.begin());
        std::copy(out_nhwc.begin(), out_nhwc.end(), result.output_shape.begin());
        result.bytes = w_.finish("tomoedge " + g_.name + " (full-integer int8)", graph_input, graph_output);
        result.operators = w_.operator_counts();
        result.parameter_bytes = w_.parameter_bytes();
        result.tensors = w_.tensor_count();
        return result;
    }

private:
    QuantParams g_in(const std::string& tensor) const {
        if (tensor == p_.input) return p_.input_q;
        for (const Step& s : p_.steps)
            if (s.output == tensor) return s.out;
        fail("TFLite export: no quantization parameters for '{}'", tensor);
    }

    const model::Graph& g_;
    const Int8Graph& p_;
    const std::map<std::string, Shape>& shapes_;
    Writer w_;
};

}  // namespace

model::Graph with_s8_activations(const model::Graph& qdq) {
    model::Graph g = qdq.clone();
    for (const Node& n : g.nodes) {
        if (n.op != OpKind::QuantizeLinear && n.op != OpKind::DequantizeLinear) continue;
        if (n.inputs.size() < 3 || g.is_constant(n.inputs[0])) continue;  // weights and biases: already signed
        auto it = g.constants.find(n.inputs[2]);
        if (it == g.constants.end() || it->second.dtype != DType::u8) continue;
        it->second.dtype = DType::s8;
        for (auto& z : it->second.ints) z -= 128;
    }
    return g;
}

TfliteExport export_tflite_bytes(const model::Graph& qdq, const TfliteOptions& options) {
    if (!runtime::int8::is_qdq(qdq))
        fail("graph '{}': is a float model; TFLite export needs a QDQ int8 model (make one with tomoedge quantize)", qdq.name);
    if (options.height < 1 || options.width < 1)
        fail("graph '{}': input size {} x {} is empty", qdq.name, options.height, options.width);
    model::Graph s8 = with_s8_activations(qdq);
    model::validate(s8);
    const Int8Graph program = runtime::int8::lower_qdq(s8);
    const ActType io = options.io.value_or(runtime::int8::lower_qdq(qdq).input_q.type);
    const auto multiple = model::spatial_multiple(s8);
    if (options.height % multiple[0] != 0 || options.width % multiple[1] != 0)
        fail("graph '{}': input size {} x {} is not a multiple of {} x {} (the network's pooling grid)", qdq.name,
             options.height, options.width, multiple[0], multiple[1]);
    const auto shapes = model::infer_shapes(s8, Shape{1, s8.input_channels, options.height, options.width});
    TfliteExport result = Exporter(s8, program, shapes).run(io);
    if (!verify_tflite(result.bytes))
        fail("graph '{}': the written TFLite flatbuffer fails the flatbuffers verifier", qdq.name);
    return result;
}

TfliteExport export_tflite(const model::Graph& qdq, const TfliteOptions& options, const std::filesystem::path& file) {
    TfliteExport result = export_tflite_bytes(qdq, options);
    AtomicFile atomic(file);
    {
        std::ofstream out(atomic.temp_path(), std::ios::binary);
        if (!out) fail("{}: cannot create the file", file.string());
        out.write(result.bytes.data(), static_cast<std::streamsize>(result.bytes.size()));
        out.close();
        if (!out) fail("{}: write failed (disk full?)", file.string());
    }
    atomic.commit();
    return result;
}

bool verify_tflite(std::string_view bytes) {
    if (bytes.size() < 8 || !tfl::ModelBufferHasIdentifier(bytes.data())) return false;
    flatbuffers::Verifier verifier(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    return tfl::VerifyModelBuffer(verifier);
}

std::array<std::int64_t, 2> parse_input_size(std::string_view text) {
    auto number = [&](std::string_view part) {
        std::int64_t v = 0;
        const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
        if (ec != std::errc() || end != part.data() + part.size() || v < 1 || v > 65536)
            fail("--input '{}': expected HxW with sizes 1 to 65536, e.g. 64x64", text);
        return v;
    };
    const auto x = text.find_first_of("xX");
    if (x == std::string_view::npos) {
        const std::int64_t v = number(text);
        return {v, v};
    }
    return {number(text.substr(0, x)), number(text.substr(x + 1))};
}

}  // namespace tomoedge::quant
