#include "live/replay.hpp"

#include "core/error.hpp"
#include "core/timer.hpp"
#include "live/scan_frames.hpp"

#include <thread>

namespace tomoedge::live {
namespace {

double unix_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

ReplaySummary replay_file(const std::filesystem::path& scan, FrameSender& sender, const ReplayOptions& o) {
    if (o.rate < 0) fail("replay: rate must be >= 0 frames/s, got {}", o.rate);
    ScanFrames frames(scan);
    ReplaySummary s;
    Stopwatch clock;
    const auto start = std::chrono::steady_clock::now();
    std::int64_t position = 0;
    const auto send = [&](FrameHeader h, std::span<const std::byte> bytes) {
        if (o.stamp_time) h.sent_at = unix_seconds();
        if (!sender.send(h, bytes, o.wait))
            fail("{}: no receiver took {} within {:.0f} s (is `tomoedge live --from {}` running?)", sender.endpoint(),
                 describe(h, scan.string()), std::chrono::duration<double>(o.wait).count(), sender.endpoint());
    };
    if (o.references_every < 0) fail("replay: references_every must be >= 0, got {}", o.references_every);
    // The darks and flats as sent, kept for sending again (references_every).
    std::vector<std::pair<FrameHeader, std::vector<std::byte>>> references;
    while (auto frame = frames.next()) {
        if (o.stop && o.stop->load()) {
            s.stopped = true;
            break;
        }
        // An absolute schedule (frame i at start + i / rate) keeps the mean rate exact.
        if (o.rate > 0)
            std::this_thread::sleep_until(start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                      std::chrono::duration<double>(static_cast<double>(position) / o.rate)));
        ++position;
        const FrameHeader& h = frame->first;
        if (h.type == FrameType::projection && h.index == o.skip_projection) continue;
        if (h.type == FrameType::projection && o.references_every > 0 && h.index > 0 &&
            h.index % o.references_every == 0)
            for (const auto& [header, pixels] : references) {
                send(header, pixels);
                ++s.frames;
                ++s.references_resent;
            }
        std::vector<std::byte> bytes = encode_pixels(frame->second.span(), h.dtype);
        send(h, bytes);
        if (h.type != FrameType::projection && o.references_every > 0) references.emplace_back(h, std::move(bytes));
        ++s.frames;
        if (h.type == FrameType::dark) ++s.darks;
        if (h.type == FrameType::flat) ++s.flats;
        if (h.type == FrameType::projection) ++s.projections;
        if (o.on_frame) o.on_frame(position, frames.frames());
    }
    if (!s.stopped) send(frames.end_header(), {});
    s.seconds = clock.seconds();
    return s;
}

}  // namespace tomoedge::live
