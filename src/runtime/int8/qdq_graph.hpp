#pragma once
// The quantized graph form: what an int8 backend receives, and how it reads it.
//
// On disk and in the IR an int8 model is a QDQ graph (the form ONNX Runtime and TensorRT run;
// tomoedge quantize writes it): a float graph in which every quantized tensor t is wrapped as
//     t_float -> QuantizeLinear(scale, zero_point) -> t_q -> DequantizeLinear(same) -> t_dq
// and consumers read t_dq. Weights are int8 constants with a per-output-channel
// DequantizeLinear (axis 0, zero point 0); biases are int32 constants with a DequantizeLinear of
// scale input_scale x weight_scale[o] (zero point 0). Activations are u8 or s8, one scale and
// zero point per tensor. MaxPool, Resize and Concat output the scale and zero point of their
// input(s) (the quantizer unifies concat inputs), so they need no requantization.
//
// lower_qdq() turns that graph into an Int8Graph: the integer program the QDQ graph stands for,
// with the Q/DQ pairs folded away and each op's quantization parameters computed once, in one
// struct per op (TFLite's OpData). Its steps read and write integer tensors (the t_q names):
//
//   input:  QuantizeLinear of the float graph input, round half to even (ONNX), saturate
//   Conv:   acc = bias_q[o] + sum (x - x_zp) * w_q          int32 accumulation, weight zp 0
//           y = clamp(x_zp' + MultiplyByQuantizedMultiplier(acc, M[o]), act_min, act_max)
//           M[o] = x_scale * w_scale[o] / y_scale (double, then Q31 + shift: int8/fixed_point.hpp);
//           a Relu between the Conv and its QuantizeLinear is fused as act_min = max(qmin, y_zp)
//   MaxPool: max of the stored integers (same scale and zero point in and out)
//   Resize:  bilinear on the stored integers: see reference/int8_kernels.hpp for the rounding
//   Concat:  a copy of the stored integers (scales equal by construction)
//   output: DequantizeLinear (y - zp) * scale to float — or, in "mobile-compatible" mode, the
//           stored integers themselves (uint8 in, uint8 out, as on the Edge TPU)
//
// A backend executes the steps in order; a step's integer inputs are produced by earlier steps or
// the input quantization. Anything else (a float op between DQ and Q, a requantizing MaxPool,
// a Q/DQ pair that does not match) is refused by lower_qdq with an Error naming the node.
#include "core/tensor.hpp"
#include "model/graph.hpp"
#include "runtime/int8/fixed_point.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tomoedge::runtime::int8 {

/// How an activation tensor is stored.
enum class ActType { u8, s8 };
std::string_view act_type_name(ActType t);

/// Affine per-tensor quantization: real = (q - zero_point) * scale, q in [qmin, qmax].
struct QuantParams {
    float scale = 1.0f;
    std::int32_t zero_point = 0;
    ActType type = ActType::u8;
    std::int32_t qmin() const { return type == ActType::u8 ? 0 : -128; }
    std::int32_t qmax() const { return type == ActType::u8 ? 255 : 127; }
    bool operator==(const QuantParams&) const = default;
};

/// TFLite-style per-op quantization data of a convolution (ConvParams + per-channel OpData).
struct ConvQuant {
    std::int32_t input_offset = 0;   // -input zero point
    std::int32_t output_offset = 0;  // output zero point
    std::vector<QuantizedMultiplier> output_multiplier;  // one per output channel
    std::vector<float> weight_scale;                     // one per output channel
    std::int32_t activation_min = 0, activation_max = 255;  // clamp; a fused ReLU raises the min
    bool fused_relu = false;
};

struct Step {
    model::OpKind op = model::OpKind::Conv;  // Conv, MaxPool, Resize or Concat
    model::Node node;                        // the float node: geometry and attributes
    std::vector<std::string> inputs;         // integer tensors
    std::string output;                      // integer tensor
    QuantParams out;                         // of `output`
    // Conv only
    Tensor<std::int8_t> weights;  // (O, C, KH, KW), symmetric, zero point 0
    Tensor<std::int32_t> bias;    // (O,), scale input_scale * weight_scale[o]; zeros when the Conv had none
    ConvQuant conv;
};

struct Int8Graph {
    std::string float_input;   // the graph's float input
    std::string input;         // its quantized tensor
    QuantParams input_q;
    std::vector<Step> steps;
    std::string output;        // the quantized tensor the graph output dequantizes
    QuantParams output_q;
    std::string float_output;  // the graph's float output
};

/// True when the graph holds QuantizeLinear/DequantizeLinear nodes (a QDQ int8 model).
bool is_qdq(const model::Graph& graph);

/// The integer program of a (validated) QDQ graph. Throws Error naming the node that does not
/// fit the form above.
Int8Graph lower_qdq(const model::Graph& graph);

/// QuantizeLinear of one float (round half to even, saturate) and DequantizeLinear of one integer.
std::int32_t quantize_value(float x, const QuantParams& q);
float dequantize_value(std::int32_t q, const QuantParams& p);

}  // namespace tomoedge::runtime::int8
