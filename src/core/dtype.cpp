#include "core/dtype.hpp"

#include "core/error.hpp"

namespace tomoedge {

DType parse_dtype(std::string_view text) {
    if (text == "u8" || text == "uint8") return DType::u8;
    if (text == "s8" || text == "int8") return DType::s8;
    if (text == "u16" || text == "uint16") return DType::u16;
    if (text == "s32" || text == "int32") return DType::s32;
    if (text == "f32" || text == "float32" || text == "float") return DType::f32;
    fail("unknown dtype '{}' (expected u8, u16 or f32)", text);
}

}  // namespace tomoedge
