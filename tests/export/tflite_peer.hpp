#pragma once
// TFLite itself, for the tests that check our exported flatbuffers: its C library (TFLite 2.9,
// from the npm package tfjs-tflite-node@0.0.2 that scripts/install-peers.sh unpacks into
// tools/peers/) loaded with dlopen, so nothing is linked at build time and the tests skip when
// it is absent. The few C API entry points we call are declared here by their documented
// signatures (tensorflow/lite/c/c_api.h).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tomoedge::testing {

class TflitePeer {
public:
    /// tools/peers/tfjs-tflite-node/cc_deps/linux_<arch>/libtensorflowlite_c.so of the source tree.
    static std::filesystem::path default_library();

    /// Loads the library; throws std::runtime_error when it cannot be opened or lacks a symbol.
    explicit TflitePeer(const std::filesystem::path& library);
    ~TflitePeer();
    TflitePeer(const TflitePeer&) = delete;
    TflitePeer& operator=(const TflitePeer&) = delete;

    std::string version() const;

    struct Output {
        std::vector<int> dims;
        int type = 0;  // TfLiteType: 3 uint8, 9 int8
        float scale = 0;
        std::int32_t zero_point = 0;
        std::vector<std::uint8_t> bytes;
    };

    /// Builds an interpreter for the flatbuffer `model`, copies `input` (raw bytes of input 0)
    /// in, invokes once and returns output 0. Throws std::runtime_error with TFLite's own error
    /// messages when the model is refused or a step fails.
    Output run(const std::string& model, const std::vector<std::uint8_t>& input, int threads = 1) const;

private:
    struct Api;
    void* handle_ = nullptr;
    Api* api_ = nullptr;
};

}  // namespace tomoedge::testing
