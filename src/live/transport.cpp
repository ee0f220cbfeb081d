#include "live/transport.hpp"

#include "core/error.hpp"

#include <zmq.hpp>

#include <cerrno>
#include <vector>

namespace tomoedge::live {
namespace {

constexpr int kReceiveQueueFrames = 128;

zmq::socket_type zmq_type(SocketKind kind) {
    switch (kind) {
        case SocketKind::push: return zmq::socket_type::push;
        case SocketKind::pull: return zmq::socket_type::pull;
        case SocketKind::pub: return zmq::socket_type::pub;
        case SocketKind::sub: return zmq::socket_type::sub;
    }
    return zmq::socket_type::pull;
}

}  // namespace

SocketKind parse_socket_kind(std::string_view name) {
    if (name == "push") return SocketKind::push;
    if (name == "pull") return SocketKind::pull;
    if (name == "pub") return SocketKind::pub;
    if (name == "sub") return SocketKind::sub;
    fail("socket kind '{}': expected push, pull, pub or sub", name);
}

// ---- receiver ---------------------------------------------------------------------------------

struct FrameReceiver::Impl {
    zmq::context_t context{1};
    zmq::socket_t socket;
    std::vector<zmq::message_t> parts;
    explicit Impl(SocketKind kind) : socket(context, zmq_type(kind)) {}
};

FrameReceiver::FrameReceiver(const std::string& endpoint, SocketKind kind) : endpoint_(endpoint) {
    if (kind != SocketKind::pull && kind != SocketKind::sub)
        fail("{}: a receiver is a pull or sub socket", endpoint);
    impl_ = std::make_unique<Impl>(kind);
    try {
        impl_->socket.set(zmq::sockopt::linger, 0);
        // Frames waiting in this process are bounded (128 frames: 256 MiB of 1024 x 1024 uint16);
        // beyond that they wait in the sender's queue, then the sender blocks (PUSH) or drops (PUB).
        impl_->socket.set(zmq::sockopt::rcvhwm, kReceiveQueueFrames);
        if (kind == SocketKind::sub) impl_->socket.set(zmq::sockopt::subscribe, "");
        impl_->socket.connect(endpoint);
    } catch (const zmq::error_t& e) {
        fail("{}: cannot connect: {}", endpoint, e.what());
    }
}

FrameReceiver::~FrameReceiver() = default;

std::optional<ReceivedFrame> FrameReceiver::receive(std::chrono::milliseconds wait) {
    auto& parts = impl_->parts;
    parts.clear();
    zmq::pollitem_t item{static_cast<void*>(impl_->socket), 0, ZMQ_POLLIN, 0};
    try {
        if (zmq::poll(&item, 1, wait) == 0) return std::nullopt;
        // A message's parts arrive together (ZeroMQ delivers multipart messages atomically).
        do {
            parts.emplace_back();
            if (!impl_->socket.recv(parts.back(), zmq::recv_flags::dontwait)) {
                parts.pop_back();
                break;
            }
        } while (parts.back().more());
    } catch (const zmq::error_t& e) {
        if (e.num() == EINTR) return std::nullopt;  // a signal (SIGINT): the caller checks its flag
        fail("{}: receive failed: {}", endpoint_, e.what());
    }
    if (parts.empty()) return std::nullopt;
    std::string origin = endpoint_;
    if (const char* peer = parts.front().gets("Peer-Address"); peer && *peer) origin += fmt::format(" (peer {})", peer);
    ReceivedFrame frame;
    frame.header = parse_header(parts.front().to_string_view(), origin);
    frame.origin = origin;
    const std::size_t want = frame.header.type == FrameType::end ? 1 : 2;
    if (parts.size() != want)
        fail("{}: message has {} part(s), expected {} (JSON header{})", describe(frame.header, origin), parts.size(),
             want, want == 2 ? " + pixels" : "");
    if (want == 2) frame.pixels = {static_cast<const std::byte*>(parts[1].data()), parts[1].size()};
    return frame;
}

// ---- sender -----------------------------------------------------------------------------------

struct FrameSender::Impl {
    zmq::context_t context{1};
    zmq::socket_t socket;
    explicit Impl(SocketKind kind) : socket(context, zmq_type(kind)) {}
};

FrameSender::FrameSender(const std::string& endpoint, SocketKind kind, std::chrono::milliseconds linger) {
    if (kind != SocketKind::push && kind != SocketKind::pub) fail("{}: a sender is a push or pub socket", endpoint);
    impl_ = std::make_unique<Impl>(kind);
    try {
        impl_->socket.set(zmq::sockopt::linger, static_cast<int>(linger.count()));
        impl_->socket.bind(endpoint);
    } catch (const zmq::error_t& e) {
        fail("{}: cannot bind: {}", endpoint, e.what());
    }
}

FrameSender::~FrameSender() = default;

std::string FrameSender::endpoint() const { return impl_->socket.get(zmq::sockopt::last_endpoint); }

bool FrameSender::send(const FrameHeader& header, std::span<const std::byte> pixels, std::chrono::milliseconds wait) {
    return send_message(format_header(header), pixels, header.type != FrameType::end, wait);
}

bool FrameSender::send_message(std::string_view header, std::span<const std::byte> bytes, bool with_bytes,
                               std::chrono::milliseconds wait) {
    try {
        impl_->socket.set(zmq::sockopt::sndtimeo, static_cast<int>(wait.count()));
        if (!impl_->socket.send(zmq::const_buffer(header.data(), header.size()),
                                with_bytes ? zmq::send_flags::sndmore : zmq::send_flags::none))
            return false;
        // Once the first part is queued the second goes out at once (same message).
        if (with_bytes) impl_->socket.send(zmq::const_buffer(bytes.data(), bytes.size()), zmq::send_flags::none);
    } catch (const zmq::error_t& e) {
        fail("{}: send failed: {}", endpoint(), e.what());
    }
    return true;
}

}  // namespace tomoedge::live
