#include "live/frame.hpp"

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace tomoedge::live {
namespace {

// The wire format is little-endian; decoding by memcpy relies on the host being so too (x86-64
// and arm64 are). A big-endian port would swap bytes here.
static_assert(std::endian::native == std::endian::little, "live frames are little-endian; add a byte swap");

struct PixelName {
    PixelType type;
    const char* name;
    std::size_t bytes;
};
constexpr PixelName kPixelNames[] = {
    {PixelType::u8, "uint8", 1},   {PixelType::u16, "uint16", 2},  {PixelType::u32, "uint32", 4},
    {PixelType::i16, "int16", 2},  {PixelType::i32, "int32", 4},   {PixelType::f32, "float32", 4},
    {PixelType::f64, "float64", 8},
};

const PixelName& pixel_name(PixelType type) {
    for (const auto& p : kPixelNames)
        if (p.type == type) return p;
    return kPixelNames[0];
}

std::string pixel_type_list() {
    std::string s;
    for (const auto& p : kPixelNames) s += (s.empty() ? "" : ", ") + std::string(p.name);
    return s;
}

std::optional<FrameType> parse_frame_type(std::string_view name) {
    for (FrameType t : {FrameType::dark, FrameType::flat, FrameType::projection, FrameType::end})
        if (frame_type_name(t) == name) return t;
    return std::nullopt;
}

// A non-negative integer field, or -1 when absent.
std::int64_t count_field(const nlohmann::json& j, const char* key, const std::string& who) {
    if (!j.contains(key)) return -1;
    const auto& v = j[key];
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
        fail("{}: header field \"{}\" must be a non-negative integer, got {}", who, key, v.dump());
    return v.get<std::int64_t>();
}

template <typename T>
void convert_rows(const std::byte* src, std::int64_t count, float* out) {
    for (std::int64_t i = 0; i < count; ++i) {
        T v;
        std::memcpy(&v, src + i * static_cast<std::int64_t>(sizeof(T)), sizeof(T));
        out[i] = static_cast<float>(v);
    }
}

template <typename T>
void encode(std::span<const float> values, std::byte* out) {
    std::vector<T> typed(values.size());
    if constexpr (std::is_integral_v<T> && sizeof(T) <= 2) {
        // Detector counts: clamp and round in float (exact for 8- and 16-bit ranges), a loop the
        // compiler vectorises; replay encodes every frame it sends.
        const float lo = std::numeric_limits<T>::lowest(), hi = std::numeric_limits<T>::max();
        for (std::size_t i = 0; i < values.size(); ++i) {
            const float c = std::min(std::max(values[i], lo), hi);
            typed[i] = static_cast<T>(c + (c >= 0 ? 0.5f : -0.5f));
        }
    } else if constexpr (std::is_integral_v<T>) {
        const double lo = static_cast<double>(std::numeric_limits<T>::lowest());
        const double hi = static_cast<double>(std::numeric_limits<T>::max());
        for (std::size_t i = 0; i < values.size(); ++i)
            typed[i] = static_cast<T>(std::nearbyint(std::clamp(static_cast<double>(values[i]), lo, hi)));
    } else {
        for (std::size_t i = 0; i < values.size(); ++i) typed[i] = static_cast<T>(values[i]);
    }
    std::memcpy(out, typed.data(), typed.size() * sizeof(T));
}

}  // namespace

std::string_view frame_type_name(FrameType type) {
    switch (type) {
        case FrameType::dark: return "dark";
        case FrameType::flat: return "flat";
        case FrameType::projection: return "projection";
        case FrameType::end: return "end";
    }
    return "?";
}

std::string_view pixel_type_name(PixelType type) { return pixel_name(type).name; }
std::size_t pixel_bytes(PixelType type) { return pixel_name(type).bytes; }

std::optional<PixelType> parse_pixel_type(std::string_view name) {
    for (const auto& p : kPixelNames)
        if (name == p.name) return p.type;
    return std::nullopt;
}

std::string describe(const FrameHeader& h, const std::string& origin) {
    if (h.type == FrameType::end) return fmt::format("end-of-scan message from {}", origin);
    return fmt::format("{} {} from {}", frame_type_name(h.type), h.index, origin);
}

FrameHeader parse_header(std::string_view text, const std::string& origin) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        fail("{}: frame header is not valid JSON ({}): '{}'", origin, e.what(),
             std::string(text.substr(0, 120)));
    }
    if (!j.is_object()) fail("{}: frame header must be a JSON object, got '{}'", origin, j.dump().substr(0, 120));
    if (!j.contains("type") || !j["type"].is_string())
        fail("{}: frame header has no \"type\" (dark, flat, projection or end): {}", origin, j.dump().substr(0, 120));
    const auto type = parse_frame_type(j["type"].get<std::string>());
    if (!type)
        fail("{}: unknown frame type \"{}\" (expected dark, flat, projection or end)", origin,
             j["type"].get<std::string>());
    FrameHeader h;
    h.type = *type;
    const std::string who = h.type == FrameType::end ? origin + " (end message)" : origin;
    h.projections = count_field(j, "projections", who);
    h.darks = count_field(j, "darks", who);
    h.flats = count_field(j, "flats", who);
    if (j.contains("time")) {
        if (!j["time"].is_number()) fail("{}: header field \"time\" must be a number (seconds since the epoch)", who);
        h.sent_at = j["time"].get<double>();
    }
    if (h.type == FrameType::end) {
        if (h.projections < 0) fail("{}: the end message must give \"projections\" (the number sent)", who);
        return h;
    }
    h.index = count_field(j, "index", who);
    if (h.index < 0) fail("{}: {} frame has no \"index\"", who, frame_type_name(h.type));
    const std::string frame = describe(h, origin);
    if (!j.contains("shape") || !j["shape"].is_array() || j["shape"].size() != 2 || !j["shape"][0].is_number_integer() ||
        !j["shape"][1].is_number_integer() || j["shape"][0].get<std::int64_t>() < 1 ||
        j["shape"][1].get<std::int64_t>() < 1)
        fail("{}: \"shape\" must be [rows, cols] of positive integers, got {}", frame,
             j.contains("shape") ? j["shape"].dump() : "nothing");
    h.rows = j["shape"][0].get<std::int64_t>();
    h.cols = j["shape"][1].get<std::int64_t>();
    if (!j.contains("dtype") || !j["dtype"].is_string())
        fail("{}: header has no \"dtype\" (one of {})", frame, pixel_type_list());
    const auto dtype = parse_pixel_type(j["dtype"].get<std::string>());
    if (!dtype) fail("{}: unsupported dtype \"{}\" (one of {})", frame, j["dtype"].get<std::string>(), pixel_type_list());
    h.dtype = *dtype;
    if (h.type == FrameType::projection) {
        if (!j.contains("angle") || !j["angle"].is_number())
            fail("{}: a projection needs \"angle\" (degrees)", frame);
        h.angle_deg = j["angle"].get<double>();
        if (!std::isfinite(h.angle_deg)) fail("{}: angle {} is not finite", frame, h.angle_deg);
    }
    return h;
}

