#include "core/atomic_file.hpp"

#include "core/error.hpp"

#include <atomic>
#include <system_error>
#include <unistd.h>

namespace tomoedge {
namespace fs = std::filesystem;

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
    static std::atomic<int> counter{0};
    const fs::path dir = target_.parent_path().empty() ? fs::path(".") : target_.parent_path();
    if (!fs::is_directory(dir)) fail("{}: output folder '{}' does not exist", target_.string(), dir.string());
    // Hidden, same folder (so rename is atomic), unique per process and writer.
    temp_ = dir / fmt::format(".{}.tmp-{}-{}", target_.filename().string(), ::getpid(), counter++);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : target_(std::move(other.target_)), temp_(std::move(other.temp_)), committed_(other.committed_) {
    other.committed_ = true;  // the moved-from object owns nothing
}

AtomicFile::~AtomicFile() {
    if (committed_) return;
    std::error_code ec;
    fs::remove_all(temp_, ec);
}

void AtomicFile::commit() {
    std::error_code ec;
    // A folder target (a TIFF folder stack) cannot be renamed over a non-empty folder.
    if (fs::is_directory(temp_) && fs::exists(target_)) fs::remove_all(target_, ec);
    fs::rename(temp_, target_, ec);
    if (ec) fail("{}: cannot move finished output into place: {}", target_.string(), ec.message());
    committed_ = true;
}

}  // namespace tomoedge
