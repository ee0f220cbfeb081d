#pragma once
// QDQ int8 ONNX model -> full-integer TensorFlow Lite flatbuffer (the form the Edge TPU compiler
// takes). The QDQ graph is lowered by runtime::int8::lower_qdq, so the file holds exactly the
// integer program our int8 backends run:
//   - static input shape 1 x H x W x C (NHWC), u8 or s8 at the ends; inside, every activation is
//     int8 (TFLite has no uint8 conv with per-channel int8 weights, so u8 activations with zero
//     point z are stored as int8 with zero point z - 128: the same integers shifted, bit for bit
//     the same arithmetic except bilinear Resize, whose int8 kernel rounds where u8 truncates);
//   - CONV_2D with int8 per-output-channel weights (OHWI), int32 bias, fused ReLU; MAX_POOL_2D;
//     RESIZE_BILINEAR (half_pixel_centers / align_corners); CONCATENATION (inputs share one scale);
//   - QUANTIZE at the input and output only when the end type differs from int8 (u8 in/out),
//     with the same scale: a shift of the zero point by 128.
// Every file is checked with the flatbuffers verifier of our schema (tflite/schema.fbs).
#include "model/graph.hpp"
#include "runtime/int8/qdq_graph.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tomoedge::quant {

/// The Edge TPU's on-chip parameter memory: models whose parameters fit run without streaming
/// weights from the host.
inline constexpr std::int64_t edgetpu_parameter_memory = 8 << 20;

struct TfliteOptions {
    std::int64_t height = 64, width = 64;  // the static input size (the paper's 64 x 64 tiles)
    /// Type of the input and output tensors; unset = the model's activation type.
    std::optional<runtime::int8::ActType> io;
};

struct TfliteExport {
    std::string bytes;  // the flatbuffer, verified
    std::array<std::int64_t, 4> input_shape{}, output_shape{};  // NHWC
    runtime::int8::ActType io = runtime::int8::ActType::u8;
    runtime::int8::QuantParams input_q, output_q;  // of the end tensors, in the io type
    std::map<std::string, int> operators;          // TFLite op name -> count
    std::int64_t parameter_bytes = 0;              // weights, biases and other constant data
    std::int64_t tensors = 0;
};

/// The same QDQ graph with u8 activations stored as s8 (every u8 activation zero point z becomes
/// the s8 zero point z - 128). The integer program is the u8 one shifted by -128, except that
/// bilinear Resize uses TFLite's int8 kernel: the arithmetic the exported TFLite model runs.
model::Graph with_s8_activations(const model::Graph& qdq);

/// The TFLite flatbuffer of a QDQ int8 graph. Throws Error naming the node or option that does
/// not fit (a float model, an op or padding TFLite cannot express, an input size the network
/// does not divide).
TfliteExport export_tflite_bytes(const model::Graph& qdq, const TfliteOptions& options);

/// export_tflite_bytes, written to `file` atomically.
TfliteExport export_tflite(const model::Graph& qdq, const TfliteOptions& options, const std::filesystem::path& file);

/// True when `bytes` is a well-formed TFLite flatbuffer of our schema (identifier "TFL3",
/// every offset and vector inside the buffer).
bool verify_tflite(std::string_view bytes);

/// "64x64" or "64" -> {64, 64}; throws Error for anything else (zero, negative, junk).
std::array<std::int64_t, 2> parse_input_size(std::string_view text);

}  // namespace tomoedge::quant
