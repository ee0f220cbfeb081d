#pragma once
// Small scans for the live tests: closed-form projections of discs (no phantom/projector code, so
// these tests do not move when the reconstruction's own test objects do), and a frame source over
// frames held in memory.
#include "core/tensor.hpp"
#include "io/data_exchange.hpp"
#include "live/frame.hpp"
#include "live/frame_source.hpp"

#include <chrono>
#include <cmath>
#include <deque>
#include <filesystem>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

namespace tomoedge::testing {

struct ScanSpec {
    std::int64_t angles = 48, rows = 4, cols = 40, darks = 2, flats = 3;
    double i0 = 20000, dark = 100;
};

/// Raw counts of discs whose size changes with the row: I0 exp(-line integral) + dark, flats and
/// darks with a little per-frame variation (so their means matter).
inline Projections make_scan(const ScanSpec& spec = {}) {
    Projections p;
    p.data = Tensor<float>(Shape{spec.angles, spec.rows, spec.cols});
    p.white = Tensor<float>(Shape{spec.flats, spec.rows, spec.cols});
    p.dark = Tensor<float>(Shape{spec.darks, spec.rows, spec.cols});
    const double mid = static_cast<double>(spec.cols - 1) / 2.0;
    for (std::int64_t a = 0; a < spec.angles; ++a) {
        const double deg = 180.0 * static_cast<double>(a) / static_cast<double>(spec.angles);
        p.theta_deg.push_back(static_cast<float>(deg));
        const double t = deg * std::numbers::pi / 180.0;
        for (std::int64_t r = 0; r < spec.rows; ++r) {
            // A centred disc plus an off-centre one (so orientation errors show).
            const double radius = 0.3 * static_cast<double>(spec.cols) + static_cast<double>(r);
            const double cx = 0.15 * static_cast<double>(spec.cols), cy = -0.1 * static_cast<double>(spec.cols);
            for (std::int64_t c = 0; c < spec.cols; ++c) {
                const double s = static_cast<double>(c) - mid;
                double line = 0;
                if (std::abs(s) < radius) line += 0.02 * 2 * std::sqrt(radius * radius - s * s);
                const double s2 = s - (cx * std::cos(t) + cy * std::sin(t)), r2 = 0.12 * static_cast<double>(spec.cols);
                if (std::abs(s2) < r2) line += 0.05 * 2 * std::sqrt(r2 * r2 - s2 * s2);
                p.data.outer(a)[r * spec.cols + c] = static_cast<float>(spec.i0 * std::exp(-line) + spec.dark);
            }
        }
    }
    for (std::int64_t f = 0; f < spec.flats; ++f)
        for (std::int64_t i = 0; i < spec.rows * spec.cols; ++i)
            p.white.outer(f)[i] = static_cast<float>(spec.i0 + spec.dark + static_cast<double>((i * 7 + f * 13) % 50));
    for (std::int64_t f = 0; f < spec.darks; ++f)
        for (std::int64_t i = 0; i < spec.rows * spec.cols; ++i)
            p.dark.outer(f)[i] = static_cast<float>(spec.dark + static_cast<double>((i * 3 + f * 5) % 7));
    return p;
}

inline std::filesystem::path write_scan(const std::filesystem::path& file, const ScanSpec& spec = {}) {
    io::write_projections(file, make_scan(spec));
    return file;
}

/// One frame as a sender would make it.
struct OwnedFrame {
    live::FrameHeader header;
    std::vector<std::byte> pixels;
};

/// Frames in memory, handed out one by one; then nothing (so the session times out), unless an
/// end message is among them.
class VectorSource final : public live::FrameSource {
public:
    explicit VectorSource(std::deque<OwnedFrame> frames) : frames_(std::move(frames)) {}
    std::optional<live::ReceivedFrame> next(std::chrono::milliseconds) override {
        if (frames_.empty()) return std::nullopt;
        current_ = std::move(frames_.front());
        frames_.pop_front();
        live::ReceivedFrame f;
        f.header = current_.header;
        f.origin = "test-sender";
        f.pixels = current_.pixels;
        return f;
    }
    std::string name() const override { return "test-sender"; }

private:
    std::deque<OwnedFrame> frames_;
    OwnedFrame current_;
};

/// The frames of `scan`: darks, flats, projections (u16), announcing totals when `announce`.
inline std::deque<OwnedFrame> frames_of(const Projections& scan, bool announce = true) {
    std::deque<OwnedFrame> out;
    const std::int64_t rows = scan.data.dim(1), cols = scan.data.dim(2), n = rows * cols;
    const auto add = [&](live::FrameType type, std::int64_t index, const float* px, double angle) {
        OwnedFrame f;
        f.header.type = type;
        f.header.index = index;
        f.header.angle_deg = angle;
        f.header.rows = rows, f.header.cols = cols;
        f.header.dtype = live::PixelType::u16;
        if (announce) {
            f.header.projections = scan.data.dim(0);
            f.header.darks = scan.dark.dim(0);
            f.header.flats = scan.white.dim(0);
        }
        f.pixels = live::encode_pixels({px, static_cast<std::size_t>(n)}, live::PixelType::u16);
        out.push_back(std::move(f));
    };
    for (std::int64_t i = 0; i < scan.dark.dim(0); ++i) add(live::FrameType::dark, i, scan.dark.outer(i), 0);
    for (std::int64_t i = 0; i < scan.white.dim(0); ++i) add(live::FrameType::flat, i, scan.white.outer(i), 0);
    for (std::int64_t i = 0; i < scan.data.dim(0); ++i)
        add(live::FrameType::projection, i, scan.data.outer(i), scan.theta_deg[static_cast<std::size_t>(i)]);
    return out;
}

inline OwnedFrame end_frame(std::int64_t projections) {
    OwnedFrame f;
    f.header.type = live::FrameType::end;
    f.header.projections = projections;
    return f;
}

}  // namespace tomoedge::testing
