#include "tflite_peer.hpp"

#include <dlfcn.h>

#include <cstdarg>
#include <cstdio>
#include <stdexcept>
#include <sys/utsname.h>

namespace tomoedge::testing {

namespace {

// Opaque C API types and the two small structs/enums we read (c_api.h, c_api_types.h).
struct TfLiteModel;
struct TfLiteInterpreterOptions;
struct TfLiteInterpreter;
struct TfLiteTensor;
using TfLiteStatus = int;  // kTfLiteOk = 0
struct TfLiteQuantizationParams {
    float scale;
    std::int32_t zero_point;
};
using Reporter = void (*)(void*, const char*, va_list);

void collect(void* user, const char* format, va_list args) {
    char line[1024];
    std::vsnprintf(line, sizeof line, format, args);
    auto* messages = static_cast<std::string*>(user);
    if (!messages->empty()) *messages += "; ";
    *messages += line;
}

}  // namespace

struct TflitePeer::Api {
    const char* (*version)();
    TfLiteModel* (*model_create)(const void*, std::size_t);
    void (*model_delete)(TfLiteModel*);
    TfLiteInterpreterOptions* (*options_create)();
    void (*options_delete)(TfLiteInterpreterOptions*);
    void (*options_set_threads)(TfLiteInterpreterOptions*, std::int32_t);
    void (*options_set_reporter)(TfLiteInterpreterOptions*, Reporter, void*);
    TfLiteInterpreter* (*interpreter_create)(const TfLiteModel*, const TfLiteInterpreterOptions*);
    void (*interpreter_delete)(TfLiteInterpreter*);
    TfLiteStatus (*allocate)(TfLiteInterpreter*);
    TfLiteStatus (*invoke)(TfLiteInterpreter*);
    TfLiteTensor* (*input_tensor)(const TfLiteInterpreter*, std::int32_t);
    const TfLiteTensor* (*output_tensor)(const TfLiteInterpreter*, std::int32_t);
    int (*tensor_type)(const TfLiteTensor*);
    std::int32_t (*num_dims)(const TfLiteTensor*);
    std::int32_t (*dim)(const TfLiteTensor*, std::int32_t);
    std::size_t (*byte_size)(const TfLiteTensor*);
    TfLiteQuantizationParams (*quantization)(const TfLiteTensor*);
    TfLiteStatus (*copy_from)(TfLiteTensor*, const void*, std::size_t);
    TfLiteStatus (*copy_to)(const TfLiteTensor*, void*, std::size_t);
};

std::filesystem::path TflitePeer::default_library() {
    utsname u{};
    uname(&u);
    const std::string arch = std::string(u.machine) == "aarch64" ? "linux_arm64" : "linux_amd64";
    return std::filesystem::path(TOMOEDGE_SOURCE_DIR) / "tools/peers/tfjs-tflite-node/cc_deps" / arch /
           "libtensorflowlite_c.so";
}

TflitePeer::TflitePeer(const std::filesystem::path& library) {
    handle_ = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) throw std::runtime_error("dlopen " + library.string() + ": " + dlerror());
    api_ = new Api{};
    auto load = [&](auto& fn, const char* name) {
        void* p = dlsym(handle_, name);
        if (!p) throw std::runtime_error(library.string() + ": no symbol " + name);
        fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(p);
    };
    load(api_->version, "TfLiteVersion");
    load(api_->model_create, "TfLiteModelCreate");
    load(api_->model_delete, "TfLiteModelDelete");
    load(api_->options_create, "TfLiteInterpreterOptionsCreate");
    load(api_->options_delete, "TfLiteInterpreterOptionsDelete");
    load(api_->options_set_threads, "TfLiteInterpreterOptionsSetNumThreads");
    load(api_->options_set_reporter, "TfLiteInterpreterOptionsSetErrorReporter");
    load(api_->interpreter_create, "TfLiteInterpreterCreate");
    load(api_->interpreter_delete, "TfLiteInterpreterDelete");
    load(api_->allocate, "TfLiteInterpreterAllocateTensors");
    load(api_->invoke, "TfLiteInterpreterInvoke");
    load(api_->input_tensor, "TfLiteInterpreterGetInputTensor");
    load(api_->output_tensor, "TfLiteInterpreterGetOutputTensor");
    load(api_->tensor_type, "TfLiteTensorType");
    load(api_->num_dims, "TfLiteTensorNumDims");
    load(api_->dim, "TfLiteTensorDim");
    load(api_->byte_size, "TfLiteTensorByteSize");
    load(api_->quantization, "TfLiteTensorQuantizationParams");
    load(api_->copy_from, "TfLiteTensorCopyFromBuffer");
    load(api_->copy_to, "TfLiteTensorCopyToBuffer");
}

TflitePeer::~TflitePeer() {
    delete api_;
    if (handle_) dlclose(handle_);
}

std::string TflitePeer::version() const { return api_->version(); }

TflitePeer::Output TflitePeer::run(const std::string& model, const std::vector<std::uint8_t>& input, int threads) const {
    std::string messages;
    TfLiteModel* m = api_->model_create(model.data(), model.size());
    if (!m) throw std::runtime_error("TFLite refuses the model");
    TfLiteInterpreterOptions* options = api_->options_create();
    api_->options_set_threads(options, threads);
    api_->options_set_reporter(options, collect, &messages);
    TfLiteInterpreter* interpreter = api_->interpreter_create(m, options);
    auto cleanup = [&] {
        if (interpreter) api_->interpreter_delete(interpreter);
        api_->options_delete(options);
        api_->model_delete(m);
    };
    auto check = [&](bool ok, const char* step) {
        if (ok) return;
        cleanup();
        throw std::runtime_error(std::string("TFLite ") + step + " failed: " + messages);
    };
    check(interpreter != nullptr, "interpreter creation");
    check(api_->allocate(interpreter) == 0, "AllocateTensors");
    TfLiteTensor* in = api_->input_tensor(interpreter, 0);
    check(api_->byte_size(in) == input.size(), "input size check");
    check(api_->copy_from(in, input.data(), input.size()) == 0, "input copy");
    check(api_->invoke(interpreter) == 0, "Invoke");
    const TfLiteTensor* out = api_->output_tensor(interpreter, 0);
    Output result;
    for (std::int32_t d = 0; d < api_->num_dims(out); ++d) result.dims.push_back(api_->dim(out, d));
    result.type = api_->tensor_type(out);
    const TfLiteQuantizationParams q = api_->quantization(out);
    result.scale = q.scale;
    result.zero_point = q.zero_point;
    result.bytes.resize(api_->byte_size(out));
    check(api_->copy_to(out, result.bytes.data(), result.bytes.size()) == 0, "output copy");
    cleanup();
    return result;
}

}  // namespace tomoedge::testing
