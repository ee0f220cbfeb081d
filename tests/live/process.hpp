#pragma once
// `tomoedge` started in the background (replay and live run side by side), with its stdout and
// stderr in files, waited for with a deadline so a hung test ends by itself.
#include <chrono>
#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

namespace tomoedge::testing {

class Background {
public:
    /// Starts `program args...` (default: the tomoedge under test) with CI=1 (no progress line).
    explicit Background(const std::vector<std::string>& args, const std::string& program = TOMOEDGE_BINARY);
    ~Background();  // kills (SIGKILL) a process still running
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;

    /// Exit status (128 + signal if a signal ended it); kills it and returns -1 after `deadline`.
    int wait(std::chrono::milliseconds deadline);
    void signal(int sig) const;
    std::string out() const;
    std::string err() const;
    /// Waits until stderr contains `text` (true) or `deadline` passes (false).
    bool wait_for_err(const std::string& text, std::chrono::milliseconds deadline) const;

private:
    pid_t pid_ = -1;
    bool done_ = false;
    int status_ = -1;
    std::filesystem::path out_, err_;
};

}  // namespace tomoedge::testing
