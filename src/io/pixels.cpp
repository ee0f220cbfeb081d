#include "io/pixels.hpp"

#include "core/checks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

namespace tomoedge::io {
namespace {

template <typename T>
void round_clamp(std::span<const float> in, std::byte* out) {
    constexpr float lo = static_cast<float>(std::numeric_limits<T>::lowest());
    // For s32 the largest float not above INT32_MAX is 2147483520; clamp there so the cast is
    // defined.
    constexpr float hi = std::is_same_v<T, std::int32_t> ? 2147483520.0f : static_cast<float>(std::numeric_limits<T>::max());
    T* dst = reinterpret_cast<T*>(out);
    for (std::size_t i = 0; i < in.size(); ++i) dst[i] = static_cast<T>(std::round(std::clamp(in[i], lo, hi)));
}

template <typename T>
void widen(const std::byte* in, std::span<float> out) {
    for (std::size_t i = 0; i < out.size(); ++i) {
        T v;
        std::memcpy(&v, in + i * sizeof(T), sizeof(T));
        out[i] = static_cast<float>(v);
    }
}

}  // namespace

double dtype_min(DType t) {
    switch (t) {
        case DType::u8: return 0;
        case DType::s8: return -128;
        case DType::u16: return 0;
        case DType::s32: return std::numeric_limits<std::int32_t>::lowest();
        case DType::f32: return std::numeric_limits<float>::lowest();
    }
    return 0;
}

double dtype_max(DType t) {
    switch (t) {
        case DType::u8: return 255;
        case DType::s8: return 127;
        case DType::u16: return 65535;
        case DType::s32: return std::numeric_limits<std::int32_t>::max();
        case DType::f32: return std::numeric_limits<float>::max();
    }
    return 0;
}

void convert_from_float(std::span<const float> in, DType t, std::byte* out, std::string_view what) {
    require_finite(in, what);
    switch (t) {
        case DType::u8: round_clamp<std::uint8_t>(in, out); return;
        case DType::s8: round_clamp<std::int8_t>(in, out); return;
        case DType::u16: round_clamp<std::uint16_t>(in, out); return;
        case DType::s32: round_clamp<std::int32_t>(in, out); return;
        case DType::f32: std::memcpy(out, in.data(), in.size_bytes()); return;
    }
}

void convert_to_float(const std::byte* in, DType t, std::span<float> out) {
    switch (t) {
        case DType::u8: widen<std::uint8_t>(in, out); return;
        case DType::s8: widen<std::int8_t>(in, out); return;
        case DType::u16: widen<std::uint16_t>(in, out); return;
        case DType::s32: widen<std::int32_t>(in, out); return;
        case DType::f32: std::memcpy(out.data(), in, out.size_bytes()); return;
    }
}

}  // namespace tomoedge::io
