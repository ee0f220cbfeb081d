#pragma once
// Where a live session takes its frames from: a ZeroMQ socket, or a finished Data Exchange file
// read frame by frame (the same frames `replay` would send, for trying `live` without a sender).
#include "live/scan_frames.hpp"
#include "live/transport.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace tomoedge::live {

class FrameSource {
public:
    virtual ~FrameSource() = default;
    /// The next frame, or nullopt when none came within `wait`. Throws Error for a malformed
    /// message (consumed: the next call reads the next one).
    virtual std::optional<ReceivedFrame> next(std::chrono::milliseconds wait) = 0;
    virtual std::string name() const = 0;
};

/// tcp://HOST:PORT (any ZeroMQ endpoint), connected as pull or sub.
std::unique_ptr<FrameSource> zmq_source(const std::string& endpoint, SocketKind kind = SocketKind::pull);
/// A Data Exchange file: darks, flats, projections (as float32 frames), then the end message.
std::unique_ptr<FrameSource> file_source(const std::filesystem::path& file);

}  // namespace tomoedge::live
