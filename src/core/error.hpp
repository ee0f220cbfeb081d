#pragma once
// One exception type for every user-facing failure. Its message is the single line the CLI
// prints: it names the file (and dataset) and says what is wrong.
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace tomoedge {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
    throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace tomoedge
