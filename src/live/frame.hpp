#pragma once
// The live frame protocol (docs/live.md): one ZeroMQ multipart message per frame, part 1 a small
// JSON header, part 2 the raw pixels (little-endian, row-major). This file reads and writes
// headers and decodes pixels; it knows nothing of sockets, so a file source can use it too.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tomoedge::live {

enum class FrameType { dark, flat, projection, end };

/// Pixel types a sender may use, by their header names ("uint16", "float32", ...).
enum class PixelType { u8, u16, u32, i16, i32, f32, f64 };

struct FrameHeader {
    FrameType type = FrameType::projection;
    std::int64_t index = 0;   // per type, counted from 0 (dark 0.., flat 0.., projection 0..)
    double angle_deg = 0;     // projections only
    std::int64_t rows = 0, cols = 0;
    PixelType dtype = PixelType::u16;
    // Scan totals a sender may announce on any frame (-1: not given). "end" must give projections.
    std::int64_t projections = -1, darks = -1, flats = -1;
    std::optional<double> sent_at;  // "time": sender's clock, seconds since the Unix epoch (latency)
};

std::string_view frame_type_name(FrameType type);
std::string_view pixel_type_name(PixelType type);
std::size_t pixel_bytes(PixelType type);
/// "uint8", "uint16", "uint32", "int16", "int32", "float32", "float64"; nullopt otherwise.
std::optional<PixelType> parse_pixel_type(std::string_view name);

/// "projection 17 from tcp://127.0.0.1:5555": how errors and warnings name a frame.
std::string describe(const FrameHeader& header, const std::string& origin);

/// Parses and validates a header. Errors name `origin` (the sender) and, once known, the frame.
FrameHeader parse_header(std::string_view json, const std::string& origin);
/// The header as one line of JSON (what `replay` sends).
std::string format_header(const FrameHeader& header);

/// Checks that `bytes` holds header.rows x header.cols pixels of header.dtype (Error naming the
/// frame otherwise), then converts rows [row_first, row_first + row_count) to float32 into `out`
/// (row_count x cols values).
void decode_rows(const FrameHeader& header, std::span<const std::byte> bytes, std::int64_t row_first,
                 std::int64_t row_count, float* out, const std::string& origin);

/// `values` as little-endian `type` (integers rounded and clamped to the type's range).
std::vector<std::byte> encode_pixels(std::span<const float> values, PixelType type);

}  // namespace tomoedge::live
