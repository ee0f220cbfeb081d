#pragma once
// Element types that cross file and model boundaries.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tomoedge {

enum class DType { u8, s8, u16, s32, f32 };

constexpr std::string_view dtype_name(DType t) {
    switch (t) {
        case DType::u8: return "u8";
        case DType::s8: return "s8";
        case DType::u16: return "u16";
        case DType::s32: return "s32";
        case DType::f32: return "f32";
    }
    return "?";
}

constexpr std::size_t dtype_size(DType t) {
    switch (t) {
        case DType::u8:
        case DType::s8: return 1;
        case DType::u16: return 2;
        case DType::s32:
        case DType::f32: return 4;
    }
    return 0;
}

/// Parses "u8", "u16", "f32" (also "uint8", "uint16", "float32"); throws Error otherwise.
DType parse_dtype(std::string_view text);

template <typename T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<std::uint8_t>() { return DType::u8; }
template <> constexpr DType dtype_of<std::int8_t>() { return DType::s8; }
template <> constexpr DType dtype_of<std::uint16_t>() { return DType::u16; }
template <> constexpr DType dtype_of<std::int32_t>() { return DType::s32; }
template <> constexpr DType dtype_of<float>() { return DType::f32; }

}  // namespace tomoedge
