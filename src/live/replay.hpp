#pragma once
// `tomoedge replay`: a Data Exchange file sent as a live stream (darks, flats, projections, end),
// paced at a given rate. The sender for tests and for users trying `tomoedge live`.
#include "live/transport.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>

namespace tomoedge::live {

struct ReplayOptions {
    double rate = 0;  // frames per second (every frame, darks and flats included); 0 = as fast as possible
    /// How long one frame may wait for a receiver (PUSH blocks while none is connected or its
    /// queue is full); Error after that.
    std::chrono::milliseconds wait = std::chrono::seconds(60);
    std::int64_t skip_projection = -1;  // leave this projection out (to test missing frames); -1 none
    /// Send every dark and flat again after each N projections (0: never), so that a receiver
    /// (re)started mid-scan can still normalise; receivers that have them already ignore them.
    std::int64_t references_every = 0;
    bool stamp_time = true;             // put the send time in each header (the receiver's latency)
    const std::atomic<bool>* stop = nullptr;  // set (SIGINT): stop after the current frame
    std::function<void(std::int64_t sent, std::int64_t total)> on_frame;
};

struct ReplaySummary {
    std::int64_t darks = 0, flats = 0, projections = 0, frames = 0;  // frames: every message but the end
    std::int64_t references_resent = 0;
    double seconds = 0;
    bool stopped = false;
};

ReplaySummary replay_file(const std::filesystem::path& scan, FrameSender& sender, const ReplayOptions& options);

}  // namespace tomoedge::live
