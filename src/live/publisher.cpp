#include "live/publisher.hpp"

#include <nlohmann/json.hpp>

namespace tomoedge::live {

SlicePublisher::SlicePublisher(const std::string& endpoint)
    : sender_(endpoint, SocketKind::pub, std::chrono::milliseconds(500)) {}

void SlicePublisher::publish(const SliceInfo& s, const float* pixels) {
    const nlohmann::json header{{"type", "slice"},
                                {"row", s.row},
                                {"stage", s.stage},
                                {"shape", {s.size, s.size}},
                                {"dtype", "float32"},
                                {"projections", s.projections},
                                {"expected", s.expected},
                                {"complete", s.complete}};
    const auto bytes = std::as_bytes(std::span<const float>(pixels, static_cast<std::size_t>(s.size * s.size)));
    sender_.send_message(header.dump(), bytes, true, std::chrono::milliseconds(0));
}

}  // namespace tomoedge::live
