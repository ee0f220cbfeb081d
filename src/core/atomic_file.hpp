#pragma once
// "No partial output": every writer writes to a temporary file beside the target and renames it
// into place only once everything succeeded. If the writer is destroyed without commit() (an
// exception, a crash path), the temporary file is removed and the target is untouched.
#include <filesystem>

namespace tomoedge {

class AtomicFile {
public:
    /// Creates nothing yet; temp_path() is where the writer should write.
    explicit AtomicFile(std::filesystem::path target);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    AtomicFile(AtomicFile&&) noexcept;
    AtomicFile& operator=(AtomicFile&&) = delete;

    const std::filesystem::path& target() const { return target_; }
    const std::filesystem::path& temp_path() const { return temp_; }

    /// Renames the temporary (file or folder) onto the target, replacing what was there.
    void commit();

private:
    std::filesystem::path target_, temp_;
    bool committed_ = false;
};

}  // namespace tomoedge
