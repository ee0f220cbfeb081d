#include "support/temp_dir.hpp"

#include <cstdlib>
#include <iterator>
#include <string>
#include <system_error>

namespace tomoedge::testing {

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tomoedge-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::size_t TempDir::entry_count() const {
    return static_cast<std::size_t>(
        std::distance(std::filesystem::directory_iterator(path_), std::filesystem::directory_iterator{}));
}

}  // namespace tomoedge::testing
