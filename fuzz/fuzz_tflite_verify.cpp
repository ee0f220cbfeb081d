// The TFLite writer's own verifier (quant::verify_tflite) on mutated files, seeded with what the
// writer exports. The verifier is what export trusts before writing a file; whenever it accepts
// bytes, reading every field of the model through the generated accessors must stay inside the
// buffer (ASan checks each read: libFuzzer hands over a heap copy of exactly `size` bytes).
#include "fuzz_support.hpp"

#include "quant/tflite/schema_generated.h"
#include "quant/tflite_export.hpp"

#include <cstring>
#include <string_view>

namespace {
namespace tfl = tomoedge::tflite;

// Touches a value (its bytes: floats may be NaN) so that the read cannot be optimised away.
volatile std::uint64_t sink = 0;
template <typename T>
void touch(const T& v) {
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    for (unsigned char b : bytes) sink = sink + b;
}

template <typename V>
void touch_all(const V* vector) {
    if (vector == nullptr) return;
    for (auto v : *vector) touch(v);
}

void touch_string(const flatbuffers::String* s) {
    if (s == nullptr) return;
    for (char c : std::string_view(s->c_str(), s->size())) touch(static_cast<unsigned char>(c));
}

void walk_quantization(const tfl::QuantizationParameters* q) {
    if (q == nullptr) return;
    touch_all(q->min());
    touch_all(q->max());
    touch_all(q->scale());
    // The verifier checks vectors for 4-byte alignment only, so the 8-byte zero points of a buffer it
    // accepts may sit misaligned (flatbuffers' typed accessor would then be a misaligned load): read
    // their bytes. Our writer aligns them (tflite_export.cpp builds with flatbuffers' builder).
    if (const auto* zp = q->zero_point())
        for (std::size_t i = 0; i < zp->size() * sizeof(std::int64_t); ++i) touch(zp->Data()[i]);
    touch(q->quantized_dimension());
    if (const auto* custom = q->details_as_CustomQuantization()) touch_all(custom->custom());
}

void walk_operator(const tfl::Operator* op) {
    touch(op->opcode_index());
    touch_all(op->inputs());
    touch_all(op->outputs());
    touch_all(op->custom_options());
    touch_all(op->intermediates());
    if (const auto* c = op->builtin_options_as_Conv2DOptions()) {
        touch(c->stride_w()), touch(c->stride_h()), touch(c->padding());
        touch(c->dilation_w_factor()), touch(c->dilation_h_factor());
    }
    if (const auto* p = op->builtin_options_as_Pool2DOptions()) {
        touch(p->filter_width()), touch(p->filter_height()), touch(p->stride_w()), touch(p->stride_h());
    }
    if (const auto* c = op->builtin_options_as_ConcatenationOptions()) touch(c->axis());
    if (const auto* r = op->builtin_options_as_ResizeBilinearOptions()) touch(r->align_corners()), touch(r->half_pixel_centers());
}

void walk(const tfl::Model* model) {
    touch(model->version());
    touch_string(model->description());
    if (const auto* codes = model->operator_codes())
        for (const auto* code : *codes) {
            touch(code->builtin_code()), touch(code->deprecated_builtin_code()), touch(code->version());
            touch_string(code->custom_code());
        }
    if (const auto* buffers = model->buffers())
        for (const auto* buffer : *buffers) touch_all(buffer->data());
    if (const auto* subgraphs = model->subgraphs())
        for (const auto* sg : *subgraphs) {
            touch_string(sg->name());
            touch_all(sg->inputs());
            touch_all(sg->outputs());
            if (const auto* tensors = sg->tensors())
                for (const auto* t : *tensors) {
                    touch_all(t->shape());
                    touch(t->type()), touch(t->buffer()), touch(t->is_variable());
                    touch_string(t->name());
                    walk_quantization(t->quantization());
                }
            if (const auto* ops = sg->operators())
                for (const auto* op : *ops) walk_operator(op);
        }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tomoedge::fuzz::setup();
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (tomoedge::quant::verify_tflite(bytes)) walk(tfl::GetModel(data));
    return 0;
}
