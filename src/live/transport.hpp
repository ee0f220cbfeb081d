#pragma once
// ZeroMQ ends of the frame protocol (frame.hpp): a receiver (PULL, or SUB subscribed to
// everything) and a sender (PUSH, or PUB). The sender binds and the receiver connects, as
// detectors' stream interfaces do, so a receiver can be (re)started while the sender runs.
#include "live/frame.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace tomoedge::live {

/// pull/sub receive, push/pub send. PUSH/PULL never drops a frame (the sender blocks when the
/// receiver is gone or slow); PUB/SUB lets a slow receiver miss frames (it reports them missing).
enum class SocketKind { push, pull, pub, sub };
SocketKind parse_socket_kind(std::string_view name);

/// A received frame: its header, who sent it, and its pixels (encoded as on the wire; valid until
/// the next receive()).
struct ReceivedFrame {
    FrameHeader header;
    std::string origin;               // "tcp://127.0.0.1:5555 (peer 127.0.0.1)"
    std::span<const std::byte> pixels;  // empty for "end"
};

class FrameReceiver {
public:
    /// Connects to `endpoint` (e.g. tcp://127.0.0.1:5555) as `kind` (pull or sub).
    FrameReceiver(const std::string& endpoint, SocketKind kind = SocketKind::pull);
    ~FrameReceiver();
    FrameReceiver(const FrameReceiver&) = delete;
    FrameReceiver& operator=(const FrameReceiver&) = delete;

    /// The next frame, or nullopt when none came within `wait` (or a signal interrupted the wait).
    /// Throws Error for a malformed message (bad JSON, missing pixel part, extra parts), naming
    /// the sender; the message is consumed, so the next call reads the next frame.
    std::optional<ReceivedFrame> receive(std::chrono::milliseconds wait);
    const std::string& endpoint() const { return endpoint_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string endpoint_;
};

class FrameSender {
public:
    /// Binds `endpoint` as `kind` (push or pub); "tcp://127.0.0.1:*" picks a free port (endpoint()
    /// says which). `linger`: how long closing waits for queued frames to leave.
    FrameSender(const std::string& endpoint, SocketKind kind = SocketKind::push,
                std::chrono::milliseconds linger = std::chrono::seconds(30));
    ~FrameSender();
    FrameSender(const FrameSender&) = delete;
    FrameSender& operator=(const FrameSender&) = delete;

    /// The bound endpoint with its actual port.
    std::string endpoint() const;
    /// Sends header (+ pixels unless "end"); blocks while the receiver's queue is full (PUSH).
    /// False when `wait` passed without the frame leaving (no receiver).
    bool send(const FrameHeader& header, std::span<const std::byte> pixels,
              std::chrono::milliseconds wait = std::chrono::milliseconds(-1));
    /// Any two-part message (JSON text + bytes): what send() and the slice publisher use.
    bool send_message(std::string_view header, std::span<const std::byte> bytes, bool with_bytes,
                      std::chrono::milliseconds wait = std::chrono::milliseconds(-1));

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tomoedge::live
