#include "fuzz_support.hpp"

#include "core/memory_limit.hpp"
#include "core/threading.hpp"

#include <cstring>
#include <fstream>
#include <map>
#include <unistd.h>

namespace tomoedge::fuzz {
namespace fs = std::filesystem;
namespace {

// Temporary files of this process, removed when it exits normally (a crash leaves them in /tmp
// under a name that says what they are).
struct TempFiles {
    std::map<std::string, fs::path> paths;
    ~TempFiles() {
        std::error_code ec;
        for (const auto& [suffix, path] : paths) fs::remove_all(path, ec);
    }
};

TempFiles& temp_files() {
    static TempFiles files;
    return files;
}

}  // namespace

void setup() {
    static const bool done = [] {
        set_num_threads(1);
        set_allocation_limit(std::uint64_t{1} << 30);
        return true;
    }();
    (void)done;
}

const fs::path& temp_path(const std::string& suffix) {
    auto& paths = temp_files().paths;
    auto it = paths.find(suffix);
    if (it == paths.end()) {
        const fs::path path = fs::temp_directory_path() / ("tomoedge-fuzz-" + std::to_string(getpid()) + suffix);
        it = paths.emplace(suffix, path).first;
    }
    return it->second;
}

const fs::path& write_temp(const std::uint8_t* data, std::size_t size, const std::string& suffix) {
    const fs::path& path = temp_path(suffix);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) fail("fuzz: cannot write {}", path.string());
    return path;
}

float Bytes::f32() {
    const std::uint32_t bits = u32();
    float v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
}

}  // namespace tomoedge::fuzz
