#include "live/frame_source.hpp"

#include <thread>

namespace tomoedge::live {
namespace {

class ZmqSource final : public FrameSource {
public:
    ZmqSource(const std::string& endpoint, SocketKind kind) : receiver_(endpoint, kind) {}
    std::optional<ReceivedFrame> next(std::chrono::milliseconds wait) override { return receiver_.receive(wait); }
    std::string name() const override { return receiver_.endpoint(); }

private:
    FrameReceiver receiver_;
};

class FileSource final : public FrameSource {
public:
    explicit FileSource(const std::filesystem::path& file) : file_(file.string()), frames_(file) {}
    std::optional<ReceivedFrame> next(std::chrono::milliseconds wait) override {
        if (ended_) {
            std::this_thread::sleep_for(wait);  // nothing more will come
            return std::nullopt;
        }
        ReceivedFrame f;
        f.origin = file_;
        if (auto frame = frames_.next()) {
            current_ = std::move(frame->second);
            f.header = frame->first;
            f.header.dtype = PixelType::f32;  // handed over as read (float32), not re-encoded
            f.pixels = std::as_bytes(current_.span());
            return f;
        }
        ended_ = true;
        f.header = frames_.end_header();
        return f;
    }
    std::string name() const override { return file_; }

private:
    std::string file_;
    ScanFrames frames_;
    Tensor<float> current_;
    bool ended_ = false;
};

}  // namespace

std::unique_ptr<FrameSource> zmq_source(const std::string& endpoint, SocketKind kind) {
    return std::make_unique<ZmqSource>(endpoint, kind);
}

std::unique_ptr<FrameSource> file_source(const std::filesystem::path& file) {
    return std::make_unique<FileSource>(file);
}

}  // namespace tomoedge::live
