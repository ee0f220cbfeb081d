#pragma once
// A fresh folder per test, removed afterwards.
#include <filesystem>

namespace tomoedge::testing {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
    /// Number of entries in the folder (to check that failed writes leave nothing behind).
    std::size_t entry_count() const;

private:
    std::filesystem::path path_;
};

}  // namespace tomoedge::testing