std::string format_header(const FrameHeader& h) {
    nlohmann::json j;
    j["type"] = frame_type_name(h.type);
    if (h.type != FrameType::end) {
        j["index"] = h.index;
        if (h.type == FrameType::projection) j["angle"] = h.angle_deg;
        j["shape"] = {h.rows, h.cols};
        j["dtype"] = pixel_type_name(h.dtype);
    }
    if (h.projections >= 0) j["projections"] = h.projections;
    if (h.darks >= 0) j["darks"] = h.darks;
    if (h.flats >= 0) j["flats"] = h.flats;
    if (h.sent_at) j["time"] = *h.sent_at;
    return j.dump();
}

void decode_rows(const FrameHeader& h, std::span<const std::byte> bytes, std::int64_t row_first, std::int64_t row_count,
                 float* out, const std::string& origin) {
    const auto px = static_cast<std::int64_t>(pixel_bytes(h.dtype));
    const std::int64_t expected = h.rows * h.cols * px;
    if (static_cast<std::int64_t>(bytes.size()) != expected)
        fail("{}: frame has {} bytes but its header says {} x {} {} = {} bytes", describe(h, origin), bytes.size(),
             h.rows, h.cols, pixel_type_name(h.dtype), expected);
    if (row_first < 0 || row_count < 0 || row_first + row_count > h.rows)
        fail("{}: rows {}..{} are outside the frame's {} rows", describe(h, origin), row_first, row_first + row_count,
             h.rows);
    const std::byte* src = bytes.data() + row_first * h.cols * px;
    const std::int64_t n = row_count * h.cols;
    switch (h.dtype) {
        case PixelType::u8: convert_rows<std::uint8_t>(src, n, out); break;
        case PixelType::u16: convert_rows<std::uint16_t>(src, n, out); break;
        case PixelType::u32: convert_rows<std::uint32_t>(src, n, out); break;
        case PixelType::i16: convert_rows<std::int16_t>(src, n, out); break;
        case PixelType::i32: convert_rows<std::int32_t>(src, n, out); break;
        case PixelType::f32: convert_rows<float>(src, n, out); break;
        case PixelType::f64: convert_rows<double>(src, n, out); break;
    }
    for (std::int64_t i = 0; i < n; ++i)
        if (!std::isfinite(out[i]))
            fail("{}: pixel {} (row {}) is not finite", describe(h, origin), i % h.cols, row_first + i / h.cols);
}

std::vector<std::byte> encode_pixels(std::span<const float> values, PixelType type) {
    std::vector<std::byte> out(values.size() * pixel_bytes(type));
    switch (type) {
        case PixelType::u8: encode<std::uint8_t>(values, out.data()); break;
        case PixelType::u16: encode<std::uint16_t>(values, out.data()); break;
        case PixelType::u32: encode<std::uint32_t>(values, out.data()); break;
        case PixelType::i16: encode<std::int16_t>(values, out.data()); break;
        case PixelType::i32: encode<std::int32_t>(values, out.data()); break;
        case PixelType::f32: encode<float>(values, out.data()); break;
        case PixelType::f64: encode<double>(values, out.data()); break;
    }
    return out;
}

}  // namespace tomoedge::live
