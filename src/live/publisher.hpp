#pragma once
// Slices for a viewer on a ZeroMQ PUB socket (docs/live.md, "Slices for viewers"): the partial
// slices at every preview, the reconstructed and the denoised slices at the end. One two-part
// message per slice: a JSON header, then the pixels as float32 (little-endian, row-major). PUB
// never blocks the session: a viewer that is not connected or too slow misses messages.
#include "live/transport.hpp"

#include <cstdint>
#include <string>

namespace tomoedge::live {

struct SliceInfo {
    std::int64_t row = 0, size = 0;  // detector row (the slice), image size x size
    std::string stage;               // "partial", "reconstructed" or "denoised"
    std::int64_t projections = 0, expected = -1;
    bool complete = false;
};

class SlicePublisher {
public:
    /// Binds `endpoint` (e.g. tcp://127.0.0.1:5556; port * picks one: endpoint() says which).
    explicit SlicePublisher(const std::string& endpoint);
    std::string endpoint() const { return sender_.endpoint(); }
    void publish(const SliceInfo& info, const float* pixels);

private:
    FrameSender sender_;
};

}  // namespace tomoedge::live
